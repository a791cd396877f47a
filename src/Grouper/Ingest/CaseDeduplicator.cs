using Grouper.Internals;

namespace Grouper.Ingest;

/// <summary>
/// Check 15 of records.md, DUPLICATE_CASE: a case id equal to an earlier accepted record of the run
/// rejects the later line. Runs on batches in input order (single-threaded), after every other check,
/// so it sees exactly the records that would otherwise be accepted.
/// </summary>
public sealed class CaseDeduplicator
{
    private readonly CaseIdSet _seen;
    private readonly List<int> _removed = [];

    /// <param name="expectedCases">Records expected in the run (an estimate; 0 if unknown), to size the index once.</param>
    public CaseDeduplicator(int expectedCases = 0) => _seen = new CaseIdSet(expectedCases);

    /// <summary>Distinct accepted case ids so far.</summary>
    public int Count => _seen.Count;

    /// <summary>Bytes allocated for the index of accepted case ids (retained for the run, ~40 B per case).</summary>
    public long IndexBytes => _seen.AllocatedBytes;

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
            var id = batch.TextOf(r.CaseId);
            if (r.PendingReject == RejectReason.None ? !_seen.Add(id) : _seen.Contains(id))
            {
                batch.Rejects.Add(new Reject(r.Line, batch.StringOf(r.CaseId), RejectReason.DuplicateCase, DischargeColumns.Name(DischargeColumn.CaseId),
                    "case_id was already used by an earlier accepted record of this run"));
                _removed.Add(i);
            }
            else if (r.PendingReject != RejectReason.None)
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
