using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Grouper.Core;
using Grouper.Dip;

namespace Grouper.Benchmarks;

/// <summary>
/// DIP matching and scoring per case on one thread: <see cref="DipMatcher"/> against a naive
/// string/LINQ matcher (the baseline row). Cases per second = 1 ÷ (mean time per operation).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Cfg))]
public class DipMatchBenchmarks
{
    private const int Cases = 100_000;

    private DipMatcher _matcher = null!;
    private NaiveDipMatcher _naive = null!;
    private Code[] _pool = null!;
    private int[] _dx = null!;
    private Code[] _dxCode = null!;
    private int[] _procStart = null!;
    private int[] _procCount = null!;
    private int[] _secStart = null!;
    private int[] _secCount = null!;
    private long[] _cost = null!;
    private HospitalLevel[] _level = null!;
    private int[] _age = null!;
    private DischargeMode[] _mode = null!;
    private NaiveCase[] _naiveCases = null!;
    private DipCatalog _catalog = null!;

    private sealed class Cfg : ManualConfig
    {
        public Cfg() => AddJob(Job.ShortRun.WithId("short").WithToolchain(InProcessEmitToolchain.Instance)); // in-process: the shared machine is too busy to build a separate exe within the timeout
    }

    [GlobalSetup]
    public void Setup()
    {
        var gen = new DipSynthetic();
        _catalog = gen.BuildCatalog(1_000_000);
        _matcher = new DipMatcher(_catalog, new DipScoringParameters());
        _naive = new NaiveDipMatcher(_catalog, new DipScoringParameters());

        var cases = new DipSynthetic(12345);
        var pool = new List<Code>();
        _dx = new int[Cases];
        _dxCode = new Code[Cases];
        _procStart = new int[Cases];
        _procCount = new int[Cases];
        _secStart = new int[Cases];
        _secCount = new int[Cases];
        _cost = new long[Cases];
        _level = new HospitalLevel[Cases];
        _age = new int[Cases];
        _mode = new DischargeMode[Cases];
        _naiveCases = new NaiveCase[Cases];
        Span<Code> procs = stackalloc Code[4];
        Span<Code> secs = stackalloc Code[4];
        for (var i = 0; i < Cases; i++)
        {
            cases.NextCase(procs, secs, out var dx, out var np, out var ns, out var cost, out var level, out var age, out var mode, out _);
            _dx[i] = dx;
            _dxCode[i] = cases.Dx[dx];
            _procStart[i] = pool.Count;
            _procCount[i] = np;
            for (var j = 0; j < np; j++)
            {
                pool.Add(procs[j]);
            }

            _secStart[i] = pool.Count;
            _secCount[i] = ns;
            for (var j = 0; j < ns; j++)
            {
                pool.Add(secs[j]);
            }

            _cost[i] = cost;
            _level[i] = level;
            _age[i] = age;
            _mode[i] = mode;
            _naiveCases[i] = new NaiveCase(
                cases.DxText[dx],
                np > 0 ? procs[0].ToString() : null,
                procs[..np].ToArray().Skip(1).Select(c => c.ToString()).ToArray(),
                secs[..ns].ToArray().Select(c => c.ToString()).ToArray(),
                age,
                (int)mode,
                5,
                cost,
                level.GradeGroup,
                level.Tier);
        }

        _pool = [.. pool];
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Cases)]
    public long Naive()
    {
        long sum = 0;
        for (var i = 0; i < Cases; i++)
        {
            sum += _naive.Match(_naiveCases[i]).PointsE4;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Cases)]
    public long Matcher()
    {
        long sum = 0;
        var pool = _pool.AsSpan();
        for (var i = 0; i < Cases; i++)
        {
            var procs = pool.Slice(_procStart[i], _procCount[i]);
            var input = new DipInput(
                _dxCode[i],
                pool.Slice(_secStart[i], _secCount[i]),
                procs.Length > 0 ? procs[0] : Code.Empty,
                procs.Length > 1 ? procs[1..] : [],
                _age[i],
                -1,
                _mode[i],
                5,
                _cost[i],
                _level[i],
                HospitalKind.General);
            _matcher.Match(in input, out var r);
            sum += r.PointsE4;
        }

        return sum;
    }

}

/// <summary>Catalog building throughput: synthetic records generated on the fly and added, then Build().</summary>
[MemoryDiagnoser]
[Config(typeof(Cfg))]
public class DipBuildBenchmarks
{
    [Params(2_000_000, 10_000_000)]
    public int Records { get; set; }

    private sealed class Cfg : ManualConfig
    {
        public Cfg() => AddJob(Job.Dry.WithId("once").WithWarmupCount(0).WithIterationCount(2).WithInvocationCount(1).WithUnrollFactor(1).WithToolchain(InProcessEmitToolchain.Instance));
    }

    [Benchmark(Baseline = true)]
    public long GenerateOnly()
    {
        var gen = new DipSynthetic(99);
        Span<Code> procs = stackalloc Code[4];
        Span<Code> secs = stackalloc Code[4];
        long s = 0;
        for (long i = 0; i < Records; i++)
        {
            gen.NextCase(procs, secs, out var dx, out _, out _, out var cost, out _, out _, out _, out _);
            s += dx + cost;
        }

        return s;
    }

    [Benchmark]
    public int GenerateAddAndBuild()
    {
        var gen = new DipSynthetic(99);
        var b = new DipCatalogBuilder(DipSynthetic.BuildParameters());
        gen.Feed(b, Records);
        return b.Build().Catalog.Groups.Count;
    }

    /// <summary>Two threads each feed their own builder (half the records each), then merge and build.</summary>
    [Benchmark]
    public int TwoThreadsAddMergeBuild()
    {
        var p = DipSynthetic.BuildParameters();
        var builders = new DipCatalogBuilder[2];
        Parallel.For(0, 2, t =>
        {
            var b = new DipCatalogBuilder(p);
            new DipSynthetic(99 + (ulong)t).Feed(b, Records / 2);
            builders[t] = b;
        });
        builders[0].Merge(builders[1]);
        return builders[0].Build().Catalog.Groups.Count;
    }
}
