using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Grouper.Core;

namespace Grouper.Drg.Internals;

internal sealed record MdcRow(string Code, string Name, string Kind, string Sex, string OnSexConflict, string OnNoAdrg, long Line = 0);

internal sealed record CodeRow(string Key, string Code, long Line = 0);

internal sealed record SiteRow(string Site, string SiteName, string Code, long Line = 0);

internal sealed record AdrgRow(
    string Code,
    string Mdc,
    string Name,
    string Kind,
    int Order,
    string EntryLogic,
    int? AgeDaysMin,
    int? AgeDaysMax,
    int? WeightMin,
    int? WeightMax,
    long Line = 0);

internal sealed record SectionRow(string Adrg, string Section, string Code, long Line = 0);

internal sealed record DrgRow(string Code, string Adrg, string Split, string Name, long Line = 0);

internal sealed record CcRow(string Code, string Level, string Table, long Line = 0);

internal sealed record PriceRow(string Drg, decimal RelativeWeight, decimal? AverageCost, long Line = 0);

/// <summary>
/// The catalog as rows, exactly as in its files (see docs/drg.md). Written by the importer and the
/// demo generator, read and validated by <see cref="DrgCatalog.Load"/>.
/// </summary>
internal sealed class CatalogSource
{
    public const string Format = "grouper-drg-catalog/1";
    public const string ManifestFile = "catalog.json";
    public const string MdcFile = "mdcs.csv";
    public const string MdcDxFile = "mdc-principal-dx.csv";
    public const string SitesFile = "trauma-sites.csv";
    public const string AdrgFile = "adrgs.csv";
    public const string AdrgDxFile = "adrg-diagnoses.csv";
    public const string AdrgProcFile = "adrg-procedures.csv";
    public const string DrgFile = "drgs.csv";
    public const string CcFile = "complications.csv";
    public const string ExclusionFile = "exclusion-tables.csv";
    public const string PricingFile = "pricing.csv";

    public string Name { get; set; } = string.Empty;

    public string Version { get; set; } = string.Empty;

    public DateOnly EffectiveFrom { get; set; }

    public DateOnly? EffectiveTo { get; set; }

    public bool Demo { get; set; }

    public string Description { get; set; } = string.Empty;

    /// <summary>MDCP neonate window: age_years = 0 and age_days ≤ this (*Assumption* 28, drg.md step 2).</summary>
    public int NeonateMaxAgeDays { get; set; } = 28;

    /// <summary>MDCP infant window upper bound (drg.md step 3: 29 ≤ age_days ≤ 365).</summary>
    public int InfantMaxAgeDays { get; set; } = 365;

    public List<MdcRow> Mdcs { get; } = [];

    public List<CodeRow> MdcDx { get; } = [];

    public List<SiteRow> Sites { get; } = [];

    public List<AdrgRow> Adrgs { get; } = [];

    public List<SectionRow> AdrgDx { get; } = [];

    public List<SectionRow> AdrgProc { get; } = [];

    public List<DrgRow> Drgs { get; } = [];

    public List<CcRow> CcMcc { get; } = [];

    public List<CodeRow> Exclusions { get; } = [];

    /// <summary>Null when the catalog has no pricing.csv (real 2.0 weights do not exist).</summary>
    public List<PriceRow>? Pricing { get; set; }

    public void WriteTo(string dir)
    {
        Directory.CreateDirectory(dir);
        var manifest = new JsonObject
        {
            ["format"] = Format,
            ["name"] = Name,
            ["version"] = Version,
            ["effective_from"] = EffectiveFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["effective_to"] = EffectiveTo?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["demo"] = Demo,
            ["description"] = Description,
            ["neonate_max_age_days"] = NeonateMaxAgeDays,
            ["infant_max_age_days"] = InfantMaxAgeDays,
        };
        var json = manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        File.WriteAllText(Path.Combine(dir, ManifestFile), json.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n", new System.Text.UTF8Encoding(false));

        CsvWriter.Write(Path.Combine(dir, MdcFile), ["mdc", "name", "kind", "sex", "on_sex_conflict", "on_no_adrg"], Mdcs.Select(m => new[] { m.Code, m.Name, m.Kind, m.Sex, m.OnSexConflict, m.OnNoAdrg }));
        CsvWriter.Write(Path.Combine(dir, MdcDxFile), ["mdc", "icd10"], MdcDx.Select(r => new[] { r.Key, r.Code }));
        CsvWriter.Write(Path.Combine(dir, SitesFile), ["site", "site_name", "icd10"], Sites.Select(r => new[] { r.Site, r.SiteName, r.Code }));
        CsvWriter.Write(
            Path.Combine(dir, AdrgFile),
            ["adrg", "mdc", "name", "kind", "order", "entry_logic", "age_days_min", "age_days_max", "birth_weight_min_g", "birth_weight_max_g"],
            Adrgs.Select(a => new[] { a.Code, a.Mdc, a.Name, a.Kind, I(a.Order), a.EntryLogic, I(a.AgeDaysMin), I(a.AgeDaysMax), I(a.WeightMin), I(a.WeightMax) }));
        CsvWriter.Write(Path.Combine(dir, AdrgDxFile), ["adrg", "section", "icd10"], AdrgDx.Select(r => new[] { r.Adrg, r.Section, r.Code }));
        CsvWriter.Write(Path.Combine(dir, AdrgProcFile), ["adrg", "section", "icd9"], AdrgProc.Select(r => new[] { r.Adrg, r.Section, r.Code }));
        CsvWriter.Write(Path.Combine(dir, DrgFile), ["drg", "adrg", "split", "name"], Drgs.Select(d => new[] { d.Code, d.Adrg, d.Split, d.Name }));
        CsvWriter.Write(Path.Combine(dir, CcFile), ["icd10", "level", "exclusion_table"], CcMcc.Select(c => new[] { c.Code, c.Level, c.Table }));
        CsvWriter.Write(Path.Combine(dir, ExclusionFile), ["exclusion_table", "icd10"], Exclusions.Select(e => new[] { e.Key, e.Code }));
        var pricing = Path.Combine(dir, PricingFile);
        if (Pricing is not null)
        {
            CsvWriter.Write(pricing, ["drg", "relative_weight", "average_cost"], Pricing.Select(p => new[] { p.Drg, p.RelativeWeight.ToString("0.0000", CultureInfo.InvariantCulture), p.AverageCost?.ToString("0.00", CultureInfo.InvariantCulture) ?? string.Empty }));
        }
        else if (File.Exists(pricing))
        {
            File.Delete(pricing);
        }
    }

    public static CatalogSource ReadFrom(string dir)
    {
        var src = new CatalogSource();
        var manifestPath = Path.Combine(dir, ManifestFile);
        if (!File.Exists(manifestPath))
        {
            throw new InputException(manifestPath, "catalog manifest not found (is this a DRG catalog directory?)");
        }

        JsonNode? root;
        try
        {
            // Duplicate keys are an error (found by the fuzzer: they used to surface as ArgumentException).
            root = JsonNode.Parse(File.ReadAllText(manifestPath), documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw new InputException(manifestPath, e.LineNumber is { } l ? l + 1 : 0, null, "invalid JSON: " + e.Message);
        }

        if (root is not JsonObject m)
        {
            throw new InputException(manifestPath, "expected a JSON object");
        }

        string Str(string key, bool required)
        {
            var v = m[key];
            if (v is null)
            {
                return required ? throw new InputException(manifestPath, 0, key, "required") : string.Empty;
            }

            return v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : throw new InputException(manifestPath, 0, key, "expected a string");
        }

        var format = Str("format", true);
        if (format != Format)
        {
            throw new InputException(manifestPath, 0, "format", $"expected '{Format}', found '{format}'");
        }

        src.Name = Str("name", true);
        src.Version = Str("version", true);
        if (src.Name.Length == 0 || src.Version.Length == 0)
        {
            throw new InputException(manifestPath, 0, "name", "name and version must not be empty");
        }

        src.EffectiveFrom = ParseDate(manifestPath, "effective_from", Str("effective_from", true));
        var to = Str("effective_to", false);
        src.EffectiveTo = to.Length == 0 ? null : ParseDate(manifestPath, "effective_to", to);
        if (src.EffectiveTo < src.EffectiveFrom)
        {
            throw new InputException(manifestPath, 0, "effective_to", "before effective_from");
        }

        src.Demo = m["demo"] is { } d && (d.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? d.GetValue<bool>() : throw new InputException(manifestPath, 0, "demo", "expected true or false"));
        src.Description = Str("description", false);
        src.NeonateMaxAgeDays = Int(m, manifestPath, "neonate_max_age_days", 28);
        src.InfantMaxAgeDays = Int(m, manifestPath, "infant_max_age_days", 365);
        if (src.NeonateMaxAgeDays < 0 || src.InfantMaxAgeDays <= src.NeonateMaxAgeDays || src.InfantMaxAgeDays > 365)
        {
            throw new InputException(manifestPath, 0, "infant_max_age_days", "need 0 ≤ neonate_max_age_days < infant_max_age_days ≤ 365");
        }

        var t = CsvTable.Read(Path.Combine(dir, MdcFile), "mdc", "name", "kind", "sex", "on_sex_conflict", "on_no_adrg");
        foreach (var (line, f) in t.Rows)
        {
            src.Mdcs.Add(new MdcRow(t.Get(f, "mdc"), t.Get(f, "name"), t.Get(f, "kind"), t.Get(f, "sex"), t.Get(f, "on_sex_conflict"), t.Get(f, "on_no_adrg"), line));
        }

        t = CsvTable.Read(Path.Combine(dir, MdcDxFile), "mdc", "icd10");
        foreach (var (line, f) in t.Rows)
        {
            src.MdcDx.Add(new CodeRow(t.Get(f, "mdc"), t.Get(f, "icd10"), line));
        }

        t = CsvTable.Read(Path.Combine(dir, SitesFile), "site", "site_name", "icd10");
        foreach (var (line, f) in t.Rows)
        {
            src.Sites.Add(new SiteRow(t.Get(f, "site"), t.Get(f, "site_name"), t.Get(f, "icd10"), line));
        }

        t = CsvTable.Read(Path.Combine(dir, AdrgFile), "adrg", "mdc", "name", "kind", "order", "entry_logic", "age_days_min", "age_days_max", "birth_weight_min_g", "birth_weight_max_g");
        foreach (var (line, f) in t.Rows)
        {
            src.Adrgs.Add(new AdrgRow(
                t.Get(f, "adrg"),
                t.Get(f, "mdc"),
                t.Get(f, "name"),
                t.Get(f, "kind"),
                OptInt(t, line, f, "order") ?? throw t.Error(line, "order", "required"),
                t.Get(f, "entry_logic"),
                OptInt(t, line, f, "age_days_min"),
                OptInt(t, line, f, "age_days_max"),
                OptInt(t, line, f, "birth_weight_min_g"),
                OptInt(t, line, f, "birth_weight_max_g"),
                line));
        }

        t = CsvTable.Read(Path.Combine(dir, AdrgDxFile), "adrg", "section", "icd10");
        foreach (var (line, f) in t.Rows)
        {
            src.AdrgDx.Add(new SectionRow(t.Get(f, "adrg"), t.Get(f, "section"), t.Get(f, "icd10"), line));
        }

        t = CsvTable.Read(Path.Combine(dir, AdrgProcFile), "adrg", "section", "icd9");
        foreach (var (line, f) in t.Rows)
        {
            src.AdrgProc.Add(new SectionRow(t.Get(f, "adrg"), t.Get(f, "section"), t.Get(f, "icd9"), line));
        }

        t = CsvTable.Read(Path.Combine(dir, DrgFile), "drg", "adrg", "split", "name");
        foreach (var (line, f) in t.Rows)
        {
            src.Drgs.Add(new DrgRow(t.Get(f, "drg"), t.Get(f, "adrg"), t.Get(f, "split"), t.Get(f, "name"), line));
        }

        t = CsvTable.Read(Path.Combine(dir, CcFile), "icd10", "level", "exclusion_table");
        foreach (var (line, f) in t.Rows)
        {
            src.CcMcc.Add(new CcRow(t.Get(f, "icd10"), t.Get(f, "level"), t.Get(f, "exclusion_table"), line));
        }

        t = CsvTable.Read(Path.Combine(dir, ExclusionFile), "exclusion_table", "icd10");
        foreach (var (line, f) in t.Rows)
        {
            src.Exclusions.Add(new CodeRow(t.Get(f, "exclusion_table"), t.Get(f, "icd10"), line));
        }

        var pricingPath = Path.Combine(dir, PricingFile);
        if (File.Exists(pricingPath))
        {
            t = CsvTable.Read(pricingPath, "drg", "relative_weight", "average_cost");
            src.Pricing = [];
            foreach (var (line, f) in t.Rows)
            {
                var rw = ParseDecimal(t, line, f, "relative_weight") ?? throw t.Error(line, "relative_weight", "required");
                src.Pricing.Add(new PriceRow(t.Get(f, "drg"), rw, ParseDecimal(t, line, f, "average_cost"), line));
            }
        }

        return src;
    }

    private static string I(int? v) => v?.ToString(CultureInfo.InvariantCulture) ?? string.Empty;

    private static DateOnly ParseDate(string file, string field, string v) =>
        DateOnly.TryParseExact(v, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d
            : throw new InputException(file, 0, field, $"expected a yyyy-MM-dd date, found '{v}'");

    private static int Int(JsonObject m, string file, string key, int dflt)
    {
        var v = m[key];
        if (v is null)
        {
            return dflt;
        }

        return v.GetValueKind() == JsonValueKind.Number && v.AsValue().TryGetValue<int>(out var i) ? i : throw new InputException(file, 0, key, "expected an integer");
    }

    private static int? OptInt(CsvTable t, long line, string[] f, string col)
    {
        var s = t.Get(f, col);
        if (s.Length == 0)
        {
            return null;
        }

        return int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : throw t.Error(line, col, $"expected a non-negative integer, found '{s}'");
    }

    private static decimal? ParseDecimal(CsvTable t, long line, string[] f, string col)
    {
        var s = t.Get(f, col);
        if (s.Length == 0)
        {
            return null;
        }

        return decimal.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var v) ? v : throw t.Error(line, col, $"expected a non-negative decimal, found '{s}'");
    }
}
