using Grouper.Core;
using Grouper.Dip;
using static Grouper.Tests.Dip.DipTestCatalogs;

namespace Grouper.Tests.Dip;

public class DipCatalogBuilderTests
{
    private static DipBuildParameters Params(int n = 1) => new()
    {
        Name = "Test DIP",
        Version = "t1",
        IsDemo = true,
        CoreThreshold = n,
        YearWeights = [new(2021, 1m), new(2022, 2m), new(2023, 7m)],
        Definitions = Definitions,
    };

    private static void Add(DipCatalogBuilder b, int year, string dx, string? proc, decimal costYuan, HospitalLevel? level = null, string[]? secondary = null, int los = 7, HospitalKind kind = HospitalKind.General, DischargeMode mode = DischargeMode.OnAdvice)
    {
        var input = Case(dx, proc, secondary: secondary, costFen: Money.ToFenExact(costYuan), level: level ?? Level1, los: los, kind: kind, mode: mode);
        b.Add(in input, year);
    }

    [Fact]
    public void BuildExample_86_0215()
    {
        // dip.md: a_g = 8,000 / 8,500 / 9,000 → m_g 8,800.00; M from 9,500 / 10,000 / 10,400 → 10,230.00; score 86.0215.
        var b = new DipCatalogBuilder(Params());
        Add(b, 2021, "K35.800x001", "47.0901", 8000m);
        Add(b, 2022, "K35.800x001", "47.0901", 8500m);
        Add(b, 2023, "K35.800x001", "47.0901", 9000m);
        Add(b, 2021, "K35.800x001", "54.5901", 11000m);
        Add(b, 2022, "K35.800x001", "54.5901", 11500m);
        Add(b, 2023, "K35.800x001", "54.5901", 11800m);
        var (c, report) = b.Build();

        Assert.Equal(1_023_000, c.RegionalMeanCostFen);
        var a = c.Groups[c.IndexOf("K35.8:47.0901")];
        Assert.Equal((86.0215m, 880_000L, 3), (a.Score, a.ReferenceCostFen, a.CaseCount));
        var g = c.Groups[c.IndexOf("K35.8:54.5901")];
        Assert.Equal((113.9785m, 1_166_000L), (g.Score, g.ReferenceCostFen));
        Assert.Equal(2, report.CoreGroups);
        Assert.Equal(1.0000m, report.CoreCaseShare);
    }

    /// <summary>A hand-made history checked group by group (values computed by hand in the comments).</summary>
    [Fact]
    public void HandMadeHistory()
    {
        var p = Params(n: 5) with { Grassroots = ["K35.8:47.0901", "Z99.9:-"] };
        var b = new DipCatalogBuilder(p);

        // K35.8:47.0901 (7 cases → core). 2022: 1000 1100 1200 1300 10000 → Q1 1100, Q3 1300, IQR 200,
        // keep [800, 1600] → 10000 trimmed, a = 1150. 2023: 2000 2100 (< 5 cases, no trimming), a = 2050.
        // No 2021 case → weights 2 : 7 renormalised: m = (2×1150 + 7×2050) ÷ 9 = 1850.00.
        string[] cci = ["I50.900"];
        Add(b, 2022, "K35.800x001", "47.0901", 1000m, Level3A, cci);
        Add(b, 2022, "K35.800x002", "47.0901x001", 1100m, Level3A, cci);
        Add(b, 2022, "K35.800", "47.0901", 1200m, Level2A, cci);
        Add(b, 2022, "K35.800", "47.0901", 1300m, Level2A, cci);
        Add(b, 2022, "K35.800", "47.0901", 10000m, Level3A, cci);
        Add(b, 2023, "K35.800", "47.0901", 2000m, Level3A, mode: DischargeMode.Died);
        Add(b, 2023, "K35.800", "47.0901", 2100m, Level3A, mode: DischargeMode.Died);

        // K35:S from two keys under N: K35.3:47.0100 (3000, 3200) and K35.8:47.0100 (2800), all 2023 → 3000.00.
        Add(b, 2023, "K35.300", "47.0100", 3000m);
        Add(b, 2023, "K35.300", "47.0100", 3200m);
        Add(b, 2023, "K35.800", "47.0100", 2800m);

        // K35:D from one diagnostic case of 2021 → 500.00.
        Add(b, 2021, "K35.800", "88.0400", 500m);

        // Dropped: individual review (LOS ≥ 60) and per diem (psychiatric hospital, LOS > 60).
        Add(b, 2023, "K35.800", "47.0901", 99999m, los: 60);
        Add(b, 2023, "F32.900", null, 50000m, los: 90, kind: HospitalKind.Psychiatric);

        var (c, r) = b.Build();

        // M: 2021 kept {500} → 500; 2022 {1000..1300} → 1150; 2023 {2000, 2100, 2800, 3000, 3200} → 2620.
        // (1×500 + 2×1150 + 7×2620) ÷ 10 = 2114.00.
        Assert.Equal(211_400, c.RegionalMeanCostFen);
        Assert.Equal(["K35.8:47.0901", "K35:D", "K35:S"], c.Groups.Select(g => g.Code));

        var g1 = c.Groups[0];
        Assert.Equal(DipGroupKind.Grassroots, g1.Kind);
        Assert.Equal(185_000, g1.ReferenceCostFen);
        Assert.Equal(87.5118m, g1.Score); // 1850 ÷ 2114 × 100 = 87.51182…
        Assert.Equal(7, g1.CaseCount);

        // 3A: 2022 {1000, 1100} → 1050, 2023 {2000, 2100} → 2050: (2×1050 + 7×2050) ÷ 9 = 1827.777… → 1827.78.
        // 2A: 2022 {1200, 1300} → 1250.00 only. Other grade groups: none.
        Assert.Equal([182_778L, -1, -1, 125_000, -1, -1, -1, -1], g1.ReferenceCostByGradeFen);

        var s = c.Groups[2];
        Assert.Equal((DipGroupKind.Comprehensive, TreatmentKind.Surgery, 300_000L, 141.9111m, 3), (s.Kind, s.Treatment, s.ReferenceCostFen, s.Score, s.CaseCount));
        Assert.Equal([-1L, -1, -1, -1, -1, -1, 300_000, -1], s.ReferenceCostByGradeFen);
        var d = c.Groups[1];
        Assert.Equal((TreatmentKind.Diagnostic, 50_000L, 23.6518m), (d.Treatment, d.ReferenceCostFen, d.Score));

        // Aux: CCI level 2 subset of K35.8:47.0901 = 5 cases (untrimmed) mean 2920 ÷ group mean 18700/7
        // = 1.0930; the died subset has 2 cases (< 5) → no factor.
        var aux = Assert.Single(c.AuxFactors);
        Assert.Equal((0, AuxItem.Cci, 2, 1.0930m, 5), (aux.GroupIndex, aux.Item, aux.Level, aux.Factor, aux.CaseCount));

        Assert.Equal(11, r.CasesUsed);
        Assert.Equal(1, r.CasesTrimmed);
        Assert.Equal(1, r.CasesDroppedReview);
        Assert.Equal(1, r.CasesDroppedPerDiem);
        Assert.Equal((0, 1, 2), (r.CoreGroups, r.GrassrootsGroups, r.ComprehensiveGroups));
        Assert.Equal(0.6364m, r.CoreCaseShare); // 7 ÷ 11
        Assert.Equal(0.6631m, r.CoreCostShare); // 18,700 ÷ 28,200
        Assert.Equal(["Z99.9:-"], r.GrassrootsNotFound);
        Assert.Equal([1L, 4, 5], r.YearCases);

        var file = Path.Combine(TestPaths.NewTempDir("dip"), "report.json");
        try
        {
            r.Save(file);
            using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(file));
            Assert.Equal("0.6364", json.RootElement.GetProperty("core_case_share").GetString());
            Assert.Equal("2114.00", json.RootElement.GetProperty("regional_mean_cost").GetString());
            Assert.Equal(2, json.RootElement.GetProperty("groups").GetProperty("comprehensive").GetInt32());
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(file)!, true);
        }
    }

    [Fact]
    public void QuartilesInterpolate()
    {
        // n = 6: Q1 at position 1.25, Q3 at 3.75 (QUARTILE.INC).
        long[] x = [10 << 3, 20 << 3, 30 << 3, 40 << 3, 50 << 3, 60 << 3];
        Assert.Equal(22.5m, DipCatalogBuilder.Quantile(x, 5, 1));
        Assert.Equal(47.5m, DipCatalogBuilder.Quantile(x, 5, 3));
    }

    [Fact]
    public void UnknownYearIsRejected()
    {
        var b = new DipCatalogBuilder(Params());
        Assert.Throws<ArgumentOutOfRangeException>(() => Add(b, 2019, "K35.800", null, 10m));
    }

    internal static List<(int Year, string Dx, string? Proc, string[] Others, string[] Secondary, long Cost, HospitalLevel Level, int Age, DischargeMode Mode)> RandomHistory(int seed, int count)
    {
        var rnd = new Random(seed);
        string[] dx = ["K35.800x001", "K35.300", "K35.801", "K80.100", "K80.200", "I10.x00x002", "C34.900", "J18.900", "J18.000", "N39.000"];
        string[] procs = ["47.0901", "54.5901", "47.0100", "51.2301", "88.0400", "87.4401", "90.5900", "99.2501", "93.3900", "96.0400", "33.2400"];
        string[] sec = ["E11.900", "I50.900", "N18.500", "C78.000", "J96.000", "E78.500"];
        HospitalLevel[] levels = [Level3A, new(3, 'B'), new(3, '\0'), Level2A, new(2, 'B'), Level1, new(0, '\0')];
        var list = new List<(int, string, string?, string[], string[], long, HospitalLevel, int, DischargeMode)>();
        for (var i = 0; i < count; i++)
        {
            var d = dx[rnd.Next(dx.Length)];
            var np = rnd.Next(4);
            var ps = Enumerable.Range(0, np).Select(_ => procs[rnd.Next(procs.Length)]).ToArray();
            var ns = rnd.Next(4);
            var ss = Enumerable.Range(0, ns).Select(_ => sec[rnd.Next(sec.Length)]).Distinct().ToArray();
            var cost = (long)(rnd.Next(50_000, 3_000_000) * (rnd.Next(20) == 0 ? 5 : 1));
            list.Add((2021 + rnd.Next(3), d, np > 0 ? ps[0] : null, ps.Skip(1).ToArray(), ss, cost, levels[rnd.Next(levels.Length)], rnd.Next(0, 95), (DischargeMode)(new[] { 1, 1, 1, 2, 3, 4, 5 })[rnd.Next(7)]));
        }

        return list;
    }

    internal static DipCatalogBuilder BuildFrom(DipBuildParameters p, IEnumerable<(int Year, string Dx, string? Proc, string[] Others, string[] Secondary, long Cost, HospitalLevel Level, int Age, DischargeMode Mode)> cases)
    {
        var b = new DipCatalogBuilder(p);
        foreach (var c in cases)
        {
            var input = Case(c.Dx, c.Proc, c.Others, c.Secondary, c.Cost, c.Age, 7, c.Mode, c.Level);
            b.Add(in input, c.Year);
        }

        return b;
    }

    [Fact]
    public void ShuffledInputGivesByteIdenticalFiles()
    {
        var p = Params(n: 15);
        var history = RandomHistory(7, 6000);
        var (c1, r1) = BuildFrom(p, history).Build();
        var shuffled = history.OrderBy(_ => Random.Shared.Next()).ToList();
        var (c2, r2) = BuildFrom(p, shuffled).Build();
        Assert.True(c1.Groups.Count > 10);
        Assert.True(c1.AuxFactors.Count > 10);
        Assert.True(r1.CasesTrimmed > 0);

        var d1 = TestPaths.NewTempDir("dip");
        var d2 = TestPaths.NewTempDir("dip");
        var d3 = TestPaths.NewTempDir("dip");
        try
        {
            c1.Save(d1);
            r1.Save(Path.Combine(d1, "report.json"));
            c2.Save(d2);
            r2.Save(Path.Combine(d2, "report.json"));
            AssertSameFiles(d1, d2);

            // Load → Save round trip is byte-identical too.
            var loaded = DipCatalog.Load(d1);
            loaded.Save(d3);
            File.Copy(Path.Combine(d1, "report.json"), Path.Combine(d3, "report.json"));
            AssertSameFiles(d1, d3);
            Assert.Equal(c1.Groups.Count, loaded.Groups.Count);
        }
        finally
        {
            Directory.Delete(d1, true);
            Directory.Delete(d2, true);
            Directory.Delete(d3, true);
        }
    }

    [Fact]
    public void MergedBuildersEqualOneBuilder()
    {
        var p = Params(n: 10);
        var history = RandomHistory(5, 5000);
        var (whole, _) = BuildFrom(p, history).Build();
        var a = BuildFrom(p, history.Where((_, i) => i % 3 == 0));
        var b = BuildFrom(p, history.Where((_, i) => i % 3 != 0));
        b.Merge(a);
        var (merged, _) = b.Build();
        var d1 = TestPaths.NewTempDir("dip");
        var d2 = TestPaths.NewTempDir("dip");
        try
        {
            whole.Save(d1);
            merged.Save(d2);
            foreach (var f in Directory.GetFiles(d1))
            {
                Assert.Equal(File.ReadAllBytes(f), File.ReadAllBytes(Path.Combine(d2, Path.GetFileName(f))));
            }
        }
        finally
        {
            Directory.Delete(d1, true);
            Directory.Delete(d2, true);
        }

        Assert.Throws<ArgumentException>(() => b.Merge(new DipCatalogBuilder(Params(n: 11))));
    }

    private static void AssertSameFiles(string a, string b)
    {
        var fa = Directory.GetFiles(a).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        var fb = Directory.GetFiles(b).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(fa, fb);
        Assert.Equal(7, fa.Length);
        foreach (var f in fa)
        {
            Assert.True(File.ReadAllBytes(Path.Combine(a, f!)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(b, f!))), f + " differs");
        }
    }
}
