using Grouper.Internals;

namespace Grouper.Ingest;

/// <summary>
/// Check 15 of records.md, DUPLICATE_CASE, applied to batches in input order (single-threaded),
/// after every other check: a record whose case id equals an earlier accepted record's is rejected.
/// Also moves the records a parallel stage rejected (pending rejects) into the batch's rejects.
/// How a duplicate is recognised is up to the subclass: an in-memory index of accepted ids
/// (<see cref="CaseDeduplicator"/>), or lines already known to be duplicates from a first pass.
/// </summary>
public abstract class CaseIdCheck
{
    private readonly List<int> _removed = [];

    /// <summary>
    /// True when the record on <paramref name="line"/> repeats an earlier accepted case id.
    /// Called once per record, in input order; <paramref name="accepted"/> is false for a record
    /// another check rejected (it never makes later records duplicates).
    /// </summary>
    protected abstract bool IsDuplicate(ReadOnlySpan<byte> caseId, long line, bool accepted);

    /// <summary>
    /// Removes duplicates (and records a later stage rejected) from the batch's accepted records and
    /// adds them to its rejects, kept in line order.
    /// </summary>
    public void Apply(DischargeBatch batch)
    {
        _removed.Clear();
        for (var i = 0; i < batch.Count; i++)
        {
            ref readonly var r = ref batch.Records[i];
            var accepted = r.PendingReject == RejectReason.None;
            if (IsDuplicate(batch.TextOf(r.CaseId), r.Line, accepted))
            {
                batch.Rejects.Add(new Reject(r.Line, batch.StringOf(r.CaseId), RejectReason.DuplicateCase, DischargeColumns.Name(DischargeColumn.CaseId),
                    "case_id was already used by an earlier accepted record of this run"));
                _removed.Add(i);
            }
            else if (!accepted)
            {
                var (field, message) = batch.PendingMessages[r.PendingRejectMessage];
                batch.Rejects.Add(new Reject(r.Line, batch.StringOf(r.CaseId), r.PendingReject, field, message));
                _removed.Add(i);
            }
        }

        if (_removed.Count == 0)
        {
            return;
        }

        batch.RemoveRecords(_removed);
        batch.Rejects.Sort(static (a, b) => a.Line.CompareTo(b.Line));
    }
}

/// <summary>
/// DUPLICATE_CASE with an exact in-memory index of the accepted case ids: one pass, about
/// 16 bytes a slot plus the id bytes per accepted case, retained for the run.
/// </summary>
public sealed class CaseDeduplicator : CaseIdCheck
{
    private readonly CaseIdSet _seen;

    /// <param name="expectedCases">Records expected in the run (an estimate; 0 if unknown), to size the index once.</param>
    public CaseDeduplicator(int expectedCases = 0) => _seen = new CaseIdSet(expectedCases);

    /// <summary>Distinct accepted case ids so far.</summary>
    public int Count => _seen.Count;

    /// <summary>Bytes allocated for the index of accepted case ids (retained for the run).</summary>
    public long IndexBytes => _seen.AllocatedBytes;

    protected override bool IsDuplicate(ReadOnlySpan<byte> caseId, long line, bool accepted) =>
        accepted ? !_seen.Add(caseId) : _seen.Contains(caseId);
}
