using System.Runtime.CompilerServices;
using Grouper.Core;
using Grouper.Dip.Internals;
using Grouper.Ingest;

namespace Grouper.Dip;

/// <summary>
/// Groups and scores cases against one <see cref="DipCatalog"/> (病种入组与分值计算). Built once
/// per catalog and parameter set; immutable and safe to share between threads; matching a case
/// allocates nothing.
/// </summary>
public sealed class DipMatcher
{
    private readonly CompiledRules _rules;
    private readonly DipScoringParameters _p;

    // Per group, indexed by group index.
    private readonly long[] _score; // 0.0001 points
    private readonly long[] _refCost;
    private readonly long[] _refByGrade;
    private readonly DipGroupKind[] _kind;
    private readonly long[] _aux; // group × slot in 0.0001, 0 = no factor

    // Core lookup: diagnosis key → [start, start+count) in _coreOrder, sorted so that the first
    // subset match is the winner (most procedures, then higher score, then lower code).
    private readonly CodeMap _coreByKey = new();
    private readonly int[] _keyStart;
    private readonly int[] _keyCount;
    private readonly int[] _keyConservative;
    private readonly int[] _coreOrder;
    private readonly int[] _procStart;
    private readonly int[] _procCount;
    private readonly Code[] _procPool;

    // Comprehensive lookup: category | (treatment + 1) → group.
    private readonly CodeMap _comprehensive = new();

    private readonly long[] _lowByTier = new long[4];
    private readonly long[] _highByTier = new long[4];
    private readonly long[] _perDiemDaily;
    private readonly long _scaleE4;
    private readonly long _regionalMeanFen;
    private readonly long _excessE4;
    private readonly long _midLowE4;
    private readonly long _midHighE4;
    private readonly long _midLiftE4;
    private readonly bool _middleBand;
    private readonly long _reviewRatioE4;

    public DipMatcher(DipCatalog catalog, DipScoringParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(parameters);
        parameters.Validate();
        Catalog = catalog;
        _p = parameters;
        _rules = new CompiledRules(catalog.Definitions);
        _scaleE4 = FixedPoint.ToE4(catalog.ScoreScale, "score scale");
        _regionalMeanFen = catalog.RegionalMeanCostFen;
        for (var t = 0; t < 4; t++)
        {
            _lowByTier[t] = FixedPoint.ToE4(parameters.LowThreshold, "low threshold");
            _highByTier[t] = FixedPoint.ToE4(parameters.HighThreshold, "high threshold");
        }

        foreach (var t in parameters.TierThresholds)
        {
            _lowByTier[t.Tier] = FixedPoint.ToE4(t.Low, "low threshold");
            _highByTier[t.Tier] = FixedPoint.ToE4(t.High, "high threshold");
        }

        _excessE4 = FixedPoint.ToE4(parameters.ExcessFactor, "excess factor");
        _reviewRatioE4 = FixedPoint.ToE4(parameters.ReviewCostRatio, "review cost ratio");
        if (parameters.MiddleBandLift is { } lift)
        {
            _middleBand = true;
            _midLiftE4 = FixedPoint.ToE4(lift, "middle band lift");
            _midLowE4 = FixedPoint.ToE4(parameters.MiddleBandLow ?? throw new ArgumentException("middle band needs low and high"), "middle band low");
            _midHighE4 = FixedPoint.ToE4(parameters.MiddleBandHigh ?? throw new ArgumentException("middle band needs low and high"), "middle band high");
        }

        var defs = catalog.Definitions;
        _perDiemDaily = new long[defs.PerDiemCategories.Count];
        for (var i = 0; i < _perDiemDaily.Length; i++)
        {
            _perDiemDaily[i] = FixedPoint.ToE4(defs.PerDiemCategories[i].DailyPoints, "daily points");
        }

        var groups = catalog.Groups;
        var n = groups.Count;
        _score = new long[n];
        _refCost = new long[n];
        _refByGrade = new long[n * CompiledRules.GradeCount];
        _kind = new DipGroupKind[n];
        _aux = new long[n * _rules.SlotCount];
        _procStart = new int[n];
        _procCount = new int[n];
        var pool = new List<Code>();
        var byKey = new Dictionary<Code, List<int>>();
        var conservative = new Dictionary<Code, int>();
        for (var g = 0; g < n; g++)
        {
            var grp = groups[g];
            _score[g] = FixedPoint.ToE4(grp.Score, "score of " + grp.Code);
            _refCost[g] = grp.ReferenceCostFen;
            _kind[g] = grp.Kind;
            for (var gi = 0; gi < CompiledRules.GradeCount; gi++)
            {
                _refByGrade[(g * CompiledRules.GradeCount) + gi] = grp.ReferenceCostByGradeFen[gi];
            }

            _procStart[g] = pool.Count;
            _procCount[g] = grp.Procedures.Count;
            pool.AddRange(grp.Procedures);
            if (grp.Kind == DipGroupKind.Comprehensive)
            {
                _comprehensive.Set(grp.DiagnosisKey.Value | (UInt128)((int)grp.Treatment + 1), g);
            }
            else if (grp.Procedures.Count == 0)
            {
                conservative[grp.DiagnosisKey] = g;
                if (!byKey.ContainsKey(grp.DiagnosisKey))
                {
                    byKey[grp.DiagnosisKey] = [];
                }
            }
            else
            {
                if (!byKey.TryGetValue(grp.DiagnosisKey, out var list))
                {
                    byKey[grp.DiagnosisKey] = list = [];
                }

                list.Add(g);
            }
        }

        _procPool = [.. pool];
        foreach (var a in catalog.AuxFactors)
        {
            var slot = defs.Slot(a.Item, a.Level);
            _aux[(a.GroupIndex * _rules.SlotCount) + slot] = FixedPoint.ToE4(a.Factor, "aux factor of " + catalog.GroupCode(a.GroupIndex));
        }

        var keys = new List<Code>(byKey.Keys);
        keys.Sort();
        _keyStart = new int[keys.Count];
        _keyCount = new int[keys.Count];
        _keyConservative = new int[keys.Count];
        var order = new List<int>();
        for (var k = 0; k < keys.Count; k++)
        {
            var list = byKey[keys[k]];

            // Groups are in ordinal code order already, so a stable sort keeps "lower code" last.
            list.Sort((a, b) =>
            {
                var c = _procCount[b].CompareTo(_procCount[a]);
                if (c != 0)
                {
                    return c;
                }

                c = _score[b].CompareTo(_score[a]);
                return c != 0 ? c : a.CompareTo(b);
            });
            _keyStart[k] = order.Count;
            _keyCount[k] = list.Count;
            _keyConservative[k] = conservative.TryGetValue(keys[k], out var cg) ? cg : -1;
            order.AddRange(list);
            _coreByKey.Set(keys[k].Value, k);
        }

        _coreOrder = [.. order];
    }

    public DipCatalog Catalog { get; }

    public DipScoringParameters Parameters => _p;

    /// <summary>Groups and scores one case.</summary>
    [SkipLocalsInit]
    public void Match(in DipInput input, out DipResult result)
    {
        result = default;
        result.GroupIndex = -1;
        result.PerDiemCategory = -1;
        result.AuxFactorE4 = FixedPoint.One;

        var pd = _rules.PerDiemCategory(input.HospitalKind, input.PrincipalDx, input.LengthOfStay);
        if (pd >= 0)
        {
            result.GroupKind = DipGroupKind.PerDiem;
            result.CaseKind = CaseKind.PerDiem;
            result.PointsFormula = CaseKind.PerDiem;
            result.PerDiemCategory = (short)pd;
            result.Reason = DipReason.PerDiem;
            result.PointsE4 = input.LengthOfStay * _perDiemDaily[pd];
            return;
        }

        Span<Code> set = stackalloc Code[CompiledRules.MaxProcs];
        var n = _rules.ProcedureSet(input.PrincipalProc, input.OtherProcs, set, out var treatment);
        var g = FindGroup(input.PrincipalDx, set[..n], treatment);
        if (g < 0)
        {
            result.Reason = DipReason.NoGroup;
            if (_p.UnmatchedCostPoints)
            {
                // total_cost ÷ M × S, 4 places.
                result.PointsE4 = FixedPoint.DivHalfUp((Int128)input.TotalCostFen * _scaleE4, _regionalMeanFen);
            }

            return;
        }

        result.GroupIndex = g;
        result.GroupKind = _kind[g];
        var score = _score[g];
        result.ScoreE4 = score;

        AuxFactor(in input, g, ref result);

        var reference = _refCost[g];
        if (_p.UseSameLevelReference)
        {
            var same = _refByGrade[(g * CompiledRules.GradeCount) + CompiledRules.GradeIndex(input.HospitalLevel)];
            if (same > 0)
            {
                reference = same;
            }
        }

        result.ReferenceCostFen = reference;
        var aux = result.AuxFactorE4;
        var cost = input.TotalCostFen;
        var r = FixedPoint.DivHalfUp(cost * FixedPoint.One, reference);
        result.CostRatioE4 = r;
        var tier = Math.Min((int)input.HospitalLevel.Tier, 3);
        var low = _lowByTier[tier];
        var high = _highByTier[tier];
        var rHigh = r;
        if (_p.HighReferenceScaledByAux && aux != FixedPoint.One)
        {
            // cost ÷ (reference × aux), 4 places.
            rHigh = FixedPoint.DivHalfUp((Int128)cost * FixedPoint.One * FixedPoint.One, (Int128)reference * aux);
        }

        if (r <= low)
        {
            result.CaseKind = CaseKind.LowOutlier;
            result.PointsE4 = _p.LowOutlierAppliesAux
                ? FixedPoint.DivHalfUp((Int128)score * aux * r, (Int128)FixedPoint.One * FixedPoint.One)
                : FixedPoint.DivHalfUp(score * r, FixedPoint.One);
        }
        else if (rHigh >= high)
        {
            // score × aux × (1 + e·(r − k)): scales 1e4 · 1e4 · 1e8.
            result.CaseKind = CaseKind.HighOutlier;
            var excess = (FixedPoint.One * FixedPoint.One) + (_excessE4 * (rHigh - high));
            result.PointsE4 = FixedPoint.DivHalfUp((Int128)score * aux * excess, (Int128)1_000_000_000_000);
        }
        else if (_middleBand && r > _midLowE4 && r <= _midHighE4)
        {
            result.CaseKind = CaseKind.Normal;
            result.PointsE4 = _p.LowOutlierAppliesAux
                ? FixedPoint.DivHalfUp((Int128)score * aux * (r + _midLiftE4), (Int128)FixedPoint.One * FixedPoint.One)
                : FixedPoint.DivHalfUp(score * (r + _midLiftE4), FixedPoint.One);
        }
        else
        {
            result.CaseKind = CaseKind.Normal;
            result.PointsE4 = FixedPoint.DivHalfUp(score * aux, FixedPoint.One);
        }

        result.PointsFormula = result.CaseKind;
        if (r >= _reviewRatioE4)
        {
            result.CaseKind = CaseKind.IndividualReview;
            result.Reason = DipReason.ReviewCostRatio;
        }
        else if (input.LengthOfStay >= _p.ReviewMinLos)
        {
            result.CaseKind = CaseKind.IndividualReview;
            result.Reason = DipReason.ReviewLongStay;
        }
    }

    /// <summary>Group only (no scoring): the group index or −1.</summary>
    public int FindGroup(in DipInput input)
    {
        Span<Code> set = stackalloc Code[CompiledRules.MaxProcs];
        var n = _rules.ProcedureSet(input.PrincipalProc, input.OtherProcs, set, out var treatment);
        return FindGroup(input.PrincipalDx, set[..n], treatment);
    }

    private int FindGroup(Code principalDx, ReadOnlySpan<Code> set, TreatmentKind treatment)
    {
        var key = _rules.DxKey(principalDx);
        if (_coreByKey.TryGet(key.Value, out var k))
        {
            if (set.Length == 0)
            {
                // The conservative group is a candidate only for an empty set (dip.md step 1).
                if (_keyConservative[k] >= 0)
                {
                    return _keyConservative[k];
                }
            }
            else
            {
                var end = _keyStart[k] + _keyCount[k];
                for (var i = _keyStart[k]; i < end; i++)
                {
                    var g = _coreOrder[i];
                    if (_procCount[g] <= set.Length && IsSubset(_procPool.AsSpan(_procStart[g], _procCount[g]), set))
                    {
                        return g;
                    }
                }
            }
        }

        var category = _rules.Category(principalDx);
        return _comprehensive.TryGet(category.Value | (UInt128)((int)treatment + 1), out var c) ? c : -1;
    }

    /// <summary>Both sorted ascending and distinct.</summary>
    private static bool IsSubset(ReadOnlySpan<Code> small, ReadOnlySpan<Code> big)
    {
        var j = 0;
        for (var i = 0; i < small.Length; i++)
        {
            var v = small[i].Value;
            while (j < big.Length && big[j].Value < v)
            {
                j++;
            }

            if (j == big.Length || big[j].Value != v)
            {
                return false;
            }

            j++;
        }

        return true;
    }

    /// <summary>Only the single largest applicable factor counts (factors never multiply); ties keep the earlier item.</summary>
    private void AuxFactor(in DipInput input, int g, ref DipResult result)
    {
        var slots = _rules.SlotCount;
        var baseSlot = g * slots;
        long best = 0;
        var bestItem = AuxItem.None;
        var bestLevel = 0;

        var cci = _rules.CciLevel(input.SecondaryDx);
        if (cci > 0)
        {
            Consider(_aux[baseSlot + cci - 1], AuxItem.Cci, cci, ref best, ref bestItem, ref bestLevel);
        }

        var age = AgeBand.AgeKey(input.AgeYears, input.AgeDays);
        for (var b = 0; b < _rules.AgeBandCount; b++)
        {
            if (_rules.InAgeBand(b, age))
            {
                Consider(_aux[baseSlot + _rules.AgeSlot0 + b], AuxItem.Age, b, ref best, ref bestItem, ref bestLevel);
            }
        }

        var tumour = _rules.TumourLevel(input.PrincipalDx, input.SecondaryDx, input.PrincipalProc, input.OtherProcs);
        if (tumour > 0)
        {
            Consider(_aux[baseSlot + _rules.TumourSlot0 + tumour - 1], AuxItem.Tumour, tumour, ref best, ref bestItem, ref bestLevel);
        }

        var ds = _rules.DischargeSlot(input.DischargeMode);
        if (ds >= 0)
        {
            Consider(_aux[baseSlot + ds], AuxItem.DischargeMode, (int)input.DischargeMode, ref best, ref bestItem, ref bestLevel);
        }

        if (bestItem != AuxItem.None)
        {
            result.AuxFactorE4 = best;
            result.AuxItem = bestItem;
            result.AuxLevel = (byte)bestLevel;
        }
    }

    private static void Consider(long factor, AuxItem item, int level, ref long best, ref AuxItem bestItem, ref int bestLevel)
    {
        if (factor > 0 && (bestItem == AuxItem.None || factor > best))
        {
            best = factor;
            bestItem = item;
            bestLevel = level;
        }
    }

    /// <summary>
    /// Matches every record of a batch; <paramref name="results"/> is indexed like the batch.
    /// </summary>
    public void MatchBatch(DischargeBatch batch, HospitalTable hospitals, Span<DipResult> results)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(hospitals);
        if (results.Length < batch.Count)
        {
            throw new ArgumentException("results shorter than the batch", nameof(results));
        }

        var records = batch.Records;
        for (var i = 0; i < batch.Count; i++)
        {
            ref readonly var rec = ref records[i];
            var h = hospitals[rec.HospitalIndex];
            var input = new DipInput(
                rec.PrincipalDx,
                batch.SecondaryDx(in rec),
                rec.PrincipalProc,
                batch.OtherProcs(in rec),
                rec.AgeYears,
                rec.AgeDays,
                rec.DischargeMode,
                rec.LengthOfStay,
                rec.TotalCostFen,
                h.Level,
                h.Kind);
            Match(in input, out results[i]);
        }
    }
}
