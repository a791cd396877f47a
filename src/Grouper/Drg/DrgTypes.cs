using System.Runtime.InteropServices;
using Grouper.Core;

namespace Grouper.Drg;

/// <summary>Why a case got its DRG. Names are stable output values (<see cref="DrgReasons.Name"/>).</summary>
public enum DrgReason : byte
{
    /// <summary>An ADRG held and the DRG was split normally.</summary>
    Ok = 0,

    /// <summary>歧义组: no procedure ADRG held but the principal procedure is in the procedure universe.</summary>
    Qy = 1,

    /// <summary>Reproductive (MDCM/MDCN) principal diagnosis with the other sex → <c>MQY</c>.</summary>
    QySexConflict = 2,

    UngroupableNoPrincipalDx = 3,
    UngroupableSexUnknown = 4,

    /// <summary>Newborn data missing: age_days for age 0, or birth weight when a weight band decides.</summary>
    UngroupableNewbornData = 5,
    UngroupableUnknownPrincipalDx = 6,

    /// <summary>Pregnancy (MDCO) principal diagnosis for a male patient.</summary>
    UngroupableSexConflict = 7,
    UngroupableNoAdrg = 8,
}

/// <summary>CC/MCC level of a case (并发症或合并症 / 严重并发症或合并症).</summary>
public enum CcLevel : byte
{
    None = 0,
    Cc = 1,
    Mcc = 2,
}

/// <summary>ADRG kind, from the 2nd letter of the code in the national convention.</summary>
public enum AdrgKind : byte
{
    /// <summary>外科手术 (2nd letter A–J).</summary>
    Surgical = 1,

    /// <summary>非手术室操作 (K–Q).</summary>
    NonOrProcedure = 2,

    /// <summary>内科 (R–Z).</summary>
    Medical = 3,
}

/// <summary>Which code of the case decided the ADRG.</summary>
public enum DrgDecidedBy : byte
{
    None = 0,
    PrincipalDiagnosis = 1,
    SecondaryDiagnosis = 2,
    PrincipalProcedure = 3,
    OtherProcedure = 4,
}

/// <summary>Stable output spellings.</summary>
public static class DrgReasons
{
    public static string Name(DrgReason r) => r switch
    {
        DrgReason.Ok => "OK",
        DrgReason.Qy => "QY",
        DrgReason.QySexConflict => "QY_SEX_CONFLICT",
        DrgReason.UngroupableNoPrincipalDx => "UNGROUPABLE_NO_PRINCIPAL_DX",
        DrgReason.UngroupableSexUnknown => "UNGROUPABLE_SEX_UNKNOWN",
        DrgReason.UngroupableNewbornData => "UNGROUPABLE_NEWBORN_DATA",
        DrgReason.UngroupableUnknownPrincipalDx => "UNGROUPABLE_UNKNOWN_PRINCIPAL_DX",
        DrgReason.UngroupableSexConflict => "UNGROUPABLE_SEX_CONFLICT",
        DrgReason.UngroupableNoAdrg => "UNGROUPABLE_NO_ADRG",
        _ => "UNKNOWN",
    };

    public static string Name(CcLevel l) => l switch
    {
        CcLevel.Mcc => "MCC",
        CcLevel.Cc => "CC",
        _ => string.Empty,
    };
}

/// <summary>
/// One case as the grouper reads it (national CHS-DRG 2.0 uses no LOS, discharge mode or vent hours).
/// Absent ints are −1; absent codes are <see cref="Code.Empty"/>.
/// </summary>
public readonly ref struct DrgInput
{
    public DrgInput(Sex sex, int ageYears, int ageDays, int birthWeightGrams, Code principalDx, ReadOnlySpan<Code> secondaryDx, Code principalProc, ReadOnlySpan<Code> otherProcs)
    {
        Sex = sex;
        AgeYears = ageYears;
        AgeDays = ageDays;
        BirthWeightGrams = birthWeightGrams;
        PrincipalDx = principalDx;
        SecondaryDx = secondaryDx;
        PrincipalProc = principalProc;
        OtherProcs = otherProcs;
    }

    public Sex Sex { get; }

    public int AgeYears { get; }

    /// <summary>Age in days (meaningful when <see cref="AgeYears"/> is 0); −1 absent.</summary>
    public int AgeDays { get; }

    /// <summary>Birth weight in grams; −1 absent.</summary>
    public int BirthWeightGrams { get; }

    public Code PrincipalDx { get; }

    public ReadOnlySpan<Code> SecondaryDx { get; }

    /// <summary>Principal procedure; empty when none (the grouper then promotes the first other procedure).</summary>
    public Code PrincipalProc { get; }

    public ReadOnlySpan<Code> OtherProcs { get; }
}

/// <summary>
/// Grouping result of one case. Plain data without references (zero allocation): MDC, ADRG and DRG
/// are indexes into the catalog's tables (<see cref="DrgCatalog.MdcCode"/>, <see cref="DrgCatalog.AdrgCode"/>,
/// <see cref="DrgCatalog.DrgCode"/> return cached strings).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct DrgResult
{
    /// <summary>MDC index, −1 when none (most 0000 results).</summary>
    public short Mdc;

    /// <summary>ADRG index, −1 for QY and 0000.</summary>
    public short Adrg;

    /// <summary>DRG index (always valid: <c>0000</c> and the <c>xQY</c> codes are entries of the DRG table).</summary>
    public short Drg;

    /// <summary>Exclusion table index of <see cref="FirstExcludedCode"/>, −1 when nothing was excluded.</summary>
    public short FirstExcludedTable;

    public DrgReason Reason;

    /// <summary>Counting CC/MCC level (filled when an ADRG is assigned).</summary>
    public CcLevel Level;

    /// <summary>Number of CC/MCC secondary diagnoses excluded by the principal diagnosis (after de-duplication).</summary>
    public byte ExcludedCount;

    public DrgDecidedBy DecidedBy;

    /// <summary>Normalisation applied by the grouper (DuplicateCode, PdxRepeated, ProcPromoted).</summary>
    public RecordWarnings Normalisation;

    /// <summary>
    /// Relative weight (RW, 权重) × 10,000 from the catalog's pricing table, 0 when the catalog has no
    /// weight for the DRG (always 0 for QY and 0000). RW = RelativeWeight4 / 10000m.
    /// </summary>
    public int RelativeWeight4;

    /// <summary>The code that decided the ADRG (or QY: the principal procedure); empty for 0000.</summary>
    public Code DecidingCode;

    /// <summary>The first secondary diagnosis (in list order) at the counting level; empty when level is none.</summary>
    public Code LevelCode;

    /// <summary>The first CC/MCC secondary diagnosis (in list order) excluded by the principal; empty when none.</summary>
    public Code FirstExcludedCode;

    public readonly decimal RelativeWeight => RelativeWeight4 / 10000m;
}

/// <summary>Switches of the grouper (not catalog data: they select behaviour of independent groupers).</summary>
public sealed record DrgGrouperOptions
{
    /// <summary>Sex 9 (not stated) → 0000 UNGROUPABLE_SEX_UNKNOWN. drg.md step 0, default on.</summary>
    public bool RequireKnownSex { get; init; } = true;
}
