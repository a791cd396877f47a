using Grouper.Core;
using Grouper.Ingest;
using Grouper.Settlement;

namespace Grouper.Pipeline;

/// <summary>
/// The settlement part of a run. Pass 1 collects each accepted case's chain input in input order;
/// <see cref="Settle"/> applies the patient chain per person in (discharge_date, case_id) order
/// against the year-to-date state; pass 2 joins the results back to each record by its line.
/// </summary>
internal sealed class SettlementStage(PolicyStore policies, string region, HospitalTable hospitals, bool pseudonymized, int expectedCases = 0)
{
    // Sized once from the file when the caller can estimate it: no doubling slack on millions of cases.
    private readonly List<long> _lines = new(expectedCases);
    private readonly List<SettlementCase> _cases = new(expectedCases);
    private long[] _lineIndex = [];
    private CaseSettlement[] _results = [];
    private int _settled = -1;

    public int Count => _settled >= 0 ? _settled : _cases.Count;

    public string Region => region;

    /// <summary>Parallel stage (both passes): NO_POLICY when no policy covers the region, date and insurance type.</summary>
    public void CheckPolicy(DischargeBatch batch)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            ref readonly var r = ref batch.Records[i];
            if (!policies.TryResolve(region, r.DischargeDate, r.InsuranceType, out _))
            {
                batch.RejectLater(i, RejectReason.NoPolicy, DischargeColumns.Name(DischargeColumn.DischargeDate),
                    $"no policy of region {region} covers this discharge date and insurance type");
            }
        }
    }

    /// <summary>Pass 1, in input order after the duplicate check: remember the accepted cases.</summary>
    public void Collect(DischargeBatch batch)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            ref readonly var r = ref batch.Records[i];
            _lines.Add(r.Line);
            _cases.Add(new SettlementCase
            {
                PersonId = pseudonymized ? Privacy.Pseudonymizer.Format(r.PersonKey) : batch.StringOf(r.PersonId),
                CaseId = batch.StringOf(r.CaseId),
                Input = ChainInput.From(in r, hospitals[r.HospitalIndex]),
            });
        }
    }

    /// <summary>The cases collected so far (until <see cref="Settle"/> releases them).</summary>
    internal ReadOnlySpan<SettlementCase> Collected => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_cases);

    public IReadOnlyList<PersonYearKey> Keys() => SettlementBatch.Keys(Collected);

    /// <summary>Applies the chain to all collected cases, updating <paramref name="states"/> in place.</summary>
    public void Settle(Dictionary<PersonYearKey, PersonYearState> states)
    {
        _lineIndex = [.. _lines];
        _results = new CaseSettlement[_cases.Count];
        SettlementBatch.Apply(policies, region, Collected, states, _results);

        // Pass 2 needs only the results by line: the chain inputs (with their id strings) go now,
        // before the second pass allocates its own buffers.
        _settled = _cases.Count;
        _cases.Clear();
        _cases.TrimExcess();
        _lines.Clear();
        _lines.TrimExcess();
    }

    /// <summary>Name and version of every policy that settled a case, sorted.</summary>
    public IReadOnlyList<string> PoliciesUsed()
    {
        var set = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var r in _results)
        {
            if (r.Policy is { } p)
            {
                set.Add($"{p.Name} {p.Version} ({Path.GetFileName(p.SourceFile)})");
            }
        }

        return [.. set];
    }

    /// <summary>Pass 2, parallel: copies each record's chain result into the batch.</summary>
    public void Join(CaseBatch batch)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            ref readonly var r = ref batch.Records[i];
            if (r.PendingReject != RejectReason.None)
            {
                continue;
            }

            var k = Array.BinarySearch(_lineIndex, r.Line);
            batch.Settlement[i] = k >= 0 ? _results[k] : default;
        }
    }
}
