using System.Globalization;
using System.Text;
using Grouper.Core;
using Grouper.Dip.Internals;

namespace Grouper.Dip;

/// <summary>
/// One DIP group (病种): a core group <c>K35.8:47.0901+54.5901</c> (conservative <c>K35.8:-</c>),
/// a comprehensive group <c>K35:S</c>, or a grassroots (基层病种) core group.
/// </summary>
/// <param name="Code">Group code text.</param>
/// <param name="Kind">Core, Comprehensive or Grassroots.</param>
/// <param name="DiagnosisKey">Diagnosis key (core) or category (comprehensive).</param>
/// <param name="Procedures">Sorted procedure keys (core; empty for conservative and comprehensive).</param>
/// <param name="Treatment">Comprehensive: its treatment kind; core: highest kind in its set.</param>
/// <param name="Score">病种分值, 4 places.</param>
/// <param name="CaseCount">Cases over the build years (before trimming).</param>
/// <param name="ReferenceCostFen">m_g, year-weighted trimmed mean cost, fen.</param>
/// <param name="ReferenceCostByGradeFen">Same by grade group 3A 3B 3C 2A 2B 2C 1 0; −1 where the group had no case.</param>
public sealed record DipGroup(
    string Code,
    DipGroupKind Kind,
    Code DiagnosisKey,
    IReadOnlyList<Code> Procedures,
    TreatmentKind Treatment,
    decimal Score,
    int CaseCount,
    long ReferenceCostFen,
    IReadOnlyList<long> ReferenceCostByGradeFen)
{
    public bool IsGrassroots => Kind == DipGroupKind.Grassroots;

    public bool IsCore => Kind is DipGroupKind.Core or DipGroupKind.Grassroots;

    public static string CoreCode(Code diagnosisKey, ReadOnlySpan<Code> procedures)
    {
        var sb = new StringBuilder();
        sb.Append(diagnosisKey.ToString()).Append(':');
        if (procedures.Length == 0)
        {
            sb.Append('-');
        }

        for (var i = 0; i < procedures.Length; i++)
        {
            if (i > 0)
            {
                sb.Append('+');
            }

            sb.Append(procedures[i].ToString());
        }

        return sb.ToString();
    }

    public static string ComprehensiveCode(Code category, TreatmentKind treatment) => category + ":" + DipReasons.Letter(treatment);
}

/// <summary>An auxiliary factor of one group (辅助目录系数).</summary>
public sealed record DipAuxFactor(int GroupIndex, AuxItem Item, int Level, decimal Factor, int CaseCount);

/// <summary>
/// A versioned DIP catalog: groups with scores and reference costs, the auxiliary factors and
/// the rule definitions. A directory of CSV files and a JSON manifest (docs/dip.md);
/// <see cref="Load"/> validates everything, <see cref="Save"/> writes byte-identical files for
/// equal catalogs.
/// </summary>
public sealed class DipCatalog
{
    public const string ManifestFile = "manifest.json";
    public const string GroupsFile = "groups.csv";
    public const string AuxFile = "aux_factors.csv";
    public const string Format = "grouper-dip-catalog/1";

    private readonly string[] _codes;

    public DipCatalog(
        string name,
        string version,
        DateOnly effectiveFrom,
        DateOnly effectiveTo,
        bool isDemo,
        decimal scoreScale,
        long regionalMeanCostFen,
        DipDefinitions definitions,
        IReadOnlyList<DipGroup> groups,
        IReadOnlyList<DipAuxFactor> auxFactors)
    {
        Name = name;
        Version = version;
        EffectiveFrom = effectiveFrom;
        EffectiveTo = effectiveTo;
        IsDemo = isDemo;
        ScoreScale = scoreScale;
        RegionalMeanCostFen = regionalMeanCostFen;
        Definitions = definitions;
        Groups = groups;
        AuxFactors = auxFactors;
        _codes = new string[groups.Count];
        for (var i = 0; i < groups.Count; i++)
        {
            _codes[i] = groups[i].Code;
        }

        Validate();
    }

    public string Name { get; }

    public string Version { get; }

    public DateOnly EffectiveFrom { get; }

    public DateOnly EffectiveTo { get; }

    /// <summary>Demo catalog (invented numbers, never real policy).</summary>
    public bool IsDemo { get; }

    /// <summary>S: scores are m_g ÷ M × S.</summary>
    public decimal ScoreScale { get; }

    /// <summary>M: regional year-weighted mean cost, fen.</summary>
    public long RegionalMeanCostFen { get; }

    public DipDefinitions Definitions { get; }

    /// <summary>Groups in ordinal code order.</summary>
    public IReadOnlyList<DipGroup> Groups { get; }

    public IReadOnlyList<DipAuxFactor> AuxFactors { get; }

    /// <summary>Cached code text of a group (no allocation); "UNMATCHED" for −1.</summary>
    public string GroupCode(int groupIndex) => groupIndex >= 0 ? _codes[groupIndex] : "UNMATCHED";

    public int IndexOf(string code)
    {
        var lo = 0;
        var hi = _codes.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var c = string.CompareOrdinal(_codes[mid], code);
            if (c == 0)
            {
                return mid;
            }

            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return -1;
    }

    public bool IsEffectiveOn(DateOnly date) => date >= EffectiveFrom && date <= EffectiveTo;

    private void Validate()
    {
        if (EffectiveTo < EffectiveFrom)
        {
            throw new ArgumentException("effective_to before effective_from");
        }

        if (RegionalMeanCostFen <= 0 || ScoreScale <= 0)
        {
            throw new ArgumentException("regional mean cost and score scale must be positive");
        }

        foreach (var g in Groups)
        {
            if (g.ReferenceCostFen <= 0 || g.Score < 0 || Rounding.Places4(g.Score) != g.Score || g.ReferenceCostByGradeFen.Count != CompiledRules.GradeCount)
            {
                throw new ArgumentException($"group {g.Code}: reference cost must be positive, score non-negative with at most 4 decimals, and 8 grade-group costs given");
            }

            foreach (var c in g.ReferenceCostByGradeFen)
            {
                if (c == 0 || c < -1)
                {
                    throw new ArgumentException($"group {g.Code}: a grade-group cost is positive or −1 (none)");
                }
            }
        }

        foreach (var a in AuxFactors)
        {
            if (a.GroupIndex < 0 || a.GroupIndex >= Groups.Count || a.Factor <= 0 || Rounding.Places4(a.Factor) != a.Factor || Definitions.Slot(a.Item, a.Level) < 0)
            {
                throw new ArgumentException($"aux factor {a}: group index, positive 4-place factor and a defined item level required");
            }
        }

        for (var i = 1; i < _codes.Length; i++)
        {
            if (string.CompareOrdinal(_codes[i - 1], _codes[i]) >= 0)
            {
                throw new ArgumentException($"groups must be in strictly ascending code order: '{_codes[i - 1]}' then '{_codes[i]}'");
            }
        }
    }

    // ------------------------------------------------------------------ save

    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        Definitions.Save(directory);
        JsonOut.WriteFile(Path.Combine(directory, ManifestFile), w =>
        {
            w.WriteStartObject();
            w.WriteString("format", Format);
            w.WriteString("name", Name);
            w.WriteString("version", Version);
            w.WriteString("effective_from", EffectiveFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            w.WriteString("effective_to", EffectiveTo.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            w.WriteBoolean("demo", IsDemo);
            JsonOut.Dec(w, "score_scale", ScoreScale, 4);
            w.WriteString("regional_mean_cost", Money.Format(RegionalMeanCostFen));
            w.WriteNumber("groups", Groups.Count);
            w.WriteNumber("aux_factors", AuxFactors.Count);
            w.WriteEndObject();
        });

        using (var w = CsvOut.Create(Path.Combine(directory, GroupsFile)))
        {
            var sb = new StringBuilder("code,kind,score,cases,ref_cost");
            foreach (var g in CompiledRules.GradeNames)
            {
                sb.Append(",ref_cost_").Append(g);
            }

            w.WriteLine(sb.ToString());
            foreach (var g in Groups)
            {
                sb.Clear();
                sb.Append(g.Code).Append(',').Append(KindText(g.Kind)).Append(',').Append(CsvOut.P4(g.Score)).Append(',')
                  .Append(CsvOut.Inv(g.CaseCount)).Append(',').Append(Money.Format(g.ReferenceCostFen));
                foreach (var c in g.ReferenceCostByGradeFen)
                {
                    sb.Append(',');
                    if (c >= 0)
                    {
                        sb.Append(Money.Format(c));
                    }
                }

                w.WriteLine(sb.ToString());
            }
        }

        using (var w = CsvOut.Create(Path.Combine(directory, AuxFile)))
        {
            w.WriteLine("group,item,level,factor,cases");
            foreach (var a in AuxFactors)
            {
                w.WriteLine(string.Join(',', _codes[a.GroupIndex], DipReasons.Name(a.Item), Definitions.LevelText(a.Item, a.Level), CsvOut.P4(a.Factor), CsvOut.Inv(a.CaseCount)));
            }
        }
    }

    private static string KindText(DipGroupKind k) => k switch
    {
        DipGroupKind.Core => "core",
        DipGroupKind.Comprehensive => "comprehensive",
        DipGroupKind.Grassroots => "grassroots",
        _ => "?",
    };

    // ------------------------------------------------------------------ load

    public static DipCatalog Load(string directory)
    {
        var definitions = DipDefinitions.Load(directory);
        var (doc, root) = JsonNode.Open(Path.Combine(directory, ManifestFile));
        string name, version;
        DateOnly from, to;
        bool demo;
        decimal scale;
        long mean;
        using (doc)
        {
            var fmt = root.Child("format");
            if (fmt.String() != Format)
            {
                throw fmt.Error($"'{Format}' expected");
            }

            name = root.Child("name").String();
            version = root.Child("version").String();
            from = root.Child("effective_from").Date();
            var toNode = root.Child("effective_to");
            to = toNode.Date();
            if (to < from)
            {
                throw toNode.Error("effective_to before effective_from");
            }

            demo = root.Child("demo").Bool();
            var scaleNode = root.Child("score_scale");
            scale = scaleNode.Decimal(4);
            if (scale <= 0)
            {
                throw scaleNode.Error("must be positive");
            }

            var meanNode = root.Child("regional_mean_cost");
            mean = Money.ToFenExact(meanNode.Decimal(2));
            if (mean <= 0)
            {
                throw meanNode.Error("must be positive");
            }

            if (string.IsNullOrWhiteSpace(name) || string.IsNullOrWhiteSpace(version))
            {
                throw root.Error("name and version must not be empty");
            }
        }

        var groups = LoadGroups(Path.Combine(directory, GroupsFile), definitions);
        var codes = new string[groups.Count];
        for (var i = 0; i < codes.Length; i++)
        {
            codes[i] = groups[i].Code;
        }

        var aux = LoadAux(Path.Combine(directory, AuxFile), definitions, codes);
        return new DipCatalog(name, version, from, to, demo, scale, mean, definitions, groups, aux);
    }

    private static List<DipGroup> LoadGroups(string path, DipDefinitions defs)
    {
        var cols = new List<string> { "code", "kind", "score", "cases", "ref_cost" };
        foreach (var g in CompiledRules.GradeNames)
        {
            cols.Add("ref_cost_" + g);
        }

        var t = CsvTable.Read(path, [.. cols]);
        var rules = new CompiledRules(defs);
        var list = new List<DipGroup>(t.RowCount);
        string? previous = null;
        for (var r = 0; r < t.RowCount; r++)
        {
            var code = t.Required(r, "code");
            if (previous is not null && string.CompareOrdinal(previous, code) >= 0)
            {
                throw t.Error(r, "code", $"codes must be unique and in ascending ordinal order ('{previous}' then '{code}')");
            }

            previous = code;
            var kind = t.Required(r, "kind") switch
            {
                "core" => DipGroupKind.Core,
                "comprehensive" => DipGroupKind.Comprehensive,
                "grassroots" => DipGroupKind.Grassroots,
                _ => throw t.Error(r, "kind", "core, comprehensive or grassroots expected"),
            };

            var colon = code.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || colon == code.Length - 1)
            {
                throw t.Error(r, "code", $"'{code}' is not 'key:procedures' or 'category:letter'");
            }

            var head = code[..colon];
            var tail = code[(colon + 1)..];
            if (!CsvTable.IsCodeText(head))
            {
                throw t.Error(r, "code", $"'{head}' is not a diagnosis key");
            }

            var key = Code.Parse(head);
            Code[] procs;
            TreatmentKind treatment;
            if (kind == DipGroupKind.Comprehensive)
            {
                if (head.Length != defs.CategoryLength || tail.Length != 1 || "CDTS".IndexOf(tail[0], StringComparison.Ordinal) < 0)
                {
                    throw t.Error(r, "code", $"comprehensive code must be a {defs.CategoryLength}-character category, ':' and C, D, T or S");
                }

                procs = [];
                treatment = (TreatmentKind)"CDTS".IndexOf(tail[0], StringComparison.Ordinal);
            }
            else
            {
                if (head.Length > defs.DiagnosisKeyLength)
                {
                    throw t.Error(r, "code", $"diagnosis key longer than {defs.DiagnosisKeyLength}");
                }

                if (tail == "-")
                {
                    procs = [];
                    treatment = TreatmentKind.Conservative;
                }
                else
                {
                    var parts = tail.Split('+');
                    procs = new Code[parts.Length];
                    var max = ProcedureKind.Ignored;
                    for (var i = 0; i < parts.Length; i++)
                    {
                        if (parts[i].Length == 0 || parts[i].Length > defs.ProcedureKeyLength || !CsvTable.IsCodeText(parts[i])
                            || (i > 0 && string.CompareOrdinal(parts[i - 1], parts[i]) >= 0))
                        {
                            throw t.Error(r, "code", $"procedure keys must be non-empty, at most {defs.ProcedureKeyLength} characters, distinct and ascending");
                        }

                        procs[i] = Code.Parse(parts[i]);
                        var pk = rules.KindOf(procs[i]);
                        if (pk == ProcedureKind.Ignored)
                        {
                            throw t.Error(r, "code", $"procedure {parts[i]} is classified 'ignored' and cannot be in a group");
                        }

                        max = pk > max ? pk : max;
                    }

                    treatment = (TreatmentKind)max;
                }
            }

            var score = t.Decimal(r, "score", 4);
            var cases = t.Int(r, "cases", 0, int.MaxValue);
            var refCost = t.Fen(r, "ref_cost");
            if (refCost <= 0)
            {
                throw t.Error(r, "ref_cost", "must be positive");
            }

            var byGrade = new long[CompiledRules.GradeCount];
            for (var gi = 0; gi < byGrade.Length; gi++)
            {
                byGrade[gi] = t.Fen(r, "ref_cost_" + CompiledRules.GradeNames[gi], optional: true);
                if (byGrade[gi] == 0)
                {
                    throw t.Error(r, "ref_cost_" + CompiledRules.GradeNames[gi], "must be positive or empty");
                }
            }

            list.Add(new DipGroup(code, kind, key, procs, treatment, score, cases, refCost, byGrade));
        }

        return list;
    }

    private static List<DipAuxFactor> LoadAux(string path, DipDefinitions defs, string[] codes)
    {
        var t = CsvTable.Read(path, "group", "item", "level", "factor", "cases");
        var list = new List<DipAuxFactor>(t.RowCount);
        var seen = new HashSet<(int, AuxItem, int)>();
        for (var r = 0; r < t.RowCount; r++)
        {
            var code = t.Required(r, "group");
            var gi = Array.BinarySearch(codes, code, StringComparer.Ordinal);
            if (gi < 0)
            {
                throw t.Error(r, "group", $"group '{code}' is not in {GroupsFile}");
            }

            if (!DipReasons.TryParse(t.Required(r, "item"), out AuxItem item))
            {
                throw t.Error(r, "item", "cci, age, tumour or discharge_mode expected");
            }

            if (!defs.TryParseLevel(item, t.Required(r, "level"), out var level))
            {
                throw t.Error(r, "level", "not a level defined for this item in " + DipDefinitions.JsonFile);
            }

            var factor = t.Decimal(r, "factor", 4);
            if (factor <= 0)
            {
                throw t.Error(r, "factor", "must be positive");
            }

            if (!seen.Add((gi, item, level)))
            {
                throw t.Error(r, "level", "factor given twice for this group and item level");
            }

            list.Add(new DipAuxFactor(gi, item, level, factor, t.Int(r, "cases", 0, int.MaxValue)));
        }

        return list;
    }
}
