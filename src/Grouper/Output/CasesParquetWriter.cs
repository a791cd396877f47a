using System.Text;
using Grouper.Core;
using Grouper.Ingest;
using Grouper.Output.Internals;
using Parquet;
using Parquet.Schema;

namespace Grouper.Output;

/// <summary>A group of cases.parquet columns filled from a batch (ingest fields, DRG, DIP, payment …).</summary>
internal interface ICaseColumnSet
{
    IEnumerable<IColumnBuffer> Columns { get; }

    /// <summary>Copies row <paramref name="index"/> of <paramref name="batch"/> into position <paramref name="row"/> of the buffers.</summary>
    void Append(DischargeBatch batch, int index, int row);
}

/// <summary>
/// Writes out/cases.parquet: one row per accepted record in input order, in row groups of
/// <see cref="RowGroupSize"/> rows, Snappy-compressed, to a temporary file renamed on commit.
/// Rows are copied into a row-group slot in order; a full slot is encoded on the thread pool
/// (up to <see cref="Encoders"/> at once, each into its own single-row-group Parquet part in
/// memory) and the parts are joined into the file in order by <see cref="ParquetStitcher"/>.
/// A part depends only on its rows, so the file is the same bytes whatever the parallelism.
/// </summary>
public sealed class CasesParquetWriter : IAsyncDisposable
{
    private static readonly ParquetOptions Options = new() { CompressionMethod = CompressionMethod.Snappy };

    private readonly AtomicFile _file;
    private readonly Func<Slot> _newSlot;
    private readonly Stack<Slot> _free = new();
    private readonly Queue<Task<Slot>> _encoding = new();
    private readonly ParquetSchema _schema;
    private ParquetStitcher? _stitcher;
    private Slot? _current;

    internal CasesParquetWriter(string path, HospitalTable hospitals, Func<int, IEnumerable<ICaseColumnSet>> extraSets, int rowGroupSize = 128 * 1024, bool pseudonymized = false, int encoders = 0)
    {
        RowGroupSize = rowGroupSize;
        Encoders = encoders > 0 ? encoders : Environment.ProcessorCount;
        _newSlot = () => new Slot([new IngestColumns(hospitals, rowGroupSize, pseudonymized), .. extraSets(rowGroupSize)]);
        _current = _newSlot();
        _schema = _current.Schema;
        _file = new AtomicFile(path);
    }

    public CasesParquetWriter(string path, HospitalTable hospitals, int rowGroupSize = 128 * 1024, bool pseudonymized = false)
        : this(path, hospitals, _ => [], rowGroupSize, pseudonymized)
    {
    }

    public int RowGroupSize { get; }

    /// <summary>Row groups encoded at the same time (each holds one slot of buffers in memory).</summary>
    public int Encoders { get; }

    public long RowsWritten { get; private set; }

    public ParquetSchema Schema => _schema;

    public async Task AppendAsync(DischargeBatch batch, CancellationToken ct = default)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            var slot = _current ??= _free.Count > 0 ? _free.Pop() : _newSlot();
            foreach (var s in slot.Sets)
            {
                s.Append(batch, i, slot.Rows);
            }

            slot.Rows++;
            if (slot.Rows == RowGroupSize)
            {
                await DispatchAsync(ct).ConfigureAwait(false);
            }
        }
    }

    private async Task DispatchAsync(CancellationToken ct)
    {
        var slot = _current;
        _current = null;
        if (slot is null || slot.Rows == 0)
        {
            _current = slot;
            return;
        }

        _encoding.Enqueue(Task.Run(
            async () =>
            {
                slot.Part.SetLength(0);
                await EncodeAsync(slot.Part, slot.Schema, slot.Columns, slot.Rows, ct).ConfigureAwait(false);
                return slot;
            },
            ct));
        while (_encoding.Count >= Encoders)
        {
            await WriteOldestAsync(ct).ConfigureAwait(false);
        }
    }

    private async Task WriteOldestAsync(CancellationToken ct)
    {
        var slot = await _encoding.Dequeue().ConfigureAwait(false);
        _stitcher ??= new ParquetStitcher(_file.Stream, await EmptyFileAsync(ct).ConfigureAwait(false));
        _stitcher.Append(slot.Part.GetBuffer().AsSpan(0, (int)slot.Part.Length));
        RowsWritten += slot.Rows;
        slot.Reset();
        _free.Push(slot);
    }

    private async Task<byte[]> EmptyFileAsync(CancellationToken ct)
    {
        using var ms = new MemoryStream();
        await EncodeAsync(ms, _schema, [], 0, ct).ConfigureAwait(false);
        return ms.ToArray();
    }

    /// <summary>A complete Parquet file of one row group (none when <paramref name="rows"/> is 0: the schema only).</summary>
    private static async Task EncodeAsync(MemoryStream ms, ParquetSchema schema, IReadOnlyList<IColumnBuffer> columns, int rows, CancellationToken ct)
    {
        await using (var writer = await ParquetWriter.CreateAsync(schema, ms, Options, false, ct).ConfigureAwait(false))
        {
            if (rows > 0)
            {
                using var rg = writer.CreateRowGroup();
                foreach (var c in columns)
                {
                    await c.WriteAsync(rg, rows, ct).ConfigureAwait(false);
                }
            }
        }
    }

    public async Task CommitAsync(CancellationToken ct = default)
    {
        await DispatchAsync(ct).ConfigureAwait(false);
        while (_encoding.Count > 0)
        {
            await WriteOldestAsync(ct).ConfigureAwait(false);
        }

        // A file with no accepted record still gets the schema (an empty, valid Parquet file).
        _stitcher ??= new ParquetStitcher(_file.Stream, await EmptyFileAsync(ct).ConfigureAwait(false));
        _stitcher.Finish();
        await _file.CommitAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        while (_encoding.Count > 0)
        {
            try
            {
                await _encoding.Dequeue().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The run already failed or was cancelled; the temporary file is removed below.
            }
        }

        _stitcher?.Dispose();
        await _file.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The column buffers of one row group being filled or encoded.</summary>
    private sealed class Slot
    {
        public Slot(ICaseColumnSet[] sets)
        {
            Sets = sets;
            var columns = new List<IColumnBuffer>();
            foreach (var s in sets)
            {
                columns.AddRange(s.Columns);
            }

            Columns = columns;
            // Each slot has its own field objects, so its own (identical) schema to attach them to.
            Schema = new ParquetSchema(columns.Select(c => (Field)c.Field).ToArray());
        }

        public ParquetSchema Schema { get; }

        /// <summary>The encoded part, reused from one row group to the next (no large array per part).</summary>
        public MemoryStream Part { get; } = new();

        public ICaseColumnSet[] Sets { get; }

        public IReadOnlyList<IColumnBuffer> Columns { get; }

        public int Rows { get; set; }

        public void Reset()
        {
            Rows = 0;
            foreach (var c in Columns)
            {
                c.Reset();
            }
        }
    }
}

/// <summary>The validated input fields of a case, typed.</summary>
internal sealed class IngestColumns : ICaseColumnSet
{
    private readonly HospitalTable _hospitals;
    private readonly StringCache<Code> _codes = new(c => c.ToString());

    private readonly ValueColumn<long> _line;
    private readonly StringColumn _caseId;
    private readonly StringColumn _hospitalId;
    private readonly StringColumn _personId;
    private readonly StringColumn _insurance;
    private readonly StringColumn _assistance;
    private readonly ValueColumn<DateOnly> _admit;
    private readonly ValueColumn<DateOnly> _discharge;
    private readonly ValueColumn<int> _los;
    private readonly ValueColumn<int> _sex;
    private readonly ValueColumn<int> _ageYears;
    private readonly NullableColumn<int> _ageDays;
    private readonly NullableColumn<int> _birthWeight;
    private readonly NullableColumn<int> _admitWeight;
    private readonly ValueColumn<int> _mode;
    private readonly StringColumn _pdx;
    private readonly StringColumn _sdx;
    private readonly StringColumn _pproc;
    private readonly StringColumn _procs;
    private readonly ValueColumn<int> _vent;
    private readonly ValueColumn<decimal> _total;
    private readonly ValueColumn<decimal> _policy;
    private readonly ValueColumn<decimal> _full;
    private readonly ValueColumn<decimal> _partial;
    private readonly ValueColumn<decimal> _overLimit;
    private readonly StringColumn _care;
    private readonly StringColumn _referral;
    private readonly StringColumn _warnings;
    private readonly StringCache<RecordWarnings> _warningText = new(FormatWarnings);

    private readonly bool _pseudonymized;

    public IngestColumns(HospitalTable hospitals, int capacity, bool pseudonymized)
    {
        _hospitals = hospitals;
        _pseudonymized = pseudonymized;
        _line = new(new DataField<long>("line"), capacity);
        _caseId = new(new DataField<string>("case_id", false), capacity);
        _hospitalId = new(new DataField<string>("hospital_id", false), capacity);
        _personId = new(new DataField<string>("person_id", false), capacity);
        _insurance = new(new DataField<string>("insurance_type", false), capacity);
        _assistance = new(new DataField<string>("assistance_class", true), capacity);
        _admit = new(new DataField<DateOnly>("admit_date"), capacity);
        _discharge = new(new DataField<DateOnly>("discharge_date"), capacity);
        _los = new(new DataField<int>("los"), capacity);
        _sex = new(new DataField<int>("sex"), capacity);
        _ageYears = new(new DataField<int>("age_years"), capacity);
        _ageDays = new(new DataField<int?>("age_days", true), capacity);
        _birthWeight = new(new DataField<int?>("birth_weight_g", true), capacity);
        _admitWeight = new(new DataField<int?>("admit_weight_g", true), capacity);
        _mode = new(new DataField<int>("discharge_mode"), capacity);
        _pdx = new(new DataField<string>("principal_dx", false), capacity);
        _sdx = new(new DataField<string>("secondary_dx", false), capacity);
        _pproc = new(new DataField<string>("principal_proc", true), capacity);
        _procs = new(new DataField<string>("other_procs", false), capacity);
        _vent = new(new DataField<int>("vent_hours"), capacity);
        _total = new(new DecimalDataField("total_cost", 18, 2, false, false), capacity);
        _policy = new(new DecimalDataField("policy_cost", 18, 2, false, false), capacity);
        _full = new(new DecimalDataField("full_self_pay", 18, 2, false, false), capacity);
        _partial = new(new DecimalDataField("partial_self_pay", 18, 2, false, false), capacity);
        _overLimit = new(new DecimalDataField("over_limit_self_pay", 18, 2, false, false), capacity);
        _care = new(new DataField<string>("care_location", false), capacity);
        _referral = new(new DataField<string>("referral_status", false), capacity);
        _warnings = new(new DataField<string>("warnings", false), capacity);
    }

    public IEnumerable<IColumnBuffer> Columns =>
    [
        _line, _caseId, _hospitalId, _personId, _insurance, _assistance, _admit, _discharge, _los, _sex, _ageYears,
        _ageDays, _birthWeight, _admitWeight, _mode, _pdx, _sdx, _pproc, _procs, _vent, _total, _policy, _full,
        _partial, _overLimit, _care, _referral, _warnings,
    ];

    public void Append(DischargeBatch batch, int index, int row)
    {
        ref readonly var r = ref batch.Records[index];
        _line.Values[row] = r.Line;
        _caseId.SetUtf8(row, batch.TextOf(r.CaseId));
        _hospitalId.Set(row, _hospitals[r.HospitalIndex].HospitalId);
        if (_pseudonymized)
        {
            Grouper.Privacy.Pseudonymizer.Format(r.PersonKey, _personId.Reserve(row, 32));
        }
        else
        {
            _personId.SetUtf8(row, batch.TextOf(r.PersonId));
        }

        _insurance.Set(row, CodeNames.Csv(r.InsuranceType));
        _assistance.Set(row, r.AssistanceClass == AssistanceClass.None ? null : CodeNames.Csv(r.AssistanceClass));
        _admit.Values[row] = r.AdmitDate;
        _discharge.Values[row] = r.DischargeDate;
        _los.Values[row] = r.LengthOfStay;
        _sex.Values[row] = (int)r.Sex;
        _ageYears.Values[row] = r.AgeYears;
        _ageDays.Values[row] = r.AgeDays < 0 ? null : r.AgeDays;
        _birthWeight.Values[row] = r.BirthWeightGrams < 0 ? null : r.BirthWeightGrams;
        _admitWeight.Values[row] = r.AdmitWeightGrams < 0 ? null : r.AdmitWeightGrams;
        _mode.Values[row] = (int)r.DischargeMode;
        _pdx.Set(row, _codes.Get(r.PrincipalDx));
        JoinCodes(_sdx, row, batch.SecondaryDx(in r));
        _pproc.Set(row, r.PrincipalProc.IsEmpty ? null : _codes.Get(r.PrincipalProc));
        JoinCodes(_procs, row, batch.OtherProcs(in r));
        _vent.Values[row] = r.VentHours;
        _total.Values[row] = Money.ToYuanForOutput(r.TotalCostFen);
        _policy.Values[row] = Money.ToYuanForOutput(r.PolicyCostFen);
        _full.Values[row] = Money.ToYuanForOutput(r.FullSelfPayFen);
        _partial.Values[row] = Money.ToYuanForOutput(r.PartialSelfPayFen);
        _overLimit.Values[row] = Money.ToYuanForOutput(r.OverLimitSelfPayFen);
        _care.Set(row, CodeNames.Csv(r.CareLocation));
        _referral.Set(row, CodeNames.Csv(r.ReferralStatus));
        _warnings.Set(row, _warningText.Get(r.Warnings));
    }

    private void JoinCodes(StringColumn column, int row, ReadOnlySpan<Code> codes)
    {
        if (codes.Length <= 1)
        {
            column.Set(row, codes.IsEmpty ? string.Empty : _codes.Get(codes[0]));
            return;
        }

        var length = codes.Length - 1;
        for (var i = 0; i < codes.Length; i++)
        {
            length += _codes.Get(codes[i]).Length;
        }

        var span = column.Reserve(row, length);
        var at = 0;
        for (var i = 0; i < codes.Length; i++)
        {
            if (i > 0)
            {
                span[at++] = ';';
            }

            var text = _codes.Get(codes[i]);
            text.CopyTo(span[at..]);
            at += text.Length;
        }
    }

    internal static string FormatWarnings(RecordWarnings w)
    {
        if (w == RecordWarnings.None)
        {
            return string.Empty;
        }

        var parts = new List<string>();
        foreach (var (flag, name) in CodeNames.WarningNames)
        {
            if ((w & flag) != 0)
            {
                parts.Add(name);
            }
        }

        return string.Join(';', parts);
    }
}
