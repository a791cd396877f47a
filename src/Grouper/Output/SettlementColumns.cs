using Grouper.Core;
using Grouper.Ingest;
using Grouper.Pipeline;
using Grouper.Settlement;
using Parquet.Schema;

namespace Grouper.Output;

/// <summary>Patient-chain columns of cases.parquet (settlement.md outputs; national field names in docs/outputs.md).</summary>
internal sealed class SettlementColumns : ICaseColumnSet
{
    private readonly StringColumn _policy;
    private readonly StringColumn _tier;
    private readonly StringColumn _chargeMode;
    private readonly ValueColumn<int> _admission;
    private readonly ValueColumn<decimal> _deductible;
    private readonly ValueColumn<decimal> _ratio;
    private readonly ValueColumn<decimal> _basicFund;
    private readonly ValueColumn<decimal> _criticalIllness;
    private readonly ValueColumn<decimal> _assistance;
    private readonly ValueColumn<decimal> _tilt;
    private readonly ValueColumn<decimal> _patient;
    private readonly StringColumn _adjustments;
    private readonly ValueColumn<bool> _late;
    private readonly StringCache<ChainAdjustments> _adjustmentText = new(a => a == 0 ? string.Empty : a.ToString().Replace(", ", ";", StringComparison.Ordinal));
    private readonly StringCache<ResolvedPolicy> _policyText = new(p => $"{p.Name} {p.Version}");

    public SettlementColumns(int capacity)
    {
        _policy = new(new DataField<string>("policy_version", false), capacity);
        _tier = new(new DataField<string>("benefit_tier", false), capacity);
        _chargeMode = new(new DataField<string>("charge_mode", false), capacity);
        _admission = new(new DataField<int>("admission_number"), capacity);
        _deductible = new(new DecimalDataField("deductible_applied", 18, 2, false, false), capacity);
        _ratio = new(new DecimalDataField("reimbursement_ratio", 9, 4, false, false), capacity);
        _basicFund = new(new DecimalDataField("basic_fund", 18, 2, false, false), capacity);
        _criticalIllness = new(new DecimalDataField("critical_illness", 18, 2, false, false), capacity);
        _assistance = new(new DecimalDataField("medical_assistance", 18, 2, false, false), capacity);
        _tilt = new(new DecimalDataField("tilt_assistance", 18, 2, false, false), capacity);
        _patient = new(new DecimalDataField("patient_pays", 18, 2, false, false), capacity);
        _adjustments = new(new DataField<string>("chain_adjustments", false), capacity);
        _late = new(new DataField<bool>("settled_late"), capacity);
    }

    public IEnumerable<IColumnBuffer> Columns =>
        [_policy, _tier, _chargeMode, _admission, _deductible, _ratio, _basicFund, _criticalIllness, _assistance, _tilt, _patient, _adjustments, _late];

    public void Append(DischargeBatch batch, int index, int row)
    {
        ref readonly var s = ref ((CaseBatch)batch).Settlement[index];
        ref readonly var c = ref s.Result;
        _policy.Set(row, s.Policy is null ? string.Empty : _policyText.Get(s.Policy));
        _tier.Set(row, TierName(c.Tier));
        _chargeMode.Set(row, ChargeName(c.ChargeMode));
        _admission.Values[row] = c.AdmissionNumber;
        _deductible.Values[row] = Money.ToYuanForOutput(c.DeductibleFen);
        _ratio.Values[row] = c.Ratio;
        _basicFund.Values[row] = Money.ToYuanForOutput(c.BasicFundFen);
        _criticalIllness.Values[row] = Money.ToYuanForOutput(c.CriticalIllnessFen);
        _assistance.Values[row] = Money.ToYuanForOutput(c.MafFen);
        _tilt.Values[row] = Money.ToYuanForOutput(c.TiltFen);
        _patient.Values[row] = Money.ToYuanForOutput(c.PatientFen);
        _adjustments.Set(row, _adjustmentText.Get(c.Adjustments));
        _late.Values[row] = s.Late;
    }

    private static string TierName(BenefitTier t) => t switch
    {
        BenefitTier.OutOfCity => "out_of_city",
        BenefitTier.City => "city",
        BenefitTier.County => "county",
        _ => "township",
    };

    private static string ChargeName(ChargeMode m) => m switch
    {
        ChargeMode.PerDisease => "per_disease",
        ChargeMode.Drg => "drg",
        _ => "items",
    };
}
