namespace Grouper.Clearing;

/// <summary>
/// Partial sums of one (hospital, month) cell, all integers (points in 0.0001 point, money in fen)
/// so that merging is plain addition: associative and commutative, hence any split of a year,
/// merged in any order, gives the same totals (scale.md).
/// </summary>
public struct ClearingAggregate : IEquatable<ClearingAggregate>
{
    /// <summary>DIP cases of a level group (not grassroots, not per diem): the basis of K_L.</summary>
    public long LevelCases;

    /// <summary>DIP cases of grassroots groups (K = 1).</summary>
    public long GrassrootsCases;

    /// <summary>Per-diem cases (K = 1).</summary>
    public long PerDiemCases;

    /// <summary>DRG cases: counted for the partition invariant only.</summary>
    public long DrgCases;

    /// <summary>FFS cases: counted for the partition invariant only.</summary>
    public long FfsCases;

    public long LevelPoints;

    public long GrassrootsPoints;

    public long PerDiemPoints;

    /// <summary>Cost of the level-class cases, for K_L = (C_L/P_L) ÷ (C/P).</summary>
    public long LevelCostFen;

    /// <summary>Cost of every case in clearing (all three classes).</summary>
    public long CostFen;

    /// <summary>N_h: patient and other layers' payments on cases in clearing.</summary>
    public long OtherPaidFen;

    /// <summary>I_h: item-based basic fund amount of cases in clearing.</summary>
    public long ItemFundFen;

    public long HighOutliers;

    public long LowOutliers;

    public long Reviews;

    /// <summary>Cases that enter clearing (level + grassroots + per diem).</summary>
    public readonly long ClearingCases => LevelCases + GrassrootsCases + PerDiemCases;

    /// <summary>Points before coefficients of all cases in clearing.</summary>
    public readonly long TotalPoints => LevelPoints + GrassrootsPoints + PerDiemPoints;

    /// <summary>Points that take K = 1.</summary>
    public readonly long UnitPoints => GrassrootsPoints + PerDiemPoints;

    /// <summary>Every accepted case counted here: DIP + per diem + DRG + FFS.</summary>
    public readonly long AllCases => ClearingCases + DrgCases + FfsCases;

    /// <summary>Adds one case. Checked arithmetic: an overflow is a bug, never a silent wrap.</summary>
    public void Add(in ClearingCase c)
    {
        checked
        {
            switch (c.Payment)
            {
                case CasePayment.Drg:
                    DrgCases++;
                    return;
                case CasePayment.Ffs:
                    FfsCases++;
                    return;
                case CasePayment.PerDiem:
                    PerDiemCases++;
                    PerDiemPoints += c.Points;
                    break;
                case CasePayment.Dip when c.Class == ClearingClass.Grassroots:
                    GrassrootsCases++;
                    GrassrootsPoints += c.Points;
                    break;
                case CasePayment.Dip when c.Class == ClearingClass.PerDiem:
                    PerDiemCases++;
                    PerDiemPoints += c.Points;
                    break;
                case CasePayment.Dip when c.Class == ClearingClass.Level:
                    LevelCases++;
                    LevelPoints += c.Points;
                    LevelCostFen += c.CostFen;
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(c), $"payment {c.Payment} / class {c.Class} is not a valid clearing case");
            }

            CostFen += c.CostFen;
            OtherPaidFen += c.OtherPaidFen;
            ItemFundFen += c.ItemFundFen;
            switch (c.Outlier)
            {
                case CaseOutlier.High:
                    HighOutliers++;
                    break;
                case CaseOutlier.Low:
                    LowOutliers++;
                    break;
                case CaseOutlier.Review:
                    Reviews++;
                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>Merge by field-wise addition.</summary>
    public void Add(in ClearingAggregate o)
    {
        checked
        {
            LevelCases += o.LevelCases;
            GrassrootsCases += o.GrassrootsCases;
            PerDiemCases += o.PerDiemCases;
            DrgCases += o.DrgCases;
            FfsCases += o.FfsCases;
            LevelPoints += o.LevelPoints;
            GrassrootsPoints += o.GrassrootsPoints;
            PerDiemPoints += o.PerDiemPoints;
            LevelCostFen += o.LevelCostFen;
            CostFen += o.CostFen;
            OtherPaidFen += o.OtherPaidFen;
            ItemFundFen += o.ItemFundFen;
            HighOutliers += o.HighOutliers;
            LowOutliers += o.LowOutliers;
            Reviews += o.Reviews;
        }
    }

    public readonly bool Equals(ClearingAggregate other) =>
        LevelCases == other.LevelCases && GrassrootsCases == other.GrassrootsCases && PerDiemCases == other.PerDiemCases
        && DrgCases == other.DrgCases && FfsCases == other.FfsCases && LevelPoints == other.LevelPoints
        && GrassrootsPoints == other.GrassrootsPoints && PerDiemPoints == other.PerDiemPoints
        && LevelCostFen == other.LevelCostFen && CostFen == other.CostFen && OtherPaidFen == other.OtherPaidFen
        && ItemFundFen == other.ItemFundFen && HighOutliers == other.HighOutliers && LowOutliers == other.LowOutliers
        && Reviews == other.Reviews;

    public override readonly bool Equals(object? obj) => obj is ClearingAggregate o && Equals(o);

    public override readonly int GetHashCode() => HashCode.Combine(LevelCases, LevelPoints, CostFen, ItemFundFen, GrassrootsPoints, PerDiemPoints);

    public static bool operator ==(ClearingAggregate left, ClearingAggregate right) => left.Equals(right);

    public static bool operator !=(ClearingAggregate left, ClearingAggregate right) => !left.Equals(right);
}
