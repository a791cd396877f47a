using Grouper.Core;

namespace Grouper.Generation;

/// <summary>
/// Where the synthetic data generator takes its codes from: case templates (principal diagnosis with
/// an optional principal procedure), secondary-diagnosis pools and an other-procedure pool, each
/// with integer relative weights. Implementations read a catalog or hold a hard-coded list; the
/// generator never assumes a code is known to any grouper (unknown but well-formed codes are fine).
/// </summary>
public interface IGeneratorCodeSource
{
    /// <summary>Short name written to the generator summary (e.g. <c>built-in</c>).</summary>
    string Name { get; }

    /// <summary>Case templates; weights are relative frequencies (any positive integers).</summary>
    IReadOnlyList<CaseTemplate> CaseTemplates { get; }

    /// <summary>Secondary diagnoses that are MCC (严重并发症或合并症) in the source's catalog.</summary>
    IReadOnlyList<WeightedCode> MccCodes { get; }

    /// <summary>Secondary diagnoses that are CC (并发症或合并症).</summary>
    IReadOnlyList<WeightedCode> CcCodes { get; }

    /// <summary>Ordinary secondary diagnoses (neither CC nor MCC).</summary>
    IReadOnlyList<WeightedCode> OrdinarySecondaryCodes { get; }

    /// <summary>Other procedures (其他手术或操作) added after a principal procedure.</summary>
    IReadOnlyList<WeightedCode> OtherProcedures { get; }
}

/// <summary>A code with a relative weight (a positive integer).</summary>
public readonly record struct WeightedCode(Code Code, int Weight)
{
    public static WeightedCode Of(string code, int weight) => new(Code.Parse(code), weight);
}

/// <summary>
/// One kind of inpatient case: principal diagnosis, optional principal procedure
/// (<see cref="Code.Empty"/> when medical), relative frequency, cost family and who can have it.
/// </summary>
public readonly record struct CaseTemplate(
    Code PrincipalDx,
    Code PrincipalProc,
    int Weight,
    CaseFamily Family,
    TemplateSex Sex = TemplateSex.Any,
    TemplateAge Age = TemplateAge.Any)
{
    public static CaseTemplate Of(string dx, string? proc, int weight, CaseFamily family, TemplateSex sex = TemplateSex.Any, TemplateAge age = TemplateAge.Any) =>
        new(Code.Parse(dx), proc is null ? Code.Empty : Code.Parse(proc), weight, family, sex, age);
}

/// <summary>Cost and length-of-stay family of a case template (see docs/generator.md for the parameters).</summary>
public enum CaseFamily : byte
{
    /// <summary>内科 common medical case.</summary>
    Medical,

    /// <summary>Severe medical case (stroke, heart failure, bleeding): longer and costlier.</summary>
    MedicalSevere,

    /// <summary>Non-OR procedure (非手术室操作): dialysis, lithotripsy, endoscopy.</summary>
    ProcedureNonOr,

    /// <summary>Minor or endoscopic surgery (appendectomy, cholecystectomy, cataract).</summary>
    SurgicalMinor,

    /// <summary>Major surgery (joint replacement, PCI, lobectomy).</summary>
    SurgicalMajor,

    /// <summary>Delivery and pregnancy (产科).</summary>
    Obstetric,

    /// <summary>Newborn (新生儿).</summary>
    Neonatal,

    /// <summary>Tumour treatment (chemotherapy, palliative).</summary>
    Oncology,

    /// <summary>Psychiatric long stay (精神).</summary>
    Psychiatric,

    /// <summary>Rehabilitation long stay (康复).</summary>
    Rehabilitation,
}

/// <summary>Sex a template applies to.</summary>
public enum TemplateSex : byte
{
    Any,
    Male,
    Female,
}

/// <summary>Age group a template applies to.</summary>
public enum TemplateAge : byte
{
    /// <summary>Any age from 29 days (neonates only through <see cref="Neonate"/> templates).</summary>
    Any,

    /// <summary>0–28 days, birth weight mostly normal.</summary>
    Neonate,

    /// <summary>0–28 days, preterm birth weight (under 2,500 g).</summary>
    PretermNeonate,

    /// <summary>29–364 days.</summary>
    Infant,

    /// <summary>29 days to 14 years.</summary>
    Child,

    /// <summary>15 years and older.</summary>
    Adult,

    /// <summary>Women of child-bearing age (16–49).</summary>
    Fertile,

    /// <summary>60 years and older.</summary>
    Elderly,
}
