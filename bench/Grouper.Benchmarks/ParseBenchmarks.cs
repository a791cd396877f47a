using BenchmarkDotNet.Attributes;
using Grouper.Dip;
using Grouper.Drg;
using Grouper.Generation;
using Grouper.Ingest;
using Grouper.Privacy;
using Grouper.Tests.Ingest;

namespace Grouper.Benchmarks;

/// <summary>
/// Parse + validate of 32,768 generated records (as <see cref="StageBenchmarks.ParseAndValidate"/>)
/// by the parser before the fast splitter (a frozen copy kept in the test project, the baseline) and
/// the current one, side by side in one run so the ratio holds on a shared machine. One op = one record.
/// </summary>
[MemoryDiagnoser]
public class ParseBenchmarks
{
    private const int Records = 32_768;

    private List<RawBatch> _raw = [];
    private DischargeRecordParser _parser = null!;
    private ReferenceDischargeRecordParser _reference = null!;
    private DischargeBatch _batch = null!;

    [Params(true, false)]
    public bool Vectors { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        DischargeRecordParser.UseVectors = Vectors && System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated;
        var root = EndToEnd.RepositoryRoot();
        var samples = Path.Combine(root, "sample-data");
        var drg = DrgCatalog.Load(Path.Combine(samples, "catalogs", "drg-demo"));
        var dir = Path.Combine(Path.GetTempPath(), "grouper-parse-bench-" + Environment.ProcessId);
        DischargeGenerator.WriteFiles(dir, new GeneratorOptions { Count = Records, Seed = 3, Regions = [GeneratorRegion.ByCode("350900")!] }, new DrgCatalogCodeSource(drg));
        var csv = File.ReadAllBytes(Path.Combine(dir, "discharges.csv"));
        var hospitals = HospitalTable.Load(Path.Combine(dir, "hospitals.csv"));
        var validation = new ValidationOptions { InsuredRegion = "350900", Pseudonymizer = Pseudonymizer.FromConfiguration(Path.Combine(samples, "DEMO-pseudonym.key")) };
        IReadOnlyList<string> header = [];
        _raw = Cut(csv, validation, h => header = h).GetAwaiter().GetResult();
        _parser = new DischargeRecordParser(header, hospitals, validation);
        _reference = new ReferenceDischargeRecordParser(header, hospitals, validation);
        _batch = new DischargeBatch(4096);
        Directory.Delete(dir, recursive: true);
    }

    private static async Task<List<RawBatch>> Cut(byte[] csv, ValidationOptions validation, Action<IReadOnlyList<string>> header)
    {
        var list = new List<RawBatch>();
        await using var reader = await DischargeReader.OpenAsync(new MemoryStream(csv, writable: false), "discharges.csv", validation).ConfigureAwait(false);
        header(reader.Header);
        await reader.ReadRawAsync(() => new RawBatch(4096), raw =>
        {
            list.Add(raw);
            return ValueTask.CompletedTask;
        }).ConfigureAwait(false);
        return list;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Records)]
    public int Reference()
    {
        var n = 0;
        foreach (var raw in _raw)
        {
            _batch.Clear();
            _reference.ParseAll(raw, _batch);
            n += _batch.Count;
        }

        return n;
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public int Current()
    {
        var n = 0;
        foreach (var raw in _raw)
        {
            _batch.Clear();
            _parser.ParseAll(raw, _batch);
            n += _batch.Count;
        }

        return n;
    }

    /// <summary>
    /// Reference, current (vectors) and current (scalar) alternating in one process, each timed by
    /// thread CPU time for about half a second per round: a ratio that holds on a shared machine.
    /// </summary>
    public static void Loop(int rounds)
    {
        var b = new ParseBenchmarks { Vectors = true };
        b.Setup();
        var vectors = DischargeRecordParser.UseVectors;
        var results = new List<double>[3];
        for (var k = 0; k < 3; k++)
        {
            results[k] = [];
        }

        long sink = 0;
        for (var r = 0; r < rounds; r++)
        {
            for (var k = 0; k < 3; k++)
            {
                DischargeRecordParser.UseVectors = k == 1 && vectors;
                var t0 = DrgBenchmarks.ThreadCpuNs();
                var reps = 0;
                while (DrgBenchmarks.ThreadCpuNs() - t0 < 5e8)
                {
                    sink += k == 0 ? b.Reference() : b.Current();
                    reps++;
                }

                results[k].Add((DrgBenchmarks.ThreadCpuNs() - t0) / ((double)reps * Records));
            }

            Console.WriteLine($"round {r + 1}: reference {results[0][^1]:F1} ns/record, current {results[1][^1]:F1} (vectors), {results[2][^1]:F1} (scalar)");
        }

        foreach (var l in results)
        {
            l.Sort();
        }

        double Median(int k) => results[k][rounds / 2];
        Console.WriteLine($"median (thread CPU time): reference {Median(0):F1} ns/record, current {Median(1):F1} (vectors, {Median(0) / Median(1):F2}x), {Median(2):F1} (scalar, {Median(0) / Median(2):F2}x) (sink {sink & 1})");
    }
}
