using System.Globalization;
using Grouper.Core;
using Grouper.Settlement;
using static Grouper.Tests.Settlement.SettlementFixture;

namespace Grouper.Tests.Settlement;

/// <summary>
/// A hand-computed case per parameter row of the seed tables (settlement.md "Seed parameters"),
/// each effective date on both sides of its boundary. Case: total = policy = 10,000.00 unless said,
/// so F = round((10,000 − D) × R) and the patient pays the rest.
/// </summary>
public class SeedRowTests
{
    private static decimal Dec(string s) => decimal.Parse(s, CultureInfo.InvariantCulture);

    private static ChainInput AtTier(string date, BenefitTier tier, HospitalKind kind = HospitalKind.General, string level = "2A", decimal total = 10000m) =>
        tier == BenefitTier.OutOfCity
            ? Case(date, total: total, policy: total, full: 0, partial: 0, care: CareLocation.OutOfCity, referral: ReferralStatus.Registered, kind: kind, level: level)
            : Case(date, total: total, policy: total, full: 0, partial: 0, location: (HospitalLocation)(int)tier, kind: kind, level: level);

    [Theory]
    // ratio row (open)–2022-09-09 with the old deductibles
    [InlineData("2022-09-09", BenefitTier.OutOfCity, 1000, "0.45", 4050)]
    [InlineData("2022-09-09", BenefitTier.City, 800, "0.55", 5060)]
    [InlineData("2022-09-09", BenefitTier.County, 500, "0.75", 7125)]
    [InlineData("2022-09-09", BenefitTier.Township, 100, "0.90", 8910)]
    // ratio row 2022-09-10 (+5 pp county, city, out of city)
    [InlineData("2022-09-10", BenefitTier.OutOfCity, 1000, "0.50", 4500)]
    [InlineData("2022-09-10", BenefitTier.City, 800, "0.60", 5520)]
    [InlineData("2022-09-10", BenefitTier.County, 500, "0.80", 7600)]
    [InlineData("2022-09-10", BenefitTier.Township, 100, "0.90", 8910)]
    // deductible row boundary 2023-07-09 / 2023-07-10
    [InlineData("2023-07-09", BenefitTier.OutOfCity, 1000, "0.50", 4500)]
    [InlineData("2023-07-09", BenefitTier.City, 800, "0.60", 5520)]
    [InlineData("2023-07-09", BenefitTier.County, 500, "0.80", 7600)]
    [InlineData("2023-07-09", BenefitTier.Township, 100, "0.90", 8910)]
    [InlineData("2023-07-10", BenefitTier.OutOfCity, 600, "0.50", 4700)]
    [InlineData("2023-07-10", BenefitTier.City, 500, "0.60", 5700)]
    [InlineData("2023-07-10", BenefitTier.County, 400, "0.80", 7680)]
    [InlineData("2023-07-10", BenefitTier.Township, 50, "0.90", 8955)]
    // ratio row boundary 2024-01-09 / 2024-01-10 (+5 pp city, out of city)
    [InlineData("2024-01-09", BenefitTier.OutOfCity, 600, "0.50", 4700)]
    [InlineData("2024-01-09", BenefitTier.City, 500, "0.60", 5700)]
    [InlineData("2024-01-10", BenefitTier.OutOfCity, 600, "0.55", 5170)]
    [InlineData("2024-01-10", BenefitTier.City, 500, "0.65", 6175)]
    [InlineData("2024-01-10", BenefitTier.County, 400, "0.80", 7680)]
    [InlineData("2024-01-10", BenefitTier.Township, 50, "0.90", 8955)]
    [InlineData("2025-06-30", BenefitTier.Township, 50, "0.90", 8955)]
    public void Ningde_deductible_and_general_ratio_rows(string date, BenefitTier tier, int ded, string ratio, int fund)
    {
        var s = default(PersonYearState);
        var r = Settle(Ningde, AtTier(date, tier), ref s);
        Assert.Equal(tier, r.Tier);
        Assert.Equal(Fen(ded), r.DeductibleFen);
        Assert.Equal(Dec(ratio), r.Ratio);
        Assert.Equal(Fen(fund), r.BasicFundFen);
        Assert.Equal(Fen(10000m - fund), r.PatientFen);
    }

    [Theory]
    [InlineData("2023-07-09", BenefitTier.City, 800, false)]
    [InlineData("2023-07-10", BenefitTier.City, 400, true)]
    [InlineData("2023-07-10", BenefitTier.County, 300, true)]
    [InlineData("2023-07-10", BenefitTier.Township, 50, false)]
    [InlineData("2023-07-10", BenefitTier.OutOfCity, 600, false)]
    public void Ningde_tcm_reduction_from_2023_07_10_at_city_and_county(string date, BenefitTier tier, int ded, bool reduced)
    {
        var s = default(PersonYearState);
        var r = Settle(Ningde, AtTier(date, tier, HospitalKind.Tcm), ref s);
        Assert.Equal(Fen(ded), r.DeductibleFen);
        Assert.Equal(reduced, r.Adjustments.HasFlag(ChainAdjustments.TcmReduction));
    }

    [Theory]
    [InlineData("2023-07-09", 1, 800)]
    [InlineData("2023-07-09", 2, 800)] // before: full every admission
    [InlineData("2023-07-09", 5, 800)]
    [InlineData("2023-07-10", 1, 500)]
    [InlineData("2023-07-10", 2, 400)]
    [InlineData("2023-07-10", 3, 0)]
    [InlineData("2023-07-10", 7, 0)]
    public void Ningde_admission_factor(string date, int admission, int ded)
    {
        var s = new PersonYearState { Admissions = admission - 1 };
        var r = Settle(Ningde, AtTier(date, BenefitTier.City), ref s);
        Assert.Equal(admission, r.AdmissionNumber);
        Assert.Equal(Fen(ded), r.DeductibleFen);
    }

    [Fact]
    public void Deductible_never_exceeds_policy_cost()
    {
        var s = default(PersonYearState);
        var r = Settle(Ningde, Case("2024-03-01", total: 700m, policy: 300m, full: 400m, partial: 0m), ref s);
        Assert.Equal(Fen(300m), r.DeductibleFen);
        Assert.Equal(0, r.BasicFundFen);
        Assert.Equal(Fen(700m), r.PatientFen);
    }

    [Theory]
    // per-disease: before 2023-09-20 the general table (Assumption), from then the four columns
    [InlineData("2023-09-19", BenefitTier.City, "3A", "0.60", true)]
    [InlineData("2023-09-20", BenefitTier.City, "3A", "0.53", false)]
    [InlineData("2023-09-19", BenefitTier.County, "2A", "0.80", true)]
    [InlineData("2023-09-20", BenefitTier.County, "2A", "0.70", false)]
    [InlineData("2023-09-20", BenefitTier.City, "3B", "0.70", false)] // in city below 3A
    [InlineData("2023-09-19", BenefitTier.OutOfCity, "3B", "0.50", true)]
    [InlineData("2023-09-20", BenefitTier.OutOfCity, "3B", "0.45", false)] // out of city tier 3
    [InlineData("2023-09-20", BenefitTier.OutOfCity, "3A", "0.45", false)]
    [InlineData("2023-09-20", BenefitTier.OutOfCity, "2A", "0.60", false)] // out of city below tier 3
    [InlineData("2024-01-10", BenefitTier.City, "3A", "0.53", false)] // the 2024 +5 pp is general only
    public void Ningde_per_disease_ratio_rows(string date, BenefitTier tier, string level, string ratio, bool general)
    {
        var store = Variant("350900-ningde.yaml", ("    entries: []", "    entries: [{dx: I63}]"));
        var s = default(PersonYearState);
        var r = Settle(store, Ningde, AtTier(date, tier, level: level) with { PrincipalDx = Code.Parse("I63.900") }, ref s);
        Assert.Equal(ChargeMode.PerDisease, r.ChargeMode);
        Assert.Equal(Dec(ratio), r.Ratio);
        Assert.Equal(general, r.Adjustments.HasFlag(ChainAdjustments.PerDiseaseGeneralRatio));
    }

    [Fact]
    public void Per_disease_entry_with_procedure_needs_that_procedure()
    {
        var store = Variant("350900-ningde.yaml", ("    entries: []", "    entries: [{dx: K35.8, proc: 47.0900}]"));
        var s = default(PersonYearState);
        var c = Case("2024-03-01", dx: "K35.800x001");
        Assert.Equal(ChargeMode.Items, Settle(store, Ningde, c, ref s).ChargeMode);
        s = default;
        Assert.Equal(ChargeMode.PerDisease, Settle(store, Ningde, c with { PrincipalProc = Code.Parse("47.0900") }, ref s).ChargeMode);
        s = default;
        Assert.Equal(ChargeMode.Items, Settle(store, Ningde, c with { PrincipalDx = Code.Parse("K35.200"), PrincipalProc = Code.Parse("47.0900") }, ref s).ChargeMode);
    }

    [Theory]
    [InlineData("2023-09-19", "2A", "0.40")]
    [InlineData("2023-09-19", "3A", "0.35")]
    [InlineData("2023-09-20", "2A", "0.53")]
    [InlineData("2023-09-20", "3A", "0.53")]
    public void Ningde_out_of_city_drg_charge_rows(string date, string level, string ratio)
    {
        var s = default(PersonYearState);
        var r = Settle(Ningde, AtTier(date, BenefitTier.OutOfCity, level: level) with { DrgCharge = true }, ref s);
        Assert.Equal(ChargeMode.Drg, r.ChargeMode);
        Assert.Equal(Dec(ratio), r.Ratio);
    }

    [Fact]
    public void Drg_charge_in_city_uses_the_general_table()
    {
        var s = default(PersonYearState);
        var r = Settle(Ningde, AtTier("2024-03-01", BenefitTier.City) with { DrgCharge = true }, ref s);
        Assert.Equal(ChargeMode.Drg, r.ChargeMode);
        Assert.Equal(0.65m, r.Ratio);
    }

    [Theory]
    [InlineData(CareLocation.OutOfCity, ReferralStatus.Unregistered, BenefitTier.OutOfCity, "0.50")]
    [InlineData(CareLocation.OutOfProvince, ReferralStatus.Unregistered, BenefitTier.OutOfCity, "0.50")]
    [InlineData(CareLocation.OutOfProvince, ReferralStatus.Emergency, BenefitTier.OutOfCity, "0.55")]
    [InlineData(CareLocation.OutOfProvince, ReferralStatus.None, BenefitTier.OutOfCity, "0.55")]
    [InlineData(CareLocation.OutOfProvince, ReferralStatus.Resident, BenefitTier.County, "0.80")] // 001: local standards
    [InlineData(CareLocation.Local, ReferralStatus.Unregistered, BenefitTier.County, "0.80")] // REFERRAL_IGNORED
    public void Ningde_referral_rules(CareLocation care, ReferralStatus referral, BenefitTier tier, string ratio)
    {
        var s = default(PersonYearState);
        var r = Settle(Ningde, Case("2024-03-01", location: HospitalLocation.County, care: care, referral: referral), ref s);
        Assert.Equal(tier, r.Tier);
        Assert.Equal(Dec(ratio), r.Ratio);
        Assert.Equal(referral == ReferralStatus.Resident, r.Adjustments.HasFlag(ChainAdjustments.ResidentLocalStandards));
    }

    [Theory]
    [InlineData(CareLocation.OutOfCity, ReferralStatus.Registered, "C34.900", "0.45", true)]
    [InlineData(CareLocation.OutOfCity, ReferralStatus.Unregistered, "C34.900", "0.40", true)]
    [InlineData(CareLocation.OutOfCity, ReferralStatus.Emergency, "C34.900", "0.55", false)]
    [InlineData(CareLocation.OutOfCity, ReferralStatus.Registered, "C35.900", "0.55", false)]
    [InlineData(CareLocation.Local, ReferralStatus.None, "C34.900", "0.65", false)]
    public void Limited_referral_list_when_published(CareLocation care, ReferralStatus referral, string dx, string ratio, bool reduced)
    {
        var store = Variant("350900-ningde.yaml",
            ("limited_referral_reduction: 0 ", "limited_referral_reduction: 0.10 "),
            ("limited_referral_list: []", "limited_referral_list: [C34]"));
        var s = default(PersonYearState);
        var r = Settle(store, Ningde, Case("2024-03-01", care: care, referral: referral, dx: dx), ref s);
        Assert.Equal(Dec(ratio), r.Ratio);
        Assert.Equal(reduced, r.Adjustments.HasFlag(ChainAdjustments.LimitedReferralReduction));
    }

    [Fact]
    public void Ratio_is_clamped_at_zero()
    {
        var store = Variant("350900-ningde.yaml", ("unregistered_reduction: 0.05", "unregistered_reduction: 0.90"));
        var s = default(PersonYearState);
        var r = Settle(store, Ningde, Case("2024-03-01", care: CareLocation.OutOfCity, referral: ReferralStatus.Unregistered), ref s);
        Assert.Equal(0m, r.Ratio);
        Assert.True(r.Adjustments.HasFlag(ChainAdjustments.RatioClamped));
        Assert.Equal(0, r.BasicFundFen);
    }

    [Theory]
    [InlineData(InsuranceType.Employee, CareLocation.Local, "0.85", 13515)]
    [InlineData(InsuranceType.Employee, CareLocation.OutOfCity, "0.75", 11850)]
    public void Ningde_employees_demo(InsuranceType insurance, CareLocation care, string ratio, int fund)
    {
        // Employees: seed deductibles (city 500, out of city 600), demo ratios; no critical-illness layer.
        var s = default(PersonYearState);
        var r = Settle(Ningde, Case("2024-03-01", total: 20000m, policy: 16400m, full: 3600m, partial: 0m, insurance: insurance, care: care, referral: ReferralStatus.Registered), ref s);
        Assert.Equal(Dec(ratio), r.Ratio);
        Assert.Equal(Fen(fund), r.BasicFundFen);
        Assert.Equal(0, r.CriticalIllnessFen);
    }

    [Theory]
    [InlineData(true, BenefitTier.Township, "0.80", true)]
    [InlineData(false, BenefitTier.Township, "0.75", false)]
    [InlineData(true, BenefitTier.City, "0.80", true)]
    [InlineData(true, BenefitTier.OutOfCity, "0.55", false)]
    public void Ningbo_grassroots_floor(bool grassroots, BenefitTier tier, string ratio, bool floor)
    {
        var s = default(PersonYearState);
        var r = Settle(Ningbo, AtTier("2024-01-01", tier) with { IsGrassroots = grassroots }, ref s);
        Assert.Equal(Dec(ratio), r.Ratio);
        Assert.Equal(floor, r.Adjustments.HasFlag(ChainAdjustments.RatioFloor));
    }

    [Fact]
    public void Policy_selection_by_discharge_date_and_region()
    {
        var store = Store;
        Assert.True(store.TryResolve(Ningde, D("1999-01-01"), out _));
        Assert.False(store.TryResolve(Ningbo, D("2023-12-31"), out _));
        Assert.True(store.TryResolve(Ningbo, D("2024-01-01"), out var nb));
        Assert.True(nb.HasDemoValues);
        Assert.False(store.TryResolve(Xinyang, D("2023-12-31"), out _));
        Assert.True(store.TryResolve(Xinyang, D("2024-01-01"), InsuranceType.Resident, out _));
        Assert.False(store.TryResolve(Xinyang, D("2024-01-01"), InsuranceType.Employee, out _));
        Assert.False(store.TryResolve("110100", D("2024-01-01"), out _));
        Assert.True(store.TryResolve("350000", D("2023-08-11"), out var fj));
        Assert.False(fj.Covers(InsuranceType.Resident));
        Assert.Equal(640m, fj.Indicators["resident_fiscal_subsidy_min_2023"]);
        Assert.False(store.TryResolve("350000", D("2023-08-10"), out _));
        Assert.Equal(["330200", "350000", "350900", "411500"], store.Regions);

        // Segments: each parameter group's own dates split the Ningde policy.
        var a = Policy(Ningde, "2023-07-09");
        var b = Policy(Ningde, "2023-07-10");
        Assert.NotSame(a, b);
        Assert.Equal(D("2023-07-10"), b.From);
        Assert.Equal(D("2023-09-19"), b.To);
        Assert.Same(b, Policy(Ningde, "2023-09-19"));
    }

    [Theory]
    // county hospital, 2024-05-10, total = policy = 20,000: F 15,600, S1 4,400, no CI.
    [InlineData(AssistanceClass.ExtremelyPoor, 3960, 0)]
    [InlineData(AssistanceClass.Orphan, 3960, 0)]
    [InlineData(AssistanceClass.MinimumLivelihood, 3080, 0)]
    [InlineData(AssistanceClass.ReturnedToPoverty, 3080, 0)]
    [InlineData(AssistanceClass.NearMinimumLivelihood, 1300, 2400)]
    [InlineData(AssistanceClass.AtRiskOfPoverty, 1300, 2400)]
    [InlineData(AssistanceClass.ImpoverishedByIllness, 0, 4400)] // deductible 6,000 not reached
    [InlineData(AssistanceClass.None, 0, 0)]
    public void Xinyang_assistance_class_rows(AssistanceClass cls, int ma, int deductibleUsed)
    {
        var s = default(PersonYearState);
        var r = Settle(Xinyang, Case("2024-05-10", total: 20000m, policy: 20000m, full: 0, partial: 0, location: HospitalLocation.County, level: "2A", cls: cls), ref s);
        Assert.Equal(Fen(15600m), r.BasicFundFen);
        Assert.Equal(0, r.CriticalIllnessFen);
        Assert.Equal(Fen(ma), r.AssistanceFen);
        Assert.Equal(Fen(4400m - ma), r.PatientFen);
        Assert.Equal(Fen(deductibleUsed), s.AssistanceDeductibleUsedFen);

        // A second case the same year: the class deductible is annual (yinbing has 1,600 left).
        var r2 = Settle(Xinyang, Case("2024-06-10", total: 20000m, policy: 20000m, full: 0, partial: 0, location: HospitalLocation.County, level: "2A", cls: cls), ref s);
        // Special classes: C 8,800 crosses 7,500 → CI 845; S2 3,555.
        var expected = cls switch
        {
            AssistanceClass.ExtremelyPoor or AssistanceClass.Orphan => 3199.50m, // 3,555 × 0.90
            AssistanceClass.MinimumLivelihood or AssistanceClass.ReturnedToPoverty => 2488.50m, // 3,555 × 0.70
            AssistanceClass.NearMinimumLivelihood or AssistanceClass.AtRiskOfPoverty => 2860m, // 4,400 × 0.65
            AssistanceClass.ImpoverishedByIllness => 1820m, // (4,400 − 1,600) × 0.65
            _ => 0m,
        };
        Assert.Equal(Fen(expected), r2.AssistanceFen);
    }

    [Fact]
    public void Xinyang_assistance_and_basic_caps_reached_mid_case_then_tilt()
    {
        ChainInput C(string date, decimal total) => Case(date, total: total, policy: total, full: 0, partial: 0, location: HospitalLocation.County, level: "2A", cls: AssistanceClass.ExtremelyPoor);

        // tekun, county, 450,000: F 359,600; S1 90,400; CI special (90,400 − 7,500) × 0.65 = 53,885;
        // S2 36,515; MA 32,863.50 → cap 30,000; S3 6,515 → tilt base, no tilt (6,515 < 12,000).
        var s = default(PersonYearState);
        var r = Settle(Xinyang, C("2024-05-10", 450000m), ref s);
        Assert.Equal(Fen(359600m), r.BasicFundFen);
        Assert.Equal(Fen(53885m), r.CriticalIllnessFen);
        Assert.Equal(Fen(30000m), r.AssistanceFen);
        Assert.True(r.Adjustments.HasFlag(ChainAdjustments.AssistanceCapReached));
        Assert.Equal(0, r.TiltFen);
        Assert.Equal(Fen(6515m), r.PatientFen);
        Assert.Equal(Fen(6515m), s.TiltBaseFen);

        // 30,000: F 23,600; S1 6,400; CI 4,160; S2 2,240; MA 0 (cap used); B 8,755 → no tilt.
        r = Settle(Xinyang, C("2024-06-10", 30000m), ref s);
        Assert.Equal(Fen(23600m), r.BasicFundFen);
        Assert.Equal(Fen(4160m), r.CriticalIllnessFen);
        Assert.Equal(0, r.AssistanceFen);
        Assert.Equal(0, r.TiltFen);
        Assert.Equal(Fen(8755m), s.TiltBaseFen);

        // 30,000: basic cap left 16,800 → F 16,800; S1 13,200; CI 8,580; S2 4,620; B 13,375 →
        // tilt (13,375 − 12,000) × 0.60 = 825.00; patient 3,795.00.
        r = Settle(Xinyang, C("2024-07-10", 30000m), ref s);
        Assert.Equal(Fen(16800m), r.BasicFundFen);
        Assert.True(r.Adjustments.HasFlag(ChainAdjustments.AnnualCapReached));
        Assert.Equal(Fen(8580m), r.CriticalIllnessFen);
        Assert.Equal(Fen(825m), r.TiltFen);
        Assert.Equal(Fen(3795m), r.PatientFen);
        Assert.Equal(Fen(1375m), s.TiltBaseUsedFen);
        Assert.Equal(Fen(400000m), s.BasicFundPaidFen);
    }

    [Theory]
    [InlineData(CareLocation.Local, ReferralStatus.None, 3460.80, true)]
    [InlineData(CareLocation.OutOfCity, ReferralStatus.Registered, 0, true)] // out of city: other tier, computed below
    [InlineData(CareLocation.OutOfProvince, ReferralStatus.Registered, 0, false)]
    [InlineData(CareLocation.OutOfCity, ReferralStatus.Unregistered, 0, false)]
    public void Tilt_conditions(CareLocation care, ReferralStatus referral, double tilt, bool qualifies)
    {
        // State as after the first dibao_edge case of the spec; cap left 8,700.
        var s = new PersonYearState { Admissions = 1, BasicFundPaidFen = Fen(15600m), CumulativeS1Fen = Fen(4400m), AssistanceDeductibleUsedFen = Fen(2400m), AssistancePaidFen = Fen(1300m), TiltBaseFen = Fen(3100m) };
        var before = s.TiltBaseFen;
        var r = Settle(Xinyang, Case("2024-08-20", total: 120000m, policy: 120000m, full: 0, partial: 0, care: care, referral: referral, cls: AssistanceClass.NearMinimumLivelihood), ref s);
        if (care == CareLocation.Local)
        {
            Assert.Equal(Fen((decimal)tilt), r.TiltFen);
        }

        Assert.Equal(qualifies, s.TiltBaseFen > before);
        if (!qualifies)
        {
            Assert.Equal(0, r.TiltFen);
        }
        else if (care == CareLocation.OutOfCity)
        {
            // Out of city 1,500 / 0.55: F 65,175; S1 54,825; CI (46,920 + … ) — hand: C1 = 59,225 → (59,225 − 15,000) × 0.6 = 26,535;
            // S2 28,290; MA capped 8,700; S3 19,590; B 22,690 → tilt (22,690 − 12,000) × 0.6 = 6,414.00.
            Assert.Equal(Fen(65175m), r.BasicFundFen);
            Assert.Equal(Fen(26535m), r.CriticalIllnessFen);
            Assert.Equal(Fen(6414m), r.TiltFen);
        }
    }

    [Fact]
    public void Tilt_cap_reached_mid_case()
    {
        var s = new PersonYearState { AssistancePaidFen = Fen(10000m), TiltBaseFen = Fen(20000m), TiltBaseUsedFen = Fen(8000m), TiltPaidFen = Fen(9000m), CumulativeS1Fen = Fen(100000m), Admissions = 3 };
        // City 2024: F (20,000 − 800) × 0.65 = 12,480; S1 7,520; CI 7,520 × 0.6 = 4,512; S2 3,008; MA 0; B 23,008;
        // tilt (11,008 − 8,000) × 0.6 = 1,804.80 → cap left 1,000.
        var r = Settle(Xinyang, Case("2024-09-01", total: 20000m, policy: 20000m, full: 0, partial: 0, cls: AssistanceClass.NearMinimumLivelihood), ref s);
        Assert.Equal(Fen(12480m), r.BasicFundFen);
        Assert.Equal(Fen(4512m), r.CriticalIllnessFen);
        Assert.Equal(0, r.AssistanceFen);
        Assert.Equal(Fen(1000m), r.TiltFen);
        Assert.True(r.Adjustments.HasFlag(ChainAdjustments.TiltCapReached));
        Assert.Equal(Fen(10000m), s.TiltPaidFen);
        Assert.Equal(Fen(2008m), r.PatientFen);
    }

    [Fact]
    public void Tilt_never_refunds_earlier_cases()
    {
        // Base already far above the threshold from earlier cases, cap used by this case: tilt limited to this case's S3.
        var s = new PersonYearState { AssistancePaidFen = Fen(9990m), TiltBaseFen = Fen(30000m), CumulativeS1Fen = Fen(100000m), AssistanceDeductibleUsedFen = Fen(2400m) };
        var r = Settle(Xinyang, Case("2024-09-01", total: 2000m, policy: 2000m, full: 0, partial: 0, location: HospitalLocation.Township, level: "0", cls: AssistanceClass.NearMinimumLivelihood), ref s);
        // F (2,000 − 200) × 0.9 = 1,620; S1 380; CI 228; S2 152; MA 98.80 → cap left 10; S3 142; tilt (18,142 × 0.6 ≫) → 142.
        Assert.Equal(Fen(1620m), r.BasicFundFen);
        Assert.Equal(Fen(228m), r.CriticalIllnessFen);
        Assert.Equal(Fen(10m), r.AssistanceFen);
        Assert.Equal(Fen(142m), r.TiltFen);
        Assert.True(r.Adjustments.HasFlag(ChainAdjustments.TiltLimitedToCase));
        Assert.Equal(0, r.PatientFen);
    }

    [Fact]
    public void Annual_basic_cap_reached_mid_case()
    {
        var s = new PersonYearState { BasicFundPaidFen = Fen(395000m) };
        var r = Settle(Ningde, Case("2024-03-01"), ref s);
        Assert.Equal(Fen(5000m), r.BasicFundFen); // 10,725 capped at 5,000 left
        Assert.True(r.Adjustments.HasFlag(ChainAdjustments.AnnualCapReached));
        Assert.Equal(Fen(400000m), s.BasicFundPaidFen);
        Assert.Equal(Fen(12000m), r.S1Fen);
        var r2 = Settle(Ningde, Case("2024-04-01"), ref s);
        Assert.Equal(0, r2.BasicFundFen);
    }

    [Fact]
    public void Critical_illness_cap_reached_mid_case_and_special_class_without_cap()
    {
        var s = new PersonYearState { CumulativeS1Fen = Fen(100000m), CriticalIllnessPaidFen = Fen(399900m) };
        var r = Settle(Ningde, Case("2024-03-01"), ref s);
        Assert.Equal(Fen(100m), r.CriticalIllnessFen); // 6,275 × 0.6 = 3,765 → 100 left
        Assert.True(r.Adjustments.HasFlag(ChainAdjustments.CriticalIllnessCapReached));

        var t = new PersonYearState { CumulativeS1Fen = Fen(100000m), CriticalIllnessPaidFen = Fen(399900m) };
        var r2 = Settle(Ningde, Case("2024-03-01", cls: AssistanceClass.ExtremelyPoor), ref t);
        Assert.Equal(Fen(4078.75m), r2.CriticalIllnessFen); // 6,275 × 0.65, no cap for the special classes
        Assert.True(r2.Adjustments.HasFlag(ChainAdjustments.AssistanceClassNotInPolicy)); // Ningde states no assistance parameters
        Assert.Equal(0, r2.AssistanceFen);
    }

    [Fact]
    public void Rounding_half_up_at_the_fen()
    {
        // (10,000.01 − 500) × 0.65 = 6,175.0065 → 6,175.01; CI on S1 3,825.00 none.
        var s = default(PersonYearState);
        var r = Settle(Ningde, Case("2024-03-01", total: 10000.01m, policy: 10000.01m, full: 0, partial: 0), ref s);
        Assert.Equal(617501, r.BasicFundFen);
        // (x − 500) × 0.65 with x − 500 = 0.10 → 0.065 → 0.07 (half-up, not banker's 0.06).
        s = default;
        r = Settle(Ningde, Case("2024-03-01", total: 500.10m, policy: 500.10m, full: 0, partial: 0), ref s);
        Assert.Equal(7, r.BasicFundFen);
    }
}
