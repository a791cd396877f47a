using BenchmarkDotNet.Attributes;
using Grouper.Core;
using Grouper.Drg;

namespace Grouper.Benchmarks;

/// <summary>
/// Cases grouped per second on one thread over generated cases on the real CHS-DRG 2.0 catalog:
/// the compiled <see cref="DrgGrouper"/> against a naive string/LINQ grouper in the same run.
/// Reference data is found at ../shared/reference-data/chs-drg-2.0 beside the repository root
/// (or GROUPER_CHS_DRG20). One operation = one case.
/// </summary>
[MemoryDiagnoser]
public class DrgBenchmarks
{
    private const int Cases = 20_000;

    private DrgGrouper _grouper = null!;
    private Grouper.Tests.Drg.ReferenceDrgGrouper _naive = null!;
    private BenchCase[] _cases = [];
    private Code[] _pool = [];
    private string[][] _text = [];

    private readonly record struct BenchCase(Sex Sex, int AgeYears, int AgeDays, int Weight, Code Pdx, int SdxStart, int SdxCount, Code Pproc, int OthStart, int OthCount);

    [GlobalSetup]
    public void Setup()
    {
        var reference = Environment.GetEnvironmentVariable("GROUPER_CHS_DRG20") ?? FindReference();
        var dir = Path.Combine(Path.GetTempPath(), "grouper-bench-drg-" + Environment.ProcessId);
        var catalog = DrgCatalogImporter.Import(reference, dir, "CHS-DRG", "2.0", new DateOnly(2024, 7, 23), null);
        _grouper = new DrgGrouper(catalog);
        _naive = new Grouper.Tests.Drg.ReferenceDrgGrouper(reference);
        Generate(catalog);

        // the two groupers must agree, or the comparison is meaningless
        var mismatches = 0;
        for (var i = 0; i < _cases.Length; i++)
        {
            var fast = catalog.DrgCode(GroupOne(i));
            var slow = NaiveOne(i);
            if (fast != slow)
            {
                mismatches++;
            }
        }

        if (mismatches > 0)
        {
            throw new InvalidOperationException($"{mismatches} cases differ between engine and naive baseline");
        }
    }

    [Benchmark(OperationsPerInvoke = Cases)]
    public int Engine()
    {
        var sum = 0;
        for (var i = 0; i < _cases.Length; i++)
        {
            sum += GroupOne(i);
        }

        return sum;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Cases)]
    public int NaiveStringLinq()
    {
        var sum = 0;
        for (var i = 0; i < _cases.Length; i++)
        {
            sum += NaiveOne(i).Length;
        }

        return sum;
    }

    /// <summary>
    /// Alternating rounds of both methods, timed by the thread's CPU time (CLOCK_THREAD_CPUTIME_ID), so
    /// time the thread spends preempted by other jobs on a shared machine is not counted; prints each
    /// round and the medians.
    /// </summary>
    public static void Loop(int rounds, bool engineOnly = false)
    {
        var b = new DrgBenchmarks();
        b.Setup();
        var engine = new List<double>();
        var naive = new List<double>();
        var sink = 0;
        for (var w = 0; w < 20; w++)
        {
            sink += b.Engine();
        }

        sink += b.NaiveStringLinq();
        for (var r = 0; r < rounds; r++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var t0 = ThreadCpuNs();
            var reps = 0;
            while (ThreadCpuNs() - t0 < 1e9)
            {
                sink += b.Engine();
                reps++;
            }

            var e = (ThreadCpuNs() - t0) / ((double)reps * Cases);
            var allocated = (GC.GetAllocatedBytesForCurrentThread() - before) / ((double)reps * Cases);
            var n = double.NaN;
            if (!engineOnly)
            {
                t0 = ThreadCpuNs();
                var nreps = 0;
                while (ThreadCpuNs() - t0 < 1e9)
                {
                    sink += b.NaiveStringLinq();
                    nreps++;
                }

                n = (ThreadCpuNs() - t0) / ((double)nreps * Cases);
            }

            engine.Add(e);
            naive.Add(n);
            Console.WriteLine($"round {r + 1}: engine {e:F1} ns/case ({allocated:F2} B/case), naive {n:F0} ns/case, ratio {n / e:F1}x");
        }

        engine.Sort();
        naive.Sort();
        Console.WriteLine($"median (thread CPU time): engine {engine[rounds / 2]:F1} ns/case ({1e3 / engine[rounds / 2]:F2} M cases/s), naive {naive[rounds / 2]:F0} ns/case, ratio of medians {naive[rounds / 2] / engine[rounds / 2]:F1}x (sink {sink & 1})");
    }

    internal static long ThreadCpuNs()
    {
        if (ClockGetTime(3, out var ts) != 0) // CLOCK_THREAD_CPUTIME_ID
        {
            throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
        }

        return (ts.Sec * 1_000_000_000L) + ts.Nsec;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec ts);

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Sec;
        public long Nsec;
    }

    private int GroupOne(int i)
    {
        ref readonly var c = ref _cases[i];
        var input = new DrgInput(c.Sex, c.AgeYears, c.AgeDays, c.Weight, c.Pdx, _pool.AsSpan(c.SdxStart, c.SdxCount), c.Pproc, _pool.AsSpan(c.OthStart, c.OthCount));
        _grouper.Group(in input, out var r);
        return r.Drg;
    }

    private string NaiveOne(int i)
    {
        ref readonly var c = ref _cases[i];
        var t = _text[i];
        var sdx = t.Skip(2).Take(c.SdxCount).ToList();
        var oth = t.Skip(2 + c.SdxCount).ToList();
        return _naive.Group((int)c.Sex, c.AgeYears, c.AgeDays, c.Weight, t[0], sdx, t[1], oth).Drg;
    }

    /// <summary>Realistic mix: mostly medical cases, a quarter with procedures, a few newborns; 0–10 secondaries.</summary>
    private void Generate(DrgCatalog catalog)
    {
        var rnd = new Random(42);
        var medical = catalog.Adrgs.Where(a => a.Kind == AdrgKind.Medical && a.PrincipalDiagnoses.Count > 0 && a.Mdc is not ("MDCP" or "MDCY")).ToArray();
        var procedural = catalog.Adrgs.Where(a => a.Kind != AdrgKind.Medical && a.Procedures.Count > 0 && a.Mdc is not ("MDCA" or "MDCP")).ToArray();
        var medicalByMdc = medical.GroupBy(a => a.Mdc).ToDictionary(g => g.Key, g => g.ToArray());
        var allProcs = catalog.Adrgs.SelectMany(a => a.Procedures).Distinct().ToArray();
        var cc = catalog.CcCodes.Select(x => x.Code).ToArray();
        var anyDx = medical.SelectMany(a => a.PrincipalDiagnoses).Distinct().ToArray();
        T Pick<T>(IReadOnlyList<T> a) => a[rnd.Next(a.Count)];

        var cases = new List<BenchCase>();
        var pool = new List<Code>();
        var text = new List<string[]>();
        while (cases.Count < Cases)
        {
            string pdx;
            var pproc = string.Empty;
            var roll = rnd.Next(100);
            if (roll < 25)
            {
                var a = Pick(procedural);
                if (!medicalByMdc.TryGetValue(a.Mdc, out var meds))
                {
                    continue;
                }

                pdx = a.PrincipalDiagnoses.Count > 0 ? Pick(a.PrincipalDiagnoses) : Pick(Pick(meds).PrincipalDiagnoses);
                pproc = Pick(a.Procedures);
            }
            else
            {
                pdx = Pick(Pick(medical).PrincipalDiagnoses);
            }

            var sdx = new List<string>();
            var n = rnd.Next(100) < 20 ? 0 : rnd.Next(1, 11);
            for (var k = 0; k < n; k++)
            {
                sdx.Add(rnd.Next(2) == 0 ? Pick(cc) : Pick(anyDx));
            }

            var oth = new List<string>();
            if (pproc.Length > 0)
            {
                for (var k = rnd.Next(4); k > 0; k--)
                {
                    oth.Add(Pick(allProcs));
                }
            }

            var newborn = rnd.Next(100) < 3;
            var sex = rnd.Next(2) == 0 ? Sex.Male : Sex.Female;
            var start = pool.Count;
            pool.AddRange(sdx.Select(Code.Parse));
            var othStart = pool.Count;
            pool.AddRange(oth.Select(Code.Parse));
            cases.Add(new BenchCase(
                sex,
                newborn ? 0 : rnd.Next(1, 95),
                newborn ? rnd.Next(0, 366) : -1,
                newborn ? rnd.Next(900, 4500) : -1,
                Code.Parse(pdx),
                start,
                sdx.Count,
                pproc.Length == 0 ? Code.Empty : Code.Parse(pproc),
                othStart,
                oth.Count));
            text.Add([pdx, pproc, .. sdx, .. oth]);
        }

        _cases = [.. cases];
        _pool = [.. pool];
        _text = [.. text];
    }

    private static string FindReference()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Grouper.sln")))
        {
            dir = dir.Parent;
        }

        return dir is null
            ? throw new InvalidOperationException("set GROUPER_CHS_DRG20 to reference-data/chs-drg-2.0")
            : Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "reference-data", "chs-drg-2.0"));
    }
}
