using Grouper.Core;

namespace Grouper.Clearing.Internals;

/// <summary>
/// The invariants of clearing.md, recomputed on every run by a second, independent pass over the
/// shard cells rather than trusted from the main computation.
/// </summary>
internal static class ClearingChecks
{
    public static IReadOnlyList<ClearingCheck> Check(ClearingResult r, ClearingShard shard, ClearingRegionInputs inputs, long allCases)
    {
        var checks = new List<ClearingCheck>();
        long sumS = 0, sumAdj = 0, sumBal = 0, hospitalCases = 0;
        var balanceOk = true;
        foreach (var h in r.Hospitals)
        {
            sumS += h.SettlementFen;
            sumAdj += h.AdjustmentFen;
            sumBal += h.BalanceFen;
            hospitalCases += h.Cases + h.DrgCases + h.FfsCases;
            balanceOk &= h.BalanceFen == h.SettlementFen + h.AdjustmentFen - h.WithholdFen - h.AdvancePaidFen;
        }

        checks.Add(new ClearingCheck("settlement_sum_equals_allocated", sumS == r.AllocatedFen,
            $"sum S_h {Money.Format(sumS)} = F' {Money.Format(r.AllocatedFen)}"));

        var total = sumS + sumAdj + r.ReserveLeftFen + r.UnallocatedFen;
        checks.Add(new ClearingCheck("money_equals_budget", total == r.BudgetFen,
            $"sum S_h {Money.Format(sumS)} + sum adj {Money.Format(sumAdj)} + reserve left {Money.Format(r.ReserveLeftFen)} + unallocated {Money.Format(r.UnallocatedFen)} = {Money.Format(total)}; budget {Money.Format(r.BudgetFen)}"));

        checks.Add(new ClearingCheck("reserve_left_not_negative", !inputs.CutAdjustmentsToReserve || r.ReserveLeftFen >= 0,
            $"reserve left {Money.Format(r.ReserveLeftFen)}"));

        checks.Add(new ClearingCheck("balance_identity", balanceOk && sumBal == r.BalanceTotalFen,
            $"balance = S + adj - W - advances for every hospital; sum {Money.Format(sumBal)}"));

        // Second pass: per-hospital sums straight from the cells.
        var byHospital = new Dictionary<string, ClearingAggregate>(StringComparer.Ordinal);
        foreach (var cell in shard.Cells)
        {
            if (string.Equals(cell.Key.Region, r.Region, StringComparison.Ordinal))
            {
                byHospital.TryGetValue(cell.Key.HospitalId, out var a);
                a.Add(cell.Sums);
                byHospital[cell.Key.HospitalId] = a;
            }
        }

        var pointsOk = byHospital.Count <= r.Hospitals.Count;
        var casesOk = pointsOk;
        var finalOk = pointsOk;
        var k = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var g in r.LevelGroups)
        {
            k[g.LevelGroup] = g.Coefficient;
        }

        foreach (var h in r.Hospitals)
        {
            // A hospital without cells (advances only) must carry no points and no cases.
            byHospital.TryGetValue(h.HospitalId, out var a);

            pointsOk &= a.TotalPoints == h.TotalPoints && a.LevelPoints == h.LevelPoints
                && a.GrassrootsPoints + a.PerDiemPoints == h.UnitPoints;
            casesOk &= a.ClearingCases == h.Cases && a.DrgCases == h.DrgCases && a.FfsCases == h.FfsCases;
            var coef = inputs.CoefficientsOf(h.HospitalId);
            var recomputed = Rounding.Places4(coef.Bonus * coef.Deduction
                * (((k.TryGetValue(h.LevelGroup, out var kg) ? kg : 1m) * a.LevelPoints / 10_000m) + (a.GrassrootsPoints / 10_000m) + (a.PerDiemPoints / 10_000m)));
            finalOk &= recomputed * 10_000m == h.FinalPoints;
        }

        checks.Add(new ClearingCheck("hospital_points_equal_aggregates", pointsOk, "per hospital and class, BasePoints = sum of the shard cells"));
        checks.Add(new ClearingCheck("hospital_final_points_recompute", finalOk, "P_h = round4(B x D x sum K_g x BasePoints_g)"));
        checks.Add(new ClearingCheck("hospital_cases_equal_aggregates", casesOk && hospitalCases == allCases,
            $"cases DIP+per diem+DRG+FFS {hospitalCases} = shard cases {allCases}"));
        return checks;
    }
}
