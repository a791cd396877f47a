using CsCheck;
using Grouper.Core;
using Grouper.Drg;

namespace Grouper.Tests.Drg;

/// <summary>
/// The compiled engine against <see cref="ReferenceDrgGrouper"/> on 100,000 seeded random cases drawn
/// from the real tables, plus invariants (order independence) checked with CsCheck.
/// </summary>
public sealed class DrgPropertyTests
{
    private static readonly Lazy<ReferenceDrgGrouper> Reference = new(() => new ReferenceDrgGrouper(TestPaths.ChsDrg20));
    private static readonly Lazy<CasePools> Pools = new(() => new CasePools(TestPaths.ChsDrg20));

    internal sealed record RandomCase(int Sex, int AgeYears, int AgeDays, int Weight, string Pdx, string[] Sdx, string Pproc, string[] Oproc)
    {
        public DrgResult Group(DrgGrouper g)
        {
            var input = new DrgInput((Sex)Sex, AgeYears, AgeDays, Weight, Pdx.Length == 0 ? Code.Empty : Code.Parse(Pdx), Sdx.Select(Code.Parse).ToArray(), Pproc.Length == 0 ? Code.Empty : Code.Parse(Pproc), Oproc.Select(Code.Parse).ToArray());
            g.Group(in input, out var r);
            return r;
        }

        public override string ToString() => $"sex {Sex} age {AgeYears}y{AgeDays}d {Weight}g pdx {Pdx} sdx [{string.Join(";", Sdx)}] pproc {Pproc} oproc [{string.Join(";", Oproc)}]";
    }

    /// <summary>Code pools from the reference tables, grouped so random cases hit every rule often.</summary>
    internal sealed class CasePools
    {
        public CasePools(string dir)
        {
            var adrgDx = new Dictionary<string, List<string>>();
            var adrgProc = new Dictionary<string, List<string>>();
            foreach (var r in ReferenceDrgGrouper.Rows(dir, "adrg_dx.csv"))
            {
                Add(adrgDx, r[0], r[3]);
                if (r[1].StartsWith("SDX", StringComparison.Ordinal) || r[1] == "DX")
                {
                    SecondaryHooks.Add(r[3]);
                }
            }

            foreach (var r in ReferenceDrgGrouper.Rows(dir, "adrg_proc.csv"))
            {
                Add(adrgProc, r[0], r[3]);
            }

            Adrgs = adrgDx.Keys.Union(adrgProc.Keys).Order(StringComparer.Ordinal).ToArray();
            AdrgDx = adrgDx.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
            AdrgProc = adrgProc.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
            ProcAdrgs = [.. AdrgProc.Keys.Order(StringComparer.Ordinal)];
            Principal = ReferenceDrgGrouper.Rows(dir, "mdc_dx.csv").Select(r => r[1]).Distinct().ToArray();
            Cc = ReferenceDrgGrouper.Rows(dir, "cc_mcc.csv").Select(r => r[0]).ToArray();
            Sites = ReferenceDrgGrouper.Rows(dir, "mdcz_sites.csv").Select(r => r[2]).ToArray();
            Mdcy = ReferenceDrgGrouper.Rows(dir, "mdc_dx.csv").Where(r => r[0] == "MDCY").Select(r => r[1]).ToArray();
            NotInU = ReferenceDrgGrouper.Rows(dir, "icd9.csv").Where(r => r[^1] == "N").Select(r => r[0]).ToArray();
            UnknownDx = ReferenceDrgGrouper.Rows(dir, "icd10.csv").Where(r => r[^1] == "N").Select(r => r[0]).Take(2000).ToArray();
        }

        public string[] Adrgs { get; }

        public Dictionary<string, string[]> AdrgDx { get; }

        public Dictionary<string, string[]> AdrgProc { get; }

        public string[] ProcAdrgs { get; }

        public string[] Principal { get; }

        public string[] Cc { get; }

        public string[] Sites { get; }

        public string[] Mdcy { get; }

        public string[] NotInU { get; }

        public string[] UnknownDx { get; }

        public List<string> SecondaryHooks { get; } = [];

        private static void Add(Dictionary<string, List<string>> d, string k, string v)
        {
            if (!d.TryGetValue(k, out var l))
            {
                d[k] = l = [];
            }

            l.Add(v);
        }

        public RandomCase Next(Random rnd)
        {
            T Pick<T>(IReadOnlyList<T> a) => a[rnd.Next(a.Count)];
            var focus = Pick(Adrgs);
            string Dx()
            {
                var x = rnd.Next(100);
                return x switch
                {
                    < 40 => Pick(Principal),
                    < 55 => Pick(Cc),
                    < 65 => Pick(Sites),
                    < 75 => Pick(SecondaryHooks),
                    < 77 => Pick(Mdcy),
                    < 80 => Pick(UnknownDx),
                    _ => AdrgDx.TryGetValue(focus, out var l) ? Pick(l) : Pick(Principal),
                };
            }

            string Proc()
            {
                var x = rnd.Next(100);
                return x switch
                {
                    < 45 => AdrgProc.TryGetValue(focus, out var l) ? Pick(l) : Pick(NotInU),
                    < 60 => Pick(NotInU),
                    _ => Pick(AdrgProc[Pick(ProcAdrgs)]),
                };
            }

            var pdxRoll = rnd.Next(100);
            var pdx = pdxRoll switch
            {
                0 => string.Empty,
                < 45 => AdrgDx.TryGetValue(focus, out var l) ? Pick(l) : Pick(Principal),
                < 80 => Pick(Principal),
                < 90 => Pick(Sites),
                < 92 => Pick(Mdcy),
                < 95 => Pick(UnknownDx),
                _ => Dx(),
            };

            var nSdx = rnd.Next(100) switch
            {
                < 25 => 0,
                < 90 => rnd.Next(1, 6),
                < 98 => rnd.Next(6, 15),
                _ => 40,
            };
            var sdx = new List<string>();
            for (var i = 0; i < nSdx; i++)
            {
                var r = rnd.Next(100);
                sdx.Add(r < 3 && pdx.Length > 0 ? pdx : r < 6 && sdx.Count > 0 ? Pick(sdx) : Dx());
            }

            var pproc = rnd.Next(100) < 45 ? string.Empty : Proc();
            var oproc = new List<string>();
            var nO = rnd.Next(100) switch { < 50 => 0, < 90 => rnd.Next(1, 4), _ => rnd.Next(4, 12) };
            for (var i = 0; i < nO; i++)
            {
                oproc.Add(rnd.Next(100) < 5 && oproc.Count > 0 ? Pick(oproc) : Proc());
            }

            var sex = rnd.Next(100) switch { < 48 => 1, < 97 => 2, _ => 9 };
            int ageYears = 40, ageDays = -1, weight = -1;
            var ageRoll = rnd.Next(100);
            if (ageRoll < 12 || focus[0] == 'P' && ageRoll < 60)
            {
                ageYears = 0;
                ageDays = rnd.Next(100) switch { < 2 => -1, < 10 => Pick(new[] { 28, 29, 365, 0 }), < 70 => rnd.Next(0, 29), _ => rnd.Next(29, 366) };
                weight = rnd.Next(100) switch
                {
                    < 15 => -1,
                    < 45 => Pick(new[] { 1499, 1500, 1999, 2000, 2499, 2500 }),
                    _ => rnd.Next(400, 5000),
                };
            }
            else if (ageRoll < 20)
            {
                ageYears = rnd.Next(1, 18);
            }
            else
            {
                ageYears = rnd.Next(18, 100);
            }

            return new RandomCase(sex, ageYears, ageDays, weight, pdx, [.. sdx], pproc, [.. oproc]);
        }
    }

    [Fact]
    public void Engine_equals_reference_grouper_on_100000_random_cases()
    {
        var pools = Pools.Value;
        var reference = Reference.Value;
        var g = RealDrg.Grouper;
        var cat = RealDrg.Catalog;
        var rnd = new Random(20240723);
        var failures = new List<string>();
        var hits = new Dictionary<string, int>();
        for (var n = 0; n < 100_000; n++)
        {
            var rc = pools.Next(rnd);
            var r = rc.Group(g);
            var e = reference.Group(rc.Sex, rc.AgeYears, rc.AgeDays, rc.Weight, rc.Pdx, rc.Sdx, rc.Pproc, rc.Oproc);
            var actual = new ReferenceDrgGrouper.Result(
                cat.DrgCode(r.Drg),
                DrgReasons.Name(r.Reason),
                cat.MdcCode(r.Mdc),
                cat.AdrgCode(r.Adrg),
                DrgReasons.Name(r.Level),
                r.LevelCode.IsEmpty ? string.Empty : r.LevelCode.ToString(),
                r.ExcludedCount,
                r.FirstExcludedCode.IsEmpty ? string.Empty : r.FirstExcludedCode.ToString());
            hits[e.Reason] = hits.GetValueOrDefault(e.Reason) + 1;
            if (actual != e && failures.Count < 10)
            {
                failures.Add($"{rc}\n  engine    {actual}\n  reference {e}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));

        // the generator reaches every reason often enough to matter
        Assert.True(hits.GetValueOrDefault("OK") > 30_000, "OK " + hits.GetValueOrDefault("OK"));
        foreach (var reason in new[] { "QY", "QY_SEX_CONFLICT", "UNGROUPABLE_NO_PRINCIPAL_DX", "UNGROUPABLE_SEX_UNKNOWN", "UNGROUPABLE_NEWBORN_DATA", "UNGROUPABLE_UNKNOWN_PRINCIPAL_DX", "UNGROUPABLE_NO_ADRG" })
        {
            Assert.True(hits.GetValueOrDefault(reason) > 0, "never reached " + reason);
        }
    }

    [Fact]
    public void Result_does_not_depend_on_the_order_of_secondary_diagnoses_or_other_procedures()
    {
        var pools = Pools.Value;
        var g = RealDrg.Grouper;
        Gen.Int[0, int.MaxValue].Select(Gen.Int[0, int.MaxValue]).Sample(
            (seed, shuffleSeed) =>
            {
                var rc = pools.Next(new Random(seed));
                if (rc.Pproc.Length == 0)
                {
                    return; // the first other procedure is promoted: order matters by definition
                }

                var shuffle = new Random(shuffleSeed);
                var sdx = rc.Sdx.OrderBy(_ => shuffle.Next()).ToArray();
                var oproc = rc.Oproc.OrderBy(_ => shuffle.Next()).ToArray();
                var a = rc.Group(g);
                var b = (rc with { Sdx = sdx, Oproc = oproc }).Group(g);
                Assert.Equal((a.Drg, a.Reason, a.Mdc, a.Adrg, a.Level, a.ExcludedCount), (b.Drg, b.Reason, b.Mdc, b.Adrg, b.Level, b.ExcludedCount));
            },
            iter: 3000,
            seed: "0N0XIzNsQ0O2");
    }
}

/// <summary>The hot path allocates nothing per case.</summary>
public sealed class DrgAllocationTests
{
    [Fact]
    public void Group_allocates_nothing()
    {
        var g = RealDrg.Grouper;
        var pdx = new[] { "J18.900", "K35.800x001", "P07.300", "O84.000", "A00.000", "S27.000", "C60.000" }.Select(Code.Parse).ToArray();
        var sdx = new[] { "J12.100", "E87.600", "I50.900", "S06.000", "E87.600", "B20.001" }.Select(Code.Parse).ToArray();
        var procs = new[] { "47.0901", "81.5100", "87.3400x001", "96.7201" }.Select(Code.Parse).ToArray();
        var sum = 0;
        void RunAll()
        {
            for (var i = 0; i < 2000; i++)
            {
                var input = new DrgInput(i % 3 == 0 ? Sex.Female : Sex.Male, i % 5 == 0 ? 0 : 40, i % 5 == 0 ? i % 60 : -1, i % 7 == 0 ? -1 : 1800, pdx[i % pdx.Length], sdx.AsSpan(0, i % (sdx.Length + 1)), i % 4 == 0 ? Code.Empty : procs[i % procs.Length], procs.AsSpan(0, i % 3));
                g.Group(in input, out var r);
                sum += r.Drg;
            }
        }

        RunAll(); // JIT and tiering
        RunAll();
        var before = GC.GetAllocatedBytesForCurrentThread();
        RunAll();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(sum > 0);
    }
}
