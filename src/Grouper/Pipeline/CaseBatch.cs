using Grouper.Dip;
using Grouper.Drg;
using Grouper.Ingest;
using Grouper.Settlement;

namespace Grouper.Pipeline;

/// <summary>A batch of records with the per-case results of every stage, indexed like the records.</summary>
public sealed class CaseBatch : DischargeBatch
{
    public CaseBatch(int capacity)
        : base(capacity)
    {
        Settlement = new CaseSettlement[capacity];
        Drg = new DrgResult[capacity];
        Dip = new DipResult[capacity];
        Payment = new CasePayment[capacity];
        RegisterColumn(Settlement);
        RegisterColumn(Drg);
        RegisterColumn(Dip);
        RegisterColumn(Payment);
    }

    /// <summary>Patient chain results (joined from the settlement pass by line).</summary>
    public CaseSettlement[] Settlement { get; }

    public DrgResult[] Drg { get; }

    public DipResult[] Dip { get; }

    /// <summary>What the fund owes the hospital for the case.</summary>
    public CasePayment[] Payment { get; }
}

/// <summary>Hospital payment of one case (settlement.md "Hospital payment per case").</summary>
public struct CasePayment
{
    public Core.PaymentMethod Method;

    /// <summary>DRG amount, DIP provisional amount (points × H × V0) or the item-based basic fund (FFS), fen.</summary>
    public long PaymentFen;

    /// <summary>DRG: max(0, payment − (total − basic fund by items)); DIP/FFS: the same as <see cref="PaymentFen"/> for DIP, the basic fund for FFS.</summary>
    public long FundSettlementFen;

    public PricedCaseKind Kind;

    public decimal CostRatio;

    /// <summary>DRG adjusted weight W (outliers), 4 places.</summary>
    public decimal AdjustedWeight;

    public bool SamePrice;

    /// <summary>The case could not be priced by its method (no base rate or point value in the policy); paid by items.</summary>
    public bool Unpriced;
}
