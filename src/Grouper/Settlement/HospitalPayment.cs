using Grouper.Core;

namespace Grouper.Settlement;

/// <summary>Outlier classification of a priced case (费用偏差).</summary>
public enum PricedCaseKind : byte
{
    Normal = 0,
    HighOutlier = 1,
    LowOutlier = 2,

    /// <summary>Regional middle band (0.4 &lt; r ≤ 0.8, W = RW × (r + 0.2)).</summary>
    MiddleBand = 3,

    /// <summary>0000/QY: paid by items (the chain's basic fund).</summary>
    FeeForService = 4,
}

/// <summary>DRG payment of one case.</summary>
public readonly record struct DrgPayment(long PaymentFen, decimal CostRatio, decimal AdjustedWeight, decimal HospitalCoefficient, PricedCaseKind Kind, bool SamePrice);

/// <summary>DIP case points (before hospital coefficients) and whether the case is a review candidate.</summary>
public readonly record struct DipCasePoints(decimal Points, decimal CostRatio, PricedCaseKind Kind, bool ReviewCandidate);

/// <summary>
/// What the fund owes the hospital for one case (drg.md "Pricing a DRG case", dip.md outliers).
/// Kept apart from the patient chain: inputs are plain values because grouping is done elsewhere.
/// </summary>
public static class HospitalPayment
{
    /// <summary>Standard DRG payment P = RW × base rate × H, half-up to the fen.</summary>
    public static long DrgStandard(decimal relativeWeight, decimal baseRate, decimal hospitalCoefficient) =>
        Rounding.ToFen(relativeWeight * baseRate * hospitalCoefficient);

    /// <summary>
    /// DRG amount by the rate method (费率法) with high/low outliers. Same-price DRGs (同病同价) use
    /// H = 1. <paramref name="averageCost"/> ≤ 0 means the catalog has none: reference = RW × base rate.
    /// <paramref name="feeForService"/> (0000, QY) pays <paramref name="basicFundByItemsFen"/>.
    /// False when the policy has no DRG pricing or no base rate for the insurance type.
    /// </summary>
    public static bool TryDrg(
        ResolvedPolicy policy,
        InsuranceType insurance,
        Code drgCode,
        decimal relativeWeight,
        decimal averageCost,
        decimal hospitalCoefficient,
        long totalFen,
        bool feeForService,
        long basicFundByItemsFen,
        out DrgPayment payment)
    {
        payment = default;
        if (feeForService)
        {
            payment = new DrgPayment(basicFundByItemsFen, 0m, 0m, hospitalCoefficient, PricedCaseKind.FeeForService, false);
            return true;
        }

        if (policy.Drg is not { } p || p.BaseRate[(int)insurance] <= 0m)
        {
            return false;
        }

        var baseRate = p.BaseRate[(int)insurance];
        var samePrice = Array.BinarySearch(p.SamePriceDrgs, drgCode) >= 0;
        var h = samePrice ? 1m : hospitalCoefficient;
        var reference = averageCost > 0m ? averageCost : relativeWeight * baseRate;
        var r = Rounding.Places4(Money.ToYuan(totalFen) / reference);

        var band = p.Bands[^1];
        for (var i = 0; i < p.Bands.Length; i++)
        {
            if (p.Bands[i].RwUpTo is not { } up || relativeWeight <= up)
            {
                band = p.Bands[i];
                break;
            }
        }

        decimal w;
        PricedCaseKind kind;
        if (r >= band.High)
        {
            w = Rounding.Places4(relativeWeight * (1m + r - band.High));
            kind = PricedCaseKind.HighOutlier;
        }
        else if (r <= band.Low)
        {
            w = Rounding.Places4(relativeWeight * r);
            kind = PricedCaseKind.LowOutlier;
        }
        else if (p.MiddleBand && r <= p.MiddleUpper)
        {
            w = Rounding.Places4(relativeWeight * (r + p.MiddleLift));
            kind = PricedCaseKind.MiddleBand;
        }
        else
        {
            w = relativeWeight;
            kind = PricedCaseKind.Normal;
        }

        payment = new DrgPayment(Rounding.ToFen(w * baseRate * h), r, w, h, kind, samePrice);
        return true;
    }

    /// <summary>Fund settlement of a DRG case = max(0, payment − (total − basic fund by items)).</summary>
    public static long FundSettlement(long paymentFen, long totalFen, long basicFundByItemsFen) =>
        Math.Max(0, paymentFen - (totalFen - basicFundByItemsFen));

    /// <summary>Per-diem payment (床日付费) = LOS × daily rate, half-up to the fen.</summary>
    public static long PerDiem(int lengthOfStay, decimal dailyRate) => Rounding.ToFen(lengthOfStay * dailyRate);

    /// <summary>Per-diem payment with the policy's rate for <paramref name="category"/>; false when the policy has none.</summary>
    public static bool TryPerDiem(ResolvedPolicy policy, string category, int lengthOfStay, out long paymentFen)
    {
        paymentFen = 0;
        if (!policy.PerDiemRates.TryGetValue(category, out var rate))
        {
            return false;
        }

        paymentFen = PerDiem(lengthOfStay, rate);
        return true;
    }

    /// <summary>
    /// DIP case points with the policy's outlier thresholds (dip.md): low r ≤ low → score × r;
    /// high r ≥ high (per tier if set) → score × aux × (1 + e·(r − high)); else score × aux. 4 places.
    /// </summary>
    public static DipCasePoints DipPoints(DipPricing pricing, decimal groupScore, decimal auxFactor, decimal referenceCost, long totalFen, int hospitalTier)
    {
        var r = Rounding.Places4(Money.ToYuan(totalFen) / referenceCost);
        var high = pricing.HighByTier[Math.Clamp(hospitalTier, 0, 3)] ?? pricing.High;
        decimal points;
        PricedCaseKind kind;
        if (r <= pricing.Low)
        {
            points = Rounding.Places4(groupScore * r);
            kind = PricedCaseKind.LowOutlier;
        }
        else if (r >= high)
        {
            points = Rounding.Places4(groupScore * auxFactor * (1m + (pricing.ExcessFactor * (r - high))));
            kind = PricedCaseKind.HighOutlier;
        }
        else
        {
            points = Rounding.Places4(groupScore * auxFactor);
            kind = PricedCaseKind.Normal;
        }

        return new DipCasePoints(points, r, kind, r >= pricing.ReviewThreshold);
    }

    /// <summary>DIP provisional fund amount = case points × hospital coefficient × V0, half-up to the fen.</summary>
    public static long DipProvisional(decimal casePoints, decimal hospitalCoefficient, decimal pointValue) =>
        Rounding.ToFen(casePoints * hospitalCoefficient * pointValue);

    /// <summary>DIP provisional amount with the policy's V0; false when the policy has no DIP pricing.</summary>
    public static bool TryDipProvisional(ResolvedPolicy policy, decimal casePoints, decimal hospitalCoefficient, out long amountFen)
    {
        amountFen = 0;
        if (policy.Dip is not { } p)
        {
            return false;
        }

        amountFen = DipProvisional(casePoints, hospitalCoefficient, p.PointValue);
        return true;
    }

    /// <summary>Payment method of a hospital: its own, else the policy's default.</summary>
    public static PaymentMethod MethodOf(ResolvedPolicy policy, PaymentMethod hospitalMethod) =>
        hospitalMethod == PaymentMethod.Default ? policy.DefaultPaymentMethod : hospitalMethod;
}
