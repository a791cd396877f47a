using Grouper.Core;
using Grouper.Dip;

namespace Grouper.Tests.Dip;

/// <summary>Catalogs written from code for the tests (Demo numbers of dip.md).</summary>
internal static class DipTestCatalogs
{
    public static readonly HospitalLevel Level3A = new(3, 'A');
    public static readonly HospitalLevel Level2A = new(2, 'A');
    public static readonly HospitalLevel Level1 = new(1, '\0');

    public static long[] NoGrades() => [-1, -1, -1, -1, -1, -1, -1, -1];

    public static Code C(string s) => Code.Parse(s);

    public static DipGroup CoreGroup(string dxKey, decimal score, long refFen, params string[] procs)
    {
        var p = Array.ConvertAll(procs, Code.Parse);
        Array.Sort(p);
        var max = TreatmentKind.Conservative;
        foreach (var x in p)
        {
            var k = DipDefinitions.DefaultChapters()[int.Parse(x.ToString()[..2], System.Globalization.CultureInfo.InvariantCulture)];
            max = (TreatmentKind)Math.Max((int)max, (int)k);
        }

        return new DipGroup(DipGroup.CoreCode(C(dxKey), p), DipGroupKind.Core, C(dxKey), p, max, score, 20, refFen, NoGrades());
    }

    public static DipGroup CompGroup(string category, TreatmentKind t, decimal score, long refFen) =>
        new(DipGroup.ComprehensiveCode(C(category), t), DipGroupKind.Comprehensive, C(category), [], t, score, 20, refFen, NoGrades());

    public static DipDefinitions Definitions => new()
    {
        CciWeights = new Dictionary<Code, int> { [C("E11")] = 1, [C("I50")] = 2, [C("I50.9")] = 3, [C("N18")] = 2 },
        PerDiemCategories =
        [
            new PerDiemCategory("psychiatry", HospitalKind.Psychiatric, null, 60, 2.5m),
            new PerDiemCategory("psychiatry-dx", null, DipDefinitions.Range("F20-F29"), 60, 2.5m),
        ],
    };

    /// <summary>dip.md's matching example catalog (Demo scores), M = 10,230.00, S = 100.</summary>
    public static DipCatalog Example(bool withCombined = true, IEnumerable<DipGroup>? extra = null, IEnumerable<(string Code, AuxItem Item, int Level, decimal Factor)>? aux = null)
    {
        var groups = new List<DipGroup>
        {
            CoreGroup("K35.8", 86.0215m, 880_000, "47.0901"),
            CoreGroup("K35.8", 95.3000m, 975_000, "54.5901"),
            CompGroup("K35", TreatmentKind.Surgery, 90.0000m, 920_700),
        };
        if (withCombined)
        {
            groups.Add(CoreGroup("K35.8", 112.4500m, 1_150_400, "47.0901", "54.5901"));
        }

        if (extra is not null)
        {
            groups.AddRange(extra);
        }

        groups.Sort((a, b) => string.CompareOrdinal(a.Code, b.Code));
        var factors = new List<DipAuxFactor>();
        foreach (var (code, item, level, factor) in aux ?? [])
        {
            factors.Add(new DipAuxFactor(groups.FindIndex(g => g.Code == code), item, level, factor, 10));
        }

        return new DipCatalog("Demo DIP", "test-1", new DateOnly(2024, 1, 1), new DateOnly(2024, 12, 31), true, 100m, 1_023_000, Definitions, groups, factors);
    }

    public static DipInput Case(
        string dx,
        string? proc,
        string[]? others = null,
        string[]? secondary = null,
        long costFen = 880_000,
        int ageYears = 40,
        int los = 7,
        DischargeMode mode = DischargeMode.OnAdvice,
        HospitalLevel? level = null,
        HospitalKind kind = HospitalKind.General) =>
        new(
            C(dx),
            Array.ConvertAll(secondary ?? [], Code.Parse),
            proc is null ? Code.Empty : C(proc),
            Array.ConvertAll(others ?? [], Code.Parse),
            ageYears,
            -1,
            mode,
            los,
            costFen,
            level ?? Level1,
            kind);
}
