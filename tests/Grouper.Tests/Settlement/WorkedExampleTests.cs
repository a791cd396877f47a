using Grouper.Core;
using Grouper.Settlement;
using static Grouper.Tests.Settlement.SettlementFixture;

namespace Grouper.Tests.Settlement;

/// <summary>Every worked example of settlement.md "Worked examples", to the fen.</summary>
public class WorkedExampleTests
{
    [Fact]
    public void Ningde_1_to_4_same_person_through_the_year()
    {
        var s = default(PersonYearState);

        // 1. Case A, city 3A, 1st admission, 2024-03-01.
        var r = Settle(Ningde, Case("2024-03-01"), ref s);
        Assert.Equal(Fen(500m), r.DeductibleFen);
        Assert.Equal(0.65m, r.Ratio);
        Assert.Equal(Fen(10725m), r.BasicFundFen);
        Assert.Equal(0, r.CriticalIllnessFen);
        Assert.Equal(Fen(9275m), r.PatientFen);
        Assert.Equal(1, r.AdmissionNumber);
        Assert.Equal(BenefitTier.City, r.Tier);
        Assert.Equal(ChargeMode.Items, r.ChargeMode);
        Assert.Equal(Fen(6275m), s.CumulativeS1Fen);

        // 2. 2nd, 2024-06-01: total 10,000, policy 9,000 → D = 500 × 0.8.
        r = Settle(Ningde, Case("2024-06-01", total: 10000m, policy: 9000m, full: 1000m, partial: 0m), ref s);
        Assert.Equal(Fen(400m), r.DeductibleFen);
        Assert.Equal(Fen(5590m), r.BasicFundFen);
        Assert.Equal(0, r.CriticalIllnessFen);
        Assert.Equal(Fen(4410m), r.PatientFen);
        Assert.Equal(Fen(9685m), s.CumulativeS1Fen);
        Assert.True(r.Adjustments.HasFlag(ChainAdjustments.AdmissionFactor));

        // 3. 3rd: no deductible.
        r = Settle(Ningde, Case("2024-09-01", total: 10000m, policy: 9000m, full: 1000m, partial: 0m), ref s);
        Assert.Equal(0, r.DeductibleFen);
        Assert.Equal(Fen(5850m), r.BasicFundFen);
        Assert.Equal(Fen(4150m), r.PatientFen);
        Assert.Equal(Fen(12835m), s.CumulativeS1Fen);

        // 4. 4th: cumulative S1 crosses 15,000 → CI = 985 × 0.60 (Demo).
        r = Settle(Ningde, Case("2024-11-01", total: 10000m, policy: 9000m, full: 1000m, partial: 0m), ref s);
        Assert.Equal(4, r.AdmissionNumber);
        Assert.Equal(0, r.DeductibleFen);
        Assert.Equal(Fen(5850m), r.BasicFundFen);
        Assert.Equal(Fen(3150m), r.S1Fen);
        Assert.Equal(Fen(591m), r.CriticalIllnessFen);
        Assert.Equal(Fen(3559m), r.PatientFen);
        Assert.Equal(Fen(15985m), s.CumulativeS1Fen);
        Assert.Equal(4, s.Admissions);
        Assert.Equal(Fen(10725m + 5590m + 5850m + 5850m), s.BasicFundPaidFen);
    }

    [Theory]
    [InlineData("2023-12-20", 500, "0.60", 9900, 10100)] // 5
    [InlineData("2023-07-01", 800, "0.60", 9720, 10280)] // 6
    public void Ningde_5_6_earlier_discharges(string date, int ded, string ratio, int fund, int patient)
    {
        var s = default(PersonYearState);
        var r = Settle(Ningde, Case(date), ref s);
        Assert.Equal(Fen(ded), r.DeductibleFen);
        Assert.Equal(decimal.Parse(ratio, System.Globalization.CultureInfo.InvariantCulture), r.Ratio);
        Assert.Equal(Fen(fund), r.BasicFundFen);
        Assert.Equal(Fen(patient), r.PatientFen);
    }

    [Fact]
    public void Ningde_7_city_tcm_first_admission()
    {
        var s = default(PersonYearState);
        var r = Settle(Ningde, Case("2024-03-01", kind: HospitalKind.Tcm), ref s);
        Assert.Equal(Fen(400m), r.DeductibleFen);
        Assert.Equal(0.65m, r.Ratio);
        Assert.Equal(Fen(10790m), r.BasicFundFen);
        Assert.Equal(Fen(9210m), r.PatientFen);
        Assert.True(r.Adjustments.HasFlag(ChainAdjustments.TcmReduction));
    }

    [Fact]
    public void Ningde_8_county_tcm_second_admission()
    {
        var s = new PersonYearState { Admissions = 1 };
        var r = Settle(Ningde, Case("2024-03-01", total: 6600m, policy: 6000m, full: 600m, partial: 0m, location: HospitalLocation.County, level: "2A", kind: HospitalKind.Tcm), ref s);
        Assert.Equal(Fen(240m), r.DeductibleFen);
        Assert.Equal(0.80m, r.Ratio);
        Assert.Equal(Fen(4608m), r.BasicFundFen);
        Assert.Equal(Fen(1992m), r.PatientFen);
        Assert.Equal(2, r.AdmissionNumber);
    }

    [Theory]
    [InlineData(ReferralStatus.Unregistered, false, "0.50", 8200, 11800)] // 9
    [InlineData(ReferralStatus.Registered, false, "0.55", 9020, 10980)] // 10
    [InlineData(ReferralStatus.Emergency, false, "0.55", 9020, 10980)] // 10 (emergency)
    [InlineData(ReferralStatus.Registered, true, "0.53", 8692, 11308)] // 11
    [InlineData(ReferralStatus.Unregistered, true, "0.48", 7872, 12128)] // 11, other layers column
    public void Ningde_9_to_11_out_of_city(ReferralStatus referral, bool drgCharge, string ratio, int fund, int patient)
    {
        var s = default(PersonYearState);
        var r = Settle(Ningde, Case("2024-03-01", care: CareLocation.OutOfCity, referral: referral, drgCharge: drgCharge), ref s);
        Assert.Equal(BenefitTier.OutOfCity, r.Tier);
        Assert.Equal(Fen(600m), r.DeductibleFen);
        Assert.Equal(decimal.Parse(ratio, System.Globalization.CultureInfo.InvariantCulture), r.Ratio);
        Assert.Equal(Fen(fund), r.BasicFundFen);
        Assert.Equal(Fen(patient), r.PatientFen);
        Assert.Equal(drgCharge ? ChargeMode.Drg : ChargeMode.Items, r.ChargeMode);
        Assert.Equal(referral == ReferralStatus.Unregistered, r.Adjustments.HasFlag(ChainAdjustments.UnregisteredReduction));
    }

    [Theory]
    [InlineData(HospitalLocation.City, "3A", 500, "0.53", 8745, 11255)] // 12
    [InlineData(HospitalLocation.County, "2A", 400, "0.70", 11620, 8380)] // 12, county hospital
    public void Ningde_12_per_disease(HospitalLocation location, string level, int ded, string ratio, int fund, int patient)
    {
        var store = Variant("350900-ningde.yaml", ("    entries: []", "    entries: [{dx: K35, name: appendicitis}]"));
        var s = default(PersonYearState);
        var r = Settle(store, Ningde, Case("2024-03-01", location: location, level: level, dx: "K35.800x001"), ref s);
        Assert.Equal(ChargeMode.PerDisease, r.ChargeMode);
        Assert.Equal(Fen(ded), r.DeductibleFen);
        Assert.Equal(decimal.Parse(ratio, System.Globalization.CultureInfo.InvariantCulture), r.Ratio);
        Assert.Equal(Fen(fund), r.BasicFundFen);
        Assert.Equal(Fen(patient), r.PatientFen);
    }

    [Fact]
    public void Xinyang_dibao_county()
    {
        var s = default(PersonYearState);
        var r = Settle(Xinyang, Case("2024-05-10", total: 44000m, policy: 40000m, full: 2500m, partial: 1500m, location: HospitalLocation.County, level: "2A", cls: AssistanceClass.MinimumLivelihood), ref s);
        Assert.Equal(Fen(31600m), r.BasicFundFen);
        Assert.Equal(Fen(8400m), r.S1Fen);
        Assert.Equal(Fen(585m), r.CriticalIllnessFen);
        Assert.True(r.Adjustments.HasFlag(ChainAdjustments.CriticalIllnessSpecialClass));
        Assert.Equal(Fen(5470.50m), r.AssistanceFen);
        Assert.Equal(0, r.TiltFen);
        Assert.Equal(Fen(6344.50m), r.PatientFen);
        Assert.Equal(Fen(30000m - 24529.50m), s.AssistancePaidFen);
        Assert.Equal(Fen(7815m - 5470.50m), s.TiltBaseFen);
    }

    [Fact]
    public void Xinyang_dibao_edge_two_cases_reach_the_cap_then_tilt()
    {
        var s = default(PersonYearState);
        var r = Settle(Xinyang, Case("2024-03-05", total: 20000m, policy: 20000m, full: 0m, partial: 0m, location: HospitalLocation.County, level: "2A", cls: AssistanceClass.NearMinimumLivelihood), ref s);
        Assert.Equal(Fen(15600m), r.BasicFundFen);
        Assert.Equal(Fen(4400m), r.S1Fen);
        Assert.Equal(0, r.CriticalIllnessFen);
        Assert.Equal(Fen(1300m), r.AssistanceFen);
        Assert.Equal(0, r.TiltFen);
        Assert.Equal(Fen(3100m), r.PatientFen);
        Assert.Equal(Fen(10000m - 8700m), s.AssistancePaidFen);
        Assert.Equal(Fen(2400m), s.AssistanceDeductibleUsedFen);
        Assert.Equal(Fen(3100m), s.TiltBaseFen);

        r = Settle(Xinyang, Case("2024-08-20", total: 120000m, policy: 120000m, full: 0m, partial: 0m, location: HospitalLocation.City, level: "3A", referral: ReferralStatus.Registered, cls: AssistanceClass.NearMinimumLivelihood), ref s);
        Assert.Equal(Fen(800m), r.DeductibleFen);
        Assert.Equal(Fen(77480m), r.BasicFundFen);
        Assert.Equal(Fen(42520m), r.S1Fen);
        Assert.Equal(Fen(19152m), r.CriticalIllnessFen);
        Assert.Equal(Fen(8700m), r.AssistanceFen);
        Assert.True(r.Adjustments.HasFlag(ChainAdjustments.AssistanceCapReached));
        Assert.Equal(Fen(3460.80m), r.TiltFen);
        Assert.Equal(Fen(11207.20m), r.PatientFen);
        Assert.Equal(Fen(12160.80m), r.MafFen);
        Assert.Equal(Fen(17768m), s.TiltBaseFen);
        Assert.Equal(Fen(5768m), s.TiltBaseUsedFen);
        Assert.Equal(Fen(10000m - 6539.20m), s.TiltPaidFen);
    }
}
