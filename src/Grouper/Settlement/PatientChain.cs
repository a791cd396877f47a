using System.Runtime.CompilerServices;
using Grouper.Core;
using Grouper.Ingest;

namespace Grouper.Settlement;

/// <summary>What the patient chain needs of one inpatient case. Money in fen.</summary>
public struct ChainInput
{
    public InsuranceType InsuranceType;
    public AssistanceClass AssistanceClass;
    public CareLocation CareLocation;
    public ReferralStatus ReferralStatus;

    /// <summary>市级/县级/乡级 of the hospital's site.</summary>
    public HospitalLocation HospitalLocation;
    public HospitalKind HospitalKind;
    public HospitalLevel HospitalLevel;
    public bool IsGrassroots;

    /// <summary>The hospital bills patients by DRG group (DRG 收付费).</summary>
    public bool DrgCharge;

    public Code PrincipalDx;

    /// <summary>Principal procedure (empty when none); used by per-disease list entries that name one.</summary>
    public Code PrincipalProc;

    public long TotalFen;

    /// <summary>政策范围内费用.</summary>
    public long PolicyFen;

    /// <summary>全自费.</summary>
    public long FullSelfPayFen;

    /// <summary>乙类先行自付.</summary>
    public long PartialSelfPayFen;

    public DateOnly DischargeDate;

    /// <summary>The chain input of a validated record and its hospital.</summary>
    public static ChainInput From(in DischargeRecord record, Hospital hospital) => new()
    {
        InsuranceType = record.InsuranceType,
        AssistanceClass = record.AssistanceClass,
        CareLocation = record.CareLocation,
        ReferralStatus = record.ReferralStatus,
        HospitalLocation = hospital.Location,
        HospitalKind = hospital.Kind,
        HospitalLevel = hospital.Level,
        IsGrassroots = hospital.IsGrassroots,
        DrgCharge = hospital.DrgCharge,
        PrincipalDx = record.PrincipalDx,
        PrincipalProc = record.PrincipalProc,
        TotalFen = record.TotalCostFen,
        PolicyFen = record.PolicyCostFen,
        FullSelfPayFen = record.FullSelfPayFen,
        PartialSelfPayFen = record.PartialSelfPayFen,
        DischargeDate = record.DischargeDate,
    };
}

/// <summary>
/// Year-to-date state of one (person, insurance type, calendar year of discharge). Money in fen.
/// Updated by <see cref="PatientChain.Apply"/>; persisted by <see cref="YearToDateStore"/>.
/// </summary>
public record struct PersonYearState
{
    /// <summary>Admissions settled so far this year.</summary>
    public int Admissions;

    /// <summary>Basic fund paid (against the annual cap).</summary>
    public long BasicFundPaidFen;

    /// <summary>Cumulative policy self-pay S1 (critical-illness base).</summary>
    public long CumulativeS1Fen;

    public long CriticalIllnessPaidFen;

    /// <summary>Assistance class deductible used.</summary>
    public long AssistanceDeductibleUsedFen;

    /// <summary>Assistance paid (inpatient + outpatient entered from elsewhere) against the class cap.</summary>
    public long AssistancePaidFen;

    /// <summary>Tilt base B: S3 of qualifying cases.</summary>
    public long TiltBaseFen;

    /// <summary>Part of B above the threshold already used for tilt.</summary>
    public long TiltBaseUsedFen;

    public long TiltPaidFen;

    /// <summary>Latest discharge date applied (watermark: a later run's older case is reported as late).</summary>
    public DateOnly LastDischarge;
}

/// <summary>The split of one case's bill. Parts are ≥ 0 and add to total cost exactly.</summary>
public struct ChainResult
{
    public BenefitTier Tier;
    public ChargeMode ChargeMode;
    public int AdmissionNumber;

    /// <summary>Deductible applied A (act_pay_dedc).</summary>
    public long DeductibleFen;

    /// <summary>Final ratio R.</summary>
    public decimal Ratio;

    /// <summary>Basic fund F (hifp_pay).</summary>
    public long BasicFundFen;

    /// <summary>Critical illness CI (hifmi_pay).</summary>
    public long CriticalIllnessFen;

    /// <summary>Medical assistance MA (maf_pay without tilt).</summary>
    public long AssistanceFen;

    /// <summary>Tilt assistance (in maf_pay, also on its own).</summary>
    public long TiltFen;

    /// <summary>Patient pays P.</summary>
    public long PatientFen;

    /// <summary>Policy self-pay after the basic fund (S1).</summary>
    public long S1Fen;

    public ChainAdjustments Adjustments;

    /// <summary>maf_pay = assistance + tilt.</summary>
    public readonly long MafFen => AssistanceFen + TiltFen;
}

/// <summary>
/// The patient chain (settlement.md steps 1–10): deductible, ratio, basic fund with annual cap,
/// critical illness (大病保险), medical assistance (医疗救助), tilt assistance (倾斜救助), patient.
/// Pure: the result depends only on the policy, the input and the state; no allocation.
/// </summary>
public static class PatientChain
{
    /// <summary>
    /// Settles one case and advances <paramref name="state"/>. The caller has resolved the policy by
    /// discharge date and checked <see cref="ResolvedPolicy.Covers"/> for the insurance type.
    /// </summary>
    public static void Apply(ResolvedPolicy policy, in ChainInput input, ref PersonYearState state, out ChainResult result)
    {
        result = default;
        var benefits = policy.Benefits[(int)input.InsuranceType]
            ?? throw new ArgumentException("the policy has no benefit table for the insurance type; reject NO_POLICY", nameof(policy));
        var adj = ChainAdjustments.None;
        var policyCost = input.PolicyFen;

        // 1. Tier: hospital location for local care or registered long-term residents (001: local
        //    standards apply); every other out-of-region case is out_of_city.
        BenefitTier tier;
        if (input.CareLocation == CareLocation.Local)
        {
            tier = (BenefitTier)(int)input.HospitalLocation;
        }
        else if (input.ReferralStatus == ReferralStatus.Resident)
        {
            tier = (BenefitTier)(int)input.HospitalLocation;
            adj |= ChainAdjustments.ResidentLocalStandards;
        }
        else
        {
            tier = BenefitTier.OutOfCity;
        }

        var t = (int)tier;

        // 2. Charge mode.
        var mode = OnPerDiseaseList(policy, input.PrincipalDx, input.PrincipalProc) ? ChargeMode.PerDisease
            : input.DrgCharge ? ChargeMode.Drg : ChargeMode.Items;

        // 3. Admission number.
        var n = state.Admissions + 1;

        // 4. Deductible.
        var ded = benefits.Deductible[t];
        if (input.HospitalKind == HospitalKind.Tcm && benefits.TcmTiers[t] && benefits.TcmReduction > 0)
        {
            ded -= benefits.TcmReduction;
            adj |= ChainAdjustments.TcmReduction;
        }

        var factors = benefits.AdmissionFactors;
        var factor = factors[Math.Min(n, factors.Length) - 1];
        if (factor != 1m)
        {
            adj |= ChainAdjustments.AdmissionFactor;
        }

        var d = Rounding.ToFen(ded * factor);
        var a = Math.Min(d, policyCost);

        // 5. Ratio.
        decimal r;
        var level = input.HospitalLevel;
        var is3A = level.Tier == 3 && level.Grade == 'A';
        if (mode == ChargeMode.PerDisease && benefits.PerDiseaseRatio is { } pd)
        {
            r = tier == BenefitTier.OutOfCity ? pd[level.Tier == 3 ? 3 : 2] : pd[is3A ? 1 : 0];
        }
        else if (mode == ChargeMode.Drg && tier == BenefitTier.OutOfCity && benefits.DrgChargeOutOfCityRatio is { } dc)
        {
            r = dc[is3A ? 1 : 0];
        }
        else
        {
            r = benefits.GeneralRatio[t];
            if (mode == ChargeMode.PerDisease)
            {
                adj |= ChainAdjustments.PerDiseaseGeneralRatio;
            }
        }

        if (tier == BenefitTier.OutOfCity && input.ReferralStatus == ReferralStatus.Unregistered && policy.UnregisteredReduction > 0)
        {
            r -= policy.UnregisteredReduction;
            adj |= ChainAdjustments.UnregisteredReduction;
        }

        if (tier == BenefitTier.OutOfCity && input.ReferralStatus != ReferralStatus.Emergency
            && policy.LimitedReferralReduction > 0 && OnList(policy.LimitedReferralDx, input.PrincipalDx))
        {
            r -= policy.LimitedReferralReduction;
            adj |= ChainAdjustments.LimitedReferralReduction;
        }

        if (input.IsGrassroots && benefits.GrassrootsFloor[t] > r)
        {
            r = benefits.GrassrootsFloor[t];
            adj |= ChainAdjustments.RatioFloor;
        }

        if (r < 0m || r > 1m)
        {
            r = Math.Clamp(r, 0m, 1m);
            adj |= ChainAdjustments.RatioClamped;
        }

        // 6. Basic fund with the annual cap.
        var capLeft = benefits.AnnualCapFen == long.MaxValue ? long.MaxValue : Math.Max(0, benefits.AnnualCapFen - state.BasicFundPaidFen);
        var f = Rounding.ToFen(Money.ToYuan(policyCost - a) * r);
        if (f > capLeft)
        {
            f = capLeft;
            adj |= ChainAdjustments.AnnualCapReached;
        }

        // 7. Critical illness on the cumulative policy self-pay.
        var s1 = policyCost - f;
        var c0 = state.CumulativeS1Fen;
        var c1 = c0 + s1;
        long ci = 0;
        if (benefits.CriticalIllness is { } cip)
        {
            var special = cip.SpecialClass[(int)input.AssistanceClass];
            var thr = Money.ToFenExact(special ? cip.SpecialThreshold : cip.Threshold);
            var ratio = special ? cip.SpecialRatio : cip.Ratio;
            var cap = special ? cip.SpecialCapFen : cip.CapFen;
            if (special)
            {
                adj |= ChainAdjustments.CriticalIllnessSpecialClass;
            }

            var eligible = Math.Max(0, c1 - thr) - Math.Max(0, c0 - thr);
            ci = Rounding.ToFen(Money.ToYuan(eligible) * ratio);
            var left = cap == long.MaxValue ? long.MaxValue : Math.Max(0, cap - state.CriticalIllnessPaidFen);
            if (ci > left)
            {
                ci = left;
                adj |= ChainAdjustments.CriticalIllnessCapReached;
            }
        }

        // 8. Medical assistance by class.
        var s2 = s1 - ci;
        long ma = 0, tilt = 0, used = 0;
        var tiltBase = state.TiltBaseFen;
        var tiltBaseUsed = state.TiltBaseUsedFen;
        if (input.AssistanceClass != AssistanceClass.None)
        {
            if (policy.Assistance[(int)input.AssistanceClass] is { } ap)
            {
                used = Math.Min(s2, Math.Max(0, ap.DeductibleFen - state.AssistanceDeductibleUsedFen));
                ma = Rounding.ToFen(Money.ToYuan(s2 - used) * ap.Ratio);
                var left = Math.Max(0, ap.CapFen - state.AssistancePaidFen);
                if (ma > left)
                {
                    ma = left;
                    adj |= ChainAdjustments.AssistanceCapReached;
                }

                // 9. Tilt assistance: qualifying cases add S3 to the base; paid once the class cap is used up.
                if (policy.Tilt is { } tp
                    && !(tp.InProvinceOnly && input.CareLocation == CareLocation.OutOfProvince)
                    && !(tp.ExcludeUnregistered && input.ReferralStatus == ReferralStatus.Unregistered))
                {
                    var s3 = s2 - ma;
                    tiltBase += s3;
                    if (state.AssistancePaidFen + ma >= ap.CapFen)
                    {
                        var thr = Money.ToFenExact(tp.Threshold);
                        var above = Math.Max(0, tiltBase - thr);
                        tilt = Rounding.ToFen(Money.ToYuan(Math.Max(0, above - tiltBaseUsed)) * tp.Ratio);
                        // Base from earlier cases may exceed this case's own S3; tilt never refunds
                        // earlier cases, so the patient's part of this case stays ≥ 0.
                        if (tilt > s3)
                        {
                            tilt = s3;
                            adj |= ChainAdjustments.TiltLimitedToCase;
                        }

                        var tleft = Math.Max(0, tp.CapFen - state.TiltPaidFen);
                        if (tilt > tleft)
                        {
                            tilt = tleft;
                            adj |= ChainAdjustments.TiltCapReached;
                        }

                        if (tilt > 0)
                        {
                            adj |= ChainAdjustments.TiltPaid;
                        }

                        tiltBaseUsed = above;
                    }
                }
            }
            else
            {
                adj |= ChainAdjustments.AssistanceClassNotInPolicy;
            }
        }

        // 10. Patient pays the rest: S3 − tilt + full self-pay + class-B + over-limit.
        var patient = input.TotalFen - f - ci - ma - tilt;

        result.Tier = tier;
        result.ChargeMode = mode;
        result.AdmissionNumber = n;
        result.DeductibleFen = a;
        result.Ratio = r;
        result.BasicFundFen = f;
        result.CriticalIllnessFen = ci;
        result.AssistanceFen = ma;
        result.TiltFen = tilt;
        result.PatientFen = patient;
        result.S1Fen = s1;
        result.Adjustments = adj;

        state.Admissions = n;
        state.BasicFundPaidFen += f;
        state.CumulativeS1Fen = c1;
        state.CriticalIllnessPaidFen += ci;
        state.AssistanceDeductibleUsedFen += used;
        state.AssistancePaidFen += ma;
        state.TiltBaseFen = tiltBase;
        state.TiltBaseUsedFen = tiltBaseUsed;
        state.TiltPaidFen += tilt;
        if (input.DischargeDate > state.LastDischarge)
        {
            state.LastDischarge = input.DischargeDate;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool OnPerDiseaseList(ResolvedPolicy policy, Code dx, Code proc)
    {
        var list = policy.PerDiseaseList;
        for (var i = 0; i < list.Length; i++)
        {
            var e = list[i];
            if (dx.Prefix(e.DxLength) == e.Dx && (e.Proc.IsEmpty || e.Proc == proc))
            {
                return true;
            }
        }

        return false;
    }

    private static bool OnList(Code[] prefixes, Code dx)
    {
        for (var i = 0; i < prefixes.Length; i++)
        {
            var p = prefixes[i];
            if (dx.Prefix(p.Length) == p)
            {
                return true;
            }
        }

        return false;
    }
}
