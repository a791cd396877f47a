using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Grouper.Core;
using Grouper.Ingest;
using Grouper.Output.Internals;
using Parquet.Schema;

namespace Grouper.Output;

/// <summary>A group of cases.parquet columns filled from a batch (ingest fields, DRG, DIP, payment …).</summary>
internal interface ICaseColumnSet
{
    IEnumerable<IColumnBuffer> Columns { get; }

    /// <summary>
    /// Copies rows <paramref name="start"/>..<paramref name="start"/>+<paramref name="count"/>−1 of
    /// <paramref name="batch"/> into positions <paramref name="row"/>.. of the buffers (a run of rows
    /// per call: one set's columns stay in cache and there is no interface call per row).
    /// </summary>
    void Append(DischargeBatch batch, int start, int count, int row);
}

/// <summary>
/// Writes out/cases.parquet: one row per accepted record in input order, in row groups of
/// <see cref="RowGroupSize"/> rows, Snappy-compressed, to a temporary file renamed on commit.
/// Rows are copied into a row-group slot in order; a full slot is encoded on the thread pool
/// (up to <see cref="Encoders"/> at once, each by its own <see cref="RowGroupEncoder"/> into
/// memory) and the encoded row groups are appended to the file in order by
/// <see cref="ParquetFileWriter"/>. A row group's bytes depend only on its rows, so the file is
/// the same bytes whatever the parallelism. The schema is what Parquet.Net would write for the
/// columns' <see cref="DataField"/>s (docs/performance.md "Choosing the Parquet writer").
/// </summary>
public sealed class CasesParquetWriter : IAsyncDisposable
{
    private readonly AtomicFile _file;
    private readonly Func<Slot> _newSlot;
    private readonly Stack<Slot> _free = new();
    private readonly Queue<Task<Slot>> _encoding = new();
    private readonly ParquetSchema _schema;
    private readonly ParquetFileWriter _writer;
    private Slot? _current;

    internal CasesParquetWriter(string path, HospitalTable hospitals, Func<int, IEnumerable<ICaseColumnSet>> extraSets, int rowGroupSize = 128 * 1024, bool pseudonymized = false, int encoders = 0)
    {
        RowGroupSize = rowGroupSize;
        Encoders = encoders > 0 ? encoders : Environment.ProcessorCount;
        _newSlot = () => new Slot([new IngestColumns(hospitals, rowGroupSize, pseudonymized), .. extraSets(rowGroupSize)]);
        _current = _newSlot();
        var fields = new DataField[_current.Columns.Count];
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = _current.Columns[i].Field;
        }

        _schema = new ParquetSchema(fields);
        _file = new AtomicFile(path);
        _writer = new ParquetFileWriter(_file.Stream, fields);
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
        for (var i = 0; i < batch.Count;)
        {
            var slot = _current ??= _free.Count > 0 ? _free.Pop() : _newSlot();
            var n = Math.Min(batch.Count - i, RowGroupSize - slot.Rows);
            var sets = slot.Sets;
            for (var s = 0; s < sets.Length; s++)
            {
                sets[s].Append(batch, i, n, slot.Rows);
            }

            slot.Rows += n;
            i += n;
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
            () =>
            {
                slot.Encoder.Encode(slot.Columns, slot.Rows);
                return slot;
            },
            ct));
        while (_encoding.Count >= Encoders)
        {
            await WriteOldestAsync().ConfigureAwait(false);
        }
    }

    private async Task WriteOldestAsync()
    {
        var slot = await _encoding.Dequeue().ConfigureAwait(false);
        _writer.Append(slot.Encoder);
        RowsWritten += slot.Rows;
        slot.Reset();
        _free.Push(slot);
    }

    /// <summary>SHA-256 and length of the committed file, taken as it was written.</summary>
    public (string Sha256, long Bytes) Fingerprint => (_writer.Sha256Hex, _writer.Length);

    public async Task CommitAsync(CancellationToken ct = default)
    {
        await DispatchAsync(ct).ConfigureAwait(false);
        while (_encoding.Count > 0)
        {
            await WriteOldestAsync().ConfigureAwait(false);
        }

        // A file with no accepted record still gets the schema (an empty, valid Parquet file).
        _writer.Finish();
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

        await _file.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The column buffers of one row group being filled or encoded, and its encoder.</summary>
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
        }

        public RowGroupEncoder Encoder { get; } = new();

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
    private readonly NumberColumn<long> _line;
    private readonly TextColumn _caseId;
    private readonly DictionaryColumn<int> _hospitalId;
    private readonly TextColumn _personId;
    private readonly DictionaryColumn<int> _insurance;
    private readonly DictionaryColumn<int> _assistance;
    private readonly NumberColumn<int> _admit;
    private readonly NumberColumn<int> _discharge;
    private readonly NumberColumn<int> _los;
    private readonly NumberColumn<int> _sex;
    private readonly NumberColumn<int> _ageYears;
    private readonly NumberColumn<int> _ageDays;
    private readonly NumberColumn<int> _birthWeight;
    private readonly NumberColumn<int> _admitWeight;
    private readonly NumberColumn<int> _mode;
    private readonly DictionaryColumn<Code> _pdx;
    private readonly TextColumn _sdx;
    private readonly DictionaryColumn<Code> _pproc;
    private readonly TextColumn _procs;
    private readonly NumberColumn<int> _vent;
    private readonly NumberColumn<long> _total;
    private readonly NumberColumn<long> _policy;
    private readonly NumberColumn<long> _full;
    private readonly NumberColumn<long> _partial;
    private readonly NumberColumn<long> _overLimit;
    private readonly DictionaryColumn<int> _care;
    private readonly DictionaryColumn<int> _referral;
    private readonly DictionaryColumn<int> _warnings;

    private readonly bool _pseudonymized;

    public IngestColumns(HospitalTable hospitals, int capacity, bool pseudonymized)
    {
        _pseudonymized = pseudonymized;
        _line = new(new DataField<long>("line"), capacity);
        _caseId = new(new DataField<string>("case_id", false), capacity);
        _hospitalId = new(new DataField<string>("hospital_id", false), capacity, i => hospitals[i].HospitalId);
        _personId = new(new DataField<string>("person_id", false), capacity, minMax: false);
        _insurance = new(new DataField<string>("insurance_type", false), capacity, k => CodeNames.Csv((InsuranceType)k));
        _assistance = new(new DataField<string>("assistance_class", true), capacity, k => (AssistanceClass)k == AssistanceClass.None ? null : CodeNames.Csv((AssistanceClass)k));
        _admit = new(new DataField<DateOnly>("admit_date"), capacity);
        _discharge = new(new DataField<DateOnly>("discharge_date"), capacity);
        _los = new(new DataField<int>("los"), capacity);
        _sex = new(new DataField<int>("sex"), capacity);
        _ageYears = new(new DataField<int>("age_years"), capacity);
        _ageDays = new(new DataField<int?>("age_days", true), capacity);
        _birthWeight = new(new DataField<int?>("birth_weight_g", true), capacity);
        _admitWeight = new(new DataField<int?>("admit_weight_g", true), capacity);
        _mode = new(new DataField<int>("discharge_mode"), capacity);
        _pdx = new(new DataField<string>("principal_dx", false), capacity, c => c.ToString());
        _sdx = new(new DataField<string>("secondary_dx", false), capacity, minMax: false);
        _pproc = new(new DataField<string>("principal_proc", true), capacity, c => c.ToString());
        _procs = new(new DataField<string>("other_procs", false), capacity, minMax: false);
        _vent = new(new DataField<int>("vent_hours"), capacity);
        _total = new(new DecimalDataField("total_cost", 18, 2, false, false), capacity);
        _policy = new(new DecimalDataField("policy_cost", 18, 2, false, false), capacity);
        _full = new(new DecimalDataField("full_self_pay", 18, 2, false, false), capacity);
        _partial = new(new DecimalDataField("partial_self_pay", 18, 2, false, false), capacity);
        _overLimit = new(new DecimalDataField("over_limit_self_pay", 18, 2, false, false), capacity);
        _care = new(new DataField<string>("care_location", false), capacity, k => CodeNames.Csv((CareLocation)k));
        _referral = new(new DataField<string>("referral_status", false), capacity, k => CodeNames.Csv((ReferralStatus)k));
        _warnings = new(new DataField<string>("warnings", false), capacity, k => FormatWarnings((RecordWarnings)k));
    }

    public IEnumerable<IColumnBuffer> Columns =>
    [
        _line, _caseId, _hospitalId, _personId, _insurance, _assistance, _admit, _discharge, _los, _sex, _ageYears,
        _ageDays, _birthWeight, _admitWeight, _mode, _pdx, _sdx, _pproc, _procs, _vent, _total, _policy, _full,
        _partial, _overLimit, _care, _referral, _warnings,
    ];

    public void Append(DischargeBatch batch, int start, int count, int row)
    {
        for (var k = 0; k < count; k++)
        {
            AppendRow(batch, start + k, row + k);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AppendRow(DischargeBatch batch, int index, int row)
    {
        ref readonly var r = ref batch.Records[index];
        _line.Set(row, r.Line);
        _caseId.SetUtf8(row, batch.TextOf(r.CaseId));
        _hospitalId.Set(row, r.HospitalIndex);
        if (_pseudonymized)
        {
            Grouper.Privacy.Pseudonymizer.Format(r.PersonKey, _personId.Begin(32));
            _personId.Commit(row, 32);
        }
        else
        {
            _personId.SetUtf8(row, batch.TextOf(r.PersonId));
        }

        _insurance.Set(row, (int)r.InsuranceType);
        _assistance.Set(row, (int)r.AssistanceClass);
        _admit.Set(row, r.AdmitDate);
        _discharge.Set(row, r.DischargeDate);
        _los.Set(row, r.LengthOfStay);
        _sex.Set(row, (int)r.Sex);
        _ageYears.Set(row, r.AgeYears);
        SetOptional(_ageDays, row, r.AgeDays);
        SetOptional(_birthWeight, row, r.BirthWeightGrams);
        SetOptional(_admitWeight, row, r.AdmitWeightGrams);
        _mode.Set(row, (int)r.DischargeMode);
        _pdx.Set(row, r.PrincipalDx);
        JoinCodes(_sdx, row, batch.SecondaryDx(in r));
        SetCode(_pproc, row, r.PrincipalProc);
        JoinCodes(_procs, row, batch.OtherProcs(in r));
        _vent.Set(row, r.VentHours);

        // decimal(18,2) yuan is stored as its unscaled integer: fen.
        _total.Set(row, r.TotalCostFen);
        _policy.Set(row, r.PolicyCostFen);
        _full.Set(row, r.FullSelfPayFen);
        _partial.Set(row, r.PartialSelfPayFen);
        _overLimit.Set(row, r.OverLimitSelfPayFen);
        _care.Set(row, (int)r.CareLocation);
        _referral.Set(row, (int)r.ReferralStatus);
        _warnings.Set(row, (int)r.Warnings);
    }

    /// <summary>A value that the record marks absent with a negative number.</summary>
    private static void SetOptional(NumberColumn<int> column, int row, int value)
    {
        if (value < 0)
        {
            column.SetNull(row);
        }
        else
        {
            column.Set(row, value);
        }
    }

    internal static void SetCode(DictionaryColumn<Code> column, int row, Code code)
    {
        if (code.IsEmpty)
        {
            column.SetNull(row);
        }
        else
        {
            column.Set(row, code);
        }
    }

    /// <summary>Codes joined by ';' (empty text for none), written as ASCII straight into the column.</summary>
    internal static void JoinCodes(TextColumn column, int row, ReadOnlySpan<Code> codes)
    {
        // Each packed code takes at most MaxPackedLength bytes and a ';'; the formatter stores whole
        // words, so the room is counted as if every code were the longest (the last one without ';').
        var max = codes.Length * (Code.MaxPackedLength + 1);
        var overflow = false;
        for (var i = 0; i < codes.Length; i++)
        {
            if (codes[i].IsOverflow)
            {
                max += codes[i].ToString().Length;
                overflow = true;
            }
        }

        var span = column.Begin(max);
        var at = 0;
        if (!overflow)
        {
            ref var dst = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(span);
            for (var i = 0; i < codes.Length; i++)
            {
                at += CodeText.Write(codes[i], ref Unsafe.Add(ref dst, at));
                Unsafe.Add(ref dst, at++) = (byte)';';
            }

            column.Commit(row, Math.Max(0, at - 1));
            return;
        }

        for (var i = 0; i < codes.Length; i++)
        {
            if (i > 0)
            {
                span[at++] = (byte)';';
            }

            at += codes[i].CopyTo(span[at..]);
        }

        column.Commit(row, at);
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
