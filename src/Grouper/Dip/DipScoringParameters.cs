using Grouper.Dip.Internals;

namespace Grouper.Dip;

/// <summary>Outlier thresholds of one hospital tier (variant: "2.0 at tier 3, higher below").</summary>
public sealed record DipTierThresholds(int Tier, decimal Low, decimal High);

/// <summary>
/// Scoring switches and thresholds (the lead maps the settlement policy into this record).
/// Defaults are dip.md's typical values, every one an *Assumption* or policy value, never a constant in code.
/// JSON form in docs/dip.md.
/// </summary>
public sealed record DipScoringParameters
{
    /// <summary>低倍率: r ≤ this (0.5).</summary>
    public decimal LowThreshold { get; init; } = 0.5m;

    /// <summary>高倍率: r ≥ this (2.0).</summary>
    public decimal HighThreshold { get; init; } = 2.0m;

    /// <summary>Per-tier overrides of both thresholds (tier 0–3).</summary>
    public IReadOnlyList<DipTierThresholds> TierThresholds { get; init; } = [];

    /// <summary>e: high-outlier points = score × aux × (1 + e × (r − high)); 1 gives dip.md's (r − 2 + 1).</summary>
    public decimal ExcessFactor { get; init; } = 1m;

    /// <summary>*Assumption* false: low-outlier points = score × r without the auxiliary factor.</summary>
    public bool LowOutlierAppliesAux { get; init; }

    /// <summary>*Assumption* false: the high-outlier reference cost is not scaled by the auxiliary factor.</summary>
    public bool HighReferenceScaledByAux { get; init; }

    /// <summary>Middle-band lift variant (drg.md, Zhejiang): MiddleBandLow &lt; r ≤ MiddleBandHigh → points = score × (r + lift). Null = off.</summary>
    public decimal? MiddleBandLow { get; init; }

    public decimal? MiddleBandHigh { get; init; }

    public decimal? MiddleBandLift { get; init; }

    /// <summary>Reference cost is the group's same-grade-group mean where the catalog has it (dip.md), else m_g.</summary>
    public bool UseSameLevelReference { get; init; } = true;

    /// <summary>特病单议 candidate when r ≥ this (5, *Assumption*).</summary>
    public decimal ReviewCostRatio { get; init; } = 5m;

    /// <summary>特病单议 candidate when LOS ≥ this (60 days).</summary>
    public int ReviewMinLos { get; init; } = 60;

    /// <summary>*Assumption*: an unmatched case is paid by items, expressed as points total_cost ÷ M × S (never zero points).</summary>
    public bool UnmatchedCostPoints { get; init; } = true;

    public static DipScoringParameters Load(string path)
    {
        var (doc, root) = JsonNode.Open(path);
        using (doc)
        {
            var p = new DipScoringParameters();
            var tiers = new List<DipTierThresholds>();
            if (root.Has("tier_thresholds"))
            {
                foreach (var t in root.Child("tier_thresholds").Items())
                {
                    var tier = t.Child("tier").Int(0, 3);
                    if (tiers.Exists(x => x.Tier == tier))
                    {
                        throw t.Child("tier").Error("tier given twice");
                    }

                    tiers.Add(new DipTierThresholds(tier, t.Child("low").Decimal(4), t.Child("high").Decimal(4)));
                }
            }

            p = p with
            {
                LowThreshold = root.Has("low_threshold") ? root.Child("low_threshold").Decimal(4) : p.LowThreshold,
                HighThreshold = root.Has("high_threshold") ? root.Child("high_threshold").Decimal(4) : p.HighThreshold,
                TierThresholds = tiers,
                ExcessFactor = root.Has("excess_factor") ? root.Child("excess_factor").Decimal(4) : p.ExcessFactor,
                LowOutlierAppliesAux = root.Has("low_outlier_applies_aux") ? root.Child("low_outlier_applies_aux").Bool() : p.LowOutlierAppliesAux,
                HighReferenceScaledByAux = root.Has("high_reference_scaled_by_aux") ? root.Child("high_reference_scaled_by_aux").Bool() : p.HighReferenceScaledByAux,
                MiddleBandLow = root.Has("middle_band_low") ? root.Child("middle_band_low").Decimal(4) : null,
                MiddleBandHigh = root.Has("middle_band_high") ? root.Child("middle_band_high").Decimal(4) : null,
                MiddleBandLift = root.Has("middle_band_lift") ? root.Child("middle_band_lift").Decimal(4) : null,
                UseSameLevelReference = root.Has("use_same_level_reference") ? root.Child("use_same_level_reference").Bool() : p.UseSameLevelReference,
                ReviewCostRatio = root.Has("review_cost_ratio") ? root.Child("review_cost_ratio").Decimal(4) : p.ReviewCostRatio,
                ReviewMinLos = root.Has("review_min_los") ? root.Child("review_min_los").Int(1, 100_000) : p.ReviewMinLos,
                UnmatchedCostPoints = root.Has("unmatched_cost_points") ? root.Child("unmatched_cost_points").Bool() : p.UnmatchedCostPoints,
            };
            var mid = (p.MiddleBandLow is null ? 0 : 1) + (p.MiddleBandHigh is null ? 0 : 1) + (p.MiddleBandLift is null ? 0 : 1);
            if (mid is 1 or 2)
            {
                throw root.Error("middle_band_low, middle_band_high and middle_band_lift go together");
            }

            try
            {
                p.Validate();
            }
            catch (ArgumentException e)
            {
                throw root.Error(e.Message);
            }

            return p;
        }
    }

    /// <summary>Checks the thresholds are ordered (low &lt; high, middle band inside the normal band).</summary>
    public void Validate()
    {
        if (LowThreshold >= HighThreshold)
        {
            throw new ArgumentException("low_threshold must be below high_threshold");
        }

        foreach (var t in TierThresholds)
        {
            if (t.Low >= t.High)
            {
                throw new ArgumentException($"tier {t.Tier}: low must be below high");
            }
        }

        if (MiddleBandLow is { } lo && MiddleBandHigh is { } hi && lo >= hi)
        {
            throw new ArgumentException("middle_band_low must be below middle_band_high");
        }
    }
}
