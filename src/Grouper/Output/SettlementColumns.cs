using System.Runtime.CompilerServices;
using Grouper.Core;
using Grouper.Ingest;
using Grouper.Pipeline;
using Grouper.Settlement;
using Parquet.Schema;

namespace Grouper.Output;

/// <summary>Patient-chain columns of cases.parquet (settlement.md outputs; national field names in docs/outputs.md).</summary>
internal sealed class SettlementColumns : ICaseColumnSet
{
    private readonly DictionaryColumn<ResolvedPolicy> _policy;
    private readonly DictionaryColumn<int> _tier;
    private readonly DictionaryColumn<int> _chargeMode;
    private readonly NumberColumn<int> _admission;
    private readonly NumberColumn<long> _deductible;
    private readonly NumberColumn<int> _ratio;
    private readonly NumberColumn<long> _basicFund;
    private readonly NumberColumn<long> _criticalIllness;
    private readonly NumberColumn<long> _assistance;
    private readonly NumberColumn<long> _tilt;
    private readonly NumberColumn<long> _patient;
    private readonly DictionaryColumn<int> _adjustments;
    private readonly BoolColumn _late;

    public SettlementColumns(int capacity)
    {
        // Policies are few objects shared by every case: look them up by reference.
        _policy = new(new DataField<string>("policy_version", false), capacity, p => $"{p.Name} {p.Version}", ReferenceEqualityComparer.Instance);
        _tier = new(new DataField<string>("benefit_tier", false), capacity, k => TierName((BenefitTier)k));
        _chargeMode = new(new DataField<string>("charge_mode", false), capacity, k => ChargeName((ChargeMode)k));
        _admission = new(new DataField<int>("admission_number"), capacity);
        _deductible = new(new DecimalDataField("deductible_applied", 18, 2, false, false), capacity);
        _ratio = new(new DecimalDataField("reimbursement_ratio", 9, 4, false, false), capacity);
        _basicFund = new(new DecimalDataField("basic_fund", 18, 2, false, false), capacity);
        _criticalIllness = new(new DecimalDataField("critical_illness", 18, 2, false, false), capacity);
        _assistance = new(new DecimalDataField("medical_assistance", 18, 2, false, false), capacity);
        _tilt = new(new DecimalDataField("tilt_assistance", 18, 2, false, false), capacity);
        _patient = new(new DecimalDataField("patient_pays", 18, 2, false, false), capacity);
        _adjustments = new(new DataField<string>("chain_adjustments", false), capacity, k => k == 0 ? string.Empty : ((ChainAdjustments)(uint)k).ToString().Replace(", ", ";", StringComparison.Ordinal));
        _late = new(new DataField<bool>("settled_late"), capacity);
    }

    public IEnumerable<IColumnBuffer> Columns =>
        [_policy, _tier, _chargeMode, _admission, _deductible, _ratio, _basicFund, _criticalIllness, _assistance, _tilt, _patient, _adjustments, _late];

    public void Append(DischargeBatch batch, int start, int count, int row)
    {
        for (var k = 0; k < count; k++)
        {
            AppendRow(batch, start + k, row + k);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AppendRow(DischargeBatch batch, int index, int row)
    {
        ref readonly var s = ref ((CaseBatch)batch).Settlement[index];
        ref readonly var c = ref s.Result;
        if (s.Policy is null)
        {
            _policy.SetNull(row); // required: the empty string
        }
        else
        {
            _policy.Set(row, s.Policy);
        }

        _tier.Set(row, (int)c.Tier);
        _chargeMode.Set(row, (int)c.ChargeMode);
        _admission.Set(row, c.AdmissionNumber);

        // decimal(18,2) yuan is stored as its unscaled integer: fen.
        _deductible.Set(row, c.DeductibleFen);
        _ratio.SetDecimal(row, c.Ratio);
        _basicFund.Set(row, c.BasicFundFen);
        _criticalIllness.Set(row, c.CriticalIllnessFen);
        _assistance.Set(row, c.MafFen);
        _tilt.Set(row, c.TiltFen);
        _patient.Set(row, c.PatientFen);
        _adjustments.Set(row, (int)c.Adjustments);
        _late.Set(row, s.Late);
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
