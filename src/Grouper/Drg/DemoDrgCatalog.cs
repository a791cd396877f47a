using Grouper.Drg.Internals;

namespace Grouper.Drg;

/// <summary>
/// Writes the small DEMO catalog committed under sample-data/catalogs/drg-demo/: a hand-picked subset
/// in the CHS-DRG 2.0 shape (a few MDCs, ~35 ADRGs of all three kinds, real ICD codes, CC/MCC with
/// exclusions) with INVENTED weights and average costs. It is not the national catalog and not a
/// copy of the reference tables; it exists for examples, sample data and tests.
/// </summary>
public static class DemoDrgCatalog
{
    public const string Name = "DEMO CHS-DRG 2.0 subset (invented weights, not for settlement)";
    public const string Version = "demo-2";

    /// <summary>(mdc, name, kind, sex, on_sex_conflict, on_no_adrg).</summary>
    private static readonly string[][] Mdcs =
    [
        ["MDCA", "先期分组 (demo)", "pre_adrg", "", "", "0000"],
        ["MDCE", "呼吸系统疾病及功能障碍", "regular", "", "", "0000"],
        ["MDCF", "循环系统疾病及功能障碍", "regular", "", "", "0000"],
        ["MDCG", "消化道疾病及功能障碍", "regular", "", "", "0000"],
        ["MDCI", "骨骼、肌肉疾病及功能障碍", "regular", "", "", "0000"],
        ["MDCO", "妊娠、分娩及产褥期", "regular", "F", "0000", "0000"],
        ["MDCP", "新生儿疾病", "newborn", "", "", "QY"],
        ["MDCY", "HIV感染疾病及相关操作", "any_dx", "", "", "0000"],
        ["MDCZ", "多发严重创伤", "multi_trauma", "", "", "0000"],
    ];

    /// <summary>Regular MDC principal-diagnosis tables, and the MDCY any-position list.</summary>
    private static readonly (string Mdc, string[] Codes)[] MdcDx =
    [
        ("MDCE", ["C34.101", "C34.900x001", "J12.100", "J15.900", "J18.900", "J44.000", "J44.100", "J44.900", "J96.000", "S22.400", "S27.000"]),
        ("MDCF", ["I10.x00x002", "I11.901", "I20.000", "I21.001", "I25.102", "I48.000", "I50.000", "I50.900"]),
        ("MDCG", ["K29.700", "K35.200", "K35.300", "K35.800x001", "K52.901", "K92.000", "K92.200x001"]),
        ("MDCI", ["C41.200x005", "C41.401", "M16.900", "M17.900", "S72.000", "S72.101", "S82.201"]),
        ("MDCO", ["O08.900", "O42.900", "O80.000", "O82.900", "O84.000"]),
        ("MDCY", ["B20.001", "B24.x01"]),
    ];

    private static readonly (string Site, string Name, string[] Codes)[] Sites =
    [
        ("head_neck", "头颈部创伤", ["S02.100", "S06.000"]),
        ("chest", "胸部创伤", ["S22.400", "S27.000"]),
        ("lower_limb", "下肢创伤", ["S72.000", "S72.101", "S82.201"]),
    ];

    /// <summary>(adrg, mdc, name, kind, order, logic, ageMin, ageMax, weightMin, weightMax, split digits).</summary>
    private static readonly (string Code, string Mdc, string Name, string Kind, string Logic, int? AgeMin, int? AgeMax, int? WMin, int? WMax, string Splits)[] Adrgs =
    [
        ("AH1", "MDCA", "体外膜肺氧合 (ECMO)", "surgical", "PPROC", null, null, null, null, "9"),
        ("AH2", "MDCA", "气管切开伴呼吸机支持≥96小时", "surgical", "(SDX | PROC1) & PROC2", null, null, null, null, "9"),
        ("EB1", "MDCE", "肺大手术", "surgical", "PPROC", null, null, null, null, "135"),
        ("EK1", "MDCE", "呼吸机支持<96小时", "non_or_procedure", "PPROC", null, null, null, null, "9"),
        ("ER1", "MDCE", "呼吸系统肿瘤", "medical", "PDX", null, null, null, null, "15"),
        ("ES3", "MDCE", "呼吸系统感染/炎症", "medical", "PDX", null, null, null, null, "135"),
        ("ET2", "MDCE", "慢性气道阻塞病", "medical", "PDX", null, null, null, null, "35"),
        ("EU1", "MDCE", "胸部损伤", "medical", "PDX", null, null, null, null, "9"),
        ("FF3", "MDCF", "外周血管手术", "surgical", "PPROC", null, null, null, null, "15"),
        ("FM1", "MDCF", "经皮冠状动脉支架植入", "non_or_procedure", "PDX & PPROC", null, null, null, null, "35"),
        ("FR2", "MDCF", "心力衰竭、休克", "medical", "PDX", null, null, null, null, "15"),
        ("FT2", "MDCF", "高血压", "medical", "PDX", null, null, null, null, "35"),
        ("FV2", "MDCF", "心律失常及传导障碍", "medical", "PDX", null, null, null, null, "9"),
        ("GE1", "MDCG", "阑尾切除术伴穿孔、脓肿", "surgical", "PDX & PPROC", null, null, null, null, "9"),
        ("GE2", "MDCG", "阑尾切除术", "surgical", "PPROC", null, null, null, null, "9"),
        ("GK1", "MDCG", "结肠镜治疗操作", "non_or_procedure", "PPROC", null, null, null, null, "9"),
        ("GS1", "MDCG", "胃肠出血", "medical", "PDX", null, null, null, null, "15"),
        ("GZ1", "MDCG", "其他消化系统诊断", "medical", "PDX", null, null, null, null, "9"),
        ("IB3", "MDCI", "脊柱融合术", "surgical", "PPROC", null, null, null, null, "15"),
        ("IC2", "MDCI", "髋、肩、膝、肘和踝关节置换术", "surgical", "PPROC", null, null, null, null, "9"),
        ("ID1", "MDCI", "骨肿瘤手术", "surgical", "PDX & PPROC", null, null, null, null, "9"),
        ("IS2", "MDCI", "股骨骨折", "medical", "PDX", null, null, null, null, "35"),
        ("IU1", "MDCI", "骨关节炎", "medical", "PDX", null, null, null, null, "9"),
        ("OB1", "MDCO", "剖宫产术", "surgical", "PPROC", null, null, null, null, "9"),
        ("OR1", "MDCO", "阴道分娩", "medical", "SDX", null, null, null, null, "9"),
        ("OZ1", "MDCO", "与妊娠相关的其他情况", "medical", "PDX", null, null, null, null, "9"),
        ("PB1", "MDCP", "新生儿心血管手术(出生<29天)", "surgical", "PPROC", null, 28, null, null, "9"),
        ("PK1", "MDCP", "新生儿治疗性操作", "non_or_procedure", "PPROC", null, null, null, null, "15"),
        ("PR1", "MDCP", "新生儿呼吸窘迫综合征", "medical", "PDX", null, null, null, null, "15"),
        ("PS1", "MDCP", "早产儿(出生体重<1500克)", "medical", "DX", null, null, null, 1499, "15"),
        ("PS2", "MDCP", "早产儿(出生体重1500-1999克)", "medical", "DX", null, null, 1500, 1999, "9"),
        ("PS3", "MDCP", "早产儿(出生体重2000-2499克)", "medical", "DX", null, null, 2000, 2499, "9"),
        ("PS4", "MDCP", "早产儿(出生体重>2499克)", "medical", "DX", null, null, 2500, null, "35"),
        ("PU1", "MDCP", "新生儿其他疾患", "medical", "PDX", null, null, null, null, "9"),
        ("PV1", "MDCP", "婴儿(29天-1周岁)疾患", "medical", "PDX", 29, 365, null, null, "9"),
        ("YC1", "MDCY", "HIV相关疾病的手术", "surgical", "HAS_PROC", null, null, null, null, "9"),
        ("YR1", "MDCY", "HIV相关疾病", "medical", "DX", null, null, null, null, "15"),
        ("ZC1", "MDCZ", "多发严重创伤的髋、股骨手术", "surgical", "PPROC", null, null, null, null, "15"),
        ("ZZ1", "MDCZ", "多发严重创伤,无手术", "medical", "NO_PROC", null, null, null, null, "15"),
    ];

    /// <summary>Evaluation order deviating from code order (demonstrates the national ID1-before-IB3 rule).</summary>
    private static readonly string[] OrderFirst = ["ID1"];

    private static readonly (string Adrg, string Section, string[] Codes)[] DxSections =
    [
        ("AH2", "SDX", ["Z93.000"]),
        ("ER1", "PDX", ["C34.101", "C34.900x001"]),
        ("ES3", "PDX", ["J12.100", "J15.900", "J18.900", "J96.000"]),
        ("ET2", "PDX", ["J44.000", "J44.100", "J44.900"]),
        ("EU1", "PDX", ["S22.400", "S27.000"]),
        ("FM1", "PDX", ["I20.000", "I21.001", "I25.102"]),
        ("FR2", "PDX", ["I50.000", "I50.900"]),
        ("FT2", "PDX", ["I10.x00x002", "I11.901"]),
        ("FV2", "PDX", ["I48.000"]),
        ("GE1", "PDX", ["K35.200", "K35.300"]),
        ("GS1", "PDX", ["K92.000", "K92.200x001"]),
        ("GZ1", "PDX", ["K29.700", "K35.200", "K35.300", "K35.800x001", "K52.901"]),
        ("ID1", "PDX", ["C41.200x005", "C41.401"]),
        ("IS2", "PDX", ["S72.000", "S72.101", "S82.201"]),
        ("IU1", "PDX", ["C41.200x005", "C41.401", "M16.900", "M17.900"]),
        ("OR1", "SDX", ["Z37.000x001"]),
        ("OZ1", "PDX", ["O08.900", "O42.900", "O80.000", "O82.900"]),
        ("PR1", "PDX", ["P22.000"]),
        ("PS1", "DX", ["P07.200", "P07.300"]),
        ("PS2", "DX", ["P07.200", "P07.300"]),
        ("PS3", "DX", ["P07.200", "P07.300"]),
        ("PS4", "DX", ["P07.200", "P07.300"]),
        ("PU1", "PDX", ["A04.000x001", "J18.900", "P59.901"]),
        ("PV1", "PDX", ["A04.000x001", "J18.900"]),
        ("YR1", "DX", ["B20.001", "B24.x01"]),
    ];

    private static readonly (string Adrg, string Section, string[] Codes)[] ProcSections =
    [
        ("AH1", "PPROC", ["39.6500"]),
        ("AH2", "PROC1", ["31.1x00x005"]),
        ("AH2", "PROC2", ["96.7201"]),
        ("EB1", "PPROC", ["32.2000x002", "32.4100", "32.4900x002"]),
        ("EK1", "PPROC", ["96.7101"]),
        ("FF3", "PPROC", ["38.4400x001"]),
        ("FM1", "PPROC", ["36.0601", "36.0700"]),
        ("GE1", "PPROC", ["47.0100", "47.0901"]),
        ("GE2", "PPROC", ["47.0100", "47.0901"]),
        ("GK1", "PPROC", ["45.4201", "45.4300x008"]),
        ("IB3", "PPROC", ["77.6900x001", "81.0500x005", "81.0800x016"]),
        ("IC2", "PPROC", ["81.5100", "81.5201"]),
        ("ID1", "PPROC", ["77.6900x001", "77.6900x004"]),
        ("OB1", "PPROC", ["74.1x01"]),
        ("PB1", "PPROC", ["38.8500x001"]),
        ("PK1", "PPROC", ["93.9000"]),
        ("ZC1", "PPROC", ["79.3500x016", "81.5100", "81.5201"]),
    ];

    /// <summary>(code, level, table).</summary>
    private static readonly (string Code, string Level, string Table)[] Cc =
    [
        ("A41.900", "MCC", "表D-9"),
        ("B20.001", "MCC", "表D-8"),
        ("D64.900", "CC", "表D-5"),
        ("E11.900", "CC", "表D-4"),
        ("E87.600", "CC", "表D-4"),
        ("I10.x00x002", "CC", "表D-2"),
        ("I50.900", "MCC", "表D-2"),
        ("J12.100", "MCC", "表D-1"),
        ("J44.900", "CC", "表D-1"),
        ("J96.000", "MCC", "表D-1"),
        ("K92.200x001", "CC", "表D-3"),
        ("N17.900", "MCC", "表D-6"),
        ("S06.000", "CC", "表D-7"),
        ("S27.000", "CC", "表D-7"),
    ];

    /// <summary>Exclusion tables: the principal diagnoses that exclude the CC/MCC codes of each table.</summary>
    private static readonly (string Table, string[] Codes)[] Exclusions =
    [
        ("表D-1", ["J12.100", "J15.900", "J18.900", "J44.000", "J44.100", "J44.900", "J96.000"]),
        ("表D-2", ["I10.x00x002", "I11.901", "I50.000", "I50.900"]),
        ("表D-3", ["K92.000", "K92.200x001"]),
        ("表D-4", ["E11.900", "E87.600"]),
        ("表D-5", ["D64.900"]),
        ("表D-6", ["N17.900"]),
        ("表D-7", ["S02.100", "S06.000", "S22.400", "S27.000"]),
        ("表D-8", ["B20.001", "B24.x01"]),
        ("表D-9", ["A41.900"]),
    ];

    /// <summary>Writes the demo catalog files into <paramref name="dir"/> (created when missing).</summary>
    public static void Write(string dir)
    {
        ArgumentNullException.ThrowIfNull(dir);
        var src = Build();
        src.WriteTo(dir);
        File.WriteAllText(
            Path.Combine(dir, "ABOUT-DEMO.md"),
            "# DEMO DRG catalog — invented weights, not for settlement\n\n"
            + "Generated by `Grouper.Drg.DemoDrgCatalog.Write` (a test checks these files equal its output; do not edit by hand).\n"
            + "A small subset in the CHS-DRG 2.0 shape: real ICD codes, but hand-picked lists, demo exclusion tables (`表D-n`)\n"
            + "and invented relative weights and average costs. Every diagnosis and procedure code is in the CHS-DRG 2.0 code\n"
            + "lists (医保版 2.0 codes such as `S72.101`, not the older `S72.100`; a test checks them against\n"
            + "reference-data/chs-drg-2.0 `icd10.csv` / `icd9.csv`), but the lists they sit in here are invented.\n"
            + "Format: docs/drg.md. For the national catalog run the importer (`DrgCatalogImporter.Import`) on\n"
            + "reference-data/chs-drg-2.0.\n",
            new System.Text.UTF8Encoding(false));
    }

    internal static CatalogSource Build()
    {
        var src = new CatalogSource
        {
            Name = Name,
            Version = Version,
            EffectiveFrom = new DateOnly(2025, 1, 1),
            EffectiveTo = new DateOnly(2026, 12, 31),
            Demo = true,
            Description = "DEMO ONLY: hand-picked subset of CHS-DRG 2.0 groups with invented weights and average costs.",
        };
        foreach (var m in Mdcs)
        {
            src.Mdcs.Add(new MdcRow(m[0], m[1], m[2], m[3], m[4], m[5]));
        }

        foreach (var (mdc, codes) in MdcDx)
        {
            src.MdcDx.AddRange(codes.Select(c => new CodeRow(mdc, c)));
        }

        foreach (var (site, name, codes) in Sites)
        {
            src.Sites.AddRange(codes.Select(c => new SiteRow(site, name, c)));
        }

        var ordered = OrderFirst.Concat(Adrgs.Select(a => a.Code).Where(c => !OrderFirst.Contains(c)).Order(StringComparer.Ordinal)).ToList();
        foreach (var a in Adrgs)
        {
            src.Adrgs.Add(new AdrgRow(a.Code, a.Mdc, a.Name, a.Kind, (ordered.IndexOf(a.Code) + 1) * 10, a.Logic, a.AgeMin, a.AgeMax, a.WMin, a.WMax));
        }

        foreach (var (adrg, section, codes) in DxSections)
        {
            src.AdrgDx.AddRange(codes.Select(c => new SectionRow(adrg, section, c)));
        }

        foreach (var (adrg, section, codes) in ProcSections)
        {
            src.AdrgProc.AddRange(codes.Select(c => new SectionRow(adrg, section, c)));
        }

        src.Pricing = [];
        foreach (var a in Adrgs)
        {
            // Invented weights: a base per ADRG from its kind and position, stepped up per CC level.
            var baseRw = a.Kind switch { "surgical" => 1.80m, "non_or_procedure" => 1.10m, _ => 0.70m } + (a.Code[1] - 'A') * 0.01m;
            foreach (var digit in a.Splits)
            {
                var (split, factor) = (a.Splits, digit) switch
                {
                    ("9", _) => ("unsplit", 1.00m),
                    ("135", '1') => ("MCC", 1.60m),
                    ("135", '3') => ("CC", 1.25m),
                    ("135", _) => ("no_CC_MCC", 1.00m),
                    ("15", '1') => ("MCC", 1.50m),
                    ("15", _) => ("no_MCC", 1.00m),
                    ("35", '3') => ("CC_or_MCC", 1.30m),
                    _ => ("no_CC_MCC", 1.00m),
                };
                var code = a.Code + digit;
                src.Drgs.Add(new DrgRow(code, a.Code, split, a.Name + split switch
                {
                    "MCC" => "，伴严重并发症或合并症",
                    "CC" => "，伴一般并发症或合并症",
                    "CC_or_MCC" => "，伴并发症或合并症",
                    "no_MCC" => "，不伴严重并发症或合并症",
                    "no_CC_MCC" => "，不伴并发症或合并症",
                    _ => string.Empty,
                }));
                var rw = decimal.Round(baseRw * factor, 4, MidpointRounding.AwayFromZero);
                if (code == "ES31")
                {
                    rw = 1.2350m; // the demo pricing example of drg.md
                }

                src.Pricing.Add(new PriceRow(code, rw, rw * 10000m));
            }
        }

        foreach (var (code, level, table) in Cc)
        {
            src.CcMcc.Add(new CcRow(code, level, table));
        }

        foreach (var (table, codes) in Exclusions)
        {
            src.Exclusions.AddRange(codes.Select(c => new CodeRow(table, c)));
        }

        return src;
    }
}
