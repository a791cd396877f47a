using BenchmarkDotNet.Attributes;
using Grouper.Dip;
using Grouper.Drg;
using Grouper.Generation;
using Grouper.Ingest;
using Grouper.Output;
using Grouper.Output.Internals;
using Grouper.Pipeline;
using Grouper.Pipeline.Internals;
using Grouper.Privacy;
using Grouper.Settlement;

namespace Grouper.Benchmarks;

/// <summary>
/// The stages of a run, one at a time, on one thread, over the same 32,768 generated records
/// (sample-data's demo catalogs and Ningde policy): cutting records out of the CSV bytes, parsing
/// and validating them, DRG grouping, DIP matching, the whole per-case stage (DRG + DIP + hospital
/// payment), the patient chain, and writing cases.parquet with every column. One operation = one
/// record, so the columns compare directly: the slowest stage is what bounds the run.
/// </summary>
[MemoryDiagnoser]
public class StageBenchmarks
{
    private const int Records = 32_768;

    private byte[] _csv = [];
    private HospitalTable _hospitals = null!;
    private ValidationOptions _validation = null!;
    private List<RawBatch> _raw = [];
    private List<CaseBatch> _batches = [];
    private DischargeRecordParser _parser = null!;
    private DrgGrouper _drg = null!;
    private DipMatcher _dip = null!;
    private CaseStage _stage = null!;
    private PolicyStore _policies = null!;
    private SettlementCase[] _chain = [];
    private CaseSettlement[] _chainResults = [];
    private DrgCatalog _drgCatalog = null!;
    private DipCatalog _dipCatalog = null!;
    private string _out = "";
    private ICaseColumnSet[] _fillSets = [];
    private List<IColumnBuffer> _fillColumns = [];
    private int _filledRows;
    private RowGroupEncoder _encoder = new();

    [GlobalSetup]
    public void Setup()
    {
        var root = EndToEnd.RepositoryRoot();
        var samples = Path.Combine(root, "sample-data");
        _drgCatalog = DrgCatalog.Load(Path.Combine(samples, "catalogs", "drg-demo"));
        _dipCatalog = DipCatalog.Load(Path.Combine(samples, "catalogs", "dip-demo"));
        _policies = PolicyStore.Load(Path.Combine(samples, "policies"));
        var dir = Path.Combine(Path.GetTempPath(), "grouper-stage-bench-" + Environment.ProcessId);
        DischargeGenerator.WriteFiles(dir, new GeneratorOptions { Count = Records, Seed = 3, Regions = [GeneratorRegion.ByCode("350900")!] }, new DrgCatalogCodeSource(_drgCatalog));
        _csv = File.ReadAllBytes(Path.Combine(dir, "discharges.csv"));
        _hospitals = HospitalTable.Load(Path.Combine(dir, "hospitals.csv"));
        _validation = new ValidationOptions { InsuredRegion = "350900", Pseudonymizer = Pseudonymizer.FromConfiguration(Path.Combine(samples, "DEMO-pseudonym.key")) };
        _out = Path.Combine(dir, "out");
        Directory.CreateDirectory(_out);

        IReadOnlyList<string> header = [];
        _raw = CutAsync(b => { }, fresh: true, h => header = h).GetAwaiter().GetResult();
        _parser = new DischargeRecordParser(header, _hospitals, _validation);
        foreach (var raw in _raw)
        {
            var batch = new CaseBatch(raw.Capacity);
            _parser.ParseAll(raw, batch);
            _batches.Add(batch);
        }

        _drg = new DrgGrouper(_drgCatalog);
        _dip = new DipMatcher(_dipCatalog, new DipScoringParameters());
        _stage = new CaseStage(_drgCatalog, _dipCatalog, _policies, "350900", _hospitals);
        var cases = new List<SettlementCase>();
        foreach (var b in _batches)
        {
            for (var i = 0; i < b.Count; i++)
            {
                ref readonly var r = ref b.Records[i];
                cases.Add(new SettlementCase { PersonId = Pseudonymizer.Format(r.PersonKey), CaseId = b.StringOf(r.CaseId), Input = ChainInput.From(in r, _hospitals[r.HospitalIndex]) });
            }
        }

        _chain = [.. cases];
        _chainResults = new CaseSettlement[_chain.Length];

        // The write benchmarks need each batch's chain results, joined as a run's second pass does.
        using var spill = new SpillDirectory(_out);
        using var settlement = new SettlementStage(_policies, "350900", _hospitals, pseudonymized: true, spill, partitions: 4);
        foreach (var b in _batches)
        {
            settlement.Collect(b);
        }

        _fillSets = [new IngestColumns(_hospitals, Records, pseudonymized: true), .. SetsOf(_drgCatalog, _dipCatalog)(Records)];
        _fillColumns = _fillSets.SelectMany(s => s.Columns).ToList();
        settlement.Settle(new LineBitmap(), store: null);
        for (var k = 0; k < _batches.Count; k++)
        {
            settlement.Attach(_raw[k]);
            _batches[k].Tag = _raw[k].Tag;
            settlement.Join(_batches[k]);
        }

        _filledRows = FillRowGroup();
    }

    /// <summary>Per-column encode time of the filled row group (a diagnostic, not a benchmark).</summary>
    internal void ProfileColumns()
    {
        var sw = new System.Diagnostics.Stopwatch();
        var times = new double[_fillColumns.Count];
        Array.Fill(times, double.MaxValue);
        for (var rep = 0; rep < 30; rep++)
        {
            for (var c = 0; c < _fillColumns.Count; c++)
            {
                sw.Restart();
                _encoder.Encode([_fillColumns[c]], _filledRows);
                times[c] = Math.Min(times[c], sw.Elapsed.TotalNanoseconds / _filledRows);
            }
        }

        var total = 0.0;
        for (var c = 0; c < _fillColumns.Count; c++)
        {
            _encoder.Encode([_fillColumns[c]], _filledRows);
            total += times[c];
            Console.WriteLine($"{_fillColumns[c].Field.Name,-24} {times[c],8:F1} ns/row  {_encoder.Part.Length / (double)_filledRows,6:F1} B/row  {_encoder.Chunks[0].Uncompressed / (double)_filledRows,6:F1} B/row raw");
        }

        Console.WriteLine($"total {total:F0} ns/row");
        foreach (var set in _fillSets)
        {
            var best = double.MaxValue;
            for (var rep = 0; rep < 30; rep++)
            {
                foreach (var c in set.Columns)
                {
                    c.Reset();
                }

                sw.Restart();
                var row = 0;
                foreach (var b in _batches)
                {
                    set.Append(b, 0, b.Count, row);
                    row += b.Count;
                }

                best = Math.Min(best, sw.Elapsed.TotalNanoseconds / row);
            }

            Console.WriteLine($"fill {set.GetType().Name,-20} {best,8:F1} ns/row");
        }
    }

    private async Task<List<RawBatch>> CutAsync(Action<RawBatch> onRaw, bool fresh, Action<IReadOnlyList<string>>? header = null)
    {
        var list = new List<RawBatch>();
        var reused = new RawBatch(4096);
        await using var reader = await DischargeReader.OpenAsync(new MemoryStream(_csv, writable: false), "discharges.csv", _validation).ConfigureAwait(false);
        header?.Invoke(reader.Header);
        await reader.ReadRawAsync(
            () =>
            {
                var raw = fresh ? new RawBatch(4096) : reused;
                raw.Clear();
                return raw;
            },
            raw =>
            {
                onRaw(raw);
                if (fresh)
                {
                    list.Add(raw);
                }

                return ValueTask.CompletedTask;
            }).ConfigureAwait(false);
        return list;
    }

    /// <summary>Splitting the CSV bytes into records (RFC 4180 quoting, line numbers), no field parsed.</summary>
    [Benchmark(OperationsPerInvoke = Records)]
    public async Task<int> CutRecords()
    {
        var n = 0;
        await CutAsync(b => n += b.Count, fresh: false).ConfigureAwait(false);
        return n;
    }

    /// <summary>Fields parsed into a record struct and every records.md check (pseudonym included).</summary>
    [Benchmark(OperationsPerInvoke = Records)]
    public int ParseAndValidate()
    {
        var n = 0;
        var batch = _batches[0];
        foreach (var raw in _raw)
        {
            batch.Clear();
            _parser.ParseAll(raw, batch);
            n += batch.Count;
        }

        // Leave the first batch as it was for the other benchmarks.
        batch.Clear();
        _parser.ParseAll(_raw[0], batch);
        return n;
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public int DrgGroup()
    {
        var n = 0;
        foreach (var b in _batches)
        {
            _drg.GroupBatch(b, b.Drg.AsSpan(0, b.Count));
            n += b.Count;
        }

        return n;
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public int DipGroup()
    {
        var n = 0;
        foreach (var b in _batches)
        {
            _dip.MatchBatch(b, _hospitals, b.Dip.AsSpan(0, b.Count));
            n += b.Count;
        }

        return n;
    }

    /// <summary>DRG + DIP + the hospital payment of each case, as a worker runs it; price = this minus the two above.</summary>
    [Benchmark(OperationsPerInvoke = Records)]
    public int GroupAndPrice()
    {
        var n = 0;
        foreach (var b in _batches)
        {
            _stage.Process(b);
            n += b.Count;
        }

        return n;
    }

    /// <summary>The patient chain (deductible, ratios, caps, critical illness, assistance) per person in order.</summary>
    [Benchmark(OperationsPerInvoke = Records)]
    public int PatientChain()
    {
        var states = new Dictionary<PersonYearKey, PersonYearState>();
        SettlementBatch.Apply(_policies, "350900", _chain, states, _chainResults);
        return states.Count;
    }

    /// <summary>
    /// Only copying the rows into one row group's column buffers (the part of writing done in input
    /// order, on the sequencer), the buffers reused from one row group to the next as the writer's slots are.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Records)]
    public int FillRowGroup() => Fill(_fillSets, _batches);

    /// <summary>Resets the column sets and appends every batch, as a writer fills one slot; returns the rows (shared with WritePathBenchmarks).</summary>
    internal static int Fill(ICaseColumnSet[] sets, List<CaseBatch> batches)
    {
        foreach (var set in sets)
        {
            foreach (var c in set.Columns)
            {
                c.Reset();
            }
        }

        var row = 0;
        foreach (var b in batches)
        {
            foreach (var set in sets)
            {
                set.Append(b, 0, b.Count, row);
            }

            row += b.Count;
        }

        return row;
    }

    /// <summary>
    /// Only encoding one filled row group (every column chunk: pages, dictionaries, statistics,
    /// Snappy) into memory, as a writer's thread-pool task does: WriteParquet without the fill and the file.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Records)]
    public int EncodeRowGroup()
    {
        _encoder.Encode(_fillColumns, _filledRows);
        return _encoder.Part.Length;
    }

    internal static Func<int, IEnumerable<ICaseColumnSet>> SetsOf(DrgCatalog drg, DipCatalog dip) =>
        capacity => [new DrgColumns(drg, capacity), new DipColumns(dip, capacity), new SettlementColumns(capacity), new PaymentColumns(capacity)];

    /// <summary>cases.parquet with every column (ingest, DRG, DIP, settlement, payment), Snappy, to a file.</summary>
    [Benchmark(OperationsPerInvoke = Records)]
    public async Task<long> WriteParquet()
    {
        await using var writer = new CasesParquetWriter(Path.Combine(_out, "cases.parquet"), _hospitals, SetsOf(_drgCatalog, _dipCatalog), Records, pseudonymized: true, encoders: 1);
        foreach (var b in _batches)
        {
            await writer.AppendAsync(b).ConfigureAwait(false);
        }

        await writer.CommitAsync().ConfigureAwait(false);
        return writer.RowsWritten;
    }
}
