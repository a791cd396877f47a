using System.Collections.ObjectModel;
using System.Globalization;
using System.Text.RegularExpressions;
using Grouper.Core;
using Grouper.Drg.Internals;

namespace Grouper.Drg;

/// <summary>How a case enters an MDC (mdcs.csv <c>kind</c>).</summary>
public enum MdcKind : byte
{
    /// <summary>By principal diagnosis (mdc_dx.csv).</summary>
    Regular = 0,

    /// <summary>MDCA 先期分组: entered when one of its ADRGs holds (drg.md step 1).</summary>
    PreAdrg = 1,

    /// <summary>MDCP 新生儿: entered by age (steps 2–3).</summary>
    Newborn = 2,

    /// <summary>MDCY: any diagnosis in its mdc_dx list (step 4).</summary>
    AnyDx = 3,

    /// <summary>MDCZ 多发严重创伤: principal in a site list and ≥ 2 sites (step 5).</summary>
    MultiTrauma = 4,
}

/// <summary>An ADRG as the lead's sample-data generator sees it.</summary>
public sealed record DrgAdrgView(
    string Code,
    string Mdc,
    AdrgKind Kind,
    string Name,
    string EntryLogic,
    IReadOnlyList<string> PrincipalDiagnoses,
    IReadOnlyList<string> SecondaryDiagnoses,
    IReadOnlyList<string> Procedures);

/// <summary>A CC/MCC secondary diagnosis with its exclusion table.</summary>
public sealed record DrgCcView(string Code, CcLevel Level, string ExclusionTable);

/// <summary>
/// A validated, compiled CHS-DRG catalog (format in docs/drg.md). Immutable after <see cref="Load"/>;
/// code lists are compiled to dense ids and per-code test bit lists for <see cref="DrgGrouper"/>.
/// </summary>
public sealed partial class DrgCatalog
{
    internal const int TestHasProc = 0;
    internal const int TestNoProc = 1;

    private readonly string[] _mdcCodes;
    private readonly string[] _mdcNames;
    private readonly string[] _adrgCodes;
    private readonly string[] _adrgNames;
    private readonly string[] _drgCodes;
    private readonly string[] _drgNames;
    private readonly int[] _drgWeight4;
    private readonly long[] _drgAverageCostFen;
    private readonly string[] _tableNames;

    private DrgCatalog(CatalogSource src, string path)
    {
        Path = path;
        Name = src.Name;
        Version = src.Version;
        EffectiveFrom = src.EffectiveFrom;
        EffectiveTo = src.EffectiveTo;
        IsDemo = src.Demo;
        Description = src.Description;
        NeonateMaxAgeDays = src.NeonateMaxAgeDays;
        InfantMaxAgeDays = src.InfantMaxAgeDays;
        HasPricing = src.Pricing is not null;

        var b = new CatalogBuilder(src, path);
        b.Build();
        _mdcCodes = b.MdcCodes;
        _mdcNames = b.MdcNames;
        _adrgCodes = b.AdrgCodes;
        _adrgNames = b.AdrgNames;
        _drgCodes = b.DrgCodes;
        _drgNames = b.DrgNames;
        _drgWeight4 = b.DrgWeight4;
        _drgAverageCostFen = b.DrgAverageCostFen;
        _tableNames = b.TableNames;
        Compiled = b.Compiled;
        Adrgs = new ReadOnlyCollection<DrgAdrgView>(b.AdrgViews);
        CcCodes = new ReadOnlyCollection<DrgCcView>(b.CcViews);
        SiteNames = new ReadOnlyCollection<string>(b.SiteNames);
    }

    /// <summary>Directory the catalog was loaded from.</summary>
    public string Path { get; }

    public string Name { get; }

    public string Version { get; }

    public DateOnly EffectiveFrom { get; }

    /// <summary>Last day in force; null = open-ended.</summary>
    public DateOnly? EffectiveTo { get; }

    /// <summary>True for demo catalogs (invented weights, not for real settlement).</summary>
    public bool IsDemo { get; }

    public string Description { get; }

    public int NeonateMaxAgeDays { get; }

    public int InfantMaxAgeDays { get; }

    /// <summary>True when the catalog has a pricing.csv (relative weights and average costs).</summary>
    public bool HasPricing { get; }

    public int MdcCount => _mdcCodes.Length;

    public int AdrgCount => _adrgCodes.Length;

    /// <summary>Number of DRG table entries, including <c>0000</c> (index 0) and the <c>xQY</c> codes.</summary>
    public int DrgCount => _drgCodes.Length;

    public int ExclusionTableCount => _tableNames.Length;

    /// <summary>ADRGs in file order, with their principal-diagnosis and procedure lists.</summary>
    public IReadOnlyList<DrgAdrgView> Adrgs { get; }

    /// <summary>CC/MCC secondary diagnoses in file order.</summary>
    public IReadOnlyList<DrgCcView> CcCodes { get; }

    /// <summary>MDCZ body-site names in file order.</summary>
    public IReadOnlyList<string> SiteNames { get; }

    internal CompiledCatalog Compiled { get; }

    /// <summary>MDC code (<c>MDCE</c>); empty string for −1.</summary>
    public string MdcCode(int index) => index < 0 ? string.Empty : _mdcCodes[index];

    public string MdcName(int index) => index < 0 ? string.Empty : _mdcNames[index];

    /// <summary>ADRG code (<c>ES3</c>); empty string for −1.</summary>
    public string AdrgCode(int index) => index < 0 ? string.Empty : _adrgCodes[index];

    public string AdrgName(int index) => index < 0 ? string.Empty : _adrgNames[index];

    /// <summary>DRG code (<c>ES31</c>, <c>GQY</c>, <c>0000</c>), a cached string.</summary>
    public string DrgCode(int index) => _drgCodes[index];

    public string DrgName(int index) => _drgNames[index];

    /// <summary>Relative weight × 10,000; 0 when the catalog has none for this DRG.</summary>
    public int DrgWeight4(int index) => _drgWeight4[index];

    /// <summary>Average cost (次均费用) in fen; −1 when the catalog has none.</summary>
    public long DrgAverageCostFen(int index) => _drgAverageCostFen[index];

    /// <summary>Exclusion table name (<c>表6-3-90</c>); empty string for −1.</summary>
    public string ExclusionTableName(int index) => index < 0 ? string.Empty : _tableNames[index];

    /// <summary>Index of a DRG code (incl. <c>0000</c>, <c>xQY</c>), −1 when absent.</summary>
    public int FindDrg(string code) => Array.IndexOf(_drgCodes, code);

    public int FindAdrg(string code) => Array.IndexOf(_adrgCodes, code);

    public int FindMdc(string code) => Array.IndexOf(_mdcCodes, code);

    /// <summary>
    /// Loads and validates a catalog directory (or its catalog.json). Every problem is an
    /// <see cref="InputException"/> naming file, line and field.
    /// </summary>
    public static DrgCatalog Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var dir = File.Exists(path) ? System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))! : path;
        if (!Directory.Exists(dir))
        {
            throw new InputException(path, "catalog directory not found");
        }

        var src = CatalogSource.ReadFrom(dir);
        return new DrgCatalog(src, dir);
    }

    internal static DrgCatalog FromSource(CatalogSource src, string label) => new(src, label);

    [GeneratedRegex(@"^[A-Z][0-9]{2}(\.[0-9A-Za-z]*)?(\+[A-Z][0-9]{2}(\.[0-9A-Za-z]*)?\*)?$")]
    internal static partial Regex DxForm();

    [GeneratedRegex(@"^[0-9]{2}(\.[0-9A-Za-z]*)?$")]
    internal static partial Regex ProcForm();

    internal static string Inv(int v) => v.ToString(CultureInfo.InvariantCulture);
}
