using System.Globalization;
using System.Text.RegularExpressions;
using Grouper.Drg.Internals;

namespace Grouper.Drg;

/// <summary>
/// Converts the public CHS-DRG 2.0 tables (reference-data/chs-drg-2.0, see its README) into our catalog
/// format. Everything the source tables do not state is decided here, once, and written as data:
/// evaluation order (code order, ID1/ID2 before IB3), WR2 logic (PDX, the residual of MDCW), the
/// kinds of the pre-MDCs, the sex-conflict groups and the newborn bands. No pricing is written: real
/// 2.0 weights do not exist, and Harbin's 1.1 weights must never be joined to 2.0 codes.
/// </summary>
public static partial class DrgCatalogImporter
{
    /// <summary>
    /// ADRGs moved ahead of another in the catalog order: ID1 and ID2 come before IB3 (and thus
    /// before IC1–IC4), as independent groupers do (drg.md step 7).
    /// </summary>
    private static readonly (string Adrg, string Before)[] OrderOverrides = [("ID1", "IB3"), ("ID2", "IB3")];

    /// <summary>Imports, writes the catalog to <paramref name="outputDir"/> and loads it back (validation).</summary>
    public static DrgCatalog Import(string referenceDir, string outputDir, string name, string version, DateOnly effectiveFrom, DateOnly? effectiveTo)
    {
        ArgumentNullException.ThrowIfNull(referenceDir);
        ArgumentNullException.ThrowIfNull(outputDir);
        var src = Convert(referenceDir, name, version, effectiveFrom, effectiveTo);
        src.WriteTo(outputDir);
        return DrgCatalog.Load(outputDir);
    }

    internal static CatalogSource Convert(string referenceDir, string name, string version, DateOnly effectiveFrom, DateOnly? effectiveTo)
    {
        var src = new CatalogSource
        {
            Name = name,
            Version = version,
            EffectiveFrom = effectiveFrom,
            EffectiveTo = effectiveTo,
            Demo = false,
            Description = "CHS-DRG 2.0 national scheme (NHSA 2024-07), imported from the public tables in reference-data/chs-drg-2.0; no weights.",
        };

        var t = CsvTable.Read(Path.Combine(referenceDir, "mdc.csv"), "mdc", "name", "kind", "sex");
        foreach (var (line, f) in t.Rows)
        {
            var code = t.Get(f, "mdc");
            var kind = t.Get(f, "kind") switch
            {
                "regular" => "regular",
                "pre" => code switch
                {
                    "MDCA" => "pre_adrg",
                    "MDCP" => "newborn",
                    "MDCY" => "any_dx",
                    "MDCZ" => "multi_trauma",
                    _ => throw t.Error(line, "kind", $"unknown pre-MDC {code}"),
                },
                var k => throw t.Error(line, "kind", $"unknown kind '{k}'"),
            };
            var sex = t.Get(f, "sex");

            // drg.md step 6: MDCM/MDCN codes with the other sex → MQY (both directions); an MDCO
            // (pregnancy) code for a male → 0000.
            var conflict = code switch
            {
                "MDCM" or "MDCN" => "MQY",
                "MDCO" => "0000",
                _ => string.Empty,
            };
            if (code == "MDCO")
            {
                sex = "F";
            }

            src.Mdcs.Add(new MdcRow(code, t.Get(f, "name"), kind, sex, conflict, kind == "newborn" ? "QY" : "0000"));
        }

        t = CsvTable.Read(Path.Combine(referenceDir, "mdc_dx.csv"), "mdc", "icd10");
        foreach (var (_, f) in t.Rows)
        {
            src.MdcDx.Add(new CodeRow(t.Get(f, "mdc"), t.Get(f, "icd10")));
        }

        t = CsvTable.Read(Path.Combine(referenceDir, "mdcz_sites.csv"), "site", "site_name", "icd10");
        foreach (var (_, f) in t.Rows)
        {
            src.Sites.Add(new SiteRow(t.Get(f, "site"), t.Get(f, "site_name"), t.Get(f, "icd10")));
        }

        t = CsvTable.Read(Path.Combine(referenceDir, "adrg.csv"), "adrg", "mdc", "name", "kind", "entry_logic", "age_condition", "birth_weight_condition");
        var rows = t.Rows.OrderBy(r => t.Get(r.Fields, "adrg"), StringComparer.Ordinal).ToList();
        var order = rows.Select(r => t.Get(r.Fields, "adrg")).ToList();
        foreach (var (adrg, before) in OrderOverrides)
        {
            if (order.Remove(adrg))
            {
                order.Insert(order.IndexOf(before), adrg);
            }
        }

        foreach (var (line, f) in rows)
        {
            var code = t.Get(f, "adrg");
            var logic = t.Get(f, "entry_logic");
            if (logic.Length == 0 && code == "WR2")
            {
                // The source lists WR2's PDX (the whole MDCW table) and SDX but no rule; tried after
                // WR1, PDX alone makes WR2 the residual medical ADRG of MDCW (reference README).
                logic = "PDX";
            }

            var (ageMin, ageMax) = Band(t, line, "age_condition", t.Get(f, "age_condition"), 'd');
            var (wMin, wMax) = Band(t, line, "birth_weight_condition", t.Get(f, "birth_weight_condition"), 'g');
            src.Adrgs.Add(new AdrgRow(code, t.Get(f, "mdc"), t.Get(f, "name"), t.Get(f, "kind"), (order.IndexOf(code) + 1) * 10, logic, ageMin, ageMax, wMin, wMax));
        }

        t = CsvTable.Read(Path.Combine(referenceDir, "adrg_dx.csv"), "adrg", "section", "icd10");
        foreach (var (_, f) in t.Rows)
        {
            src.AdrgDx.Add(new SectionRow(t.Get(f, "adrg"), t.Get(f, "section"), t.Get(f, "icd10")));
        }

        t = CsvTable.Read(Path.Combine(referenceDir, "adrg_proc.csv"), "adrg", "section", "icd9");
        foreach (var (_, f) in t.Rows)
        {
            src.AdrgProc.Add(new SectionRow(t.Get(f, "adrg"), t.Get(f, "section"), t.Get(f, "icd9")));
        }

        t = CsvTable.Read(Path.Combine(referenceDir, "drg.csv"), "drg", "adrg", "split_meaning", "name");
        foreach (var (line, f) in t.Rows)
        {
            var split = t.Get(f, "split_meaning");
            if (split is not ("unsplit" or "MCC" or "CC" or "no_CC_MCC" or "no_MCC" or "CC_or_MCC"))
            {
                throw t.Error(line, "split_meaning", $"unknown split meaning '{split}'");
            }

            src.Drgs.Add(new DrgRow(t.Get(f, "drg"), t.Get(f, "adrg"), split, t.Get(f, "name")));
        }

        t = CsvTable.Read(Path.Combine(referenceDir, "cc_mcc.csv"), "icd10", "level", "exclusion_table");
        foreach (var (_, f) in t.Rows)
        {
            src.CcMcc.Add(new CcRow(t.Get(f, "icd10"), t.Get(f, "level"), t.Get(f, "exclusion_table")));
        }

        t = CsvTable.Read(Path.Combine(referenceDir, "cc_exclusion.csv"), "exclusion_table", "icd10");
        foreach (var (_, f) in t.Rows)
        {
            src.Exclusions.Add(new CodeRow(t.Get(f, "exclusion_table"), t.Get(f, "icd10")));
        }

        return src;
    }

    [GeneratedRegex(@"^(?:(<|>=|>)([0-9]+)|([0-9]+)-([0-9]+))([dyg])$")]
    private static partial Regex BandPart();

    /// <summary>Parses the reference bands (<c>&lt;29d</c>, <c>&gt;=29d &amp; &lt;1y</c>, <c>1500-1999g</c>, <c>&gt;2499g</c>) to inclusive bounds.</summary>
    private static (int? Min, int? Max) Band(CsvTable t, long line, string field, string text, char unit)
    {
        int? min = null, max = null;
        if (text.Length == 0)
        {
            return (min, max);
        }

        foreach (var raw in text.Split('&'))
        {
            var m = BandPart().Match(raw.Trim());
            if (!m.Success)
            {
                throw t.Error(line, field, $"cannot read band '{text}'");
            }

            var u = m.Groups[5].Value[0];
            int Scale(string v) => int.Parse(v, CultureInfo.InvariantCulture) * (u == 'y' ? 366 : 1);
            if (u != unit && !(unit == 'd' && u == 'y'))
            {
                throw t.Error(line, field, $"unexpected unit in band '{text}'");
            }

            if (m.Groups[3].Success)
            {
                min = Scale(m.Groups[3].Value);
                max = Scale(m.Groups[4].Value);
            }
            else if (m.Groups[1].Value == "<")
            {
                max = Scale(m.Groups[2].Value) - 1;
            }
            else if (m.Groups[1].Value == ">=")
            {
                min = Scale(m.Groups[2].Value);
            }
            else
            {
                min = Scale(m.Groups[2].Value) + 1;
            }
        }

        return (min, max);
    }
}
