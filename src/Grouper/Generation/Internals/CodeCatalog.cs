using System.Text;
using Grouper.Core;

namespace Grouper.Generation.Internals;

/// <summary>A case template resolved to code ids of a <see cref="CodeCatalog"/>.</summary>
internal readonly record struct TemplateInfo(int Dx, int Proc, CaseFamily Family, TemplateSex Sex, TemplateAge Age);

/// <summary>
/// The code source flattened for generation: every distinct code gets an id and its UTF-8 bytes
/// once, pools and templates become weighted tables over ids, and templates are pre-filtered per
/// patient class (age band × sex) for repeat admissions.
/// </summary>
internal sealed class CodeCatalog
{
    /// <summary>Age bands of <see cref="ClassOf"/>.</summary>
    public const int Bands = 6;

    private readonly Dictionary<Code, int> _ids = [];
    private readonly List<byte[]> _bytes = [];
    private readonly List<bool> _isDx = [];

    public CodeCatalog(IGeneratorCodeSource source)
    {
        Name = source.Name;
        var templates = new List<TemplateInfo>();
        var tw = new List<long>();
        var ventLong = Code.Parse("96.7201");
        foreach (var t in source.CaseTemplates)
        {
            // Ventilation ≥ 96 h as principal procedure needs matching vent_hours: the generator adds it itself.
            if (t.Weight <= 0 || t.PrincipalProc == ventLong)
            {
                continue;
            }

            var dx = Add(t.PrincipalDx, true, source.Name + " template");
            var proc = t.PrincipalProc.IsEmpty ? -1 : Add(t.PrincipalProc, false, source.Name + " template");
            templates.Add(new TemplateInfo(dx, proc, t.Family, t.Sex, t.Age));
            tw.Add(t.Weight);
        }

        if (templates.Count == 0)
        {
            throw new ArgumentException($"code source '{source.Name}' has no case templates");
        }

        Templates = [.. templates];
        TemplateWeights = [.. tw];
        var idx = Enumerable.Range(0, Templates.Length).ToArray();
        AllTemplates = new WeightedTable(idx, TemplateWeights);
        ClassTemplates = new WeightedTable[Bands * 3];
        for (var band = 0; band < Bands; band++)
        {
            for (var sex = 0; sex < 3; sex++)
            {
                var w = new long[Templates.Length];
                for (var i = 0; i < Templates.Length; i++)
                {
                    w[i] = Compatible(Templates[i], band, sex) ? TemplateWeights[i] : 0;
                }

                ClassTemplates[(band * 3) + sex] = new WeightedTable(idx, w);
            }
        }

        VentLong = Add(Code.Parse("96.7201"), false, "generator");
        VentShort = Add(Code.Parse("96.7101"), false, "generator");
        Mcc = Pool(source.MccCodes, true, "MCC pool", null);
        Cc = Pool(source.CcCodes, true, "CC pool", null);
        Ordinary = Pool(source.OrdinarySecondaryCodes, true, "ordinary secondary pool", null);
        OtherProcs = Pool(source.OtherProcedures, false, "other-procedure pool", [VentLong, VentShort]);
        if (Mcc.IsEmpty && Cc.IsEmpty && Ordinary.IsEmpty)
        {
            throw new ArgumentException($"code source '{source.Name}' has no secondary diagnoses");
        }

        if (OtherProcs.IsEmpty)
        {
            throw new ArgumentException($"code source '{source.Name}' has no other procedures");
        }

        SecondaryIds = [.. DistinctIds(source.MccCodes, source.CcCodes, source.OrdinarySecondaryCodes)];
        ProcIds = [.. DistinctIds(source.OtherProcedures).Where(i => i != VentLong && i != VentShort)];
    }

    public string Name { get; }

    public TemplateInfo[] Templates { get; }

    public long[] TemplateWeights { get; }

    public WeightedTable AllTemplates { get; }

    /// <summary>Templates a person of class (band × 3 + sex) can have; see <see cref="ClassOf"/>.</summary>
    public WeightedTable[] ClassTemplates { get; }

    public WeightedTable Mcc { get; }

    public WeightedTable Cc { get; }

    public WeightedTable Ordinary { get; }

    public WeightedTable OtherProcs { get; }

    /// <summary>Every distinct secondary-diagnosis id (for TOO_MANY_CODES lines).</summary>
    public int[] SecondaryIds { get; }

    /// <summary>Every distinct other-procedure id, ventilation codes excluded.</summary>
    public int[] ProcIds { get; }

    /// <summary>96.7201 (invasive ventilation ≥ 96 h).</summary>
    public int VentLong { get; }

    /// <summary>96.7101 (invasive ventilation &lt; 96 h).</summary>
    public int VentShort { get; }

    public ReadOnlySpan<byte> Bytes(int id) => _bytes[id];

    public string Text(int id) => Encoding.ASCII.GetString(_bytes[id]);

    /// <summary>Class index of a person: age band (0 neonate, 1 infant, 2 child 1–14, 3 age 15–49, 4 age 50–59, 5 age 60+) × 3 + sex (0 male, 1 female, 2 not stated).</summary>
    public static int ClassOf(int ageYears, int ageDays, Sex sex)
    {
        var band = ageYears == 0 ? (ageDays < 29 ? 0 : 1) : ageYears < 15 ? 2 : ageYears < 50 ? 3 : ageYears < 60 ? 4 : 5;
        var s = sex == Sex.Male ? 0 : sex == Sex.Female ? 1 : 2;
        return (band * 3) + s;
    }

    public static bool Compatible(TemplateInfo t, int band, int sex)
    {
        if ((t.Sex == TemplateSex.Male && sex != 0) || (t.Sex == TemplateSex.Female && sex != 1))
        {
            return false;
        }

        return t.Age switch
        {
            TemplateAge.Any => band != 0,
            TemplateAge.Neonate or TemplateAge.PretermNeonate => band == 0,
            TemplateAge.Infant => band == 1,
            TemplateAge.Child => band is 1 or 2,
            TemplateAge.Adult => band >= 3,
            TemplateAge.Fertile => band == 3 && sex == 1,
            TemplateAge.Elderly => band == 5,
            _ => false,
        };
    }

    private IEnumerable<int> DistinctIds(params IReadOnlyList<WeightedCode>[] lists)
    {
        var seen = new HashSet<int>();
        foreach (var list in lists)
        {
            foreach (var w in list)
            {
                var id = _ids[w.Code];
                if (seen.Add(id))
                {
                    yield return id;
                }
            }
        }
    }

    private WeightedTable Pool(IReadOnlyList<WeightedCode> codes, bool dx, string what, int[]? exclude)
    {
        var ids = new List<int>(codes.Count);
        var weights = new List<long>(codes.Count);
        foreach (var c in codes)
        {
            var id = Add(c.Code, dx, what);
            if (exclude is not null && Array.IndexOf(exclude, id) >= 0)
            {
                continue;
            }

            ids.Add(id);
            weights.Add(c.Weight);
        }

        return new WeightedTable(ids, weights);
    }

    private int Add(Code code, bool dx, string what)
    {
        if (_ids.TryGetValue(code, out var id))
        {
            if (_isDx[id] != dx)
            {
                throw new ArgumentException($"{what}: code {code} is used both as a diagnosis and as a procedure");
            }

            return id;
        }

        var text = code.ToString();
        if (dx ? !CodeForms.IsDx(text) : !CodeForms.IsProc(text))
        {
            throw new ArgumentException($"{what}: '{text}' does not have the {(dx ? "ICD-10 diagnosis" : "ICD-9-CM-3 procedure")} form of records.md");
        }

        id = _bytes.Count;
        _ids[code] = id;
        _bytes.Add(Encoding.ASCII.GetBytes(text));
        _isDx.Add(dx);
        return id;
    }
}

/// <summary>The dx and proc lexical forms of records.md, checked without regular expressions.</summary>
internal static class CodeForms
{
    /// <summary><c>^[A-Z][0-9]{2}(\.[0-9A-Za-z]*)?(\+[A-Z][0-9]{2}(\.[0-9A-Za-z]*)?\*)?$</c>.</summary>
    public static bool IsDx(string s)
    {
        var plus = s.IndexOf('+', StringComparison.Ordinal);
        if (plus < 0)
        {
            return IsDxPart(s);
        }

        return IsDxPart(s[..plus]) && s.Length > plus + 2 && s[^1] == '*' && IsDxPart(s[(plus + 1)..^1]);
    }

    /// <summary><c>^[0-9]{2}(\.[0-9A-Za-z]*)?$</c>.</summary>
    public static bool IsProc(string s) =>
        s.Length >= 2 && char.IsAsciiDigit(s[0]) && char.IsAsciiDigit(s[1]) && Tail(s, 2);

    private static bool IsDxPart(string s) =>
        s.Length >= 3 && char.IsAsciiLetterUpper(s[0]) && char.IsAsciiDigit(s[1]) && char.IsAsciiDigit(s[2]) && Tail(s, 3);

    private static bool Tail(string s, int start)
    {
        if (s.Length == start)
        {
            return true;
        }

        if (s[start] != '.')
        {
            return false;
        }

        for (var i = start + 1; i < s.Length; i++)
        {
            if (!char.IsAsciiLetterOrDigit(s[i]))
            {
                return false;
            }
        }

        return true;
    }
}
