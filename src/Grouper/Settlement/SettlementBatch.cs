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
        // Sorting compact keys (not the cases through an index) keeps the comparisons in cache.
        var keys = new OrderKey[cases.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            ref readonly var c = ref cases[i];
            keys[i] = new OrderKey(c.PersonId, c.Input.DischargeDate.DayNumber, c.CaseId, i);
        }

        Array.Sort(keys);
        var idx = new int[keys.Length];
        for (var i = 0; i < idx.Length; i++)
        {
            idx[i] = keys[i].Index;
        }

        return idx;
    }

    private readonly struct OrderKey(string person, int day, string caseId, int index) : IComparable<OrderKey>
    {
        public string Person { get; } = person;

        public int Day { get; } = day;

        public string CaseId { get; } = caseId;

        public int Index { get; } = index;

        public int CompareTo(OrderKey other)
        {
            var c = string.CompareOrdinal(Person, other.Person);
            if (c != 0)
            {
                return c;
            }

            c = Day.CompareTo(other.Day);
            if (c != 0)
            {
                return c;
            }

            c = string.CompareOrdinal(CaseId, other.CaseId);
            return c != 0 ? c : Index.CompareTo(other.Index);
        }
    }

    /// <summary>
    /// Settles every case of the batch against <paramref name="states"/> (missing keys start at
    /// zero), updating them in place. Cases without a policy get <see cref="SettlementStatus.NoPolicy"/>
    /// and leave the state untouched.
    /// </summary>
    public static void Apply(PolicyStore store, string region, ReadOnlySpan<SettlementCase> cases, Dictionary<PersonYearKey, PersonYearState> states, Span<CaseSettlement> results) =>
        Apply(store, region, cases, Order(cases), states, results);

    /// <param name="order">Indices of the cases in chain order.</param>
    private static void Apply(PolicyStore store, string region, ReadOnlySpan<SettlementCase> cases, ReadOnlySpan<int> order, Dictionary<PersonYearKey, PersonYearState> states, Span<CaseSettlement> results)
    {
        if (results.Length < cases.Length)
        {
            throw new ArgumentException("results shorter than cases", nameof(results));
        }

        // Cases come person by person, so one dictionary lookup serves all of a person's cases of a
        // key; the reference stays valid because nothing is added while the key is unchanged.
        var haveKey = false;
        var lastKey = default(PersonYearKey);
        ref var state = ref System.Runtime.CompilerServices.Unsafe.NullRef<PersonYearState>();
        for (var k = 0; k < cases.Length; k++)
        {
            var i = order[k];
            ref readonly var c = ref cases[i];
            ref var r = ref results[i];
            if (!store.TryResolve(region, c.Input.DischargeDate, c.Input.InsuranceType, out var policy))
            {
                r = new CaseSettlement { Status = SettlementStatus.NoPolicy };
                continue;
            }

            var key = KeyOf(c);
            if (!haveKey || !key.Equals(lastKey))
            {
                state = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(states, key, out _);
                lastKey = key;
                haveKey = true;
            }

            var late = c.Input.DischargeDate < state.LastDischarge;
            PatientChain.Apply(policy, c.Input, ref state, out var result);
            r = new CaseSettlement { Status = SettlementStatus.Settled, Result = result, Policy = policy, Late = late };
        }
    }
}
