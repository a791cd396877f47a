using System.Text;
using Grouper.Core;
using Grouper.Generation;

namespace Grouper.Tests.Generation;

public sealed class CodeSourceTests
{
    [Fact]
    public void Built_in_source_has_about_fifty_templates_of_valid_distinct_codes()
    {
        var src = new BuiltInCodeSource();
        Assert.InRange(src.CaseTemplates.Count, 50, 120);
        Assert.All(Enum.GetValues<CaseFamily>(), f => Assert.Contains(src.CaseTemplates, t => t.Family == f));
        Assert.Contains(src.CaseTemplates, t => t.PrincipalDx == Code.Parse("K35.800x001") && t.PrincipalProc == Code.Parse("47.0901"));
        var secondary = src.MccCodes.Concat(src.CcCodes).Concat(src.OrdinarySecondaryCodes).Select(w => w.Code).ToList();
        Assert.Equal(secondary.Count, secondary.Distinct().Count());
        Assert.True(secondary.Count > 41, "TOO_MANY_CODES lines need 41 distinct secondary codes");
    }

    [Fact]
    public void Built_in_codes_exist_in_the_real_tables_or_are_known_minor_procedures()
    {
        var icd10 = File.ReadLines(Path.Combine(TestPaths.ChsDrg20, "icd10.csv")).Skip(1).Select(l => l.Split(',')[0]).ToHashSet(StringComparer.Ordinal);
        var icd9 = File.ReadLines(Path.Combine(TestPaths.ChsDrg20, "icd9.csv")).Skip(1).Select(l => l.Split(',')[0]).ToHashSet(StringComparer.Ordinal);
        var src = new BuiltInCodeSource();
        foreach (var t in src.CaseTemplates)
        {
            Assert.Contains(t.PrincipalDx.ToString(), icd10);
            if (!t.PrincipalProc.IsEmpty)
            {
                Assert.Contains(t.PrincipalProc.ToString(), icd9);
            }
        }

        Assert.All(src.MccCodes.Concat(src.CcCodes).Concat(src.OrdinarySecondaryCodes), w => Assert.Contains(w.Code.ToString(), icd10));
        Assert.All(src.OtherProcedures, w => Assert.Contains(w.Code.ToString(), icd9));

        // The CC and MCC lists agree with cc_mcc.csv.
        var levels = File.ReadLines(Path.Combine(TestPaths.ChsDrg20, "cc_mcc.csv")).Skip(1).Select(l => l.Split(',')).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        Assert.All(src.MccCodes, w => Assert.Equal("MCC", levels[w.Code.ToString()]));
        Assert.All(src.CcCodes, w => Assert.Equal("CC", levels[w.Code.ToString()]));
        Assert.All(src.OrdinarySecondaryCodes, w => Assert.False(levels.ContainsKey(w.Code.ToString())));
    }

    [Fact]
    public void Reference_tables_give_templates_from_their_lists_and_generate_valid_files()
    {
        var src = new ReferenceTablesCodeSource(TestPaths.ChsDrg20);
        var dx = File.ReadLines(Path.Combine(TestPaths.ChsDrg20, "adrg_dx.csv")).Skip(1).Select(l => l.Split(',')[3]).ToHashSet(StringComparer.Ordinal);
        var proc = File.ReadLines(Path.Combine(TestPaths.ChsDrg20, "adrg_proc.csv")).Skip(1).Select(l => l.Split(',')[3]).ToHashSet(StringComparer.Ordinal);
        Assert.InRange(src.CaseTemplates.Count, 1000, 5000);
        Assert.All(src.CaseTemplates, t => Assert.Contains(t.PrincipalDx.ToString(), dx));
        Assert.All(src.CaseTemplates.Where(t => !t.PrincipalProc.IsEmpty), t => Assert.Contains(t.PrincipalProc.ToString(), proc));
        Assert.Equal(4_477, src.MccCodes.Count + CountExcluded("MCC"));
        Assert.Equal(8_009, src.CcCodes.Count + CountExcluded("CC"));
        Assert.Contains(src.CaseTemplates, t => t.Family == CaseFamily.Neonatal && t.Age == TemplateAge.PretermNeonate);
        Assert.Contains(src.CaseTemplates, t => t.Sex == TemplateSex.Male);
        Assert.DoesNotContain(src.CaseTemplates, t => t.PrincipalDx.ToString().StartsWith('O') && t.Sex != TemplateSex.Female);

        using var d = new MemoryStream();
        using var h = new MemoryStream();
        using var r = new MemoryStream();
        using var w = new MemoryStream();
        var summary = DischargeGenerator.Write(new GeneratorOptions { Count = 3_000, Seed = 8, BadFraction = 0.03 }, src, d, h, r, w);
        Assert.Equal(15, summary.Rejects.Count);
        Assert.Equal(8, summary.Warnings.Count);
        Assert.Equal("chs-drg-2.0 tables", summary.CodeSource);

        static int CountExcluded(string level) => File.ReadLines(Path.Combine(TestPaths.ChsDrg20, "cc_mcc.csv")).Skip(1)
            .Select(l => l.Split(','))
            .Count(p => p[1] == level && (p[0][0] is 'O' or 'P' || (p[0][0] == 'B' && string.CompareOrdinal(p[0][1..3], "20") >= 0 && string.CompareOrdinal(p[0][1..3], "24") <= 0) || p[0].StartsWith("Z37", StringComparison.Ordinal)));
    }

    [Fact]
    public void Tiny_tables_give_hand_checked_templates()
    {
        var dir = WriteTables(kind: "medical");
        try
        {
            var src = new ReferenceTablesCodeSource(dir);

            // ES3 medical: J18.900; GZ1 medical: K35.800x001; GE2 surgical: 47.0901 with a diagnosis
            // from MDCG's medical PDX lists (GE2 has no PDX section) — then the built-in templates
            // whose codes the tables know (J18.900 alone; I50.900, known from cc_mcc.csv; K35.800x001 + 47.0901).
            var table = src.CaseTemplates.Take(3).Select(t => (t.PrincipalDx.ToString(), t.PrincipalProc.IsEmpty ? "" : t.PrincipalProc.ToString(), t.Family)).ToList();
            Assert.Equal(
                [("J18.900", "", CaseFamily.Medical), ("K35.800x001", "47.0901", CaseFamily.SurgicalMinor), ("K35.800x001", "", CaseFamily.Medical)],
                table);
            var common = src.CaseTemplates.Skip(3).Select(t => (t.PrincipalDx.ToString(), t.PrincipalProc.IsEmpty ? "" : t.PrincipalProc.ToString())).ToList();
            Assert.Equal([("J18.900", ""), ("I50.900", ""), ("K35.800x001", "47.0901")], common);

            // Weights: MDCE 120‰ over ES3 alone (×3/3), MDCG 100‰ split 2:3 between GE2 and GZ1; ×3 for codes without an x extension.
            Assert.Equal(120_000_000L / 6 * 3, src.CaseTemplates[0].Weight);
            Assert.Equal(100_000_000L * 2 / 5 / 6 * 1, src.CaseTemplates[1].Weight);
            Assert.Equal(100_000_000L * 3 / 5 / 6 * 1, src.CaseTemplates[2].Weight);
            Assert.Equal(["I50.900"], src.MccCodes.Select(c => c.Code.ToString()));
            Assert.Equal(["E87.600"], src.CcCodes.Select(c => c.Code.ToString()));
            Assert.Equal(["J18.900", "K35.800x001"], src.OrdinarySecondaryCodes.Select(c => c.Code.ToString()));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Bad_table_row_names_file_line_and_field()
    {
        var dir = WriteTables(kind: "operative");
        try
        {
            var ex = Assert.Throws<InputException>(() => new ReferenceTablesCodeSource(dir));
            Assert.EndsWith("adrg.csv", ex.File, StringComparison.Ordinal);
            Assert.Equal(3, ex.LineNumber);
            Assert.Equal("kind", ex.Field);
        }
        finally
        {
            Directory.Delete(dir, true);
        }

        var missing = Assert.Throws<InputException>(() => new ReferenceTablesCodeSource(Path.Combine(Path.GetTempPath(), "no-such-tables-dir")));
        Assert.Contains("adrg.csv", missing.File, StringComparison.Ordinal);
    }

    private static string WriteTables(string kind)
    {
        var dir = TestPaths.NewTempDir("gen-tables");
        File.WriteAllText(Path.Combine(dir, "adrg.csv"), $"adrg,mdc,name,kind,entry_logic\nES3,MDCE,\"呼吸系统感染/炎症, 测试\",medical,PDX\nGE2,MDCG,阑尾切除术,{(kind == "medical" ? "surgical" : kind)},PPROC\nGZ1,MDCG,其他消化系统诊断,medical,PDX\n", Encoding.UTF8);
        File.WriteAllText(Path.Combine(dir, "adrg_dx.csv"), "adrg,section,position,icd10\nES3,PDX,principal,J18.900\nGZ1,PDX,principal,K35.800x001\n");
        File.WriteAllText(Path.Combine(dir, "adrg_proc.csv"), "adrg,section,position,icd9\nGE2,PPROC,principal,47.0901\n");
        File.WriteAllText(Path.Combine(dir, "cc_mcc.csv"), "icd10,level,exclusion_table\nI50.900,MCC,表6-3-90\nE87.600,CC,表6-3-48\n");
        return dir;
    }
}
