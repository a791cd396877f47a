using System.Numerics;
using Grouper.Clearing.Internals;
using Grouper.Core;

namespace Grouper.Clearing;

/// <summary>Clearing of every region of a merged shard that has inputs.</summary>
public sealed record ClearingRun(IReadOnlyList<ClearingResult> Results, IReadOnlyList<string> RegionsWithoutInputs);

/// <summary>
/// Year-end DIP clearing (年度清算), clearing.md steps 1–9, run once on the merged shard sums.
/// Points are integers of 0.0001 point and money integer fen throughout; every rounding goes through
/// <see cref="Rounding"/>; ratios are computed exactly before rounding, so the result does not depend
/// on how the year was split.
/// </summary>
public static class AnnualClearing
{
    /// <summary>Level group of a hospital that appears only in the inputs (advances paid, no case).</summary>
    public const string NoCasesGroup = "-";

    /// <summary>Clears every region of <paramref name="shard"/> that has a section for the shard's year in <paramref name="inputs"/>.</summary>
    public static ClearingRun RunAll(ClearingShard shard, ClearingInputs inputs)
    {
        var results = new List<ClearingResult>();
        var missing = new List<string>();
        foreach (var region in shard.Regions())
        {
            if (inputs.Find(region, shard.Year) is { } section)
            {
                results.Add(Run(shard, section));
            }
            else
            {
                missing.Add(region);
            }
        }

        return new ClearingRun(results, missing);
    }

    /// <summary>Monthly advance: round(points × K_prev × V0 × a), points in 0.0001 point, result in fen.</summary>
    public static long MonthlyAdvanceFen(long monthPoints, decimal priorLevelCoefficient, decimal provisionalPointValue, decimal advanceRatio) =>
        Rounding.ToFen(monthPoints / 10_000m * priorLevelCoefficient * provisionalPointValue * advanceRatio);

    /// <summary>Clears one region and year.</summary>
    public static ClearingResult Run(ClearingShard shard, ClearingRegionInputs inputs)
    {
        if (shard.Year != inputs.Year)
        {
            throw new InvalidOperationException($"shard year {shard.Year} differs from inputs year {inputs.Year}");
        }

        // Reduce the region's cells to one aggregate per hospital, in ordinal hospital_id order.
        var byHospital = new SortedDictionary<string, (string Group, ClearingAggregate Sums)>(StringComparer.Ordinal);
        long allCases = 0;
        foreach (var cell in shard.Cells)
        {
            if (!string.Equals(cell.Key.Region, inputs.Region, StringComparison.Ordinal))
            {
                continue;
            }

            allCases += cell.Sums.AllCases;
            byHospital.TryGetValue(cell.Key.HospitalId, out var h);
            h.Sums.Add(cell.Sums);
            byHospital[cell.Key.HospitalId] = (cell.LevelGroup, h.Sums);
        }

        // A hospital paid advances but without a case this year still gets a row: it repays them.
        foreach (var id in inputs.AdvancesPaid.Keys)
        {
            byHospital.TryAdd(id, (NoCasesGroup, default));
        }

        var ids = new List<string>(byHospital.Keys);
        var groups = new List<string>(byHospital.Count);
        var sums = new List<ClearingAggregate>(byHospital.Count);
        foreach (var (_, (group, agg)) in byHospital)
        {
            groups.Add(group);
            sums.Add(agg);
        }

        var n = ids.Count;

        // Steps 1–2: level coefficients from the level-class cases, K_L = (C_L/P_L) ÷ (C/P).
        var levelGroups = LevelCoefficients(groups, sums, inputs);
        var kByGroup = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var g in levelGroups)
        {
            kByGroup[g.LevelGroup] = g.Coefficient;
        }

        // Step 3: hospital points P_h = round4(B × D × (K × level points + 1 × unit points)).
        var finalPoints = new long[n];
        long totalFinal = 0, totalBase = 0, totalCases = 0, totalN = 0;
        for (var i = 0; i < n; i++)
        {
            var coef = inputs.CoefficientsOf(ids[i]);
            finalPoints[i] = HospitalPoints(sums[i], (kByGroup.TryGetValue(groups[i], out var kg) ? kg : 1m), coef);
            totalFinal = checked(totalFinal + finalPoints[i]);
            totalBase = checked(totalBase + sums[i].TotalPoints);
            totalCases += sums[i].ClearingCases;
            totalN = checked(totalN + sums[i].OtherPaidFen);
        }

        // Step 4: F = budget − reserve.
        var reserve = Rounding.ToFen(Money.ToYuan(inputs.BudgetFen) * inputs.ReserveShare);
        var fund = inputs.BudgetFen - reserve;

        // Step 5: point value, band, allocated pool. Cost basis pools N_h with F.
        var poolAdd = inputs.Basis == PointValueBasis.Cost ? totalN : 0;
        decimal vRaw = 0m, v = 0m;
        bool clamped = false, capped = false;
        long allocated = 0, unallocated = 0;
        if (totalFinal == 0)
        {
            unallocated = fund; // nothing to pay for: the fund stays unallocated, not in the reserve
        }
        else
        {
            vRaw = Rounding.Places6(Apportion.Ratio(new BigInteger(fund + poolAdd) * 100, totalFinal));
            v = vRaw;
            if (inputs.PointValueBand is { } band)
            {
                var lo = Rounding.Places6(inputs.ProvisionalPointValue * (1m - band));
                var hi = Rounding.Places6(inputs.ProvisionalPointValue * (1m + band));
                if (v < lo || v > hi)
                {
                    v = v < lo ? lo : hi;
                    clamped = true;
                }
            }

            allocated = fund;
            if (clamped)
            {
                allocated = Rounding.ToFen(totalFinal / 10_000m * v) - poolAdd;
                if (allocated - fund > reserve)
                {
                    // The whole budget is the ceiling: a clamp up cannot draw more than the reserve.
                    allocated = fund + reserve;
                    capped = true;
                }

                allocated = Math.Max(0, allocated);
            }
        }

        var reserveAfterClamp = reserve + fund - unallocated - allocated;

        // Step 6: S_h by the largest-remainder rule (cost basis: gross P_h × V_c, minus N_h).
        long[] settlement;
        if (inputs.Basis == PointValueBasis.Cost && totalFinal > 0)
        {
            settlement = Apportion.LargestRemainder(allocated + totalN, finalPoints);
            for (var i = 0; i < n; i++)
            {
                settlement[i] -= sums[i].OtherPaidFen;
            }
        }
        else
        {
            settlement = Apportion.LargestRemainder(allocated, finalPoints);
        }

        // Step 7: surplus retention / overrun sharing against I_h, cut by the reserve if needed.
        var adjustmentRaw = new long[n];
        long positive = 0, negative = 0;
        for (var i = 0; i < n; i++)
        {
            adjustmentRaw[i] = Adjustment(settlement[i], sums[i].ItemFundFen, inputs);
            if (adjustmentRaw[i] > 0)
            {
                positive += adjustmentRaw[i];
            }
            else
            {
                negative -= adjustmentRaw[i];
            }
        }

        var adjustment = (long[])adjustmentRaw.Clone();
        var available = reserveAfterClamp + negative; // amounts not paid go to the reserve first
        var cut = false;
        if (inputs.CutAdjustmentsToReserve && positive > available)
        {
            var weights = new long[n];
            for (var i = 0; i < n; i++)
            {
                weights[i] = Math.Max(0, adjustmentRaw[i]);
            }

            var shares = Apportion.LargestRemainder(Math.Max(0, available), weights);
            for (var i = 0; i < n; i++)
            {
                if (adjustmentRaw[i] > 0)
                {
                    adjustment[i] = shares[i];
                }
            }

            cut = true;
        }

        // Steps 8–9: withhold and balance.
        var hospitals = new HospitalClearing[n];
        long sumS = 0, sumAdj = 0, sumW = 0, sumAdv = 0, sumBal = 0;
        for (var i = 0; i < n; i++)
        {
            var s = sums[i];
            var coef = inputs.CoefficientsOf(ids[i]);
            var withhold = settlement[i] > 0 ? Rounding.ToFen(Money.ToYuan(settlement[i]) * inputs.WithholdRate) : 0;
            var advance = inputs.AdvancePaidFen(ids[i]);
            var balance = settlement[i] + adjustment[i] - withhold - advance;
            hospitals[i] = new HospitalClearing
            {
                Region = inputs.Region,
                HospitalId = ids[i],
                Year = inputs.Year,
                LevelGroup = groups[i],
                Cases = s.ClearingCases,
                LevelCases = s.LevelCases,
                GrassrootsCases = s.GrassrootsCases,
                PerDiemCases = s.PerDiemCases,
                DrgCases = s.DrgCases,
                FfsCases = s.FfsCases,
                TotalPoints = s.TotalPoints,
                LevelPoints = s.LevelPoints,
                UnitPoints = s.UnitPoints,
                AveragePointsPerCase = s.ClearingCases == 0 ? 0m : Rounding.Places4(Apportion.Ratio(s.TotalPoints, checked(s.ClearingCases * 10_000L))),
                LevelCoefficient = kByGroup.TryGetValue(groups[i], out var kh) ? kh : 1m,
                BonusCoefficient = coef.Bonus,
                DeductionCoefficient = coef.Deduction,
                FinalPoints = finalPoints[i],
                PointValue = v,
                SettlementFen = settlement[i],
                ItemFundFen = s.ItemFundFen,
                CostFen = s.CostFen,
                OtherPaidFen = s.OtherPaidFen,
                AdjustmentBeforeCutFen = adjustmentRaw[i],
                AdjustmentFen = adjustment[i],
                WithholdFen = withhold,
                AdvancePaidFen = advance,
                BalanceFen = balance,
                HighOutliers = s.HighOutliers,
                LowOutliers = s.LowOutliers,
                Reviews = s.Reviews,
            };
            sumS += settlement[i];
            sumAdj += adjustment[i];
            sumW += withhold;
            sumAdv += advance;
            sumBal += balance;
        }

        var reserveLeft = reserveAfterClamp - sumAdj;
        var result = new ClearingResult
        {
            Region = inputs.Region,
            Year = inputs.Year,
            Basis = inputs.Basis,
            BudgetFen = inputs.BudgetFen,
            ReserveFen = reserve,
            FundFen = fund,
            AllocatedFen = allocated,
            OtherPaidFen = totalN,
            TotalFinalPoints = totalFinal,
            TotalBasePoints = totalBase,
            TotalCases = totalCases,
            PointValueUnclamped = vRaw,
            PointValue = v,
            ProvisionalPointValue = inputs.ProvisionalPointValue,
            PointValueBand = inputs.PointValueBand,
            PointValueClamped = clamped,
            ClampCappedByReserve = capped,
            ReserveAfterClampFen = reserveAfterClamp,
            AdjustmentTotalFen = sumAdj,
            AdjustmentsCut = cut,
            ReserveLeftFen = reserveLeft,
            UnallocatedFen = unallocated,
            WithholdTotalFen = sumW,
            AdvanceTotalFen = sumAdv,
            BalanceTotalFen = sumBal,
            LevelGroups = levelGroups,
            Hospitals = hospitals,
            Checks = [],
        };
        return result with { Checks = ClearingChecks.Check(result, shard, inputs, allCases) };
    }

    /// <summary>
    /// A case's final points round4(p_i × K_i × B_h × D_h) (clearing.md step 3: reported only; the
    /// hospital total is rounded once, not summed from these). K_i = 1 for grassroots and per-diem cases.
    /// </summary>
    public static long CaseFinalPoints(long points, decimal k, HospitalCoefficients coefficients) =>
        (long)(Rounding.Places4(points / 10_000m * k * coefficients.Bonus * coefficients.Deduction) * 10_000m);

    /// <summary>P_h = round4(B × D × (K × level points + unit points)); in 0.0001 point.</summary>
    internal static long HospitalPoints(in ClearingAggregate s, decimal k, HospitalCoefficients coef)
    {
        var basePoints = (k * (s.LevelPoints / 10_000m)) + (s.UnitPoints / 10_000m);
        var p = Rounding.Places4(coef.Bonus * coef.Deduction * basePoints);
        return (long)(p * 10_000m);
    }

    /// <summary>
    /// Step 7 for one hospital. Surplus (I &lt; S): the hospital keeps the tiered retained part, the rest
    /// is not paid (negative). Overrun (I &gt; S): the fund bears the tiered shared part (positive).
    /// Tier bounds are round(up_to × S_h) in fen.
    /// </summary>
    internal static long Adjustment(long settlement, long itemFund, ClearingRegionInputs inputs)
    {
        if (itemFund == settlement)
        {
            return 0;
        }

        var surplus = itemFund < settlement;
        var gap = Math.Abs(settlement - itemFund);
        var tiers = surplus ? inputs.SurplusRetention : inputs.OverrunSharing;
        var shared = 0m; // fen, exact
        long lower = 0;
        foreach (var t in tiers)
        {
            var upper = t.UpTo is { } u ? Math.Max(0, Rounding.ToFen(Money.ToYuan(Math.Max(0, settlement)) * u)) : long.MaxValue;
            if (upper > lower && gap > lower)
            {
                var portion = Math.Min(gap, upper) - lower;
                shared += t.Share * portion;
            }

            lower = Math.Max(lower, upper);
        }

        var sharedFen = Rounding.ToFen(shared / 100m);
        return surplus ? -(gap - sharedFen) : sharedFen;
    }

    private static List<LevelGroupCoefficient> LevelCoefficients(List<string> groups, List<ClearingAggregate> sums, ClearingRegionInputs inputs)
    {
        var byGroup = new SortedDictionary<string, (long Cases, long Points, long Cost)>(StringComparer.Ordinal);
        long regionPoints = 0, regionCost = 0;
        for (var i = 0; i < groups.Count; i++)
        {
            if (string.Equals(groups[i], NoCasesGroup, StringComparison.Ordinal))
            {
                continue;
            }

            byGroup.TryGetValue(groups[i], out var g);
            byGroup[groups[i]] = (g.Cases + sums[i].LevelCases, checked(g.Points + sums[i].LevelPoints), checked(g.Cost + sums[i].LevelCostFen));
            regionPoints = checked(regionPoints + sums[i].LevelPoints);
            regionCost = checked(regionCost + sums[i].LevelCostFen);
        }

        var list = new List<LevelGroupCoefficient>(byGroup.Count);
        foreach (var (group, g) in byGroup)
        {
            // Without points or cost there is no cost per point to compare: the group is neutral (K = 1).
            decimal? computed = g.Points > 0 && g.Cost > 0 && regionPoints > 0 && regionCost > 0
                ? Rounding.Places4(Apportion.Ratio(new BigInteger(g.Cost) * regionPoints, new BigInteger(g.Points) * regionCost))
                : null;
            decimal? over = inputs.LevelCoefficientOverrides.TryGetValue(group, out var o) ? o : null;
            list.Add(new LevelGroupCoefficient(group, g.Cases, g.Points, g.Cost, computed, over, over ?? computed ?? 1m));
        }

        return list;
    }
}
