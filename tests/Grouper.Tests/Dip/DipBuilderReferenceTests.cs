using Grouper.Core;
using Grouper.Dip;
using static Grouper.Tests.Dip.DipTestCatalogs;

namespace Grouper.Tests.Dip;

/// <summary>The builder against a straightforward LINQ re-implementation of dip.md's steps on random history.</summary>
public class DipBuilderReferenceTests
{
    private static decimal Quartile(List<long> sorted, int q)
    {
        var pos = (sorted.Count - 1) * q / 4m;
        var i = (int)Math.Floor(pos);
        var frac = pos - i;
        return i + 1 < sorted.Count ? sorted[i] + (frac * (sorted[i + 1] - sorted[i])) : sorted[i];
    }

    private static long? Weighted(IEnumerable<(int Year, List<long> Kept)> years, Dictionary<int, decimal> w)
    {
        var with = years.Where(y => y.Kept.Count > 0).ToList();
        if (with.Count == 0)
        {
            return null;
        }

        var num = with.Sum(y => w[y.Year] * y.Kept.Sum() / y.Kept.Count);
        return Rounding.ToFen(num / with.Sum(y => w[y.Year]) / 100m);
    }

    [Theory]
    [InlineData(15, 3)]
    [InlineData(3, 4)]
    public void BuilderAgreesWithReference(int n, int seed)
    {
        var p = new DipBuildParameters { CoreThreshold = n, Definitions = Definitions, YearWeights = [new(2021, 1m), new(2022, 2m), new(2023, 7m)] };
        var history = DipCatalogBuilderTests.RandomHistory(seed, 20_000);
        var (catalog, _) = DipCatalogBuilderTests.BuildFrom(p, history).Build();
        var defs = p.Definitions;
        var w = p.YearWeights.ToDictionary(y => y.Year, y => y.Weight);
        string[] grades = ["3A", "3B", "3C", "2A", "2B", "2C", "1", "0"];

        ProcedureKind Kind(string key) => defs.ChapterDefaults[int.Parse(key[..2], System.Globalization.CultureInfo.InvariantCulture)];
        var keyed = history.Select(c =>
        {
            var procs = (c.Proc is null ? Array.Empty<string>() : [c.Proc]).Concat(c.Others).Select(s => s.Length > 7 ? s[..7] : s).Where(k => Kind(k) != ProcedureKind.Ignored).Distinct().Order(StringComparer.Ordinal).ToList();
            var t = procs.Count == 0 ? TreatmentKind.Conservative : (TreatmentKind)procs.Max(k => (int)Kind(k));
            return (Case: c, Key: c.Dx[..5] + ":" + (procs.Count == 0 ? "-" : string.Join('+', procs)), Cat: c.Dx[..3] + ":" + DipReasons.Letter(t));
        }).ToList();
        var counts = keyed.GroupBy(k => k.Key).ToDictionary(g => g.Key, g => g.Count());
        var groups = keyed.GroupBy(k => counts[k.Key] >= n ? k.Key : k.Cat).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();

        // Trim per group-year.
        var kept = new Dictionary<(string, int), List<(long Cost, int Grade)>>();
        foreach (var g in groups)
        {
            foreach (var y in w.Keys)
            {
                var list = g.Where(k => k.Case.Year == y).Select(k => (k.Case.Cost, Grade: Array.IndexOf(grades, k.Case.Level.GradeGroup))).OrderBy(x => x.Cost).ToList();
                if (list.Count >= 5)
                {
                    var costs = list.Select(x => x.Cost).ToList();
                    var q1 = Quartile(costs, 1);
                    var q3 = Quartile(costs, 3);
                    var lo = q1 - (1.5m * (q3 - q1));
                    var hi = q3 + (1.5m * (q3 - q1));
                    list = list.Where(x => x.Cost >= lo && x.Cost <= hi).ToList();
                }

                kept[(g.Key, y)] = list;
            }
        }

        var m = Weighted(w.Keys.Select(y => (y, groups.SelectMany(g => kept[(g.Key, y)]).Select(x => x.Cost).ToList())), w)!.Value;
        Assert.Equal(m, catalog.RegionalMeanCostFen);
        Assert.Equal(groups.Select(g => g.Key), catalog.Groups.Select(g => g.Code));
        for (var i = 0; i < groups.Count; i++)
        {
            var g = groups[i];
            var got = catalog.Groups[i];
            var mg = Weighted(w.Keys.Select(y => (y, kept[(g.Key, y)].Select(x => x.Cost).ToList())), w)!.Value;
            Assert.Equal(mg, got.ReferenceCostFen);
            Assert.Equal(Rounding.Places4(mg * 100m / m), got.Score);
            Assert.Equal(g.Count(), got.CaseCount);
            Assert.Equal(counts.ContainsKey(g.Key) ? DipGroupKind.Core : DipGroupKind.Comprehensive, got.Kind);
            for (var gi = 0; gi < 8; gi++)
            {
                var want = Weighted(w.Keys.Select(y => (y, kept[(g.Key, y)].Where(x => x.Grade == gi).Select(x => x.Cost).ToList())), w) ?? -1;
                Assert.Equal(want, got.ReferenceCostByGradeFen[gi]);
            }

            // Discharge-mode factors: subset mean ÷ group mean over all years, before trimming, ≥ 5 cases.
            foreach (var mode in new[] { 2, 3, 4, 5 })
            {
                var sub = g.Where(k => (int)k.Case.Mode == mode).Select(k => k.Case.Cost).ToList();
                var factor = catalog.AuxFactors.FirstOrDefault(a => a.GroupIndex == i && a.Item == AuxItem.DischargeMode && a.Level == mode);
                if (sub.Count < 5)
                {
                    Assert.Null(factor);
                }
                else
                {
                    var all = g.Select(k => k.Case.Cost).ToList();
                    Assert.Equal(Rounding.Places4(sub.Sum() / (decimal)sub.Count / (all.Sum() / (decimal)all.Count)), factor!.Factor);
                }
            }
        }

        Assert.True(catalog.Groups.Count(g => g.Kind == DipGroupKind.Core) > 10);
    }
}
