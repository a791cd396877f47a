using Grouper.Core;

namespace Grouper.Settlement;

/// <summary>One case handed to <see cref="SettlementBatch"/>: who, which case, and the chain input.</summary>
public struct SettlementCase
{
    public string PersonId;
    public string CaseId;
    public ChainInput Input;
}

/// <summary>Outcome of one case in a batch.</summary>
public enum SettlementStatus : byte
{
    Settled = 0,

    /// <summary>No policy (or no benefit table for the insurance type) on the discharge date: reject <c>NO_POLICY</c>.</summary>
    NoPolicy = 1,
}

public struct CaseSettlement
{
    public SettlementStatus Status;
    public ChainResult Result;

    /// <summary>
    /// The case is older than a case already applied to the person's year in an earlier run: it is
    /// settled after it (state cannot be rewound), so the host should report it.
    /// </summary>
    public bool Late;

    /// <summary>The policy that settled the case (null for <see cref="SettlementStatus.NoPolicy"/>).</summary>
    public ResolvedPolicy? Policy;
}

/// <summary>
/// Applies the patient chain to a batch deterministically: each person's cases in
/// (discharge_date, case_id) order whatever the input order, results written at the input index.
/// </summary>
public static class SettlementBatch
{
    /// <summary>The year-to-date keys the batch touches (load these from <see cref="YearToDateStore"/>).</summary>
    public static List<PersonYearKey> Keys(ReadOnlySpan<SettlementCase> cases)
    {
        var set = new HashSet<PersonYearKey>();
        foreach (ref readonly var c in cases)
        {
            set.Add(KeyOf(c));
        }

        var list = set.ToList();
        list.Sort(PersonYearKey.Compare);
        return list;
    }

    public static PersonYearKey KeyOf(in SettlementCase c) => new(c.PersonId, c.Input.InsuranceType, c.Input.DischargeDate.Year);

    /// <summary>Input indices ordered by person id, discharge date, case id (ordinal), then input index.</summary>
    public static int[] Order(ReadOnlySpan<SettlementCase> cases)
    {
        var idx = new int[cases.Length];
        for (var i = 0; i < idx.Length; i++)
        {
            idx[i] = i;
        }

        var copy = cases.ToArray();
        Array.Sort(idx, (a, b) =>
        {
            ref var x = ref copy[a];
            ref var y = ref copy[b];
            var c = string.CompareOrdinal(x.PersonId, y.PersonId);
            if (c != 0)
            {
                return c;
            }

            c = x.Input.DischargeDate.CompareTo(y.Input.DischargeDate);
            if (c != 0)
            {
                return c;
            }

            c = string.CompareOrdinal(x.CaseId, y.CaseId);
            return c != 0 ? c : a.CompareTo(b);
        });
        return idx;
    }

    /// <summary>
    /// Settles every case of the batch against <paramref name="states"/> (missing keys start at
    /// zero), updating them in place. Cases without a policy get <see cref="SettlementStatus.NoPolicy"/>
    /// and leave the state untouched.
    /// </summary>
    public static void Apply(PolicyStore store, string region, ReadOnlySpan<SettlementCase> cases, Dictionary<PersonYearKey, PersonYearState> states, Span<CaseSettlement> results)
    {
        if (results.Length < cases.Length)
        {
            throw new ArgumentException("results shorter than cases", nameof(results));
        }

        foreach (var i in Order(cases))
        {
            ref readonly var c = ref cases[i];
            ref var r = ref results[i];
            if (!store.TryResolve(region, c.Input.DischargeDate, c.Input.InsuranceType, out var policy))
            {
                r = new CaseSettlement { Status = SettlementStatus.NoPolicy };
                continue;
            }

            var key = KeyOf(c);
            states.TryGetValue(key, out var state);
            var late = c.Input.DischargeDate < state.LastDischarge;
            PatientChain.Apply(policy, c.Input, ref state, out var result);
            states[key] = state;
            r = new CaseSettlement { Status = SettlementStatus.Settled, Result = result, Policy = policy, Late = late };
        }
    }
}
