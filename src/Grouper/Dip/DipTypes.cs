using Grouper.Core;

namespace Grouper.Dip;

/// <summary>Kind of DIP group a case lands in (病种类型). Numeric values are stable.</summary>
public enum DipGroupKind : byte
{
    /// <summary>No group: <c>UNMATCHED</c>, reason <see cref="DipReason.NoGroup"/>.</summary>
    Unmatched = 0,

    /// <summary>核心病种: diagnosis key × procedure set with enough history.</summary>
    Core = 1,

    /// <summary>综合病种: category × treatment kind.</summary>
    Comprehensive = 2,

    /// <summary>基层病种: a core group on the policy list, same score at every level.</summary>
    Grassroots = 3,

    /// <summary>床日付费: left DIP grouping, paid LOS × daily points.</summary>
    PerDiem = 4,
}

/// <summary>Treatment kind of a comprehensive group, ordered by precedence (highest present wins).</summary>
public enum TreatmentKind : byte
{
    /// <summary>保守治疗, code letter C.</summary>
    Conservative = 0,

    /// <summary>诊断性操作, code letter D.</summary>
    Diagnostic = 1,

    /// <summary>治疗性操作, code letter T.</summary>
    Therapeutic = 2,

    /// <summary>相关手术, code letter S.</summary>
    Surgery = 3,
}

/// <summary>Procedure classification of the catalog. Values mirror <see cref="TreatmentKind"/> so the highest kind present is a max.</summary>
public enum ProcedureKind : byte
{
    /// <summary>Not part of the procedure set (e.g. laboratory).</summary>
    Ignored = 0,

    /// <summary>诊断性操作.</summary>
    Diagnostic = 1,

    /// <summary>治疗性操作.</summary>
    Therapeutic = 2,

    /// <summary>相关手术.</summary>
    Surgery = 3,
}

/// <summary>How a case is paid inside DIP (病例类型).</summary>
public enum CaseKind : byte
{
    /// <summary>正常病例.</summary>
    Normal = 0,

    /// <summary>低倍率病例: r ≤ low threshold.</summary>
    LowOutlier = 1,

    /// <summary>高倍率病例: r ≥ high threshold.</summary>
    HighOutlier = 2,

    /// <summary>特病单议 candidate; keeps its formula points until approved.</summary>
    IndividualReview = 3,

    /// <summary>床日付费.</summary>
    PerDiem = 4,
}

/// <summary>Auxiliary catalog item (辅助目录) that gave the applied factor.</summary>
public enum AuxItem : byte
{
    None = 0,

    /// <summary>疾病严重程度 (CCI level 1–4).</summary>
    Cci = 1,

    /// <summary>年龄 band.</summary>
    Age = 2,

    /// <summary>肿瘤严重程度 level.</summary>
    Tumour = 3,

    /// <summary>离院方式.</summary>
    DischargeMode = 4,
}

/// <summary>Why a DIP result is what it is. Stable names via <see cref="DipReasons.Name"/>.</summary>
public enum DipReason : byte
{
    /// <summary>Grouped and scored (<c>OK</c>).</summary>
    Ok = 0,

    /// <summary>No core or comprehensive group (<c>DIP_NO_GROUP</c>): paid by items.</summary>
    NoGroup = 1,

    /// <summary>Per-diem category matched (<c>DIP_PER_DIEM</c>).</summary>
    PerDiem = 2,

    /// <summary>Individual-review candidate by cost ratio (<c>DIP_REVIEW_COST_RATIO</c>).</summary>
    ReviewCostRatio = 3,

    /// <summary>Individual-review candidate by length of stay (<c>DIP_REVIEW_LONG_STAY</c>).</summary>
    ReviewLongStay = 4,
}

/// <summary>Stable spellings of the DIP enums used in files and outputs.</summary>
public static class DipReasons
{
    public static string Name(DipReason reason) => reason switch
    {
        DipReason.Ok => "OK",
        DipReason.NoGroup => "DIP_NO_GROUP",
        DipReason.PerDiem => "DIP_PER_DIEM",
        DipReason.ReviewCostRatio => "DIP_REVIEW_COST_RATIO",
        DipReason.ReviewLongStay => "DIP_REVIEW_LONG_STAY",
        _ => "DIP_UNKNOWN",
    };

    public static string Name(DipGroupKind kind) => kind switch
    {
        DipGroupKind.Core => "Core",
        DipGroupKind.Comprehensive => "Comprehensive",
        DipGroupKind.Grassroots => "Grassroots",
        DipGroupKind.PerDiem => "PerDiem",
        _ => "Unmatched",
    };

    public static string Name(CaseKind kind) => kind switch
    {
        CaseKind.LowOutlier => "LowOutlier",
        CaseKind.HighOutlier => "HighOutlier",
        CaseKind.IndividualReview => "IndividualReview",
        CaseKind.PerDiem => "PerDiem",
        _ => "Normal",
    };

    public static string Name(AuxItem item) => item switch
    {
        AuxItem.Cci => "cci",
        AuxItem.Age => "age",
        AuxItem.Tumour => "tumour",
        AuxItem.DischargeMode => "discharge_mode",
        _ => "none",
    };

    /// <summary>Code letter of a comprehensive group's treatment kind (<c>K35:S</c>).</summary>
    public static char Letter(TreatmentKind kind) => kind switch
    {
        TreatmentKind.Surgery => 'S',
        TreatmentKind.Therapeutic => 'T',
        TreatmentKind.Diagnostic => 'D',
        _ => 'C',
    };

    public static string Name(ProcedureKind kind) => kind switch
    {
        ProcedureKind.Surgery => "surgery",
        ProcedureKind.Therapeutic => "therapeutic",
        ProcedureKind.Diagnostic => "diagnostic",
        _ => "ignored",
    };

    public static bool TryParse(string text, out ProcedureKind kind)
    {
        switch (text)
        {
            case "surgery": kind = ProcedureKind.Surgery; return true;
            case "therapeutic": kind = ProcedureKind.Therapeutic; return true;
            case "diagnostic": kind = ProcedureKind.Diagnostic; return true;
            case "ignored": kind = ProcedureKind.Ignored; return true;
            default: kind = ProcedureKind.Ignored; return false;
        }
    }

    public static bool TryParse(string text, out AuxItem item)
    {
        switch (text)
        {
            case "cci": item = AuxItem.Cci; return true;
            case "age": item = AuxItem.Age; return true;
            case "tumour": item = AuxItem.Tumour; return true;
            case "discharge_mode": item = AuxItem.DischargeMode; return true;
            default: item = AuxItem.None; return false;
        }
    }
}

/// <summary>
/// One case as DIP sees it: a view over codes owned by the caller (a batch's code pool), so
/// matching allocates nothing.
/// </summary>
public readonly ref struct DipInput
{
    public DipInput(
        Code principalDx,
        ReadOnlySpan<Code> secondaryDx,
        Code principalProc,
        ReadOnlySpan<Code> otherProcs,
        int ageYears,
        int ageDays,
        DischargeMode dischargeMode,
        int lengthOfStay,
        long totalCostFen,
        HospitalLevel hospitalLevel,
        HospitalKind hospitalKind)
    {
        PrincipalDx = principalDx;
        SecondaryDx = secondaryDx;
        PrincipalProc = principalProc;
        OtherProcs = otherProcs;
        AgeYears = ageYears;
        AgeDays = ageDays;
        DischargeMode = dischargeMode;
        LengthOfStay = lengthOfStay;
        TotalCostFen = totalCostFen;
        HospitalLevel = hospitalLevel;
        HospitalKind = hospitalKind;
    }

    public Code PrincipalDx { get; }

    public ReadOnlySpan<Code> SecondaryDx { get; }

    /// <summary>Principal procedure; <see cref="Code.Empty"/> when none.</summary>
    public Code PrincipalProc { get; }

    public ReadOnlySpan<Code> OtherProcs { get; }

    public int AgeYears { get; }

    /// <summary>Age in days, used only when <see cref="AgeYears"/> is 0; −1 when absent.</summary>
    public int AgeDays { get; }

    public DischargeMode DischargeMode { get; }

    public int LengthOfStay { get; }

    public long TotalCostFen { get; }

    public HospitalLevel HospitalLevel { get; }

    public HospitalKind HospitalKind { get; }
}

/// <summary>
/// The DIP result of one case. Plain data, no references: the group's code text is
/// <see cref="DipCatalog.GroupCode"/> of <see cref="GroupIndex"/>.
/// </summary>
public struct DipResult
{
    /// <summary>Index into <see cref="DipCatalog.Groups"/>; −1 when unmatched or per diem.</summary>
    public int GroupIndex;

    public DipGroupKind GroupKind;

    /// <summary>病种分值 of the group in 0.0001 points; 0 when no group.</summary>
    public long ScoreE4;

    /// <summary>Applied auxiliary factor in 0.0001 (the single largest applicable; 10000 when none).</summary>
    public long AuxFactorE4;

    public AuxItem AuxItem;

    /// <summary>Level within <see cref="AuxItem"/>: CCI level 1–4, age band index, tumour level, discharge mode code.</summary>
    public byte AuxLevel;

    public CaseKind CaseKind;

    /// <summary>Which formula produced the points (Normal, LowOutlier, HighOutlier or PerDiem); differs from <see cref="CaseKind"/> for review candidates.</summary>
    public CaseKind PointsFormula;

    /// <summary>费用倍率 total cost ÷ reference cost in 0.0001 (4 places half-up); 0 when no group.</summary>
    public long CostRatioE4;

    /// <summary>Reference cost used for the ratio (same-level mean where present, else the group mean), fen.</summary>
    public long ReferenceCostFen;

    /// <summary>病例结算分值 before hospital coefficients, in 0.0001 points (4 places half-up).</summary>
    public long PointsE4;

    public DipReason Reason;

    /// <summary>Index of the per-diem category in <see cref="DipCatalog.Definitions"/>; −1 otherwise.</summary>
    public short PerDiemCategory;

    /// <summary>病种分值, 4 places.</summary>
    public readonly decimal Score => Internals.FixedPoint.ToDecimal(ScoreE4);

    /// <summary>Applied auxiliary factor, 4 places.</summary>
    public readonly decimal AuxFactor => Internals.FixedPoint.ToDecimal(AuxFactorE4);

    /// <summary>费用倍率, 4 places.</summary>
    public readonly decimal CostRatio => Internals.FixedPoint.ToDecimal(CostRatioE4);

    /// <summary>病例结算分值 before hospital coefficients, 4 places.</summary>
    public readonly decimal Points => Internals.FixedPoint.ToDecimal(PointsE4);
}
