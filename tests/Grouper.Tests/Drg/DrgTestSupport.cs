using Grouper.Core;
using Grouper.Drg;

namespace Grouper.Tests.Drg;

/// <summary>The real CHS-DRG 2.0 catalog imported once per test run, and helpers to group a case from strings.</summary>
internal static class RealDrg
{
    private static readonly Lazy<DrgCatalog> LazyCatalog = new(() =>
    {
        var dir = TestPaths.NewTempDir("drg-real");
        return DrgCatalogImporter.Import(TestPaths.ChsDrg20, dir, "CHS-DRG", "2.0", new DateOnly(2024, 7, 23), null);
    });

    private static readonly Lazy<DrgGrouper> LazyGrouper = new(() => new DrgGrouper(LazyCatalog.Value));

    public static DrgCatalog Catalog => LazyCatalog.Value;

    public static DrgGrouper Grouper => LazyGrouper.Value;
}

/// <summary>A case written with strings, for readable tests.</summary>
internal sealed record TestCase(
    string Pdx,
    string[]? Sdx = null,
    string? Pproc = null,
    string[]? Oproc = null,
    Sex Sex = Sex.Male,
    int AgeYears = 40,
    int AgeDays = -1,
    int Weight = -1)
{
    public DrgResult Group(DrgGrouper g, List<string>? trace = null)
    {
        var sdx = (Sdx ?? []).Select(Code.Parse).ToArray();
        var oproc = (Oproc ?? []).Select(Code.Parse).ToArray();
        var input = new DrgInput(Sex, AgeYears, AgeDays, Weight, Pdx.Length == 0 ? Code.Empty : Code.Parse(Pdx), sdx, Pproc is null ? Code.Empty : Code.Parse(Pproc), oproc);
        DrgResult r;
        if (trace is null)
        {
            g.Group(in input, out r);
        }
        else
        {
            g.GroupWithTrace(in input, out r, trace);
        }

        return r;
    }

    public string Drg(DrgGrouper g) => g.Catalog.DrgCode(Group(g).Drg);
}
