using Grouper.Core;
using Grouper.Drg;

namespace Grouper.Generation;

/// <summary>
/// Draws case templates from a DRG catalog (our format), so generated cases land in its ADRGs: medical
/// ADRGs give their principal diagnoses; procedure ADRGs pair their principal procedures with their
/// own principal diagnoses (PDX &amp; PPROC) or with a medical diagnosis of the same MDC (PPROC only).
/// Pre-MDC, HIV, multiple-trauma and weight-band ADRGs need code combinations and are left out.
/// Secondary pools come from the catalog's CC/MCC list plus the built-in ordinary codes.
/// </summary>
public sealed class DrgCatalogCodeSource : IGeneratorCodeSource
{
    private static readonly HashSet<string> SkippedMdcs = new(StringComparer.Ordinal) { "MDCA", "MDCY", "MDCZ" };

    public DrgCatalogCodeSource(DrgCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        Name = $"drg-catalog:{catalog.Name} {catalog.Version}";
        var builtIn = new BuiltInCodeSource();
        var templates = new List<CaseTemplate>();
        var medicalDxByMdc = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var a in catalog.Adrgs)
        {
            if (a.Kind == AdrgKind.Medical && a.PrincipalDiagnoses.Count > 0)
            {
                if (!medicalDxByMdc.TryGetValue(a.Mdc, out var list))
                {
                    medicalDxByMdc[a.Mdc] = list = [];
                }

                list.AddRange(a.PrincipalDiagnoses);
            }
        }

        foreach (var a in catalog.Adrgs)
        {
            if (SkippedMdcs.Contains(a.Mdc) || a.EntryLogic.Contains("DX", StringComparison.Ordinal) && !a.EntryLogic.Contains("PDX", StringComparison.Ordinal))
            {
                continue; // pre-MDC, HIV, trauma, and DX/SDX-only logic (preterm weight bands, deliveries)
            }

            var (sex, age) = Demographics(a);
            if (a.Kind == AdrgKind.Medical)
            {
                foreach (var dx in a.PrincipalDiagnoses)
                {
                    templates.Add(CaseTemplate.Of(dx, null, 6, a.Mdc == "MDCP" ? CaseFamily.Neonatal : CaseFamily.Medical, sex, age));
                }

                continue;
            }

            var diagnoses = a.PrincipalDiagnoses.Count > 0 ? a.PrincipalDiagnoses : medicalDxByMdc.GetValueOrDefault(a.Mdc) ?? [];
            if (diagnoses.Count == 0 || a.Procedures.Count == 0)
            {
                continue;
            }

            var family = a.Kind == AdrgKind.Surgical ? CaseFamily.SurgicalMajor : CaseFamily.ProcedureNonOr;
            for (var i = 0; i < a.Procedures.Count; i++)
            {
                templates.Add(CaseTemplate.Of(diagnoses[i % diagnoses.Count], a.Procedures[i], a.Kind == AdrgKind.Surgical ? 4 : 3, family, sex, age));
            }
        }

        CaseTemplates = templates;
        var mcc = new List<WeightedCode>();
        var cc = new List<WeightedCode>();
        foreach (var c in catalog.CcCodes)
        {
            (c.Level == CcLevel.Mcc ? mcc : cc).Add(WeightedCode.Of(c.Code, 1));
        }

        MccCodes = mcc.Count > 0 ? mcc : builtIn.MccCodes;
        CcCodes = cc.Count > 0 ? cc : builtIn.CcCodes;
        OrdinarySecondaryCodes = builtIn.OrdinarySecondaryCodes;
        OtherProcedures = builtIn.OtherProcedures;
    }

    public string Name { get; }

    public IReadOnlyList<CaseTemplate> CaseTemplates { get; }

    public IReadOnlyList<WeightedCode> MccCodes { get; }

    public IReadOnlyList<WeightedCode> CcCodes { get; }

    public IReadOnlyList<WeightedCode> OrdinarySecondaryCodes { get; }

    public IReadOnlyList<WeightedCode> OtherProcedures { get; }

    private static (TemplateSex Sex, TemplateAge Age) Demographics(DrgAdrgView a) => a.Mdc switch
    {
        "MDCP" when a.Code == "PV1" => (TemplateSex.Any, TemplateAge.Infant),
        "MDCP" => (TemplateSex.Any, TemplateAge.Neonate),
        "MDCO" => (TemplateSex.Female, TemplateAge.Fertile),
        "MDCM" => (TemplateSex.Male, TemplateAge.Adult),
        "MDCN" => (TemplateSex.Female, TemplateAge.Adult),
        _ => (TemplateSex.Any, TemplateAge.Any),
    };
}
