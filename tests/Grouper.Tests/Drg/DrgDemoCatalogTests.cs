using Grouper.Core;
using Grouper.Drg;
using Grouper.Drg.Internals;

namespace Grouper.Tests.Drg;

/// <summary>The committed demo catalog equals what <see cref="DemoDrgCatalog.Write"/> produces, loads, and groups as designed.</summary>
public sealed class DrgDemoCatalogTests
{
    private static readonly string DemoDir = Path.Combine(TestPaths.SampleData, "catalogs", "drg-demo");
    private static readonly Lazy<DrgGrouper> Demo = new(() => new DrgGrouper(DrgCatalog.Load(DemoDir)));

    [Fact]
    public void Committed_demo_files_equal_the_generator_output()
    {
        var dir = TestPaths.NewTempDir("drg-demo");
        DemoDrgCatalog.Write(dir);
        if (Environment.GetEnvironmentVariable("GROUPER_UPDATE_DEMO") == "1")
        {
            DemoDrgCatalog.Write(DemoDir); // regenerate on purpose, then commit
        }

        var expected = Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        var actual = Directory.GetFiles(DemoDir).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, actual);
        foreach (var f in expected)
        {
            Assert.True(
                File.ReadAllBytes(Path.Combine(dir, f!)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(DemoDir, f!))),
                $"{f} differs from DemoDrgCatalog.Write output (run the tests with GROUPER_UPDATE_DEMO=1 and commit)");
        }
    }

    /// <summary>
    /// The demo lists are invented, but their codes must be real 医保版 2.0 codes: every diagnosis code in
    /// every demo file is in the CHS-DRG 2.0 diagnosis set (reference icd10.csv, <c>in_chs_drg_2_0 = Y</c>) and
    /// every procedure code in the 2.0 procedure set (icd9.csv, <c>in_chs_drg_2_0_adrg_tables = Y</c>). Older
    /// codes such as S72.100 exist only in the 1.1 code set (rows marked N) and must not appear.
    /// </summary>
    [Fact]
    public void Every_demo_code_is_in_the_chs_drg_2_0_code_lists()
    {
        var dx = ReferenceCodeSet("icd10.csv", "in_chs_drg_2_0");
        var px = ReferenceCodeSet("icd9.csv", "in_chs_drg_2_0_adrg_tables");
        Assert.Contains("S72.101", dx);
        Assert.DoesNotContain("S72.100", dx); // present in icd10.csv, but as a 1.1-only code (N)
        Assert.Contains("81.5100", px);

        var src = CatalogSource.ReadFrom(DemoDir);
        var checkedCodes = 0;
        var missing = new List<string>();
        void Check(HashSet<string> set, string file, long line, string code)
        {
            checkedCodes++;
            if (!set.Contains(code))
            {
                missing.Add($"{file}:{line} {code}");
            }
        }

        foreach (var r in src.MdcDx)
        {
            Check(dx, CatalogSource.MdcDxFile, r.Line, r.Code);
        }

        foreach (var r in src.Sites)
        {
            Check(dx, CatalogSource.SitesFile, r.Line, r.Code);
        }

        foreach (var r in src.AdrgDx)
        {
            Check(dx, CatalogSource.AdrgDxFile, r.Line, r.Code);
        }

        foreach (var r in src.CcMcc)
        {
            Check(dx, CatalogSource.CcFile, r.Line, r.Code);
        }

        foreach (var r in src.Exclusions)
        {
            Check(dx, CatalogSource.ExclusionFile, r.Line, r.Code);
        }

        foreach (var r in src.AdrgProc)
        {
            Check(px, CatalogSource.AdrgProcFile, r.Line, r.Code);
        }

        Assert.True(checkedCodes > 150, $"only {checkedCodes} codes read from the demo catalog");
        Assert.True(missing.Count == 0, "not in the CHS-DRG 2.0 code lists: " + string.Join(", ", missing));
    }

    /// <summary>Codes of a reference code list whose flag column is Y.</summary>
    private static HashSet<string> ReferenceCodeSet(string file, string flagColumn)
    {
        var lines = File.ReadAllLines(Path.Combine(TestPaths.ChsDrg20, file));
        var header = lines[0].Split(',');
        Assert.Equal("code", header[0]);
        Assert.Equal(flagColumn, header[^1]);
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var l in lines.Skip(1))
        {
            // Names may contain quoted commas; the code is the first field and the flag the last.
            var first = l.IndexOf(',', StringComparison.Ordinal);
            var c = l[..first];
            var f = l[(l.LastIndexOf(',') + 1)..];
            if (f == "Y")
            {
                set.Add(c);
            }
        }

        Assert.True(set.Count > 9000, $"{file}: only {set.Count} codes flagged Y");
        return set;
    }

    [Fact]
    public void Demo_is_labelled_and_has_views()
    {
        var c = Demo.Value.Catalog;
        Assert.True(c.IsDemo);
        Assert.Contains("DEMO", c.Name, StringComparison.Ordinal);
        Assert.True(c.HasPricing);
        Assert.InRange(c.AdrgCount, 20, 40);
        Assert.Contains(c.Adrgs, a => a.Kind == AdrgKind.Surgical);
        Assert.Contains(c.Adrgs, a => a.Kind == AdrgKind.NonOrProcedure);
        Assert.Contains(c.Adrgs, a => a.Kind == AdrgKind.Medical);
        var es3 = c.Adrgs.Single(a => a.Code == "ES3");
        Assert.Contains("J18.900", es3.PrincipalDiagnoses);
        Assert.Empty(es3.Procedures);
        Assert.Contains(c.Adrgs.Single(a => a.Code == "GE2").Procedures, p => p == "47.0901");
        Assert.Contains(c.CcCodes, x => x.Code == "I50.900" && x.Level == CcLevel.Mcc && x.ExclusionTable == "表D-2");
    }

    [Theory]
    [InlineData("J18.900", "", "", "ES35", 8800)] // medical: invented RW 0.70 + 0.01 × (S − A) = 0.88
    [InlineData("J18.900", "I50.900", "", "ES31", 12350)] // drg.md demo pricing: ES31 RW 1.2350
    [InlineData("J18.900", "J96.000;E87.600", "", "ES33", 0)] // J96.000 excluded by 表D-1
    [InlineData("K35.300", "", "47.0100", "GE19", 0)]
    [InlineData("K35.800x001", "", "47.0901", "GE29", 0)]
    [InlineData("K35.800x001", "", "81.5100", "GQY", 0)]
    [InlineData("C41.200x005", "", "77.6900x001", "ID19", 0)] // ID1 ordered before IB3
    [InlineData("S72.000", "S06.000", "81.5100", "ZC15", 0)]
    [InlineData("S72.000", "S06.000", "", "ZZ15", 0)]
    [InlineData("J18.900", "B20.001", "", "YR11", 0)]
    [InlineData("O84.000", "", "", "0000", 0)]
    public void Demo_cases(string pdx, string sdx, string pproc, string drg, int rw4)
    {
        var tc = new TestCase(pdx, sdx.Length == 0 ? [] : sdx.Split(';'), pproc.Length == 0 ? null : pproc, Sex: pdx[0] == 'O' ? Sex.Female : Sex.Male);
        var r = tc.Group(Demo.Value);
        Assert.Equal(drg, Demo.Value.Catalog.DrgCode(r.Drg));
        if (rw4 > 0)
        {
            Assert.Equal(rw4, r.RelativeWeight4);
        }

        if (r.Reason == DrgReason.Ok)
        {
            Assert.True(r.RelativeWeight4 > 0);
            Assert.Equal(r.RelativeWeight4 * 100L, Demo.Value.Catalog.DrgAverageCostFen(r.Drg)); // average cost = RW × 10,000 yuan
        }
    }

    [Fact]
    public void Demo_newborns()
    {
        var g = Demo.Value;
        Assert.Equal("PS15", new TestCase("P07.300", AgeYears: 0, AgeDays: 3, Weight: 1499).Drg(g));
        Assert.Equal("PS29", new TestCase("P07.300", AgeYears: 0, AgeDays: 3, Weight: 1500).Drg(g));
        Assert.Equal("PS45", new TestCase("P07.300", AgeYears: 0, AgeDays: 3, Weight: 2500).Drg(g));
        Assert.Equal("PU19", new TestCase("J18.900", AgeYears: 0, AgeDays: 28, Weight: 3000).Drg(g));
        Assert.Equal("PV19", new TestCase("J18.900", AgeYears: 0, AgeDays: 29).Drg(g));
        Assert.Equal("0000", new TestCase("O80.000", Sex: Sex.Male).Drg(g));
    }
}
