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
        RegisterColumn(Settlement);
    }

    /// <summary>Patient chain results (joined from the settlement pass by line).</summary>
    public CaseSettlement[] Settlement { get; }
}
