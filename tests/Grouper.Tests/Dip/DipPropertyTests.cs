using System.Globalization;
using Grouper.Core;
using Grouper.Dip;
using static Grouper.Tests.Dip.DipTestCatalogs;

namespace Grouper.Tests.Dip;

/// <summary>The fast matcher against a slow, obviously-correct reference (strings and LINQ) on random catalogs and cases.</summary>
public class DipPropertyTests
{
    private static readonly string[] DxKeys = ["K35.8", "K35.3", "K80.1", "K80.2", "C34.9", "J18.9", "I10.x", "F20.0"];
    private static readonly string[] DxSuffix = ["", "00", "00x001", "01"];
    private static readonly string[] Procs = ["47.0901", "54.5901", "47.0100", "51.2301", "88.0400", "87.4401", "90.5900", "99.2501", "93.3900", "96.0400", "92.2301", "88.7201"];
    private static readonly string[] Secondary = ["E11.900", "I50.900", "I50.000", "N18.500", "C78.000", "J96.000", "E78.500"];
    private static readonly HospitalLevel[] Levels = [new(3, 'A'), new(3, 'B'), new(3, 'C'), new(3, '\0'), new(2, 'A'), new(2, '\0'), new(1, 'A'), new(0, '\0')];
    private static readonly decimal[] Scores = [50.0000m, 60.0000m, 75.5000m, 75.5000m, 112.4500m];

    private static DipDefinitions Defs => Definitions with { ProcedureOverrides = new Dictionary<Code, ProcedureKind> { [Code.Parse("88.7201")] = ProcedureKind.Ignored, [Code.Parse("96")] = ProcedureKind.Surgery } };

    private static DipCatalog RandomCatalog(Random rnd)
    {
        var groups = new Dictionary<string, DipGroup>(StringComparer.Ordinal);
        var usable = Procs.Where(p => RefKind(Defs, p) != ProcedureKind.Ignored).ToArray();
        foreach (var key in DxKeys)
        {
            var n = rnd.Next(7);
            for (var i = 0; i < n; i++)
            {
                var size = rnd.Next(4);
                var procs = Enumerable.Range(0, size).Select(_ => usable[rnd.Next(usable.Length)]).Distinct().Order(StringComparer.Ordinal).Select(Code.Parse).ToArray();
                var code = DipGroup.CoreCode(Code.Parse(key), procs);
                groups[code] = new DipGroup(code, rnd.Next(5) == 0 ? DipGroupKind.Grassroots : DipGroupKind.Core, Code.Parse(key), procs, TreatmentKind.Conservative, Scores[rnd.Next(Scores.Length)], 20, rnd.Next(100_000, 2_000_000), RandomGrades(rnd));
            }
        }

        foreach (var cat in DxKeys.Select(k => k[..3]).Distinct())
        {
            foreach (var t in Enum.GetValues<TreatmentKind>())
            {
                if (rnd.Next(10) < 7)
                {
                    var code = DipGroup.ComprehensiveCode(Code.Parse(cat), t);
                    groups[code] = new DipGroup(code, DipGroupKind.Comprehensive, Code.Parse(cat), [], t, Scores[rnd.Next(Scores.Length)], 20, rnd.Next(100_000, 2_000_000), RandomGrades(rnd));
                }
            }
        }

        var list = groups.Values.OrderBy(g => g.Code, StringComparer.Ordinal).ToList();
        var aux = new List<DipAuxFactor>();
        for (var g = 0; g < list.Count; g++)
        {
            for (var level = 1; level <= 4; level++)
            {
                if (rnd.Next(3) == 0)
                {
                    aux.Add(new DipAuxFactor(g, AuxItem.Cci, level, 1m + (rnd.Next(0, 40) / 100m), 5));
                }
            }

            for (var band = 0; band < Defs.AgeBands.Count; band++)
            {
                if (rnd.Next(3) == 0)
                {
                    aux.Add(new DipAuxFactor(g, AuxItem.Age, band, 1m + (rnd.Next(0, 40) / 100m), 5));
                }
            }

            for (var level = 1; level <= 3; level++)
            {
                if (rnd.Next(3) == 0)
                {
                    aux.Add(new DipAuxFactor(g, AuxItem.Tumour, level, 1m + (rnd.Next(0, 40) / 100m), 5));
                }
            }

            foreach (var mode in new[] { 2, 3, 4, 5 })
            {
                if (rnd.Next(3) == 0)
                {
                    aux.Add(new DipAuxFactor(g, AuxItem.DischargeMode, mode, 0.7m + (rnd.Next(0, 60) / 100m), 5));
                }
            }
        }

        return new DipCatalog("prop", "1", new DateOnly(2024, 1, 1), new DateOnly(2024, 12, 31), true, 100m, rnd.Next(500_000, 1_500_000), Defs, list, aux);
    }

    private static long[] RandomGrades(Random rnd) => Enumerable.Range(0, 8).Select(_ => rnd.Next(3) == 0 ? rnd.Next(100_000, 2_000_000) : -1L).ToArray();

    private sealed record RefCase(string Dx, string? Proc, string[] Others, string[] Secondary, int AgeYears, int AgeDays, DischargeMode Mode, int Los, long Cost, HospitalLevel Level, HospitalKind Kind);

    private static RefCase RandomCase(Random rnd)
    {
        var dx = rnd.Next(20) == 0 ? "Z99.900" : DxKeys[rnd.Next(DxKeys.Length)] + DxSuffix[rnd.Next(DxSuffix.Length)];
        var np = rnd.Next(5);
        var ps = Enumerable.Range(0, np).Select(_ => Procs[rnd.Next(Procs.Length)] + (rnd.Next(4) == 0 ? "x001" : string.Empty)).ToArray();
        var sec = Enumerable.Range(0, rnd.Next(4)).Select(_ => Secondary[rnd.Next(Secondary.Length)]).Distinct().ToArray();
        var age = rnd.Next(10) == 0 ? 0 : rnd.Next(1, 100);
        return new RefCase(dx, np > 0 ? ps[0] : null, ps.Skip(1).ToArray(), sec, age, age == 0 ? rnd.Next(0, 366) : -1, (DischargeMode)new[] { 1, 1, 2, 3, 4, 5, 9 }[rnd.Next(7)], rnd.Next(1, 100), rnd.Next(1_000, 8_000_000), Levels[rnd.Next(Levels.Length)], (HospitalKind)rnd.Next(1, 7));
    }

    // ----------------------------------------------------------- the reference

    private static ProcedureKind RefKind(DipDefinitions d, string key)
    {
        var over = d.ProcedureOverrides.Where(o => key.StartsWith(o.Key.ToString(), StringComparison.Ordinal)).OrderByDescending(o => o.Key.ToString().Length).ToList();
        return over.Count > 0 ? over[0].Value : d.ChapterDefaults[int.Parse(key[..2], CultureInfo.InvariantCulture)];
    }

    private static bool InRange(CodeRange r, string code) =>
        string.CompareOrdinal(Cut(code, r.Length), r.From.ToString()) >= 0 && string.CompareOrdinal(Cut(code, r.Length), r.To.ToString()) <= 0;

    private static string Cut(string s, int n) => s.Length > n ? s[..n] : s;

    private static (int Group, DipResult R) Reference(DipCatalog c, Dictionary<(int, AuxItem, int), decimal> auxMap, DipScoringParameters p, RefCase x)
    {
        var d = c.Definitions;
        var res = new DipResult { GroupIndex = -1, AuxFactorE4 = 10000, PerDiemCategory = -1 };
        var pd = d.PerDiemCategories.Select((cat, i) => (cat, i)).FirstOrDefault(t => x.Los > t.cat.MinLosExclusive && (t.cat.HospitalKind is null || t.cat.HospitalKind == x.Kind) && (t.cat.PrincipalDx is null || InRange(t.cat.PrincipalDx.Value, x.Dx)), (null!, -1));
        if (pd.Item2 >= 0)
        {
            res.GroupKind = DipGroupKind.PerDiem;
            res.CaseKind = res.PointsFormula = CaseKind.PerDiem;
            res.Reason = DipReason.PerDiem;
            res.PerDiemCategory = (short)pd.Item2;
            res.PointsE4 = E4(Math.Round(x.Los * pd.cat.DailyPoints, 4, MidpointRounding.AwayFromZero));
            return (-1, res);
        }

        var all = (x.Proc is null ? Array.Empty<string>() : [x.Proc]).Concat(x.Others).Select(s => Cut(s, d.ProcedureKeyLength)).ToList();
        var set = all.Where(k => RefKind(d, k) != ProcedureKind.Ignored).Distinct().Order(StringComparer.Ordinal).ToList();
        var treatment = set.Count == 0 ? TreatmentKind.Conservative : (TreatmentKind)set.Max(k => (int)RefKind(d, k));
        var key = Cut(x.Dx, d.DiagnosisKeyLength);
        var best = c.Groups.Select((g, i) => (g, i))
            .Where(t => t.g.IsCore && t.g.DiagnosisKey.ToString() == key
                && (t.g.Procedures.Count == 0 ? set.Count == 0 : t.g.Procedures.All(pr => set.Contains(pr.ToString()))))
            .OrderByDescending(t => t.g.Procedures.Count).ThenByDescending(t => t.g.Score).ThenBy(t => t.g.Code, StringComparer.Ordinal)
            .Select(t => t.i).DefaultIfEmpty(-1).First();
        if (best < 0)
        {
            best = c.IndexOf(Cut(x.Dx, d.CategoryLength) + ":" + DipReasons.Letter(treatment));
        }

        if (best < 0)
        {
            res.Reason = DipReason.NoGroup;
            res.PointsE4 = E4(Math.Round(x.Cost / (decimal)c.RegionalMeanCostFen * c.ScoreScale, 4, MidpointRounding.AwayFromZero));
            return (-1, res);
        }

        var grp = c.Groups[best];
        res.GroupIndex = best;
        res.GroupKind = grp.Kind;
        res.ScoreE4 = E4(grp.Score);

        // Applicable items in a fixed order; the first with the largest factor wins.
        var applicable = new List<(AuxItem Item, int Level)>();
        var sum = x.Secondary.Sum(s => d.CciWeights.Where(w => s.StartsWith(w.Key.ToString(), StringComparison.Ordinal)).OrderByDescending(w => w.Key.ToString().Length).Select(w => w.Value).FirstOrDefault());
        var cci = d.CciThresholds.Count(t => sum >= t);
        if (cci > 0)
        {
            applicable.Add((AuxItem.Cci, cci));
        }

        var ageKey = x.AgeYears == 0 ? Math.Max(0, x.AgeDays) : x.AgeYears * 400;
        applicable.AddRange(d.AgeBands.Select((b, i) => (b, i)).Where(t => ageKey >= t.b.MinAgeKey && ageKey < t.b.MaxAgeKey).Select(t => (AuxItem.Age, t.i)));
        if (d.MalignantPrincipal.Any(r => InRange(r, x.Dx)))
        {
            var flags = TumourFlags.None;
            var procs = (x.Proc is null ? Array.Empty<string>() : [x.Proc]).Concat(x.Others).ToList();
            if (x.Secondary.Any(s => d.MetastasisSecondary.Any(r => InRange(r, s))))
            {
                flags |= TumourFlags.Metastasis;
            }

            if (procs.Any(s => d.RadiotherapyProcedures.Any(r => InRange(r, s))))
            {
                flags |= TumourFlags.Radiotherapy;
            }

            if (procs.Any(s => d.ChemotherapyProcedures.Any(r => InRange(r, s))))
            {
                flags |= TumourFlags.Chemotherapy;
            }

            var level = d.TumourLevels.Where(l => (flags & l.Requires) == l.Requires).Select(l => (int)l.Level).DefaultIfEmpty(0).Max();
            if (level > 0)
            {
                applicable.Add((AuxItem.Tumour, level));
            }
        }

        if (d.DischargeModes.Contains(x.Mode))
        {
            applicable.Add((AuxItem.DischargeMode, (int)x.Mode));
        }

        var factors = applicable
            .Select(a => (a.Item, a.Level, F: auxMap.GetValueOrDefault((best, a.Item, a.Level))))
            .Where(t => t.F > 0).ToList();
        if (factors.Count > 0)
        {
            var max = factors.Max(t => t.F);
            var win = factors.First(t => t.F == max);
            res.AuxFactorE4 = E4(win.F);
            res.AuxItem = win.Item;
            res.AuxLevel = (byte)win.Level;
        }

        string[] gradeNames = ["3A", "3B", "3C", "2A", "2B", "2C", "1", "0"];
        var gradeIdx = Array.IndexOf(gradeNames, x.Level.GradeGroup);
        var reference = p.UseSameLevelReference && grp.ReferenceCostByGradeFen[gradeIdx] > 0 ? grp.ReferenceCostByGradeFen[gradeIdx] : grp.ReferenceCostFen;
        res.ReferenceCostFen = reference;
        var r = Math.Round((decimal)x.Cost / reference, 4, MidpointRounding.AwayFromZero);
        res.CostRatioE4 = E4(r);
        var tier = p.TierThresholds.FirstOrDefault(t => t.Tier == x.Level.Tier);
        var low = tier?.Low ?? p.LowThreshold;
        var high = tier?.High ?? p.HighThreshold;
        if (r <= low)
        {
            res.CaseKind = CaseKind.LowOutlier;
            res.PointsE4 = E4(Math.Round(grp.Score * r, 4, MidpointRounding.AwayFromZero));
        }
        else if (r >= high)
        {
            res.CaseKind = CaseKind.HighOutlier;
            res.PointsE4 = E4(Math.Round(grp.Score * res.AuxFactor * (1 + (p.ExcessFactor * (r - high))), 4, MidpointRounding.AwayFromZero));
        }
        else
        {
            res.PointsE4 = E4(Math.Round(grp.Score * res.AuxFactor, 4, MidpointRounding.AwayFromZero));
        }

        res.PointsFormula = res.CaseKind;
        if (r >= p.ReviewCostRatio)
        {
            res.CaseKind = CaseKind.IndividualReview;
            res.Reason = DipReason.ReviewCostRatio;
        }
        else if (x.Los >= p.ReviewMinLos)
        {
            res.CaseKind = CaseKind.IndividualReview;
            res.Reason = DipReason.ReviewLongStay;
        }

        return (best, res);
    }

    private static long E4(decimal d) => (long)(d * 10000m);

    [Fact]
    public void MatcherAgreesWithReferenceOn100000RandomCases()
    {
        var rnd = new Random(20241123);
        var checkedCases = 0;
        var kinds = new int[5];
        for (var round = 0; round < 20; round++)
        {
            var catalog = RandomCatalog(rnd);
            var p = round % 2 == 0 ? new DipScoringParameters() : new DipScoringParameters { TierThresholds = [new DipTierThresholds(2, 0.4m, 2.5m), new DipTierThresholds(1, 0.3m, 3m)], ExcessFactor = 0.85m, UseSameLevelReference = false };
            var m = new DipMatcher(catalog, p);
            var auxMap = catalog.AuxFactors.ToDictionary(f => (f.GroupIndex, f.Item, f.Level), f => f.Factor);
            for (var i = 0; i < 5_000; i++)
            {
                var x = RandomCase(rnd);
                var input = new DipInput(Code.Parse(x.Dx), Array.ConvertAll(x.Secondary, Code.Parse), x.Proc is null ? Code.Empty : Code.Parse(x.Proc), Array.ConvertAll(x.Others, Code.Parse), x.AgeYears, x.AgeDays, x.Mode, x.Los, x.Cost, x.Level, x.Kind);
                m.Match(in input, out var got);
                var (_, want) = Reference(catalog, auxMap, p, x);
                if (!got.Equals(want))
                {
                    Assert.Fail($"round {round} case {i} {x}: got {Describe(catalog, got)} want {Describe(catalog, want)}");
                }

                kinds[(int)got.GroupKind]++;
                checkedCases++;
            }
        }

        Assert.Equal(100_000, checkedCases);

        // The random cases reach every kind of outcome.
        Assert.All(kinds, k => Assert.True(k > 1000));
    }

    private static string Describe(DipCatalog c, DipResult r) =>
        $"{c.GroupCode(r.GroupIndex)} {r.GroupKind} score {r.Score} aux {r.AuxFactor} {r.AuxItem}/{r.AuxLevel} {r.CaseKind}/{r.PointsFormula} r {r.CostRatio} ref {r.ReferenceCostFen} points {r.Points} {r.Reason} pd {r.PerDiemCategory}";
}
