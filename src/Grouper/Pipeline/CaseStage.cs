using System.Collections.Concurrent;
using Grouper.Core;
using Grouper.Dip;
using Grouper.Drg;
using Grouper.Ingest;
using Grouper.Settlement;

namespace Grouper.Pipeline;

/// <summary>
/// Per-batch work on a worker thread: DRG grouping, DIP matching and scoring, and the hospital
/// payment of each case (grouping knows nothing of money; payment reads the group and the chain).
/// Pure functions of the record, the catalogs and the policy: results do not depend on threads.
/// </summary>
internal sealed class CaseStage
{
    private readonly DrgGrouper? _drg;
    private readonly Code[] _drgCodes = [];
    private readonly DipCatalog? _dipCatalog;
    private readonly ConcurrentDictionary<DipPricing, DipMatcher> _dipMatchers = new(ReferenceEqualityComparer.Instance);
    private readonly DipMatcher? _defaultDip;
    private readonly PolicyStore? _policies;
    private readonly string? _region;
    private readonly HospitalTable _hospitals;

    public CaseStage(DrgCatalog? drg, DipCatalog? dip, PolicyStore? policies, string? region, HospitalTable hospitals)
    {
        if (drg is not null)
        {
            _drg = new DrgGrouper(drg);
            _drgCodes = new Code[drg.DrgCount];
            for (var i = 0; i < _drgCodes.Length; i++)
            {
                _drgCodes[i] = Code.Parse(drg.DrgCode(i));
            }
        }

        _dipCatalog = dip;
        if (dip is not null)
        {
            _defaultDip = new DipMatcher(dip, new DipScoringParameters());
        }

        _policies = policies;
        _region = region;
        _hospitals = hospitals;
    }

    public DrgCatalog? DrgCatalog => _drg?.Catalog;

    public DipCatalog? DipCatalog => _dipCatalog;

    /// <summary>DIP scoring thresholds come from the policy in force (dip.md: policy parameters).</summary>
    internal static DipScoringParameters ScoringFrom(DipPricing p)
    {
        var tiers = new List<DipTierThresholds>();
        for (var t = 0; t < p.HighByTier.Length; t++)
        {
            if (p.HighByTier[t] is { } high)
            {
                tiers.Add(new DipTierThresholds(t, p.Low, high));
            }
        }

        return new DipScoringParameters
        {
            LowThreshold = p.Low,
            HighThreshold = p.High,
            TierThresholds = tiers,
            ExcessFactor = p.ExcessFactor,
            ReviewCostRatio = p.ReviewThreshold > 0 ? p.ReviewThreshold : 5m,
        };
    }

    public void Process(CaseBatch batch)
    {
        var n = batch.Count;
        if (_drg is not null)
        {
            _drg.GroupBatch(batch, batch.Drg.AsSpan(0, n));
        }

        for (var i = 0; i < n; i++)
        {
            ref readonly var rec = ref batch.Records[i];
            if (rec.PendingReject != RejectReason.None)
            {
                continue;
            }

            var hospital = _hospitals[rec.HospitalIndex];
            ResolvedPolicy? policy = null;
            if (_policies is not null && _region is not null)
            {
                _policies.TryResolve(_region, rec.DischargeDate, rec.InsuranceType, out policy);
            }

            if (_dipCatalog is not null)
            {
                var matcher = policy?.Dip is { } pricing ? _dipMatchers.GetOrAdd(pricing, static (p, catalog) => new DipMatcher(catalog, ScoringFrom(p)), _dipCatalog) : _defaultDip!;
                var input = new DipInput(rec.PrincipalDx, batch.SecondaryDx(in rec), rec.PrincipalProc, batch.OtherProcs(in rec), rec.AgeYears, rec.AgeDays,
                    rec.DischargeMode, rec.LengthOfStay, rec.TotalCostFen, hospital.Level, hospital.Kind);
                matcher.Match(in input, out batch.Dip[i]);
            }

            batch.Payment[i] = policy is null ? default : Price(policy, in rec, hospital, in batch.Drg[i], in batch.Dip[i], in batch.Settlement[i].Result);
        }
    }

    private CasePayment Price(ResolvedPolicy policy, in DischargeRecord rec, Hospital hospital, in DrgResult drg, in DipResult dip, in ChainResult chain)
    {
        var method = HospitalPayment.MethodOf(policy, hospital.PaymentMethod);
        var basicFund = chain.BasicFundFen;
        var pay = new CasePayment { Method = method, PaymentFen = basicFund, FundSettlementFen = basicFund, Kind = PricedCaseKind.FeeForService };
        switch (method)
        {
            case PaymentMethod.Drg when _drg is not null:
                {
                    var catalog = _drg.Catalog;
                    var ffs = drg.Reason != DrgReason.Ok || drg.RelativeWeight4 == 0;
                    var avg = catalog.DrgAverageCostFen(drg.Drg);
                    // H: hospital coefficient; 1.0000 until the policy carries level coefficients for DRG (documented).
                    if (HospitalPayment.TryDrg(policy, rec.InsuranceType, drg.Drg >= 0 ? _drgCodes[drg.Drg] : Code.Empty, drg.RelativeWeight, avg > 0 ? Money.ToYuan(avg) : 0m,
                            1m, rec.TotalCostFen, ffs, basicFund, out var p))
                    {
                        pay.PaymentFen = p.PaymentFen;
                        pay.FundSettlementFen = ffs ? basicFund : HospitalPayment.FundSettlement(p.PaymentFen, rec.TotalCostFen, basicFund);
                        pay.Kind = p.Kind;
                        pay.CostRatio = p.CostRatio;
                        pay.AdjustedWeight = p.AdjustedWeight;
                        pay.SamePrice = p.SamePrice;
                    }
                    else
                    {
                        pay.Unpriced = true;
                    }

                    break;
                }

            case PaymentMethod.Dip when _dipCatalog is not null:
                if (dip.GroupKind != DipGroupKind.Unmatched && HospitalPayment.TryDipProvisional(policy, dip.Points, 1m, out var amount))
                {
                    pay.PaymentFen = amount;
                    pay.FundSettlementFen = amount;
                    pay.Kind = dip.CaseKind switch
                    {
                        CaseKind.HighOutlier => PricedCaseKind.HighOutlier,
                        CaseKind.LowOutlier => PricedCaseKind.LowOutlier,
                        _ => PricedCaseKind.Normal,
                    };
                    pay.CostRatio = dip.CostRatio;
                }
                else
                {
                    pay.Unpriced = dip.GroupKind != DipGroupKind.Unmatched;
                }

                break;
        }

        return pay;
    }
}
