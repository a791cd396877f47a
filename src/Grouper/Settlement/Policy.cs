using Grouper.Core;

namespace Grouper.Settlement;

/// <summary>Benefit tier of a case (settlement.md step 1): 市外 / 市级 / 县级 / 乡级.</summary>
public enum BenefitTier : byte
{
    OutOfCity = 0,
    City = 1,
    County = 2,
    Township = 3,
}

/// <summary>How the patient is billed (settlement.md step 2).</summary>
public enum ChargeMode : byte
{
    /// <summary>按项目 item billing.</summary>
    Items = 0,

    /// <summary>DRG 收付费.</summary>
    Drg = 1,

    /// <summary>按病种收费.</summary>
    PerDisease = 2,
}

/// <summary>Adjustments the chain applied to a case (flags, listed on the case).</summary>
[Flags]
public enum ChainAdjustments : uint
{
    None = 0,

    /// <summary>中医院 deductible reduction.</summary>
    TcmReduction = 1 << 0,

    /// <summary>Deductible scaled by the admission factor (2nd admission 0.80, 3rd+ 0).</summary>
    AdmissionFactor = 1 << 1,

    /// <summary>Ratio −0.05: out-of-region care without registration (001).</summary>
    UnregisteredReduction = 1 << 2,

    /// <summary>Ratio lowered: limited-referral disease treated out of region (001).</summary>
    LimitedReferralReduction = 1 << 3,

    /// <summary>Ratio raised to a floor (Ningbo grassroots 0.80, 004).</summary>
    RatioFloor = 1 << 4,

    /// <summary>Ratio clamped into [0, 1].</summary>
    RatioClamped = 1 << 5,

    /// <summary>Per-disease case settled with the general table (no per-disease ratio in force).</summary>
    PerDiseaseGeneralRatio = 1 << 6,

    /// <summary>Registered long-term resident elsewhere: local standards (001).</summary>
    ResidentLocalStandards = 1 << 7,

    /// <summary>Basic fund limited by the annual cap.</summary>
    AnnualCapReached = 1 << 8,

    /// <summary>Critical illness by the special-class variant (特困/孤儿/低保/返贫).</summary>
    CriticalIllnessSpecialClass = 1 << 9,

    /// <summary>Critical illness limited by its cap.</summary>
    CriticalIllnessCapReached = 1 << 10,

    /// <summary>Medical assistance limited by the class cap (shared with outpatient).</summary>
    AssistanceCapReached = 1 << 11,

    /// <summary>Tilt assistance paid on this case.</summary>
    TiltPaid = 1 << 12,

    /// <summary>Tilt assistance limited by its cap.</summary>
    TiltCapReached = 1 << 13,

    /// <summary>Assistance class without parameters in the policy: no assistance layer.</summary>
    AssistanceClassNotInPolicy = 1 << 14,

    /// <summary>Tilt limited to this case's own S3 (base from earlier cases would exceed it).</summary>
    TiltLimitedToCase = 1 << 15,
}

/// <summary>Deductible, ratios, floor and caps of one insurance type resolved for a date.</summary>
public sealed record class BenefitTable
{
    /// <summary>起付线 in yuan by <see cref="BenefitTier"/>.</summary>
    public required decimal[] Deductible { get; init; }

    /// <summary>TCM hospital deductible reduction (yuan) and the tiers where it applies.</summary>
    public decimal TcmReduction { get; init; }

    public required bool[] TcmTiers { get; init; }

    /// <summary>Factor for admission n = index + 1; the last applies to every later admission.</summary>
    public required decimal[] AdmissionFactors { get; init; }

    /// <summary>General ratio by <see cref="BenefitTier"/>.</summary>
    public required decimal[] GeneralRatio { get; init; }

    /// <summary>按病种 ratios [in city below 3A, in city 3A, out of city below tier 3, out of city tier 3]; null = general table.</summary>
    public decimal[]? PerDiseaseRatio { get; init; }

    /// <summary>Out-of-city DRG-charge ratios [below 3A, 3A]; null = general table.</summary>
    public decimal[]? DrgChargeOutOfCityRatio { get; init; }

    /// <summary>Ratio floor at grassroots institutions, by tier (0 = none).</summary>
    public required decimal[] GrassrootsFloor { get; init; }

    /// <summary>Annual basic fund cap (fen); long.MaxValue when none.</summary>
    public long AnnualCapFen { get; init; } = long.MaxValue;

    public CriticalIllnessParameters? CriticalIllness { get; init; }
}

/// <summary>大病保险 parameters.</summary>
public sealed record class CriticalIllnessParameters
{
    public decimal Threshold { get; init; }

    public decimal Ratio { get; init; }

    /// <summary>Cap in fen; long.MaxValue when none.</summary>
    public long CapFen { get; init; } = long.MaxValue;

    /// <summary>Indexed by <see cref="AssistanceClass"/>: true for the special classes.</summary>
    public required bool[] SpecialClass { get; init; }

    public decimal SpecialThreshold { get; init; }

    public decimal SpecialRatio { get; init; }

    public long SpecialCapFen { get; init; } = long.MaxValue;
}

/// <summary>医疗救助 parameters of one class.</summary>
public sealed record class AssistanceParameters
{
    /// <summary>Annual inpatient deductible (fen).</summary>
    public long DeductibleFen { get; init; }

    public decimal Ratio { get; init; }

    /// <summary>Annual cap shared with outpatient assistance (fen).</summary>
    public long CapFen { get; init; } = long.MaxValue;

    /// <summary>Outpatient (9 diseases) ratio; informational for the inpatient chain.</summary>
    public decimal? OutpatientRatio { get; init; }
}

/// <summary>倾斜救助 parameters.</summary>
public sealed record class TiltParameters
{
    public decimal Threshold { get; init; }

    public decimal Ratio { get; init; }

    public long CapFen { get; init; } = long.MaxValue;

    /// <summary>Only care inside the province (care_location ≠ out_of_province).</summary>
    public bool InProvinceOnly { get; init; } = true;

    /// <summary>Only properly referred care (referral_status ≠ unregistered).</summary>
    public bool ExcludeUnregistered { get; init; } = true;
}

/// <summary>One RW band of DRG outlier thresholds: RW ≤ <see cref="RwUpTo"/> (null = no upper bound).</summary>
public readonly record struct DrgOutlierBand(decimal? RwUpTo, decimal High, decimal Low);

/// <summary>DRG rate-method pricing parameters (费率法).</summary>
public sealed record class DrgPricing
{
    /// <summary>Base rate (yuan per RW 1.0) indexed by <see cref="InsuranceType"/>; 0 = none.</summary>
    public required decimal[] BaseRate { get; init; }

    public required DrgOutlierBand[] Bands { get; init; }

    /// <summary>Regional middle-band variant: Low &lt; r ≤ MiddleUpper → W = RW × (r + MiddleLift).</summary>
    public bool MiddleBand { get; init; }

    public decimal MiddleUpper { get; init; }

    public decimal MiddleLift { get; init; }

    /// <summary>同病同价 DRG codes (sorted), paid with H = 1.</summary>
    public required Code[] SamePriceDrgs { get; init; }
}

/// <summary>DIP provisional pricing and outlier parameters.</summary>
public sealed record class DipPricing
{
    /// <summary>Provisional point value V0 (yuan per point, 6 places).</summary>
    public decimal PointValue { get; init; }

    public decimal Low { get; init; }

    public decimal High { get; init; }

    /// <summary>Excess factor e: high outlier points = score × aux × (1 + e·(r − high)).</summary>
    public decimal ExcessFactor { get; init; } = 1m;

    /// <summary>High threshold by hospital tier 0..3; null entries use <see cref="High"/>.</summary>
    public required decimal?[] HighByTier { get; init; }

    public decimal ReviewThreshold { get; init; }
}

/// <summary>
/// The policy of one pooling region in force on a discharge date: every parameter group resolved
/// to the row whose effective range contains the date. Immutable; built at load, shared by threads.
/// </summary>
public sealed record class ResolvedPolicy
{
    public required string Region { get; init; }

    public required string Name { get; init; }

    public required string Version { get; init; }

    public required string SourceFile { get; init; }

    /// <summary>First and last discharge date this resolution applies to (inclusive).</summary>
    public DateOnly From { get; init; }

    public DateOnly To { get; init; }

    /// <summary>True when any value in force is marked <c>demo</c> (not from a seed).</summary>
    public bool HasDemoValues { get; init; }

    public PaymentMethod DefaultPaymentMethod { get; init; } = PaymentMethod.Ffs;

    /// <summary>Indexed by <see cref="InsuranceType"/>; null = the insurance type has no benefit table.</summary>
    public required BenefitTable?[] Benefits { get; init; }

    public decimal UnregisteredReduction { get; init; }

    public decimal LimitedReferralReduction { get; init; }

    /// <summary>Limited-referral principal-diagnosis prefixes.</summary>
    public required Code[] LimitedReferralDx { get; init; }

    /// <summary>Per-disease list: principal diagnosis prefix and optional principal procedure.</summary>
    public required (Code Dx, int DxLength, Code Proc)[] PerDiseaseList { get; init; }

    /// <summary>Indexed by <see cref="AssistanceClass"/>; null = no assistance for the class.</summary>
    public required AssistanceParameters?[] Assistance { get; init; }

    public TiltParameters? Tilt { get; init; }

    public DrgPricing? Drg { get; init; }

    public DipPricing? Dip { get; init; }

    /// <summary>Per-diem rates (yuan per day) by category name (psychiatry, rehab, hospice …).</summary>
    public required IReadOnlyDictionary<string, decimal> PerDiemRates { get; init; }

    /// <summary>Report indicators (Fujian targets, Ningbo outpatient cap …): not chain rules.</summary>
    public required IReadOnlyDictionary<string, decimal> Indicators { get; init; }

    public bool Covers(InsuranceType insurance) => Benefits[(int)insurance] is not null;
}
