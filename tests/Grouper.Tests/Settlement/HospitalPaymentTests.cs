using Grouper.Core;
using Grouper.Settlement;
using static Grouper.Tests.Settlement.SettlementFixture;

namespace Grouper.Tests.Settlement;

/// <summary>drg.md "Pricing a DRG case" and dip.md outlier examples, to the fen / 4 places.</summary>
public class HospitalPaymentTests
{
    private static readonly Code Es31 = Code.Parse("ES31");

    [Fact]
    public void Drg_standard_payment()
    {
        Assert.Equal(Fen(12967.50m), HospitalPayment.DrgStandard(1.2350m, 10000m, 1.05m));
        var p = Policy(Ningde, "2024-03-01");
        Assert.True(HospitalPayment.TryDrg(p, InsuranceType.Resident, Es31, 1.2350m, 12350m, 1.05m, Fen(12350m), false, 0, out var pay));
        Assert.Equal(Fen(12967.50m), pay.PaymentFen);
        Assert.Equal(PricedCaseKind.Normal, pay.Kind);
        Assert.Equal(1.0000m, pay.CostRatio);
    }

    [Fact]
    public void Drg_high_outlier_and_fund_settlement()
    {
        var p = Policy(Ningde, "2024-03-01");
        Assert.True(HospitalPayment.TryDrg(p, InsuranceType.Resident, Es31, 1.2350m, 12350m, 1.05m, Fen(30000m), false, 0, out var pay));
        Assert.Equal(2.4291m, pay.CostRatio);
        Assert.Equal(1.7649m, pay.AdjustedWeight);
        Assert.Equal(PricedCaseKind.HighOutlier, pay.Kind);
        Assert.Equal(Fen(18531.45m), pay.PaymentFen);

        // Basic fund by items from the chain: Ningde resident, city, 1st admission, policy 27,000.
        var s = default(PersonYearState);
        var chain = Settle(Ningde, Case("2024-03-01", total: 30000m, policy: 27000m, full: 3000m, partial: 0m), ref s);
        Assert.Equal(Fen(17225m), chain.BasicFundFen);
        Assert.Equal(Fen(5756.45m), HospitalPayment.FundSettlement(pay.PaymentFen, Fen(30000m), chain.BasicFundFen));
    }

    [Fact]
    public void Drg_low_outlier()
    {
        var p = Policy(Ningde, "2024-03-01");
        Assert.True(HospitalPayment.TryDrg(p, InsuranceType.Resident, Es31, 1.2350m, 12350m, 1.05m, Fen(4000m), false, 0, out var pay));
        Assert.Equal(0.3239m, pay.CostRatio);
        Assert.Equal(0.4000m, pay.AdjustedWeight);
        Assert.Equal(PricedCaseKind.LowOutlier, pay.Kind);
        Assert.Equal(Fen(4200m), pay.PaymentFen);
    }

    [Fact]
    public void Drg_bands_by_rw_and_reference_from_rate_when_no_average_cost()
    {
        var p = Policy(Ningde, "2024-03-01");

        // RW 0.8 (band ≤ 1, k = 3.0), no average cost → reference 0.8 × 10,000 = 8,000; cost 24,000 → r 3.0 → high.
        Assert.True(HospitalPayment.TryDrg(p, InsuranceType.Resident, Es31, 0.8m, 0m, 1m, Fen(24000m), false, 0, out var pay));
        Assert.Equal(3.0000m, pay.CostRatio);
        Assert.Equal(PricedCaseKind.HighOutlier, pay.Kind);
        Assert.Equal(0.8000m, pay.AdjustedWeight); // 0.8 × (1 + 3 − 3)
        Assert.Equal(Fen(8000m), pay.PaymentFen);

        // Same RW, r 2.9 → normal in band ≤ 1 (it would be high in band 1–2).
        Assert.True(HospitalPayment.TryDrg(p, InsuranceType.Resident, Es31, 0.8m, 0m, 1m, Fen(23200m), false, 0, out pay));
        Assert.Equal(PricedCaseKind.Normal, pay.Kind);

        // RW 2.5 (band > 2, k = 1.5): cost 1.5 × 25,000 → high, W = 2.5 × 1.0.
        Assert.True(HospitalPayment.TryDrg(p, InsuranceType.Resident, Es31, 2.5m, 0m, 1m, Fen(37500m), false, 0, out pay));
        Assert.Equal(PricedCaseKind.HighOutlier, pay.Kind);
        Assert.Equal(Fen(25000m), pay.PaymentFen);

        // Employee base rate 12,000 (Demo).
        Assert.True(HospitalPayment.TryDrg(p, InsuranceType.Employee, Es31, 1m, 12000m, 1m, Fen(12000m), false, 0, out pay));
        Assert.Equal(Fen(12000m), pay.PaymentFen);
    }

    [Fact]
    public void Drg_fee_for_service_pays_the_basic_fund()
    {
        var p = Policy(Ningde, "2024-03-01");
        Assert.True(HospitalPayment.TryDrg(p, InsuranceType.Resident, Code.Parse("0000"), 0m, 0m, 1.05m, Fen(30000m), true, Fen(17225m), out var pay));
        Assert.Equal(PricedCaseKind.FeeForService, pay.Kind);
        Assert.Equal(Fen(17225m), pay.PaymentFen);
        Assert.Equal(0, HospitalPayment.FundSettlement(Fen(1000m), Fen(30000m), Fen(17225m)));
    }

    [Fact]
    public void Ningbo_same_price_group_and_middle_band()
    {
        var p = Policy(Ningbo, "2024-06-01");

        // ES35 is on the (Demo) same-price list: H = 1 whatever the hospital coefficient.
        Assert.True(HospitalPayment.TryDrg(p, InsuranceType.Resident, Code.Parse("ES35"), 1.0m, 11000m, 1.2m, Fen(11000m), false, 0, out var pay));
        Assert.True(pay.SamePrice);
        Assert.Equal(1m, pay.HospitalCoefficient);
        Assert.Equal(Fen(11000m), pay.PaymentFen);

        // ES31 not on the list: H applies. Middle band: r = 0.6 → W = RW × 0.8.
        Assert.True(HospitalPayment.TryDrg(p, InsuranceType.Resident, Es31, 1.0m, 11000m, 1.2m, Fen(6600m), false, 0, out pay));
        Assert.False(pay.SamePrice);
        Assert.Equal(PricedCaseKind.MiddleBand, pay.Kind);
        Assert.Equal(0.8000m, pay.AdjustedWeight);
        Assert.Equal(Fen(10560m), pay.PaymentFen); // 0.8 × 11,000 × 1.2

        // r = 0.8 is still middle band (≤ 0.8); r = 0.81 is normal.
        Assert.True(HospitalPayment.TryDrg(p, InsuranceType.Resident, Es31, 1.0m, 11000m, 1m, Fen(8800m), false, 0, out pay));
        Assert.Equal(PricedCaseKind.MiddleBand, pay.Kind);
        Assert.Equal(Fen(11000m), pay.PaymentFen);
        Assert.True(HospitalPayment.TryDrg(p, InsuranceType.Resident, Es31, 1.0m, 11000m, 1m, Fen(8910m), false, 0, out pay));
        Assert.Equal(PricedCaseKind.Normal, pay.Kind);

        // No employee base rate in Ningbo: not priced.
        Assert.False(HospitalPayment.TryDrg(p, InsuranceType.Employee, Es31, 1.0m, 11000m, 1m, Fen(8910m), false, 0, out _));
    }

    [Fact]
    public void Per_diem_psychiatric_90_days()
    {
        Assert.Equal(Fen(23400m), HospitalPayment.PerDiem(90, 260m));
        Assert.True(HospitalPayment.TryPerDiem(Policy(Ningde, "2024-03-01"), "psychiatry", 90, out var fen));
        Assert.Equal(Fen(23400m), fen);
        Assert.False(HospitalPayment.TryPerDiem(Policy(Ningde, "2024-03-01"), "dialysis", 90, out _));
    }

    [Theory]
    [InlineData(3500, "0.3977", "34.2108", PricedCaseKind.LowOutlier)]
    [InlineData(22000, "2.5000", "129.0323", PricedCaseKind.HighOutlier)]
    [InlineData(15000, "1.7045", "86.0215", PricedCaseKind.Normal)]
    public void Dip_outlier_points(int cost, string ratio, string points, PricedCaseKind kind)
    {
        var dip = Policy(Ningde, "2024-03-01").Dip!;
        var r = HospitalPayment.DipPoints(dip, 86.0215m, 1m, 8800m, Fen(cost), 3);
        Assert.Equal(decimal.Parse(ratio, System.Globalization.CultureInfo.InvariantCulture), r.CostRatio);
        Assert.Equal(decimal.Parse(points, System.Globalization.CultureInfo.InvariantCulture), r.Points);
        Assert.Equal(kind, r.Kind);
        Assert.False(r.ReviewCandidate);
    }

    [Fact]
    public void Dip_review_candidate_and_provisional_amount()
    {
        var p = Policy(Ningde, "2024-03-01");
        var r = HospitalPayment.DipPoints(p.Dip!, 86.0215m, 1m, 8800m, Fen(44000m), 3);
        Assert.True(r.ReviewCandidate); // r = 5.0
        Assert.Equal(Rounding.Places4(86.0215m * 4m), r.Points);

        // 129.0323 points × H 0.95 × V0 160 (Demo) = 19,612.9096 → 19,612.91.
        Assert.True(HospitalPayment.TryDipProvisional(p, 129.0323m, 0.95m, out var fen));
        Assert.Equal(Fen(19612.91m), fen);
        Assert.Equal(PaymentMethod.Dip, HospitalPayment.MethodOf(p, PaymentMethod.Default));
        Assert.Equal(PaymentMethod.Ffs, HospitalPayment.MethodOf(p, PaymentMethod.Ffs));
    }

    [Fact]
    public void Dip_thresholds_per_tier_and_excess_factor()
    {
        var store = Variant("350900-ningde.yaml", ("    excess_factor: 1\n", "    excess_factor: 0.5\n    high_by_tier: {tier2: 2.5, tier1: 3.0}\n"));
        Assert.True(store.TryResolve(Ningde, D("2024-03-01"), out var p));
        var dip = p.Dip!;

        // r = 2.2: high at tier 3 (threshold 2.0): 86.0215 × (1 + 0.5 × 0.2) = 94.6237 (94.62365 half-up).
        var t3 = HospitalPayment.DipPoints(dip, 86.0215m, 1m, 10000m, Fen(22000m), 3);
        Assert.Equal(PricedCaseKind.HighOutlier, t3.Kind);
        Assert.Equal(94.6237m, t3.Points);

        // Same case at tier 2 (threshold 2.5): normal.
        var t2 = HospitalPayment.DipPoints(dip, 86.0215m, 1m, 10000m, Fen(22000m), 2);
        Assert.Equal(PricedCaseKind.Normal, t2.Kind);
        Assert.Equal(86.0215m, t2.Points);

        // r = 3.0 at tier 2: 86.0215 × (1 + 0.5 × 0.5) = 107.5269 (107.526875).
        var t2b = HospitalPayment.DipPoints(dip, 86.0215m, 1m, 10000m, Fen(30000m), 2);
        Assert.Equal(107.5269m, t2b.Points);

        // Aux factor applies to normal and high, not to low outliers.
        Assert.Equal(101.5054m, HospitalPayment.DipPoints(dip, 86.0215m, 1.18m, 10000m, Fen(15000m), 3).Points);
        Assert.Equal(Rounding.Places4(86.0215m * 0.3m), HospitalPayment.DipPoints(dip, 86.0215m, 1.18m, 10000m, Fen(3000m), 3).Points);
    }
}
