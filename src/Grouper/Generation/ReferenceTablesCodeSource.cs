using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using Grouper.Core;
using Grouper.Generation.Internals;

namespace Grouper.Generation;

/// <summary>
/// Case templates and code pools read from the real CHS-DRG 2.0 tables
/// (<c>reference-data/chs-drg-2.0/</c>: adrg.csv, adrg_dx.csv, adrg_proc.csv, cc_mcc.csv). Every ADRG
/// of MDCB–MDCY gives up to <c>codesPerAdrg</c> templates: medical ADRGs a principal diagnosis from
/// their PDX (or DX) list; surgical and non-OR ADRGs a principal procedure from their PPROC list with
/// a diagnosis from their PDX list or, when they have none, from the medical PDX lists of the same
/// MDC. MDCA (transplants, ECMO, long ventilation) and MDCZ (multiple trauma) are left out: they need
/// code combinations. Relative frequencies per MDC are Demo values (docs/generator.md).
/// </summary>
public sealed class ReferenceTablesCodeSource : IGeneratorCodeSource
{
    /// <summary>Demo share of cases per MDC letter (per mille), roughly a Chinese city hospital mix.</summary>
    private static readonly Dictionary<char, int> MdcShare = new()
    {
        ['B'] = 90,
        ['C'] = 30,
        ['D'] = 35,
        ['E'] = 120,
        ['F'] = 120,
        ['G'] = 100,
        ['H'] = 40,
        ['I'] = 80,
        ['J'] = 20,
        ['K'] = 35,
        ['L'] = 40,
        ['M'] = 12,
        ['N'] = 30,
        ['O'] = 60,
        ['P'] = 25,
        ['Q'] = 10,
        ['R'] = 40,
        ['S'] = 15,
        ['T'] = 15,
        ['U'] = 5,
        ['V'] = 20,
        ['W'] = 3,
        ['X'] = 30,
        ['Y'] = 1,
    };

    public ReferenceTablesCodeSource(string directory, int codesPerAdrg = 6)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(codesPerAdrg, 1);
        TablesDirectory = directory;
        var adrgs = new List<(string Adrg, char Mdc, string Name, string Kind, string Age)>();
        Read(Path.Combine(directory, "adrg.csv"), ["adrg", "mdc", "name", "kind"], (v, line, file) =>
        {
            var kind = v[3];
            if (kind is not ("surgical" or "non_or_procedure" or "medical"))
            {
                throw new InputException(file, line, "kind", "expected surgical, non_or_procedure or medical");
            }

            if (v[1].Length != 4 || !v[1].StartsWith("MDC", StringComparison.Ordinal))
            {
                throw new InputException(file, line, "mdc", "expected an MDC code such as MDCB");
            }

            adrgs.Add((v[0], v[1][3], v[2], kind, v.Length > 4 ? v[4] : string.Empty));
        }, optional: ["age_condition"]);

        var dx = new Dictionary<string, List<Code>>(StringComparer.Ordinal);
        var pdx = new Dictionary<string, List<Code>>(StringComparer.Ordinal);
        Read(Path.Combine(directory, "adrg_dx.csv"), ["adrg", "section", "icd10"], (v, line, file) =>
        {
            var code = ParseCode(v[2], true, file, line, "icd10");
            var target = v[1] is "PDX" or "PDX1" ? pdx : v[1] == "DX" ? dx : null;
            if (target is not null)
            {
                Add(target, v[0], code);
            }
        });

        var pproc = new Dictionary<string, List<Code>>(StringComparer.Ordinal);
        Read(Path.Combine(directory, "adrg_proc.csv"), ["adrg", "section", "icd9"], (v, line, file) =>
        {
            var code = ParseCode(v[2], false, file, line, "icd9");
            if (v[1] is "PPROC" or "PPROC1")
            {
                Add(pproc, v[0], code);
            }
        });

        var levels = new Dictionary<Code, bool>(); // true = MCC
        var ccOrder = new List<Code>();
        Read(Path.Combine(directory, "cc_mcc.csv"), ["icd10", "level"], (v, line, file) =>
        {
            var code = ParseCode(v[0], true, file, line, "icd10");
            if (v[1] is not ("CC" or "MCC"))
            {
                throw new InputException(file, line, "level", "expected CC or MCC");
            }

            if (levels.TryAdd(code, v[1] == "MCC"))
            {
                ccOrder.Add(code);
            }
        });

        // Common codes of the built-in list get a large weight where the tables have them, so the
        // pools are not a flat draw over thousands of rare codes.
        var builtIn = new BuiltInCodeSource();
        var commonSecondary = new Dictionary<Code, int>();
        foreach (var w in builtIn.MccCodes.Concat(builtIn.CcCodes).Concat(builtIn.OrdinarySecondaryCodes))
        {
            commonSecondary[w.Code] = w.Weight;
        }

        // Medical PDX codes per MDC (the MDC's principal-diagnosis table, README of the tables).
        var medicalByMdc = new Dictionary<char, List<Code>>();
        var kindFactorSum = new Dictionary<char, int>();
        foreach (var a in adrgs)
        {
            kindFactorSum[a.Mdc] = kindFactorSum.GetValueOrDefault(a.Mdc) + KindFactor(a.Kind);
            if (a.Kind == "medical" && pdx.TryGetValue(a.Adrg, out var list))
            {
                if (!medicalByMdc.TryGetValue(a.Mdc, out var m))
                {
                    medicalByMdc[a.Mdc] = m = [];
                }

                m.AddRange(list);
            }
        }

        var templates = new List<CaseTemplate>();
        for (var ai = 0; ai < adrgs.Count; ai++)
        {
            var a = adrgs[ai];
            if (!MdcShare.TryGetValue(a.Mdc, out var share))
            {
                continue; // MDCA, MDCZ
            }

            var weight = Math.Max(1, share * 1_000_000L * KindFactor(a.Kind) / kindFactorSum[a.Mdc] / codesPerAdrg);
            var (sex, age) = Who(a.Adrg, a.Mdc, a.Age);
            var family = Family(a.Mdc, a.Kind, a.Name);
            var principal = pdx.GetValueOrDefault(a.Adrg) ?? dx.GetValueOrDefault(a.Adrg);
            if (a.Kind == "medical")
            {
                if (principal is null)
                {
                    continue;
                }

                for (var j = 0; j < Math.Min(codesPerAdrg, principal.Count); j++)
                {
                    var code = principal[(int)((long)j * principal.Count / Math.Min(codesPerAdrg, principal.Count))];
                    templates.Add(new CaseTemplate(code, Code.Empty, (int)Math.Min(int.MaxValue, weight * DxWeight(code)), family, sex, age));
                }

                continue;
            }

            if (!pproc.TryGetValue(a.Adrg, out var procs))
            {
                continue; // logic only through PROCn/HAS_PROC combinations
            }

            var dxPool = principal ?? medicalByMdc.GetValueOrDefault(a.Mdc);
            if (dxPool is null || dxPool.Count == 0)
            {
                continue;
            }

            var k = Math.Min(codesPerAdrg, procs.Count);
            for (var j = 0; j < k; j++)
            {
                var proc = procs[(int)((long)j * procs.Count / k)];
                var code = principal is not null
                    ? principal[(int)((long)j * principal.Count / k) % principal.Count]
                    : dxPool[(int)(((j * 7919L) + (ai * 104_729L)) % dxPool.Count)];
                templates.Add(new CaseTemplate(code, proc, (int)Math.Min(int.MaxValue, weight * DxWeight(code)), family, sex, age));
            }
        }

        // The built-in common cases whose codes the tables know take 30% of the weight, so the
        // everyday mix (pneumonia, stroke, delivery, cataract …) is not drowned by rare codes.
        var knownDx = new HashSet<Code>(pdx.Values.SelectMany(x => x).Concat(dx.Values.SelectMany(x => x)).Concat(ccOrder));
        var knownProc = new HashSet<Code>(pproc.Values.SelectMany(x => x));
        var tableTotal = templates.Sum(t => (long)t.Weight);
        var common = builtIn.CaseTemplates.Where(t => knownDx.Contains(t.PrincipalDx) && (t.PrincipalProc.IsEmpty || knownProc.Contains(t.PrincipalProc))).ToList();
        var commonTotal = common.Sum(t => (long)t.Weight);
        if (commonTotal > 0)
        {
            var scale = Math.Max(1, tableTotal * 3 / 7 / commonTotal);
            templates.AddRange(common.Select(t => t with { Weight = (int)Math.Min(int.MaxValue, t.Weight * scale) }));
        }

        CaseTemplates = templates;

        var mcc = new List<WeightedCode>();
        var cc = new List<WeightedCode>();
        foreach (var code in ccOrder)
        {
            if (!SecondaryOk(code))
            {
                continue;
            }

            var w = commonSecondary.TryGetValue(code, out var c) ? c * 100 : DxWeight(code);
            (levels[code] ? mcc : cc).Add(new WeightedCode(code, w));
        }

        var ordinary = new List<WeightedCode>();
        var seen = new HashSet<Code>();
        foreach (var a in adrgs)
        {
            if (a.Kind != "medical" || a.Mdc is 'O' or 'P' or 'Y' || !pdx.TryGetValue(a.Adrg, out var list))
            {
                continue;
            }

            foreach (var code in list)
            {
                if (!levels.ContainsKey(code) && SecondaryOk(code) && seen.Add(code))
                {
                    ordinary.Add(new WeightedCode(code, commonSecondary.TryGetValue(code, out var c) ? c * 100 : DxWeight(code)));
                }
            }
        }

        var others = new List<WeightedCode>();
        var seenProc = new HashSet<Code>();
        foreach (var w in builtIn.OtherProcedures)
        {
            if (seenProc.Add(w.Code))
            {
                others.Add(w with { Weight = w.Weight * 100 });
            }
        }

        foreach (var a in adrgs)
        {
            if (a.Kind == "non_or_procedure" && pproc.TryGetValue(a.Adrg, out var list))
            {
                foreach (var code in list)
                {
                    if (seenProc.Add(code))
                    {
                        others.Add(new WeightedCode(code, 1));
                    }
                }
            }
        }

        MccCodes = mcc;
        CcCodes = cc;
        OrdinarySecondaryCodes = ordinary;
        OtherProcedures = others;
    }

    /// <summary>The directory the tables were read from.</summary>
    public string TablesDirectory { get; }

    public string Name => "chs-drg-2.0 tables";

    public IReadOnlyList<CaseTemplate> CaseTemplates { get; }

    public IReadOnlyList<WeightedCode> MccCodes { get; }

    public IReadOnlyList<WeightedCode> CcCodes { get; }

    public IReadOnlyList<WeightedCode> OrdinarySecondaryCodes { get; }

    public IReadOnlyList<WeightedCode> OtherProcedures { get; }

    private static int KindFactor(string kind) => kind switch
    {
        "medical" => 3,
        "surgical" => 2,
        _ => 1,
    };

    /// <summary>Base codes (no 医保版 extension <c>x…</c>) are the ones coders use most.</summary>
    private static int DxWeight(Code code)
    {
        var len = code.Length;
        for (var i = 4; i < len; i++)
        {
            if (code.CharAt(i) == (byte)'x')
            {
                return 1;
            }
        }

        return 3;
    }

    /// <summary>Secondary pools leave out pregnancy, perinatal and HIV codes (they would move cases to MDCO/MDCP/MDCY) and delivery outcomes.</summary>
    private static bool SecondaryOk(Code code)
    {
        var c0 = code.CharAt(0);
        if (c0 is (byte)'O' or (byte)'P')
        {
            return false;
        }

        var two = (code.CharAt(1) - '0') * 10 + (code.CharAt(2) - '0');
        return !(c0 == (byte)'B' && two is >= 20 and <= 24) && !(c0 == (byte)'Z' && two == 37);
    }

    private static (TemplateSex Sex, TemplateAge Age) Who(string adrg, char mdc, string ageCondition)
    {
        var sex = mdc switch
        {
            'M' => TemplateSex.Male,
            'N' or 'O' => TemplateSex.Female,
            _ => TemplateSex.Any,
        };
        var age = mdc switch
        {
            'O' => TemplateAge.Fertile,
            'P' => ageCondition.Contains(">=29d", StringComparison.Ordinal) ? TemplateAge.Infant
                : adrg is "PS1" or "PS2" or "PS3" ? TemplateAge.PretermNeonate
                : TemplateAge.Neonate,
            'T' or 'U' => TemplateAge.Adult,
            _ => TemplateAge.Any,
        };
        return (sex, age);
    }

    /// <summary>Cost family from MDC, ADRG kind and name keywords (a heuristic; the tables carry no costs).</summary>
    private static CaseFamily Family(char mdc, string kind, string name)
    {
        if (mdc == 'O')
        {
            return CaseFamily.Obstetric;
        }

        if (mdc == 'P')
        {
            return CaseFamily.Neonatal;
        }

        if (name.Contains("康复", StringComparison.Ordinal))
        {
            return CaseFamily.Rehabilitation;
        }

        if (kind == "surgical")
        {
            return mdc is 'B' or 'F' or 'R' or 'W' or 'E' or 'H' || name.Contains("置换", StringComparison.Ordinal) || name.Contains('大', StringComparison.Ordinal)
                ? CaseFamily.SurgicalMajor
                : CaseFamily.SurgicalMinor;
        }

        if (kind == "non_or_procedure")
        {
            return CaseFamily.ProcedureNonOr;
        }

        if (mdc is 'T' or 'U')
        {
            return CaseFamily.Psychiatric;
        }

        if (mdc == 'R' || name.Contains("恶性", StringComparison.Ordinal) || name.Contains("肿瘤", StringComparison.Ordinal))
        {
            return CaseFamily.Oncology;
        }

        return name.Contains("衰竭", StringComparison.Ordinal) || name.Contains("休克", StringComparison.Ordinal) || name.Contains("出血", StringComparison.Ordinal)
            || name.Contains("严重", StringComparison.Ordinal) || name.Contains("脑血管", StringComparison.Ordinal)
            ? CaseFamily.MedicalSevere
            : CaseFamily.Medical;
    }

    private static void Add(Dictionary<string, List<Code>> map, string key, Code code)
    {
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = [];
        }

        list.Add(code);
    }

    private static Code ParseCode(string text, bool dx, string file, long line, string field)
    {
        if (dx ? !CodeForms.IsDx(text) : !CodeForms.IsProc(text))
        {
            throw new InputException(file, line, field, dx ? "expected an ICD-10 diagnosis code such as J18.900" : "expected an ICD-9-CM-3 procedure code such as 47.0901");
        }

        return Code.Parse(text);
    }

    private static void Read(string path, string[] required, Action<string[], long, string> row, string[]? optional = null)
    {
        if (!File.Exists(path))
        {
            throw new InputException(path, "reference table not found");
        }

        var config = new CsvConfiguration(CultureInfo.InvariantCulture) { TrimOptions = TrimOptions.Trim, BadDataFound = null };
        using var reader = new StreamReader(path);
        using var csv = new CsvReader(reader, config);
        if (!csv.Read() || !csv.ReadHeader())
        {
            throw new InputException(path, 1, null, "the file is empty; expected a header with " + string.Join(", ", required));
        }

        var header = csv.HeaderRecord ?? [];
        var names = required.Concat(optional ?? []).ToArray();
        var index = new int[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            index[i] = Array.IndexOf(header, names[i]);
            if (index[i] < 0 && i < required.Length)
            {
                throw new InputException(path, 1, names[i], "required column missing from the header");
            }
        }

        var values = new string[names.Length];
        while (csv.Read())
        {
            var line = csv.Parser.RawRow;
            for (var i = 0; i < names.Length; i++)
            {
                values[i] = index[i] < 0 ? string.Empty : csv.GetField(index[i]) ?? string.Empty;
                if (values[i].Length == 0 && i < required.Length)
                {
                    throw new InputException(path, line, names[i], "required value is empty");
                }
            }

            row(values, line, path);
        }
    }
}
