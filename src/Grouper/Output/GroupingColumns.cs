using System.Runtime.CompilerServices;
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
    private readonly DictionaryColumn<int> _mdc = new(new DataField<string>("mdc", false), capacity, catalog.MdcCode);
    private readonly DictionaryColumn<int> _adrg = new(new DataField<string>("adrg", false), capacity, catalog.AdrgCode);
    private readonly DictionaryColumn<int> _drg = new(new DataField<string>("drg_code", false), capacity, catalog.DrgCode);
    private readonly NumberColumn<int> _weight = new(new DecimalDataField("drg_weight", 9, 4, false, true), capacity);
    private readonly DictionaryColumn<int> _reason = new(new DataField<string>("drg_reason", false), capacity, k => DrgReasons.Name((DrgReason)k));
    private readonly DictionaryColumn<int> _level = new(new DataField<string>("drg_cc_level", false), capacity, k => DrgReasons.Name((CcLevel)k));
    private readonly DictionaryColumn<Code> _levelCode = new(new DataField<string>("drg_cc_code", true), capacity, c => c.ToString());
    private readonly DictionaryColumn<Code> _deciding = new(new DataField<string>("drg_deciding_code", true), capacity, c => c.ToString());
    private readonly NumberColumn<int> _excluded = new(new DataField<int>("drg_excluded_count"), capacity);
    private readonly DictionaryColumn<(Code Code, int Table)> _firstExcluded = new(new DataField<string>("drg_first_excluded", true), capacity, k => k.Code + "@" + catalog.ExclusionTableName(k.Table));
    private readonly DictionaryColumn<int> _version = new(new DataField<string>("drg_catalog", false), capacity, _ => $"{catalog.Name} {catalog.Version}");

    public IEnumerable<IColumnBuffer> Columns => [_mdc, _adrg, _drg, _weight, _reason, _level, _levelCode, _deciding, _excluded, _firstExcluded, _version];

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
        ref readonly var d = ref ((CaseBatch)batch).Drg[index];
        _mdc.Set(row, d.Mdc);
        _adrg.Set(row, d.Adrg);
        _drg.Set(row, d.Drg);

        // decimal(9,4) weight stored unscaled: RelativeWeight4 is already in 0.0001 units; 0 means none.
        if (d.RelativeWeight4 == 0)
        {
            _weight.SetNull(row);
        }
        else
        {
            _weight.Set(row, d.RelativeWeight4);
        }

        _reason.Set(row, (int)d.Reason);
        _level.Set(row, (int)d.Level);
        IngestColumns.SetCode(_levelCode, row, d.LevelCode);
        IngestColumns.SetCode(_deciding, row, d.DecidingCode);
        _excluded.Set(row, d.ExcludedCount);
        if (d.FirstExcludedCode.IsEmpty)
        {
            _firstExcluded.SetNull(row);
        }
        else
        {
            _firstExcluded.Set(row, (d.FirstExcludedCode, d.FirstExcludedTable));
        }

        _version.Set(row, 0);
    }
}

/// <summary>DIP columns of cases.parquet (dip.md "What a case carries").</summary>
internal sealed class DipColumns(DipCatalog catalog, int capacity) : ICaseColumnSet
{
    private readonly DictionaryColumn<int> _code = new(new DataField<string>("dip_code", false), capacity, catalog.GroupCode);
    private readonly DictionaryColumn<int> _kind = new(new DataField<string>("dip_kind", false), capacity, k => ((DipGroupKind)k).ToString());
    private readonly NumberColumn<long> _score = new(new DecimalDataField("dip_score", 18, 4, false, false), capacity);
    private readonly NumberColumn<int> _aux = new(new DecimalDataField("dip_aux_factor", 9, 4, false, false), capacity);
    private readonly DictionaryColumn<int> _auxItem = new(new DataField<string>("dip_aux_item", false), capacity, k => ((AuxItem)k).ToString());
    private readonly DictionaryColumn<int> _caseKind = new(new DataField<string>("case_kind", false), capacity, k => ((CaseKind)k).ToString());
    private readonly NumberColumn<long> _ratio = new(new DecimalDataField("cost_ratio", 18, 4, false, false), capacity);
    private readonly NumberColumn<long> _points = new(new DecimalDataField("dip_points", 18, 4, false, false), capacity);
    private readonly DictionaryColumn<int> _reason = new(new DataField<string>("dip_reason", false), capacity, k => DipReasons.Name((DipReason)k));
    private readonly DictionaryColumn<int> _version = new(new DataField<string>("dip_catalog", false), capacity, _ => $"{catalog.Name} {catalog.Version}");

    public IEnumerable<IColumnBuffer> Columns => [_code, _kind, _score, _aux, _auxItem, _caseKind, _ratio, _points, _reason, _version];

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
        ref readonly var d = ref ((CaseBatch)batch).Dip[index];
        _code.Set(row, d.GroupIndex);
        _kind.Set(row, (int)d.GroupKind);

        // decimal(·,4) columns stored unscaled: the E4 fields are already in 0.0001 units.
        _score.Set(row, d.ScoreE4);
        _aux.Set(row, checked((int)d.AuxFactorE4));
        _auxItem.Set(row, (int)d.AuxItem);
        _caseKind.Set(row, (int)d.CaseKind);
        _ratio.Set(row, d.CostRatioE4);
        _points.Set(row, d.PointsE4);
        _reason.Set(row, (int)d.Reason);
        _version.Set(row, 0);
    }
}

/// <summary>Hospital payment columns of cases.parquet (settlement.md "Hospital payment per case").</summary>
internal sealed class PaymentColumns(int capacity) : ICaseColumnSet
{
    private const int UnpricedKey = 256; // past every PricedCaseKind (a byte)

    private readonly DictionaryColumn<int> _method = new(new DataField<string>("payment_method", false), capacity, k => (PaymentMethod)k switch
    {
        PaymentMethod.Drg => "DRG",
        PaymentMethod.Dip => "DIP",
        PaymentMethod.Ffs => "FFS",
        _ => string.Empty,
    });

    private readonly NumberColumn<long> _payment = new(new DecimalDataField("hospital_payment", 18, 2, false, false), capacity);
    private readonly NumberColumn<long> _fund = new(new DecimalDataField("fund_settlement", 18, 2, false, false), capacity);
    private readonly DictionaryColumn<int> _kind = new(new DataField<string>("payment_case_kind", false), capacity, k => k == UnpricedKey ? "Unpriced" : ((PricedCaseKind)k).ToString());
    private readonly NumberColumn<long> _ratio = new(new DecimalDataField("payment_cost_ratio", 18, 4, false, false), capacity);
    private readonly NumberColumn<int> _weight = new(new DecimalDataField("drg_adjusted_weight", 9, 4, false, false), capacity);
    private readonly BoolColumn _samePrice = new(new DataField<bool>("same_price_group"), capacity);

    public IEnumerable<IColumnBuffer> Columns => [_method, _payment, _fund, _kind, _ratio, _weight, _samePrice];

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
        ref readonly var p = ref ((CaseBatch)batch).Payment[index];
        _method.Set(row, (int)p.Method);
        _payment.Set(row, p.PaymentFen);
        _fund.Set(row, p.FundSettlementFen);
        _kind.Set(row, p.Unpriced ? UnpricedKey : (int)p.Kind);
        _ratio.SetDecimal(row, p.CostRatio);
        _weight.SetDecimal(row, p.AdjustedWeight);
        _samePrice.Set(row, p.SamePrice);
    }
}
