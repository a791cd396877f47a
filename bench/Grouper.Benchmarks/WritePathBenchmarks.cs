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
/// Writing cases.parquet as a run does it, on data like `bench e2e`'s: one full row group
/// (131,072 records, the default row-group size) generated from the real CHS-DRG 2.0 code lists,
/// grouped by the imported CHS-DRG 2.0 catalog and the demo DIP catalog, settled with the Ningde
/// policy and pseudonymized, so every column holds what a real run writes (StageBenchmarks' write
/// benchmarks fill the DRG/DIP/payment columns before grouping: those columns are constant there).
/// One operation = one record. Needs ../shared/reference-data/chs-drg-2.0 (or GROUPER_CHS_DRG20).
/// </summary>
[MemoryDiagnoser]
public class WritePathBenchmarks
{
    internal const int Records = 128 * 1024;

    private HospitalTable _hospitals = null!;
    private List<CaseBatch> _batches = [];
    private DrgCatalog _drgCatalog = null!;
    private DipCatalog _dipCatalog = null!;
    private ICaseColumnSet[] _fillSets = [];
    private List<IColumnBuffer> _fillColumns = [];
    private int _filledRows;
    private string _out = "";
    private readonly RowGroupEncoder _encoder = new();

    [GlobalSetup]
    public void Setup()
    {
        var root = EndToEnd.RepositoryRoot();
        var samples = Path.Combine(root, "sample-data");
        var reference = Environment.GetEnvironmentVariable("GROUPER_CHS_DRG20") ?? Path.GetFullPath(Path.Combine(root, "..", "shared", "reference-data", "chs-drg-2.0"));
        var work = Path.Combine(Path.GetTempPath(), "grouper-writepath-bench");
        var drgDir = Path.Combine(work, "drg-catalog");
        if (!File.Exists(Path.Combine(drgDir, "catalog.json")))
        {
            DrgCatalogImporter.Import(reference, drgDir, "CHS-DRG", "2.0", new DateOnly(2024, 7, 23), null);
        }

        _drgCatalog = DrgCatalog.Load(drgDir);
        _dipCatalog = DipCatalog.Load(Path.Combine(samples, "catalogs", "dip-demo"));
        var policies = PolicyStore.Load(Path.Combine(samples, "policies"));
        var data = Path.Combine(work, $"data-{Records}");
        if (!File.Exists(Path.Combine(data, "discharges.csv")))
        {
            DischargeGenerator.WriteFiles(data, new GeneratorOptions { Count = Records, Seed = 1, Regions = [GeneratorRegion.ByCode("350900")!] }, new ReferenceTablesCodeSource(reference));
        }

        _hospitals = HospitalTable.Load(Path.Combine(data, "hospitals.csv"));
        var validation = new ValidationOptions { InsuredRegion = "350900", Pseudonymizer = Pseudonymizer.FromConfiguration(Path.Combine(samples, "DEMO-pseudonym.key")) };
        _out = Path.Combine(work, "out-" + Environment.ProcessId);
        Directory.CreateDirectory(_out);

        var raws = new List<RawBatch>();
        IReadOnlyList<string> header = [];
        Task.Run(async () =>
        {
            await using var reader = await DischargeReader.OpenAsync(new MemoryStream(File.ReadAllBytes(Path.Combine(data, "discharges.csv")), writable: false), "discharges.csv", validation).ConfigureAwait(false);
            header = reader.Header;
            await reader.ReadRawAsync(() => new RawBatch(4096), raw =>
            {
                raws.Add(raw);
                return ValueTask.CompletedTask;
            }).ConfigureAwait(false);
        }).GetAwaiter().GetResult();

        var parser = new DischargeRecordParser(header, _hospitals, validation);
        using var spill = new SpillDirectory(_out);
        using var settlement = new SettlementStage(policies, "350900", _hospitals, pseudonymized: true, spill, partitions: 4);
        foreach (var raw in raws)
        {
            var batch = new CaseBatch(raw.Capacity);
            parser.ParseAll(raw, batch);
            settlement.Collect(batch);
            _batches.Add(batch);
        }

        settlement.Settle(new LineBitmap(), store: null);
        var stage = new CaseStage(_drgCatalog, _dipCatalog, policies, "350900", _hospitals);
        for (var k = 0; k < _batches.Count; k++)
        {
            settlement.Attach(raws[k]);
            _batches[k].Tag = raws[k].Tag;
            settlement.Join(_batches[k]);
            stage.Process(_batches[k]);
        }

        _fillSets = [new IngestColumns(_hospitals, Records, pseudonymized: true), .. StageBenchmarks.SetsOf(_drgCatalog, _dipCatalog)(Records)];
        _fillColumns = _fillSets.SelectMany(s => s.Columns).ToList();
        _filledRows = FillRowGroup();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        try
        {
            Directory.Delete(_out, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Copying the records into one row group's column buffers, reused as the writer's slots are (the sequencer's part of writing).</summary>
    [Benchmark(OperationsPerInvoke = Records)]
    public int FillRowGroup() => StageBenchmarks.Fill(_fillSets, _batches);

    /// <summary>Encoding the filled row group (pages, dictionaries, statistics, Snappy) into memory, as a thread-pool task does.</summary>
    [Benchmark(OperationsPerInvoke = Records)]
    public int EncodeRowGroup()
    {
        _encoder.Encode(_fillColumns, _filledRows);
        return _encoder.Part.Length;
    }

    /// <summary>A new writer, fill, encode, file, fsync, rename: the whole write of one row group.</summary>
    [Benchmark(OperationsPerInvoke = Records)]
    public async Task<long> WriteParquet()
    {
        await using var writer = new CasesParquetWriter(Path.Combine(_out, "cases.parquet"), _hospitals, StageBenchmarks.SetsOf(_drgCatalog, _dipCatalog), Records, pseudonymized: true, encoders: 1);
        foreach (var b in _batches)
        {
            await writer.AppendAsync(b).ConfigureAwait(false);
        }

        await writer.CommitAsync().ConfigureAwait(false);
        return writer.RowsWritten;
    }

    /// <summary>Per-column encode time and size and per-set fill time (a diagnostic: `write-columns`).</summary>
    internal void ProfileColumns(int repeats = 20)
    {
        var sw = new System.Diagnostics.Stopwatch();
        var times = new double[_fillColumns.Count];
        Array.Fill(times, double.MaxValue);
        for (var rep = 0; rep < repeats; rep++)
        {
            for (var c = 0; c < _fillColumns.Count; c++)
            {
                sw.Restart();
                _encoder.Encode([_fillColumns[c]], _filledRows);
                times[c] = Math.Min(times[c], sw.Elapsed.TotalNanoseconds / _filledRows);
            }
        }

        var total = 0.0;
        long bytes = 0;
        for (var c = 0; c < _fillColumns.Count; c++)
        {
            _encoder.Encode([_fillColumns[c]], _filledRows);
            total += times[c];
            bytes += _encoder.Part.Length;
            Console.WriteLine($"{_fillColumns[c].Field.Name,-24} {times[c],8:F1} ns/row  {_encoder.Part.Length / (double)_filledRows,6:F1} B/row  {_encoder.Chunks[0].Uncompressed / (double)_filledRows,6:F1} B/row raw  {(_encoder.Chunks[0].Codec == 0 ? "plain" : "snappy")}");
        }

        Console.WriteLine($"encode total {total:F0} ns/row, {bytes / (double)_filledRows:F1} B/row");
        foreach (var c in _fillColumns)
        {
            if (c is DictionaryColumn<Grouper.Core.Code> d)
            {
                Console.WriteLine($"{c.Field.Name}: {d.DistinctValues} distinct codes");
            }
        }

        FillRowGroup();
        _encoder.Encode(_fillColumns, _filledRows);
        var hash = System.Security.Cryptography.SHA256.HashData(_encoder.Part.Span);
        Console.WriteLine($"row group: {_encoder.Part.Length:N0} B, sha256 {Convert.ToHexStringLower(hash)[..16]}, statistics sha256 {Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(_encoder.StatisticsBytes.Span))[..16]}");
        var fill = 0.0;
        foreach (var set in _fillSets)
        {
            var best = double.MaxValue;
            for (var rep = 0; rep < repeats; rep++)
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

            fill += best;
            Console.WriteLine($"fill {set.GetType().Name,-20} {best,8:F1} ns/row");
        }

        Console.WriteLine($"fill total {fill:F0} ns/row");
    }

    /// <summary>
    /// Fill and encode timed by this thread's CPU time (`write-cpu ROUNDS`): on a shared machine a
    /// steadier measure than elapsed time. Prints each round and the medians, ns per record.
    /// </summary>
    internal void CpuRounds(int rounds)
    {
        var fill = new double[rounds];
        var encode = new double[rounds];
        for (var r = 0; r < rounds; r++)
        {
            var t0 = DrgBenchmarks.ThreadCpuNs();
            FillRowGroup();
            var t1 = DrgBenchmarks.ThreadCpuNs();
            var bytes = EncodeRowGroup();
            var t2 = DrgBenchmarks.ThreadCpuNs();
            fill[r] = (t1 - t0) / (double)Records;
            encode[r] = (t2 - t1) / (double)Records;
            Console.WriteLine($"round {r + 1}: fill {fill[r]:F0} ns/record, encode {encode[r]:F0} ns/record, {bytes / (double)Records:F1} B/record");
        }

        Array.Sort(fill);
        Array.Sort(encode);
        Console.WriteLine($"median (thread CPU time): fill {fill[rounds / 2]:F0} ns/record, encode {encode[rounds / 2]:F0} ns/record, min fill {fill[0]:F0}, min encode {encode[0]:F0}");
    }

    /// <summary>Fill then encode in a loop for a profiler (`write-loop SECONDS`).</summary>
    internal void Loop(double seconds)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var n = 0;
        while (sw.Elapsed.TotalSeconds < seconds)
        {
            FillRowGroup();
            EncodeRowGroup();
            n++;
        }

        Console.WriteLine($"{n} row groups, {sw.Elapsed.TotalNanoseconds / n / Records:F0} ns/record");
    }
}
