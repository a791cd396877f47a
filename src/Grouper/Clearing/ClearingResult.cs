namespace Grouper.Clearing;

/// <summary>One hospital's year-end clearing: a row of clearing.parquet plus the sums behind it.</summary>
public sealed record HospitalClearing
{
    public required string Region { get; init; }

    public required string HospitalId { get; init; }

    public required int Year { get; init; }

    /// <summary>Level group (等级分组): "3A", "3B", …, "1", "0".</summary>
    public required string LevelGroup { get; init; }

    /// <summary>Cases in clearing: level + grassroots + per diem.</summary>
    public long Cases { get; init; }

    public long LevelCases { get; init; }

    public long GrassrootsCases { get; init; }

    public long PerDiemCases { get; init; }

    public long DrgCases { get; init; }

    public long FfsCases { get; init; }

    /// <summary>Points before coefficients, all classes, 0.0001 point.</summary>
    public long TotalPoints { get; init; }

    /// <summary>BasePoints of the level class, 0.0001 point.</summary>
    public long LevelPoints { get; init; }

    /// <summary>BasePoints of the K = 1 classes (grassroots + per diem), 0.0001 point.</summary>
    public long UnitPoints { get; init; }

    /// <summary>例均分值 = total points ÷ cases, 4 places.</summary>
    public decimal AveragePointsPerCase { get; init; }

    /// <summary>K of the hospital's level group (等级系数).</summary>
    public decimal LevelCoefficient { get; init; }

    /// <summary>B_h (加成系数).</summary>
    public decimal BonusCoefficient { get; init; }

    /// <summary>D_h (扣减系数).</summary>
    public decimal DeductionCoefficient { get; init; }

    /// <summary>P_h = round4(B × D × Σ K_g × BasePoints_g), 0.0001 point.</summary>
    public long FinalPoints { get; init; }

    /// <summary>V (点值), yuan per point, 6 places.</summary>
    public decimal PointValue { get; init; }

    /// <summary>S_h, fen (largest-remainder rule).</summary>
    public long SettlementFen { get; init; }

    /// <summary>I_h, fen.</summary>
    public long ItemFundFen { get; init; }

    public long CostFen { get; init; }

    /// <summary>N_h, fen.</summary>
    public long OtherPaidFen { get; init; }

    /// <summary>Surplus/overrun adjustment before any cut by the reserve, fen.</summary>
    public long AdjustmentBeforeCutFen { get; init; }

    /// <summary>Surplus/overrun adjustment (结余留用 / 超支分担), fen.</summary>
    public long AdjustmentFen { get; init; }

    /// <summary>W_h (质量保证金), fen.</summary>
    public long WithholdFen { get; init; }

    /// <summary>Σ monthly advances paid, fen.</summary>
    public long AdvancePaidFen { get; init; }

    /// <summary>S_h + adj − W − advances, fen; negative = the hospital repays.</summary>
    public long BalanceFen { get; init; }

    public long HighOutliers { get; init; }

    public long LowOutliers { get; init; }

    public long Reviews { get; init; }
}

/// <summary>Level coefficient of one level group (clearing.md step 2).</summary>
public sealed record LevelGroupCoefficient(
    string LevelGroup,
    long Cases,
    long Points,
    long CostFen,
    decimal? Computed,
    decimal? Override,
    decimal Coefficient);

/// <summary>One invariant checked on the run; the lead writes them to the manifest.</summary>
public sealed record ClearingCheck(string Name, bool Passed, string Detail);

/// <summary>Year-end clearing of one region and year.</summary>
public sealed record ClearingResult
{
    public required string Region { get; init; }

    public required int Year { get; init; }

    public PointValueBasis Basis { get; init; }

    public long BudgetFen { get; init; }

    /// <summary>Regulating reserve set aside: round(budget × r_R).</summary>
    public long ReserveFen { get; init; }

    /// <summary>F = budget − reserve.</summary>
    public long FundFen { get; init; }

    /// <summary>F' = Σ S_h: equal to F unless the point value was clamped.</summary>
    public long AllocatedFen { get; init; }

    /// <summary>Σ N_h of the region (cost basis pools it with F).</summary>
    public long OtherPaidFen { get; init; }

    /// <summary>Σ P_h, 0.0001 point.</summary>
    public long TotalFinalPoints { get; init; }

    public long TotalBasePoints { get; init; }

    public long TotalCases { get; init; }

    /// <summary>V before the band (6 places).</summary>
    public decimal PointValueUnclamped { get; init; }

    /// <summary>V used (6 places).</summary>
    public decimal PointValue { get; init; }

    public decimal ProvisionalPointValue { get; init; }

    public decimal? PointValueBand { get; init; }

    public bool PointValueClamped { get; init; }

    /// <summary>True when a clamp up needed more than the whole reserve; F' was capped at the budget.</summary>
    public bool ClampCappedByReserve { get; init; }

    /// <summary>Reserve after the clamp difference F − F'.</summary>
    public long ReserveAfterClampFen { get; init; }

    public long AdjustmentTotalFen { get; init; }

    /// <summary>True when overrun shares exceeded the reserve and were cut pro rata.</summary>
    public bool AdjustmentsCut { get; init; }

    public long ReserveLeftFen { get; init; }

    /// <summary>Budget not allocated at all (no DIP points in the region).</summary>
    public long UnallocatedFen { get; init; }

    public long WithholdTotalFen { get; init; }

    public long AdvanceTotalFen { get; init; }

    public long BalanceTotalFen { get; init; }

    public required IReadOnlyList<LevelGroupCoefficient> LevelGroups { get; init; }

    /// <summary>Hospitals in hospital_id order.</summary>
    public required IReadOnlyList<HospitalClearing> Hospitals { get; init; }

    public required IReadOnlyList<ClearingCheck> Checks { get; init; }

    /// <summary>K of a level group (1 when the group had no cases), for case-level final points.</summary>
    public decimal LevelCoefficientOf(string levelGroup)
    {
        foreach (var g in LevelGroups)
        {
            if (string.Equals(g.LevelGroup, levelGroup, StringComparison.Ordinal))
            {
                return g.Coefficient;
            }
        }

        return 1m;
    }

    public bool AllChecksPassed
    {
        get
        {
            foreach (var c in Checks)
            {
                if (!c.Passed)
                {
                    return false;
                }
            }

            return true;
        }
    }
}
