using Grouper.Core;
using Grouper.Drg;
using Grouper.Drg.Internals;

namespace Grouper.Tests.Drg;

/// <summary>Catalog validation on load (errors name file, line and field) and the import of the real tables.</summary>
public sealed class DrgCatalogLoadTests
{
    private static readonly string DemoDir = Path.Combine(TestPaths.SampleData, "catalogs", "drg-demo");

    private static InputException LoadBroken(string file, string oldText, string newText)
    {
        var dir = TestPaths.NewTempDir("drg-bad");
        foreach (var f in Directory.GetFiles(DemoDir))
        {
            File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
        }

        var path = Path.Combine(dir, file);
        var text = File.ReadAllText(path);
        Assert.Contains(oldText, text, StringComparison.Ordinal);
        File.WriteAllText(path, text.Replace(oldText, newText, StringComparison.Ordinal));
        return Assert.Throws<InputException>(() => DrgCatalog.Load(dir));
    }

    [Theory]
    [InlineData("adrgs.csv", "AH2,MDCA,", "AH2,MDCQ,", 3, "mdc", "unknown MDC")]
    [InlineData("adrgs.csv", "EB1,MDCE,肺大手术", "AH1,MDCE,肺大手术", 4, "adrg", "duplicate ADRG")]
    [InlineData("adrgs.csv", "EB1,MDCE,肺大手术", "E1B,MDCE,肺大手术", 4, "adrg", "malformed ADRG")]
    [InlineData("adrgs.csv", "(SDX | PROC1) & PROC2", "(SDX | PROC1 & PROC2", 3, "entry_logic", "missing ')'")]
    [InlineData("adrgs.csv", "(SDX | PROC1) & PROC2", "(SDX | PROC7) & PROC2", 3, "entry_logic", "has no PROC7 list")]
    [InlineData("adrgs.csv", "(SDX | PROC1) & PROC2", "(SDX | FOO) & PROC2", 3, "entry_logic", "unknown token")]
    [InlineData("adrgs.csv", "FR2,MDCF,心力衰竭、休克,medical,120", "FR2,MDCF,心力衰竭、休克,medical,110", 12, "order", "used twice")]
    [InlineData("drgs.csv", "GE29,GE2,", "GE29,GE7,", 26, "adrg", "unknown ADRG")]
    [InlineData("drgs.csv", "GE29,GE2,unsplit", "GE29,GE2,sometimes", 26, "split", "unknown split")]
    [InlineData("adrg-procedures.csv", "GE2,PPROC,47.0901", "GE2,PPROC,4x.0901", 15, "icd9", "malformed ICD-9-CM-3")]
    [InlineData("adrg-procedures.csv", "GE2,PPROC,47.0901", "GE2,PPROC,47.0100", 15, "icd9", "duplicate code")]
    [InlineData("mdc-principal-dx.csv", "MDCE,C34.900x001", "MDCE,C34-900x001", 3, "icd10", "malformed ICD-10")]
    [InlineData("mdc-principal-dx.csv", "MDCE,C34.900x001", "MDCX,C34.900x001", 3, "mdc", "unknown MDC")]
    [InlineData("exclusion-tables.csv", "表D-9,A41.900", "表D-9,J18.900", 25, "icd10", "already in table")]
    [InlineData("pricing.csv", "AH19,1.8700", "AH19,-1.8700", 2, "relative_weight", "non-negative decimal")]
    public void Broken_catalog_is_rejected_with_file_line_and_field(string file, string oldText, string newText, int line, string field, string message)
    {
        var e = LoadBroken(file, oldText, newText);
        Assert.EndsWith(file, e.File, StringComparison.Ordinal);
        Assert.Equal(line, e.LineNumber);
        Assert.Equal(field, e.Field);
        Assert.Contains(message, e.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Split_gap_and_bad_manifest_are_rejected()
    {
        var e = LoadBroken("drgs.csv", "GE29,GE2,unsplit", "GE29,GE2,MCC");
        Assert.Contains("do not cover every CC/MCC level", e.Detail, StringComparison.Ordinal);

        e = LoadBroken("catalog.json", "\"version\": \"demo-2\"", "\"version\": \"\"");
        Assert.EndsWith("catalog.json", e.File, StringComparison.Ordinal);

        e = LoadBroken("catalog.json", "\"effective_to\": \"2026-12-31\"", "\"effective_to\": \"2026-02-30\"");
        Assert.Equal("effective_to", e.Field);
    }

    /// <summary>
    /// The engine keeps an MDC's candidate ADRGs of one kind in a 64-bit word: 64 medical ADRGs in an
    /// MDC group (the last one sits on bit 63, also on the trace path), 65 are refused naming the row.
    /// </summary>
    [Theory]
    [InlineData(64)]
    [InlineData(65)]
    public void At_most_64_medical_adrgs_per_mdc(int medical)
    {
        var src = DemoDrgCatalog.Build();
        var existing = src.Adrgs.Where(a => a.Mdc == "MDCE" && a.Kind == "medical").Select(a => a.Code).ToHashSet();
        var free = (from l in "RSTUVWXYZ" from d in "123456789" select $"E{l}{d}").Where(code => !existing.Contains(code)).ToList();
        var extra = free.Take(medical - existing.Count).ToList();
        for (var i = 0; i < extra.Count; i++)
        {
            var last = i == extra.Count - 1;
            src.Adrgs.Add(new AdrgRow(extra[i], "MDCE", "extra " + extra[i], "medical", 10_000 + (i * 10), "PDX", null, null, null, null, 1000 + i));
            src.AdrgDx.Add(new SectionRow(extra[i], "PDX", last ? "J98.414" : "J18.900"));
            src.Drgs.Add(new DrgRow(extra[i] + "9", extra[i], "unsplit", "extra " + extra[i]));
            src.Pricing!.Add(new PriceRow(extra[i] + "9", 1.0m, 10000m));
        }

        src.MdcDx.Add(new CodeRow("MDCE", "J98.414"));
        if (medical > 64)
        {
            var e = Assert.Throws<InputException>(() => DrgCatalog.FromSource(src, "demo+extra"));
            Assert.Equal("mdc", e.Field);
            Assert.Equal(1000 + 60, e.LineNumber); // the 65th medical ADRG of MDCE in evaluation order
            Assert.Contains("at most 64", e.Message, StringComparison.Ordinal);
            return;
        }

        var g = new DrgGrouper(DrgCatalog.FromSource(src, "demo+extra"));
        var trace = new List<string>();
        var tc = new TestCase("J98.414");
        Assert.Equal(extra[^1] + "9", g.Catalog.DrgCode(tc.Group(g).Drg));
        Assert.Equal(extra[^1] + "9", g.Catalog.DrgCode(tc.Group(g, trace).Drg));
        Assert.Contains(trace, l => l.Contains(extra[^1] + " [PDX]: holds", StringComparison.Ordinal));
        Assert.Equal("ES35", new TestCase("J18.900").Drg(g)); // ES3 still comes first
    }

    [Fact]
    public void Missing_directory_is_an_input_error() =>
        Assert.Throws<InputException>(() => DrgCatalog.Load(Path.Combine(TestPaths.NewTempDir("drg-none"), "nope")));

    [Fact]
    public void Real_catalog_imports_with_the_national_counts()
    {
        var c = RealDrg.Catalog;
        Assert.False(c.IsDemo);
        Assert.False(c.HasPricing);
        Assert.Equal(26, c.MdcCount);
        Assert.Equal(409, c.AdrgCount);
        Assert.Equal(634 + 1 + 26, c.DrgCount); // + 0000 + one QY per MDC
        Assert.Equal(211, c.ExclusionTableCount);
        Assert.Equal(12486, c.CcCodes.Count);
        Assert.Equal(9, c.SiteNames.Count);
        Assert.Equal("0000", c.DrgCode(0));
        Assert.Equal("GQY", c.DrgCode(c.FindDrg("GQY")));
        Assert.Equal(0, c.DrgWeight4(c.FindDrg("ES31"))); // no real 2.0 weights
        Assert.Equal(-1, c.DrgAverageCostFen(c.FindDrg("ES31")));
        Assert.Equal(AdrgKind.NonOrProcedure, c.Adrgs.Single(a => a.Code == "EK1").Kind);
        Assert.Equal(182, c.Adrgs.Count(a => a.Kind == AdrgKind.Surgical));
        Assert.Equal(37, c.Adrgs.Count(a => a.Kind == AdrgKind.NonOrProcedure));
        Assert.Equal(190, c.Adrgs.Count(a => a.Kind == AdrgKind.Medical));
    }

    [Fact]
    public void Importer_writes_decisions_as_data()
    {
        var dir = Path.GetDirectoryName(RealDrg.Catalog.Path + Path.DirectorySeparatorChar)!;
        var adrgs = File.ReadAllLines(Path.Combine(dir, "adrgs.csv"));
        int Order(string code) => int.Parse(adrgs.Single(l => l.StartsWith(code + ",", StringComparison.Ordinal)).Split(',')[4], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Order("ID1") < Order("IB3"));
        Assert.True(Order("ID2") < Order("IB3"));
        Assert.True(Order("IB2") < Order("ID1"));
        Assert.Contains(adrgs, l => l.StartsWith("WR2,MDCW,", StringComparison.Ordinal) && l.Contains(",PDX,", StringComparison.Ordinal));
        Assert.Contains(adrgs, l => l.StartsWith("PS2,", StringComparison.Ordinal) && l.EndsWith(",,,1500,1999", StringComparison.Ordinal));
        Assert.Contains(adrgs, l => l.StartsWith("PV1,", StringComparison.Ordinal) && l.EndsWith(",29,365,,", StringComparison.Ordinal));
        Assert.Contains(adrgs, l => l.StartsWith("PB1,", StringComparison.Ordinal) && l.EndsWith(",,28,,", StringComparison.Ordinal));
        var mdcs = File.ReadAllLines(Path.Combine(dir, "mdcs.csv"));
        Assert.Contains("MDCO,妊娠、分娩及产褥期,regular,F,0000,0000", mdcs);
        Assert.Contains(mdcs, l => l.StartsWith("MDCN,", StringComparison.Ordinal) && l.EndsWith(",F,MQY,0000", StringComparison.Ordinal));
        Assert.Contains(mdcs, l => l.StartsWith("MDCP,", StringComparison.Ordinal) && l.EndsWith(",newborn,,,QY", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(dir, "pricing.csv")));
    }
}
