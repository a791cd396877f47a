namespace Grouper.Clearing;

/// <summary>How a case is paid; every accepted case is in exactly one of these (clearing.md invariants).</summary>
public enum CasePayment : byte
{
    /// <summary>按病种分值付费 DIP: the case's points enter year-end clearing.</summary>
    Dip = 1,

    /// <summary>DRG: counted only (the DRG annual settlement is a separate analogue).</summary>
    Drg = 2,

    /// <summary>床日付费 per diem: points (LOS × daily points) enter clearing with K = 1.</summary>
    PerDiem = 3,

    /// <summary>Fee for service (items): counted only.</summary>
    Ffs = 4,
}

/// <summary>
/// Coefficient class of a DIP case (clearing.md step 3): its hospital's level group, or one of the
/// two K = 1 classes. Per-diem cases are always <see cref="PerDiem"/> whatever this field says.
/// </summary>
public enum ClearingClass : byte
{
    /// <summary>Ordinary DIP group: the level coefficient 等级系数 of the hospital's level group applies.</summary>
    Level = 0,

    /// <summary>基层病种 grassroots group: same score at every level, K = 1.</summary>
    Grassroots = 1,

    /// <summary>床日付费 per-diem case, K = 1.</summary>
    PerDiem = 2,
}

/// <summary>Outlier kind, only counted for the report's outlier shares.</summary>
public enum CaseOutlier : byte
{
    None = 0,

    /// <summary>高倍率.</summary>
    High = 1,

    /// <summary>低倍率.</summary>
    Low = 2,

    /// <summary>特病单议 (approved review applied).</summary>
    Review = 3,
}

/// <summary>
/// One accepted case as the clearing map step sees it. The lead fills it from the grouping and
/// settlement results (approved reviews already applied, see <see cref="ClearingRegionInputs.TryGetApprovedReview"/>).
/// Plain integers so that partial sums add associatively: points in 0.0001 point, money in fen.
/// </summary>
public struct ClearingCase
{
    /// <summary>Index of the hospital in the list given to <see cref="ClearingShardBuilder"/>.</summary>
    public int Hospital;

    /// <summary>Discharge month 1..12 of the clearing year.</summary>
    public byte Month;

    public CasePayment Payment;

    public ClearingClass Class;

    public CaseOutlier Outlier;

    /// <summary>dip_points before hospital coefficients (病例结算分值), in 0.0001 point.</summary>
    public long Points;

    /// <summary>Total cost (医疗总费用), fen.</summary>
    public long CostFen;

    /// <summary>N: what the patient and the other layers paid on the case, fen.</summary>
    public long OtherPaidFen;

    /// <summary>I: basic fund amount computed by items (按项目), fen.</summary>
    public long ItemFundFen;
}
