using CsCheck;
using Grouper.Core;
using Grouper.Settlement;
using static Grouper.Tests.Settlement.SettlementFixture;

namespace Grouper.Tests.Settlement;

/// <summary>
/// Invariants of the chain over generated cases. Inputs come from CsCheck generators driven by a
/// fixed PCG seed, so every run sees the same cases (deterministic, no flaky failures).
/// </summary>
public class ChainPropertyTests
{
    private const int Cases = 3000;

    private static readonly string[] Levels = ["3A", "3B", "3", "2A", "2", "1", "0"];

    private static readonly Gen<(string Region, ChainInput Input)> GenCase =
        from region in Gen.Int[0, 1]
        from day in Gen.Int[0, 1300]
        from loc in Gen.Int[1, 3]
        from care in Gen.Int[1, 3]
        from referral in Gen.Int[0, 4]
        from cls in Gen.Int[0, 7]
        from kind in Gen.Int[1, 6]
        from level in Gen.Int[0, Levels.Length - 1]
        from flags in Gen.Int[0, 3]
        from total in Gen.Long[0, 60_000_000]
        from policyShare in Gen.Int[0, 100]
        from fullShare in Gen.Int[0, 100]
        from partialShare in Gen.Int[0, 100]
        from employee in Gen.Int[0, 3]
        select Make(region, day, loc, care, referral, cls, kind, level, flags, total, policyShare, fullShare, partialShare, employee);

    private static readonly Gen<PersonYearState> GenState =
        from admissions in Gen.Int[0, 4]
        from basic in Gen.Long[0, 42_000_000]
        from s1 in Gen.Long[0, 5_000_000]
        from ci in Gen.Long[0, 41_000_000]
        from dedUsed in Gen.Long[0, 700_000]
        from maPaid in Gen.Long[0, 3_100_000]
        from tiltBase in Gen.Long[0, 3_000_000]
        from tiltPaid in Gen.Long[0, 1_100_000]
        select new PersonYearState
        {
            Admissions = admissions,
            BasicFundPaidFen = basic,
            CumulativeS1Fen = s1,
            CriticalIllnessPaidFen = ci,
            AssistanceDeductibleUsedFen = dedUsed,
            AssistancePaidFen = maPaid,
            TiltBaseFen = tiltBase,
            TiltBaseUsedFen = Math.Max(0, tiltBase - 1_200_000),
            TiltPaidFen = tiltPaid,
        };

    private static (string, ChainInput) Make(int region, int day, int loc, int care, int referral, int cls, int kind, int level, int flags, long total, int policyShare, int fullShare, int partialShare, int employee)
    {
        var r = region == 0 ? Ningde : Xinyang;
        var start = region == 0 ? new DateOnly(2022, 6, 1) : new DateOnly(2024, 1, 1);
        var date = start.AddDays(region == 0 ? day : day % 700);
        var policy = total * policyShare / 100;
        var full = (total - policy) * fullShare / 100;
        var partial = (total - policy - full) * partialShare / 100;
        _ = HospitalLevel.TryParse(Levels[level], out var lv);
        return (r, new ChainInput
        {
            InsuranceType = region == 0 && employee == 0 ? InsuranceType.Employee : InsuranceType.Resident,
            AssistanceClass = (AssistanceClass)cls,
            CareLocation = (CareLocation)care,
            ReferralStatus = (ReferralStatus)referral,
            HospitalLocation = (HospitalLocation)loc,
            HospitalKind = (HospitalKind)kind,
            HospitalLevel = lv,
            IsGrassroots = (flags & 1) != 0,
            DrgCharge = (flags & 2) != 0,
            PrincipalDx = Code.Parse("J18.900"),
            TotalFen = total,
            PolicyFen = policy,
            FullSelfPayFen = full,
            PartialSelfPayFen = partial,
            DischargeDate = date,
        });
    }

    /// <summary>n values of <paramref name="gen"/> from a fixed seed.</summary>
    internal static List<T> Seeded<T>(Gen<T> gen, int n, ulong seed)
    {
        var pcg = new PCG(7, seed);
        var list = new List<T>(n);
        for (var i = 0; i < n; i++)
        {
            list.Add(gen.Generate(pcg, null!, out _));
        }

        return list;
    }

    [Fact]
    public void Parts_add_up_to_total_and_stay_in_range()
    {
        var cases = Seeded(GenCase, Cases, 20261123);
        var states = Seeded(GenState, Cases, 42);
        var tilts = 0;
        for (var i = 0; i < cases.Count; i++)
        {
            var (region, input) = cases[i];
            Assert.True(Store.TryResolve(region, input.DischargeDate, input.InsuranceType, out var policy));
            var s = states[i];
            var before = s;
            PatientChain.Apply(policy, input, ref s, out var r);
            AssertParts(input, r);
            Assert.InRange(r.PatientFen, 0, input.TotalFen);
            Assert.True(r.PatientFen >= input.TotalFen - input.PolicyFen); // out-of-scope parts are always the patient's
            Assert.InRange(r.Ratio, 0m, 1m);
            Assert.InRange(r.DeductibleFen, 0, input.PolicyFen);
            Assert.Equal(before.Admissions + 1, s.Admissions);
            Assert.Equal(before.BasicFundPaidFen + r.BasicFundFen, s.BasicFundPaidFen);
            Assert.Equal(before.TiltPaidFen + r.TiltFen, s.TiltPaidFen);
            tilts += r.TiltFen > 0 ? 1 : 0;
        }

        Assert.True(tilts > 0, "the generator should reach the tilt layer");
    }

    [Fact]
    public void A_higher_ratio_never_raises_the_patient_share()
    {
        var cases = Seeded(GenCase, Cases, 777);
        var states = Seeded(GenState, Cases, 778);
        var raises = Seeded(Gen.Int[1, 30], Cases, 779);
        var skipped = 0;
        for (var i = 0; i < cases.Count; i++)
        {
            var (region, input) = cases[i];
            Assert.True(Store.TryResolve(region, input.DischargeDate, input.InsuranceType, out var policy));

            // Excluded: a case whose assistance would reach the class cap at the lower ratio only.
            // The tilt layer starts "once the class cap is used up" (003), a step the ratio can
            // cross; Tilt_trigger_makes_the_share_non_monotonic shows it.
            var raised = Raise(policy, input.InsuranceType, raises[i] / 100m);
            var s1 = states[i];
            var s2 = states[i];
            PatientChain.Apply(policy, input, ref s1, out var lo);
            PatientChain.Apply(raised, input, ref s2, out var hi);
            if (lo.TiltFen > 0 && hi.TiltFen == 0)
            {
                skipped++;
                continue;
            }

            Assert.True(hi.Ratio >= lo.Ratio);
            Assert.True(hi.PatientFen <= lo.PatientFen, $"case {i}: patient {hi.PatientFen} at ratio {hi.Ratio} > {lo.PatientFen} at {lo.Ratio}");
        }

        Assert.InRange(skipped, 0, Cases / 50);
    }

    [Fact]
    public void Tilt_trigger_makes_the_share_non_monotonic()
    {
        // dibao_edge, Xinyang city 2024, assistance paid 9,000 of 10,000, tilt base 20,000 from earlier cases.
        var state = new PersonYearState { AssistancePaidFen = Fen(9000m), AssistanceDeductibleUsedFen = Fen(2400m), TiltBaseFen = Fen(20000m), CumulativeS1Fen = Fen(100000m) };
        var input = Case("2024-09-01", total: 10000m, policy: 10000m, full: 0, partial: 0, cls: AssistanceClass.NearMinimumLivelihood);
        var policy = Policy(Xinyang, "2024-09-01");
        var s1 = state;
        var s2 = state;

        // R 0.65: F 5,980; S1 4,020; CI 2,412; S2 1,608; MA 1,045.20 → cap 1,000 (cap used up);
        // S3 608; B 20,608 → tilt min(0.6 × 8,608, S3 608) = 608.00; patient 0.
        PatientChain.Apply(policy, input, ref s1, out var lo);
        Assert.Equal(Fen(1000m), lo.AssistanceFen);
        Assert.Equal(Fen(608m), lo.TiltFen);
        Assert.Equal(0, lo.PatientFen);

        // R 0.80: F 7,360; S1 2,640; CI 1,584; S2 1,056; MA 686.40 (cap not used up) → no tilt; patient 369.60.
        PatientChain.Apply(Raise(policy, InsuranceType.Resident, 0.15m), input, ref s2, out var hi);
        Assert.Equal(Fen(7360m), hi.BasicFundFen);
        Assert.Equal(Fen(686.40m), hi.AssistanceFen);
        Assert.Equal(0, hi.TiltFen);
        Assert.Equal(Fen(369.60m), hi.PatientFen);
        Assert.True(hi.PatientFen > lo.PatientFen);
    }

    private static ResolvedPolicy Raise(ResolvedPolicy p, InsuranceType insurance, decimal delta)
    {
        static decimal[] Up(decimal[] a, decimal d) => [.. a.Select(x => Math.Min(1m, x + d))];
        var b = p.Benefits[(int)insurance]!;
        var benefits = (BenefitTable?[])p.Benefits.Clone();
        benefits[(int)insurance] = b with
        {
            GeneralRatio = Up(b.GeneralRatio, delta),
            PerDiseaseRatio = b.PerDiseaseRatio is null ? null : Up(b.PerDiseaseRatio, delta),
            DrgChargeOutOfCityRatio = b.DrgChargeOutOfCityRatio is null ? null : Up(b.DrgChargeOutOfCityRatio, delta),
        };
        return p with { Benefits = benefits };
    }
}
