using System.Globalization;
using Grouper.Core;
using Grouper.Dip.Internals;

namespace Grouper.Dip;

/// <summary>A code range by prefix: <c>C00-C97</c> or a single prefix <c>99.25</c>; a code is in it when its prefix of the bounds' length lies between them.</summary>
public readonly record struct CodeRange(Code From, Code To, int Length)
{
    public bool Contains(Code code)
    {
        var p = code.Prefix(Length);
        return p >= From && p <= To;
    }

    public static bool TryParse(string text, out CodeRange range)
    {
        range = default;
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        var from = dash < 0 ? text : text[..dash];
        var to = dash < 0 ? text : text[(dash + 1)..];
        if (from.Length == 0 || from.Length != to.Length || !CsvTable.IsCodeText(from) || !CsvTable.IsCodeText(to) || string.CompareOrdinal(from, to) > 0)
        {
            return false;
        }

        range = new CodeRange(Code.Parse(from), Code.Parse(to), from.Length);
        return true;
    }

    public override string ToString() => From == To ? From.ToString() : From + "-" + To;
}

/// <summary>An age band of the auxiliary catalog; ages compare as years × 400 + days (days only below one year).</summary>
public sealed record AgeBand(string Name, int MinAgeKey, int MaxAgeKey)
{
    public const int NoMax = int.MaxValue;

    public static int AgeKey(int years, int days) => years == 0 ? Math.Max(0, days) : years * 400;

    public bool Contains(int ageKey) => ageKey >= MinAgeKey && ageKey < MaxAgeKey;

    internal static bool TryParseAge(string text, out int key)
    {
        key = 0;
        if (text.Length < 2)
        {
            return false;
        }

        if (!int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            return false;
        }

        switch (text[^1])
        {
            case 'y' when n <= 150: key = n * 400; return true;
            case 'd' when n <= 365: key = n; return true;
            default: return false;
        }
    }

    internal static string FormatAge(int key) => key >= 400 ? (key / 400).ToString(CultureInfo.InvariantCulture) + "y" : key.ToString(CultureInfo.InvariantCulture) + "d";
}

/// <summary>Tumour markers of a case (肿瘤严重程度), combined into levels by <see cref="TumourLevel"/>.</summary>
[Flags]
public enum TumourFlags : byte
{
    None = 0,
    Metastasis = 1,
    Radiotherapy = 2,
    Chemotherapy = 4,
}

/// <summary>A tumour severity level: reached when the principal is malignant and all <see cref="Requires"/> markers are present.</summary>
public sealed record TumourLevel(byte Level, TumourFlags Requires);

/// <summary>A per-bed-day category (床日付费): matches when every given condition holds and LOS &gt; <see cref="MinLosExclusive"/>.</summary>
public sealed record PerDiemCategory(string Name, HospitalKind? HospitalKind, CodeRange? PrincipalDx, int MinLosExclusive, decimal DailyPoints);

/// <summary>
/// The rule data shared by a DIP catalog and the builder: key lengths, procedure classification,
/// auxiliary-catalog definitions (CCI weights and thresholds, age bands, tumour markers and
/// levels, discharge modes with factors) and per-diem categories. Stored as
/// <c>definitions.json</c> + <c>proc_kinds.csv</c> + <c>cci_weights.csv</c> (docs/dip.md).
/// </summary>
public sealed record DipDefinitions
{
    public const string JsonFile = "definitions.json";
    public const string ProcKindsFile = "proc_kinds.csv";
    public const string CciWeightsFile = "cci_weights.csv";

    /// <summary>Diagnosis key length (subcategory, 5: <c>K35.8</c>).</summary>
    public int DiagnosisKeyLength { get; init; } = 5;

    /// <summary>Category length (3: <c>K35</c>).</summary>
    public int CategoryLength { get; init; } = 3;

    /// <summary>Procedure key length (7: <c>47.0900</c>).</summary>
    public int ProcedureKeyLength { get; init; } = 7;

    /// <summary>Default kind per 2-digit chapter 00–99 (length 100).</summary>
    public IReadOnlyList<ProcedureKind> ChapterDefaults { get; init; } = DefaultChapters();

    /// <summary>Per-code overrides keyed by procedure key.</summary>
    public IReadOnlyDictionary<Code, ProcedureKind> ProcedureOverrides { get; init; } = new Dictionary<Code, ProcedureKind>();

    /// <summary>CCI weight per secondary-diagnosis prefix; the longest matching prefix counts.</summary>
    public IReadOnlyDictionary<Code, int> CciWeights { get; init; } = new Dictionary<Code, int>();

    /// <summary>Ascending sums from which CCI levels 1, 2, 3, 4 start.</summary>
    public IReadOnlyList<int> CciThresholds { get; init; } = [1, 3, 5, 7];

    public IReadOnlyList<AgeBand> AgeBands { get; init; } = DefaultAgeBands();

    public IReadOnlyList<CodeRange> MalignantPrincipal { get; init; } = [Range("C00-C97")];

    public IReadOnlyList<CodeRange> MetastasisSecondary { get; init; } = [Range("C77-C79")];

    public IReadOnlyList<CodeRange> RadiotherapyProcedures { get; init; } = [Range("92.2")];

    public IReadOnlyList<CodeRange> ChemotherapyProcedures { get; init; } = [Range("99.25")];

    public IReadOnlyList<TumourLevel> TumourLevels { get; init; } =
    [
        new(1, TumourFlags.Radiotherapy),
        new(1, TumourFlags.Chemotherapy),
        new(2, TumourFlags.Metastasis),
        new(3, TumourFlags.Metastasis | TumourFlags.Radiotherapy),
        new(3, TumourFlags.Metastasis | TumourFlags.Chemotherapy),
    ];

    /// <summary>Discharge modes that carry a factor (离院方式: transferred 2, 3; against advice 4; died 5).</summary>
    public IReadOnlyList<DischargeMode> DischargeModes { get; init; } =
        [DischargeMode.TransferHospital, DischargeMode.TransferCommunity, DischargeMode.AgainstAdvice, DischargeMode.Died];

    public IReadOnlyList<PerDiemCategory> PerDiemCategories { get; init; } = [];

    public static CodeRange Range(string text) =>
        CodeRange.TryParse(text, out var r) ? r : throw new ArgumentException("bad code range " + text, nameof(text));

    /// <summary>dip.md builder default (*Assumption*): 00–86 surgery, 87–89 diagnostic, 90–91 ignored, 92–99 therapeutic.</summary>
    public static ProcedureKind[] DefaultChapters()
    {
        var a = new ProcedureKind[100];
        for (var i = 0; i < 100; i++)
        {
            a[i] = i <= 86 ? ProcedureKind.Surgery : i <= 89 ? ProcedureKind.Diagnostic : i <= 91 ? ProcedureKind.Ignored : ProcedureKind.Therapeutic;
        }

        return a;
    }

    /// <summary>dip.md default bands (*Assumption*): &lt; 29 days, 29 days – &lt; 1 year, 1–6 years, ≥ 65, ≥ 80.</summary>
    public static AgeBand[] DefaultAgeBands() =>
    [
        new("lt29d", 0, 29),
        new("29d-1y", 29, 400),
        new("1-6y", 400, 7 * 400),
        new("ge65", 65 * 400, AgeBand.NoMax),
        new("ge80", 80 * 400, AgeBand.NoMax),
    ];

    /// <summary>Number of auxiliary factor slots per group: CCI levels 1–4, age bands, tumour levels 1..max, discharge modes.</summary>
    internal int SlotCount => 4 + AgeBands.Count + MaxTumourLevel + DischargeModes.Count;

    internal int MaxTumourLevel
    {
        get
        {
            var m = 0;
            foreach (var l in TumourLevels)
            {
                m = Math.Max(m, l.Level);
            }

            return m;
        }
    }

    /// <summary>Slot of an (item, level) pair, or −1. Levels: CCI 1–4, age band index, tumour level, discharge mode code.</summary>
    internal int Slot(AuxItem item, int level)
    {
        switch (item)
        {
            case AuxItem.Cci:
                return level is >= 1 and <= 4 ? level - 1 : -1;
            case AuxItem.Age:
                return level >= 0 && level < AgeBands.Count ? 4 + level : -1;
            case AuxItem.Tumour:
                return level >= 1 && level <= MaxTumourLevel ? 4 + AgeBands.Count + level - 1 : -1;
            case AuxItem.DischargeMode:
                for (var i = 0; i < DischargeModes.Count; i++)
                {
                    if ((int)DischargeModes[i] == level)
                    {
                        return 4 + AgeBands.Count + MaxTumourLevel + i;
                    }
                }

                return -1;
            default:
                return -1;
        }
    }

    internal (AuxItem Item, int Level) SlotItem(int slot)
    {
        if (slot < 4)
        {
            return (AuxItem.Cci, slot + 1);
        }

        slot -= 4;
        if (slot < AgeBands.Count)
        {
            return (AuxItem.Age, slot);
        }

        slot -= AgeBands.Count;
        if (slot < MaxTumourLevel)
        {
            return (AuxItem.Tumour, slot + 1);
        }

        slot -= MaxTumourLevel;
        return (AuxItem.DischargeMode, (int)DischargeModes[slot]);
    }

    /// <summary>Text of a level in files: CCI/tumour level number, age band name, discharge mode code.</summary>
    internal string LevelText(AuxItem item, int level) => item == AuxItem.Age ? AgeBands[level].Name : level.ToString(CultureInfo.InvariantCulture);

    internal bool TryParseLevel(AuxItem item, string text, out int level)
    {
        level = -1;
        if (item == AuxItem.Age)
        {
            for (var i = 0; i < AgeBands.Count; i++)
            {
                if (AgeBands[i].Name == text)
                {
                    level = i;
                    return true;
                }
            }

            return false;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out level) && Slot(item, level) >= 0;
    }

    // ---------------------------------------------------------------- files

    public static DipDefinitions Load(string directory)
    {
        var (doc, root) = JsonNode.Open(Path.Combine(directory, JsonFile));
        using (doc)
        {
            var d = FromJson(root);
            return d with
            {
                ProcedureOverrides = LoadProcKinds(Path.Combine(directory, ProcKindsFile), d.ProcedureKeyLength),
                CciWeights = LoadCciWeights(Path.Combine(directory, CciWeightsFile)),
            };
        }
    }

    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        JsonOut.WriteFile(Path.Combine(directory, JsonFile), WriteJson);

        using (var w = CsvOut.Create(Path.Combine(directory, ProcKindsFile)))
        {
            w.WriteLine("code,kind");
            var keys = new List<Code>(ProcedureOverrides.Keys);
            keys.Sort();
            foreach (var k in keys)
            {
                w.WriteLine(k + "," + DipReasons.Name(ProcedureOverrides[k]));
            }
        }

        using (var w = CsvOut.Create(Path.Combine(directory, CciWeightsFile)))
        {
            w.WriteLine("dx,weight");
            var keys = new List<Code>(CciWeights.Keys);
            keys.Sort();
            foreach (var k in keys)
            {
                w.WriteLine(k + "," + CsvOut.Inv(CciWeights[k]));
            }
        }
    }

    internal void WriteJson(System.Text.Json.Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteStartObject("key_lengths");
        w.WriteNumber("diagnosis", DiagnosisKeyLength);
        w.WriteNumber("category", CategoryLength);
        w.WriteNumber("procedure", ProcedureKeyLength);
        w.WriteEndObject();

        w.WriteStartArray("chapter_defaults");
        var start = 0;
        for (var i = 1; i <= 100; i++)
        {
            if (i == 100 || ChapterDefaults[i] != ChapterDefaults[start])
            {
                w.WriteStartObject();
                w.WriteString("from", start.ToString("00", CultureInfo.InvariantCulture));
                w.WriteString("to", (i - 1).ToString("00", CultureInfo.InvariantCulture));
                w.WriteString("kind", DipReasons.Name(ChapterDefaults[start]));
                w.WriteEndObject();
                start = i;
            }
        }

        w.WriteEndArray();

        w.WriteStartArray("cci_thresholds");
        foreach (var t in CciThresholds)
        {
            w.WriteNumberValue(t);
        }

        w.WriteEndArray();

        w.WriteStartArray("age_bands");
        foreach (var b in AgeBands)
        {
            w.WriteStartObject();
            w.WriteString("band", b.Name);
            w.WriteString("min", AgeBand.FormatAge(b.MinAgeKey));
            if (b.MaxAgeKey != AgeBand.NoMax)
            {
                w.WriteString("max", AgeBand.FormatAge(b.MaxAgeKey));
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();

        w.WriteStartObject("tumour");
        WriteRanges(w, "malignant", MalignantPrincipal);
        WriteRanges(w, "metastasis", MetastasisSecondary);
        WriteRanges(w, "radiotherapy", RadiotherapyProcedures);
        WriteRanges(w, "chemotherapy", ChemotherapyProcedures);
        w.WriteStartArray("levels");
        foreach (var l in TumourLevels)
        {
            w.WriteStartObject();
            w.WriteNumber("level", l.Level);
            w.WriteStartArray("requires");
            foreach (var (flag, name) in TumourFlagNames)
            {
                if ((l.Requires & flag) != 0)
                {
                    w.WriteStringValue(name);
                }
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();

        w.WriteStartArray("discharge_modes");
        foreach (var m in DischargeModes)
        {
            w.WriteNumberValue((int)m);
        }

        w.WriteEndArray();

        w.WriteStartArray("per_diem");
        foreach (var p in PerDiemCategories)
        {
            w.WriteStartObject();
            w.WriteString("category", p.Name);
            if (p.HospitalKind is { } k)
            {
                w.WriteString("hospital_kind", CodeNames.Csv(k));
            }

            if (p.PrincipalDx is { } r)
            {
                w.WriteString("principal_dx", r.ToString());
            }

            w.WriteNumber("min_los_exclusive", p.MinLosExclusive);
            JsonOut.Dec(w, "daily_points", p.DailyPoints, 4);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static readonly (TumourFlags Flag, string Name)[] TumourFlagNames =
    [
        (TumourFlags.Metastasis, "metastasis"),
        (TumourFlags.Radiotherapy, "radiotherapy"),
        (TumourFlags.Chemotherapy, "chemotherapy"),
    ];

    private static void WriteRanges(System.Text.Json.Utf8JsonWriter w, string name, IReadOnlyList<CodeRange> ranges)
    {
        w.WriteStartArray(name);
        foreach (var r in ranges)
        {
            w.WriteStringValue(r.ToString());
        }

        w.WriteEndArray();
    }

    internal static DipDefinitions FromJson(JsonNode root)
    {
        var kl = root.Child("key_lengths");
        var dxLen = kl.Child("diagnosis").Int(1, Code.MaxPackedLength);
        var catLen = kl.Child("category").Int(1, Math.Min(dxLen, 17)); // the matcher tags a category with 2 low bits
        var procLen = kl.Child("procedure").Int(2, Code.MaxPackedLength);

        var chapters = new ProcedureKind[100];
        var seen = new bool[100];
        foreach (var c in root.Child("chapter_defaults").Items())
        {
            var from = Chapter(c.Child("from"));
            var to = Chapter(c.Child("to"));
            var kindNode = c.Child("kind");
            if (!DipReasons.TryParse(kindNode.String(), out ProcedureKind kind))
            {
                throw kindNode.Error("kind must be surgery, therapeutic, diagnostic or ignored");
            }

            if (to < from)
            {
                throw c.Error("'to' before 'from'");
            }

            for (var i = from; i <= to; i++)
            {
                if (seen[i])
                {
                    throw c.Error($"chapter {i:00} given twice");
                }

                seen[i] = true;
                chapters[i] = kind;
            }
        }

        for (var i = 0; i < 100; i++)
        {
            if (!seen[i])
            {
                throw root.Child("chapter_defaults").Error($"chapter {i:00} has no default kind");
            }
        }

        var thresholds = new List<int>();
        var thNode = root.Child("cci_thresholds");
        foreach (var t in thNode.Items())
        {
            var v = t.Int(0, 1_000_000);
            if (thresholds.Count > 0 && v <= thresholds[^1])
            {
                throw t.Error("thresholds must be strictly ascending");
            }

            thresholds.Add(v);
        }

        if (thresholds.Count != 4)
        {
            throw thNode.Error("exactly 4 thresholds (levels 1–4) expected");
        }

        var bands = new List<AgeBand>();
        foreach (var b in root.Child("age_bands").Items())
        {
            var name = b.Child("band").String();
            if (name.Length == 0 || name.Contains(',', StringComparison.Ordinal) || bands.Exists(x => x.Name == name))
            {
                throw b.Child("band").Error($"band name '{name}' empty, with a comma, or given twice");
            }

            var minNode = b.Child("min");
            if (!AgeBand.TryParseAge(minNode.String(), out var min))
            {
                throw minNode.Error("age like '29d' or '65y' expected");
            }

            var max = AgeBand.NoMax;
            if (b.Has("max"))
            {
                var maxNode = b.Child("max");
                if (!AgeBand.TryParseAge(maxNode.String(), out max) || max <= min)
                {
                    throw maxNode.Error("age like '29d' or '65y' above min expected");
                }
            }

            bands.Add(new AgeBand(name, min, max));
        }

        var tum = root.Child("tumour");
        var levels = new List<TumourLevel>();
        foreach (var l in tum.Child("levels").Items())
        {
            var level = (byte)l.Child("level").Int(1, 9);
            var req = TumourFlags.None;
            foreach (var r in l.Child("requires").Items())
            {
                var s = r.String();
                var found = false;
                foreach (var (flag, name) in TumourFlagNames)
                {
                    if (name == s)
                    {
                        req |= flag;
                        found = true;
                    }
                }

                if (!found)
                {
                    throw r.Error("metastasis, radiotherapy or chemotherapy expected");
                }
            }

            if (req == TumourFlags.None)
            {
                throw l.Child("requires").Error("at least one marker required");
            }

            levels.Add(new TumourLevel(level, req));
        }

        var modes = new List<DischargeMode>();
        foreach (var m in root.Child("discharge_modes").Items())
        {
            var v = m.Int(1, 9);
            if (!Enum.IsDefined((DischargeMode)v) || modes.Contains((DischargeMode)v))
            {
                throw m.Error("a discharge mode code (1, 2, 3, 4, 5, 9), each once, expected");
            }

            modes.Add((DischargeMode)v);
        }

        var perDiem = new List<PerDiemCategory>();
        if (root.Has("per_diem"))
        {
            foreach (var p in root.Child("per_diem").Items())
            {
                HospitalKind? kind = null;
                if (p.Has("hospital_kind"))
                {
                    var kn = p.Child("hospital_kind");
                    kind = ParseHospitalKind(kn);
                }

                CodeRange? dx = null;
                if (p.Has("principal_dx"))
                {
                    dx = ParseRange(p.Child("principal_dx"));
                }

                if (kind is null && dx is null)
                {
                    throw p.Error("hospital_kind or principal_dx required");
                }

                perDiem.Add(new PerDiemCategory(
                    p.Child("category").String(),
                    kind,
                    dx,
                    p.Child("min_los_exclusive").Int(0, 100_000),
                    p.Child("daily_points").Decimal(4)));
            }
        }

        return new DipDefinitions
        {
            DiagnosisKeyLength = dxLen,
            CategoryLength = catLen,
            ProcedureKeyLength = procLen,
            ChapterDefaults = chapters,
            CciThresholds = thresholds,
            AgeBands = bands,
            MalignantPrincipal = Ranges(tum.Child("malignant")),
            MetastasisSecondary = Ranges(tum.Child("metastasis")),
            RadiotherapyProcedures = Ranges(tum.Child("radiotherapy")),
            ChemotherapyProcedures = Ranges(tum.Child("chemotherapy")),
            TumourLevels = levels,
            DischargeModes = modes,
            PerDiemCategories = perDiem,
        };
    }

    private static HospitalKind ParseHospitalKind(JsonNode n)
    {
        var s = n.String();
        foreach (var k in Enum.GetValues<HospitalKind>())
        {
            if (CodeNames.Csv(k) == s)
            {
                return k;
            }
        }

        throw n.Error("general, tcm, specialty, maternal_child, psychiatric or rehab expected");
    }

    private static int Chapter(JsonNode n)
    {
        var s = n.String();
        if (s.Length != 2 || !char.IsAsciiDigit(s[0]) || !char.IsAsciiDigit(s[1]))
        {
            throw n.Error("a two-digit chapter 00–99 expected");
        }

        return ((s[0] - '0') * 10) + (s[1] - '0');
    }

    private static CodeRange ParseRange(JsonNode n)
    {
        var s = n.String();
        if (!CodeRange.TryParse(s, out var r))
        {
            throw n.Error($"'{s}' is not a code range like 'C00-C97' or a prefix like '99.25'");
        }

        return r;
    }

    private static CodeRange[] Ranges(JsonNode n)
    {
        var items = n.Items();
        var a = new CodeRange[items.Length];
        for (var i = 0; i < items.Length; i++)
        {
            a[i] = ParseRange(items[i]);
        }

        return a;
    }

    private static Dictionary<Code, ProcedureKind> LoadProcKinds(string path, int keyLength)
    {
        var t = CsvTable.Read(path, "code", "kind");
        var map = new Dictionary<Code, ProcedureKind>();
        for (var r = 0; r < t.RowCount; r++)
        {
            var code = t.CodeOf(r, "code");
            if (code.Length > keyLength)
            {
                throw t.Error(r, "code", $"longer than the procedure key length {keyLength}");
            }

            if (!DipReasons.TryParse(t.Required(r, "kind"), out ProcedureKind kind))
            {
                throw t.Error(r, "kind", "surgery, therapeutic, diagnostic or ignored expected");
            }

            if (!map.TryAdd(code, kind))
            {
                throw t.Error(r, "code", "given twice");
            }
        }

        return map;
    }

    private static Dictionary<Code, int> LoadCciWeights(string path)
    {
        var t = CsvTable.Read(path, "dx", "weight");
        var map = new Dictionary<Code, int>();
        for (var r = 0; r < t.RowCount; r++)
        {
            var code = t.CodeOf(r, "dx");
            if (!map.TryAdd(code, t.Int(r, "weight", 0, 1000)))
            {
                throw t.Error(r, "dx", "given twice");
            }
        }

        return map;
    }
}
