using Grouper.Core;
using Grouper.Dip;
using Grouper.Drg;
using Grouper.Ingest;
using Grouper.Pipeline;
using Grouper.Settlement;
using Parquet.Schema;

namespace Grouper.Output;

/// <summary>DRG columns of cases.parquet (drg.md "Result and trace").</summary>
internal sealed class DrgColumns(DrgCatalog catalog, int capacity) : ICaseColumnSet
{
    private readonly StringColumn _mdc = new(new DataField<string>("mdc", false), capacity);
    private readonly StringColumn _adrg = new(new DataField<string>("adrg", false), capacity);
    private readonly StringColumn _drg = new(new DataField<string>("drg_code", false), capacity);
    private readonly NullableColumn<decimal> _weight = new(new DecimalDataField("drg_weight", 9, 4, false, true), capacity);
    private readonly StringColumn _reason = new(new DataField<string>("drg_reason", false), capacity);
    private readonly StringColumn _level = new(new DataField<string>("drg_cc_level", false), capacity);
    private readonly StringColumn _levelCode = new(new DataField<string>("drg_cc_code", true), capacity);
    private readonly StringColumn _deciding = new(new DataField<string>("drg_deciding_code", true), capacity);
    private readonly ValueColumn<int> _excluded = new(new DataField<int>("drg_excluded_count"), capacity);
    private readonly StringColumn _firstExcluded = new(new DataField<string>("drg_first_excluded", true), capacity);
    private readonly StringColumn _version = new(new DataField<string>("drg_catalog", false), capacity);
    private readonly StringCache<Code> _codes = new(c => c.ToString());
    private readonly string _catalogText = $"{catalog.Name} {catalog.Version}";

    public IEnumerable<IColumnBuffer> Columns => [_mdc, _adrg, _drg, _weight, _reason, _level, _levelCode, _deciding, _excluded, _firstExcluded, _version];

    public void Append(DischargeBatch batch, int index, int row)
    {
        ref readonly var d = ref ((CaseBatch)batch).Drg[index];
        _mdc.Set(row, catalog.MdcCode(d.Mdc));
        _adrg.Set(row, catalog.AdrgCode(d.Adrg));
        _drg.Set(row, catalog.DrgCode(d.Drg));
        _weight.Values[row] = d.RelativeWeight4 == 0 ? null : d.RelativeWeight;
        _reason.Set(row, DrgReasons.Name(d.Reason));
        _level.Set(row, DrgReasons.Name(d.Level));
        _levelCode.Set(row, d.LevelCode.IsEmpty ? null : _codes.Get(d.LevelCode));
        _deciding.Set(row, d.DecidingCode.IsEmpty ? null : _codes.Get(d.DecidingCode));
        _excluded.Values[row] = d.ExcludedCount;
        _firstExcluded.Set(row, d.FirstExcludedCode.IsEmpty ? null : _codes.Get(d.FirstExcludedCode) + "@" + catalog.ExclusionTableName(d.FirstExcludedTable));
        _version.Set(row, _catalogText);
    }
}

/// <summary>DIP columns of cases.parquet (dip.md "What a case carries").</summary>
internal sealed class DipColumns(DipCatalog catalog, int capacity) : ICaseColumnSet
{
    private readonly StringColumn _code = new(new DataField<string>("dip_code", false), capacity);
    private readonly StringColumn _kind = new(new DataField<string>("dip_kind", false), capacity);
    private readonly ValueColumn<decimal> _score = new(new DecimalDataField("dip_score", 18, 4, false, false), capacity);
    private readonly ValueColumn<decimal> _aux = new(new DecimalDataField("dip_aux_factor", 9, 4, false, false), capacity);
    private readonly StringColumn _auxItem = new(new DataField<string>("dip_aux_item", false), capacity);
    private readonly StringColumn _caseKind = new(new DataField<string>("case_kind", false), capacity);
    private readonly ValueColumn<decimal> _ratio = new(new DecimalDataField("cost_ratio", 18, 4, false, false), capacity);
    private readonly ValueColumn<decimal> _points = new(new DecimalDataField("dip_points", 18, 4, false, false), capacity);
    private readonly StringColumn _reason = new(new DataField<string>("dip_reason", false), capacity);
    private readonly StringColumn _version = new(new DataField<string>("dip_catalog", false), capacity);
    private readonly string _catalogText = $"{catalog.Name} {catalog.Version}";
    private readonly StringCache<DipGroupKind> _kindText = new(k => k.ToString());
    private readonly StringCache<AuxItem> _auxText = new(k => k.ToString());
    private readonly StringCache<CaseKind> _caseKindText = new(k => k.ToString());

    public IEnumerable<IColumnBuffer> Columns => [_code, _kind, _score, _aux, _auxItem, _caseKind, _ratio, _points, _reason, _version];

    public void Append(DischargeBatch batch, int index, int row)
    {
        ref readonly var d = ref ((CaseBatch)batch).Dip[index];
        _code.Set(row, catalog.GroupCode(d.GroupIndex));
        _kind.Set(row, _kindText.Get(d.GroupKind));
        _score.Values[row] = d.Score;
        _aux.Values[row] = d.AuxFactor;
        _auxItem.Set(row, _auxText.Get(d.AuxItem));
        _caseKind.Set(row, _caseKindText.Get(d.CaseKind));
        _ratio.Values[row] = d.CostRatio;
        _points.Values[row] = d.Points;
        _reason.Set(row, DipReasons.Name(d.Reason));
        _version.Set(row, _catalogText);
    }
}

/// <summary>Hospital payment columns of cases.parquet (settlement.md "Hospital payment per case").</summary>
internal sealed class PaymentColumns(int capacity) : ICaseColumnSet
{
    private readonly StringColumn _method = new(new DataField<string>("payment_method", false), capacity);
    private readonly ValueColumn<decimal> _payment = new(new DecimalDataField("hospital_payment", 18, 2, false, false), capacity);
    private readonly ValueColumn<decimal> _fund = new(new DecimalDataField("fund_settlement", 18, 2, false, false), capacity);
    private readonly StringColumn _kind = new(new DataField<string>("payment_case_kind", false), capacity);
    private readonly ValueColumn<decimal> _ratio = new(new DecimalDataField("payment_cost_ratio", 18, 4, false, false), capacity);
    private readonly ValueColumn<decimal> _weight = new(new DecimalDataField("drg_adjusted_weight", 9, 4, false, false), capacity);
    private readonly ValueColumn<bool> _samePrice = new(new DataField<bool>("same_price_group"), capacity);
    private readonly StringCache<PricedCaseKind> _kindText = new(k => k.ToString());

    public IEnumerable<IColumnBuffer> Columns => [_method, _payment, _fund, _kind, _ratio, _weight, _samePrice];

    public void Append(DischargeBatch batch, int index, int row)
    {
        ref readonly var p = ref ((CaseBatch)batch).Payment[index];
        _method.Set(row, p.Method switch
        {
            PaymentMethod.Drg => "DRG",
            PaymentMethod.Dip => "DIP",
            PaymentMethod.Ffs => "FFS",
            _ => string.Empty,
        });
        _payment.Values[row] = Money.ToYuanForOutput(p.PaymentFen);
        _fund.Values[row] = Money.ToYuanForOutput(p.FundSettlementFen);
        _kind.Set(row, p.Unpriced ? "Unpriced" : _kindText.Get(p.Kind));
        _ratio.Values[row] = p.CostRatio;
        _weight.Values[row] = p.AdjustedWeight;
        _samePrice.Values[row] = p.SamePrice;
    }
}
