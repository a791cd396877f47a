using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Grouper.Core;
using Grouper.Ingest;
using Grouper.Pipeline.Internals;
using Grouper.Settlement;
using Unsafe = System.Runtime.CompilerServices.Unsafe;

namespace Grouper.Pipeline;

/// <summary>
/// The settlement part of a run, in memory bounded by one partition rather than by the run.
/// Pass 1 (<see cref="Collect"/>) writes each accepted case's chain input to a partition by its
/// person's key, so every case of a person lands in the same partition. <see cref="Settle"/> then
/// takes one partition at a time: drops the lines found to be duplicates, loads that partition's
/// year-to-date states, applies the patient chain per person in (discharge_date, case_id) order,
/// and writes the results (in line order) and the new states to spill files. In pass 2 the
/// results are merged back by line on the reader thread (<see cref="Attach"/>) and copied into each
/// batch by its worker (<see cref="Join"/>). A person's chain depends only on that person's cases,
/// so the partitioning changes no amount; the results are those of settling the run at once.
/// </summary>
internal sealed class SettlementStage : IDisposable
{
    private readonly PolicyStore _policies;
    private readonly HospitalTable _hospitals;
    private readonly bool _pseudonymized;
    private readonly PartitionedSpill _inputs;
    private readonly PartitionedSpill _results;
    private readonly PartitionedSpill _states;
    private readonly List<ResolvedPolicy> _policyTable = [];
    private readonly Dictionary<ResolvedPolicy, int> _policyIndex = new(ReferenceEqualityComparer.Instance);
    private ResultCursor[] _cursors = [];
    private byte[] _entry = new byte[512];
    private long _collected;
    private long _settled = -1;

    public SettlementStage(PolicyStore policies, string region, HospitalTable hospitals, bool pseudonymized, SpillDirectory directory, int partitions)
    {
        _policies = policies;
        Region = region;
        _hospitals = hospitals;
        _pseudonymized = pseudonymized;
        _inputs = new PartitionedSpill(directory, "chain-inputs", partitions);
        _results = new PartitionedSpill(directory, "chain-results", partitions);
        _states = new PartitionedSpill(directory, "states", partitions);
    }

    /// <summary>Cases settled (after <see cref="Settle"/>), else cases collected so far.</summary>
    public long Count => _settled >= 0 ? _settled : _collected;

    public string Region { get; }

    /// <summary>Parallel stage (both passes): NO_POLICY when no policy covers the region, date and insurance type.</summary>
    public void CheckPolicy(DischargeBatch batch)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            ref readonly var r = ref batch.Records[i];
            if (!_policies.TryResolve(Region, r.DischargeDate, r.InsuranceType, out _))
            {
                batch.RejectLater(i, RejectReason.NoPolicy, DischargeColumns.Name(DischargeColumn.DischargeDate),
                    $"no policy of region {Region} covers this discharge date and insurance type");
            }
        }
    }

    // Input entry: line, person key, person id bytes (none when pseudonymized: the id is the key's
    // hex form), case id bytes, chain input.
    private const int InputHeader = 8 + 16 + 4 + 4;

    /// <summary>Pass 1, in input order after the other checks: spills the accepted cases' chain inputs.</summary>
    public void Collect(DischargeBatch batch)
    {
        var inputSize = Unsafe.SizeOf<ChainInput>();
        for (var i = 0; i < batch.Count; i++)
        {
            ref readonly var r = ref batch.Records[i];
            var person = _pseudonymized ? [] : batch.TextOf(r.PersonId);
            var caseId = batch.TextOf(r.CaseId);
            var size = InputHeader + person.Length + caseId.Length + inputSize;
            if (size > _entry.Length)
            {
                _entry = new byte[Math.Max(size, _entry.Length * 2)];
            }

            var e = _entry.AsSpan(0, size);
            BinaryPrimitives.WriteInt64LittleEndian(e, r.Line);
            BinaryPrimitives.WriteUInt128LittleEndian(e[8..], r.PersonKey);
            BinaryPrimitives.WriteInt32LittleEndian(e[24..], person.Length);
            BinaryPrimitives.WriteInt32LittleEndian(e[28..], caseId.Length);
            person.CopyTo(e[InputHeader..]);
            caseId.CopyTo(e[(InputHeader + person.Length)..]);
            var input = ChainInput.From(in r, _hospitals[r.HospitalIndex]);
            MemoryMarshal.Write(e[(InputHeader + person.Length + caseId.Length)..], in input);
            _inputs.Write(PartitionOf(r.PersonKey), e);
            _collected++;
        }
    }

    private int PartitionOf(UInt128 personKey) => (int)((ulong)personKey & (ulong)(_inputs.Partitions - 1));

    /// <summary>
    /// Applies the chain to the collected cases partition by partition (up to <paramref name="parallelism"/>
    /// partitions at once: they share no person), leaving out the lines in <paramref name="duplicates"/>;
    /// states come from <paramref name="store"/> (null: an empty state). The updated states are kept
    /// for <see cref="UpdatedStates"/>; the store is not changed.
    /// </summary>
    public void Settle(LineBitmap duplicates, YearToDateStore? store, int parallelism = 1)
    {
        _inputs.Complete();
        long settled = 0;
        SpillDirectory.Unwrap(() => Parallel.For(
            0,
            _inputs.Partitions,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism) },
            () => new PartitionScratch(),
            (p, _, scratch) =>
            {
                Interlocked.Add(ref settled, SettlePartition(p, duplicates, store, scratch));
                return scratch;
            },
            _ => { }));

        _results.Complete();
        _states.Complete();
        _settled = settled;
        _cursors = new ResultCursor[_results.Partitions];
        for (var p = 0; p < _cursors.Length; p++)
        {
            _cursors[p] = new ResultCursor(_results.OpenRead(p));
        }
    }

    /// <summary>
    /// What settling a partition needs, kept by each thread for all its partitions: partitions are
    /// large (hundreds of thousands of cases), and allocating these afresh for each would churn the
    /// large-object heap and trigger a full collection every few partitions.
    /// </summary>
    private sealed class PartitionScratch
    {
        public byte[] Data = [];
        public EntryRef[] Entries = [];
        public ulong[] Keys = [];
        public ChainOrder[] Order = [];
        public int[] Perm = [];
        public ChainOrder[] Sorted = [];
        public SpilledResult[] Results = [];
        public readonly List<PersonYearKey> StoreKeys = [];

        // With a year-to-date store: each case's key (by chain position), made once for loading.
        public PersonYearKey[] CaseKeys = [];

        // The current person's states, one per (insurance type, year): a person has a handful.
        public PersonYearState[] PersonStates = new PersonYearState[8];
        public (InsuranceType Insurance, int Year)[] PersonStateKeys = new (InsuranceType, int)[8];
        public int PersonStateCount;

        // The policies this thread has seen, with their index in the run's table: a person's cases
        // often alternate between policies (years), and the table itself is behind a lock.
        private readonly List<(ResolvedPolicy Policy, int Index)> _policies = [];

        public int PolicyIndex(ResolvedPolicy policy, SettlementStage stage)
        {
            foreach (var (p, i) in _policies)
            {
                if (ReferenceEquals(p, policy))
                {
                    return i;
                }
            }

            var index = stage.IndexOf(policy);
            _policies.Add((policy, index));
            return index;
        }

        /// <summary>Grows <paramref name="array"/> to hold <paramref name="length"/> items, keeping its contents.</summary>
        public static void Ensure<T>(ref T[] array, int length)
        {
            if (array.Length < length)
            {
                Array.Resize(ref array, Math.Max(length + (length / 4), 1024));
            }
        }

        /// <summary>The current person's state of (insurance, year); a new one starts at zero.</summary>
        public ref PersonYearState PersonState(InsuranceType insurance, int year)
        {
            for (var i = 0; i < PersonStateCount; i++)
            {
                if (PersonStateKeys[i].Insurance == insurance && PersonStateKeys[i].Year == year)
                {
                    return ref PersonStates[i];
                }
            }

            if (PersonStateCount == PersonStates.Length)
            {
                Array.Resize(ref PersonStates, PersonStates.Length * 2);
                Array.Resize(ref PersonStateKeys, PersonStateKeys.Length * 2);
            }

            PersonStateKeys[PersonStateCount] = (insurance, year);
            PersonStates[PersonStateCount] = default;
            return ref PersonStates[PersonStateCount++];
        }
    }

    /// <summary>Where one spilled case's fields lie in the partition's bytes.</summary>
    private struct EntryRef
    {
        public long Line;
        public int Person;
        public int PersonLength;
        public int CaseId;
        public int CaseIdLength;
        public int Input;
    }

    /// <summary>
    /// A case's place in chain order: person (by key, then id bytes), discharge day, case id, input
    /// order. Compared without touching the case's bytes unless two cases share a person key.
    /// </summary>
    private readonly struct ChainOrder(UInt128 person, int day, int entry)
    {
        public readonly UInt128 Person = person;
        public readonly int Day = day;
        public readonly int Entry = entry;
    }

    private readonly struct ChainOrderComparer(byte[] data, EntryRef[] entries) : IComparer<ChainOrder>
    {
        public int Compare(ChainOrder x, ChainOrder y)
        {
            var c = x.Person.CompareTo(y.Person);
            if (c != 0)
            {
                return c;
            }

            // With identifiers kept the key is a non-cryptographic hash: two persons sharing one
            // are kept apart by their id bytes, so each person's cases stay together (pseudonymized
            // entries carry no id bytes: the key is the person).
            ref readonly var a = ref entries[x.Entry];
            ref readonly var b = ref entries[y.Entry];
            c = data.AsSpan(a.Person, a.PersonLength).SequenceCompareTo(data.AsSpan(b.Person, b.PersonLength));
            if (c != 0)
            {
                return c;
            }

            c = x.Day.CompareTo(y.Day);
            if (c != 0)
            {
                return c;
            }

            c = CompareOrdinal(data.AsSpan(a.CaseId, a.CaseIdLength), data.AsSpan(b.CaseId, b.CaseIdLength));
            return c != 0 ? c : x.Entry.CompareTo(y.Entry);
        }
    }

    /// <summary>Compares indices into <paramref name="items"/> by the items.</summary>
    private readonly struct ByIndex(ChainOrder[] items, ChainOrderComparer comparer) : IComparer<int>
    {
        public int Compare(int x, int y) => comparer.Compare(items[x], items[y]);
    }

    /// <summary>
    /// Sorts <paramref name="order"/> into chain order: by the person key's high 64 bits first (a
    /// primitive sort, several times faster than comparing whole keys through a comparer), then each
    /// run of equal high bits, nearly always one person's few cases, by the full comparer. The
    /// result is exactly the full comparer's order, which is total (it ends on the entry).
    /// </summary>
    internal static void SortChainOrder<TOrder, TComparer>(Span<ulong> keys, Span<TOrder> order, TComparer comparer)
        where TComparer : IComparer<TOrder>
    {
        keys.Sort(order);
        for (var start = 0; start < keys.Length;)
        {
            var end = start + 1;
            while (end < keys.Length && keys[end] == keys[start])
            {
                end++;
            }

            // Insertion sort: runs are a person's cases of the year, a few items.
            for (var i = start + 1; i < end; i++)
            {
                var item = order[i];
                var j = i - 1;
                while (j >= start && comparer.Compare(order[j], item) > 0)
                {
                    order[j + 1] = order[j];
                    j--;
                }

                order[j + 1] = item;
            }

            start = end;
        }
    }

    /// <summary>
    /// UTF-8 case ids in the order <see cref="string.CompareOrdinal(string, string)"/> gives their
    /// strings: byte order is code-point order, which is UTF-16 order except past U+E000, so a
    /// difference at a non-ASCII byte is settled on the decoded strings.
    /// </summary>
    internal static int CompareOrdinal(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var common = a.CommonPrefixLength(b);
        if (common == a.Length || common == b.Length)
        {
            return Math.Sign(a.Length - b.Length);
        }

        if (a[common] < 0x80 && b[common] < 0x80)
        {
            return Math.Sign(a[common] - b[common]);
        }

        return Math.Sign(string.CompareOrdinal(Encoding.UTF8.GetString(a), Encoding.UTF8.GetString(b)));
    }

    // Runs a few hundred times per run at most, each over ~200 K cases: compiled optimised at once
    // rather than starting in the unoptimised tier.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private int SettlePartition(int p, LineBitmap duplicates, YearToDateStore? store, PartitionScratch scratch)
    {
        var inputSize = Unsafe.SizeOf<ChainInput>();
        var length = _inputs.ReadInto(p, ref scratch.Data);
        var data = scratch.Data;

        // 1. Where each (non-duplicate) case lies, and its place in chain order.
        var n = 0;
        for (var pos = 0; pos < length;)
        {
            var e = data.AsSpan(pos, length - pos);
            var line = BinaryPrimitives.ReadInt64LittleEndian(e);
            var personLength = BinaryPrimitives.ReadInt32LittleEndian(e[24..]);
            var caseLength = BinaryPrimitives.ReadInt32LittleEndian(e[28..]);
            var entry = new EntryRef
            {
                Line = line,
                Person = pos + InputHeader,
                PersonLength = personLength,
                CaseId = pos + InputHeader + personLength,
                CaseIdLength = caseLength,
                Input = pos + InputHeader + personLength + caseLength,
            };
            pos += InputHeader + personLength + caseLength + inputSize;
            if (duplicates[line])
            {
                continue;
            }

            if (n == scratch.Entries.Length)
            {
                PartitionScratch.Ensure(ref scratch.Entries, n + 1);
                PartitionScratch.Ensure(ref scratch.Keys, n + 1);
                PartitionScratch.Ensure(ref scratch.Order, n + 1);
            }

            scratch.Entries[n] = entry;
            var day = MemoryMarshal.Read<ChainInput>(data.AsSpan(entry.Input, inputSize)).DischargeDate.DayNumber;
            var person = BinaryPrimitives.ReadUInt128LittleEndian(e[8..]);
            scratch.Keys[n] = (ulong)(person >> 64);
            scratch.Order[n] = new ChainOrder(person, day, n);
            n++;
        }

        // Sorted as (key, index) pairs, 12 bytes a move instead of 40, then laid out in order.
        PartitionScratch.Ensure(ref scratch.Perm, n);
        PartitionScratch.Ensure(ref scratch.Sorted, n);
        var perm = scratch.Perm.AsSpan(0, n);
        for (var i = 0; i < n; i++)
        {
            perm[i] = i;
        }

        SortChainOrder(scratch.Keys.AsSpan(0, n), perm, new ByIndex(scratch.Order, new ChainOrderComparer(data, scratch.Entries)));
        var order = scratch.Sorted.AsSpan(0, n);
        for (var k = 0; k < n; k++)
        {
            order[k] = scratch.Order[perm[k]];
        }

        // 2. The stored states of the partition's persons, when a store is used: keys hold the
        //    person's id string (one per person, not per case).
        Dictionary<PersonYearKey, PersonYearState>? stored = null;
        if (store is not null)
        {
            var keys = scratch.StoreKeys;
            keys.Clear();
            PartitionScratch.Ensure(ref scratch.CaseKeys, n);
            var set = new HashSet<PersonYearKey>();
            var person = string.Empty;
            for (var k = 0; k < n; k++)
            {
                if (IsNewPerson(data, scratch.Entries, order, k))
                {
                    person = PersonString(data, scratch.Entries, order[k]);
                }

                var input = MemoryMarshal.Read<ChainInput>(data.AsSpan(scratch.Entries[order[k].Entry].Input, inputSize));
                var key = scratch.CaseKeys[k] = new PersonYearKey(person, input.InsuranceType, input.DischargeDate.Year);
                if (set.Add(key))
                {
                    keys.Add(key);
                }
            }

            keys.Sort(PersonYearKey.Compare);
            lock (store)
            {
                stored = store.Load(keys);
            }
        }

        // 3. Settle each person's cases in chain order; results land at their entry, so they are
        //    in line order for the merge of pass 2.
        PartitionScratch.Ensure(ref scratch.Results, n);
        var results = scratch.Results.AsSpan(0, n);
        ResolvedPolicy? lastPolicy = null;
        var lastIndex = -1;
        for (var k = 0; k < n; k++)
        {
            var at = order[k].Entry;
            ref readonly var entry = ref scratch.Entries[at];
            ref var spilled = ref results[at];
            spilled = default;
            spilled.Line = entry.Line;
            if (stored is null && IsNewPerson(data, scratch.Entries, order, k))
            {
                scratch.PersonStateCount = 0;
            }

            var input = MemoryMarshal.Read<ChainInput>(data.AsSpan(entry.Input, inputSize));
            if (!_policies.TryResolve(Region, input.DischargeDate, input.InsuranceType, out var policy))
            {
                spilled.Status = SettlementStatus.NoPolicy;
                spilled.Policy = -1;
                continue;
            }

            ref var state = ref stored is null
                ? ref scratch.PersonState(input.InsuranceType, input.DischargeDate.Year)
                : ref CollectionsMarshal.GetValueRefOrNullRef(stored, scratch.CaseKeys[k]);
            spilled.Late = input.DischargeDate < state.LastDischarge;
            PatientChain.Apply(policy, in input, ref state, out spilled.Result);
            spilled.Status = SettlementStatus.Settled;
            if (!ReferenceEquals(policy, lastPolicy))
            {
                lastPolicy = policy;
                lastIndex = scratch.PolicyIndex(policy, this);
            }

            spilled.Policy = lastIndex;
        }

        _results.Write(p, MemoryMarshal.AsBytes(results));

        if (stored is not null)
        {
            foreach (var (key, state) in stored)
            {
                WriteState(p, key, state);
            }

            // Drop the id strings until the next partition.
            scratch.CaseKeys.AsSpan(0, n).Clear();
        }

        _inputs.Delete(p);
        return n;
    }

    /// <summary>Whether the case at chain position <paramref name="k"/> starts a person (by key and, with identifiers kept, by id bytes).</summary>
    private bool IsNewPerson(byte[] data, EntryRef[] entries, ReadOnlySpan<ChainOrder> order, int k)
    {
        if (k == 0 || order[k].Person != order[k - 1].Person)
        {
            return true;
        }

        if (_pseudonymized)
        {
            return false;
        }

        ref readonly var a = ref entries[order[k].Entry];
        ref readonly var b = ref entries[order[k - 1].Entry];
        return !data.AsSpan(a.Person, a.PersonLength).SequenceEqual(data.AsSpan(b.Person, b.PersonLength));
    }

    private string PersonString(byte[] data, EntryRef[] entries, ChainOrder at)
    {
        ref readonly var entry = ref entries[at.Entry];
        return _pseudonymized ? Privacy.Pseudonymizer.Format(at.Person) : Encoding.UTF8.GetString(data.AsSpan(entry.Person, entry.PersonLength));
    }

    private int IndexOf(ResolvedPolicy? policy)
    {
        if (policy is null)
        {
            return -1;
        }

        lock (_policyIndex)
        {
            if (!_policyIndex.TryGetValue(policy, out var index))
            {
                index = _policyTable.Count;
                _policyTable.Add(policy);
                _policyIndex.Add(policy, index);
            }

            return index;
        }
    }

    private void WriteState(int partition, PersonYearKey key, in PersonYearState state)
    {
        var person = Encoding.UTF8.GetBytes(key.PersonId);
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteInt32LittleEndian(header, person.Length);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], (int)key.Insurance);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], key.Year);
        _states.Write(partition, header);
        _states.Write(partition, person);
        _states.Write(partition, in state);
    }

    /// <summary>The year-to-date states after the run (streamed from the spill, for <see cref="YearToDateStore.Commit"/>).</summary>
    public IEnumerable<KeyValuePair<PersonYearKey, PersonYearState>> UpdatedStates()
    {
        var header = new byte[12];
        var state = new byte[Unsafe.SizeOf<PersonYearState>()];
        for (var p = 0; p < _states.Partitions; p++)
        {
            using var s = new BufferedStream(_states.OpenRead(p), 64 * 1024);
            while (s.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) == header.Length)
            {
                var person = new byte[BinaryPrimitives.ReadInt32LittleEndian(header)];
                s.ReadExactly(person);
                s.ReadExactly(state);
                var key = new PersonYearKey(Encoding.UTF8.GetString(person), (InsuranceType)BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(4)), BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(8)));
                yield return new(key, MemoryMarshal.Read<PersonYearState>(state));
            }
        }
    }

    /// <summary>Name and version of every policy that settled a case, sorted.</summary>
    public IReadOnlyList<string> PoliciesUsed()
    {
        var set = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var p in _policyTable)
        {
            set.Add($"{p.Name} {p.Version} ({Path.GetFileName(p.SourceFile)})");
        }

        return [.. set];
    }

    /// <summary>
    /// Pass 2, reader thread, in input order: attaches to the raw batch the results of the lines up
    /// to its last, merged from the partitions: each result is placed at its line's record.
    /// </summary>
    public void Attach(RawBatch raw)
    {
        var slice = raw.Tag as ResultSlice ?? new ResultSlice();
        raw.Tag = slice;
        slice.Reset(raw.Line.AsSpan(0, raw.Count));
        if (raw.Count == 0)
        {
            return;
        }

        var last = raw.Line[raw.Count - 1];
        foreach (var cursor in _cursors)
        {
            while (cursor.TryPeekLine(out var line) && line <= last)
            {
                cursor.Take(out slice.At(line));
            }
        }
    }

    /// <summary>Pass 2, parallel: copies each record's chain result (attached by <see cref="Attach"/>) into the batch.</summary>
    public void Join(CaseBatch batch)
    {
        var slice = (ResultSlice)batch.Tag!;
        var k = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            ref readonly var r = ref batch.Records[i];
            while (k < slice.Count && slice.Lines[k] < r.Line)
            {
                k++;
            }

            if (r.PendingReject != RejectReason.None || k == slice.Count || slice.Lines[k] != r.Line || !slice.Present[k])
            {
                batch.Settlement[i] = default;
                continue;
            }

            ref readonly var s = ref slice.Items[k];
            batch.Settlement[i] = new CaseSettlement { Status = s.Status, Result = s.Result, Late = s.Late, Policy = s.Policy < 0 ? null : _policyTable[s.Policy] };
        }
    }

    public void Dispose()
    {
        // Every file is closed even if one close fails (a full disk on the last flush), so the
        // spill directory can be deleted on every system.
        foreach (var c in _cursors)
        {
            c.Dispose();
        }

        try
        {
            _inputs.Dispose();
        }
        finally
        {
            try
            {
                _results.Dispose();
            }
            finally
            {
                _states.Dispose();
            }
        }
    }

    /// <summary>A case's chain result as spilled between the passes (the policy as an index into the run's table).</summary>
    private struct SpilledResult
    {
        public long Line;
        public ChainResult Result;
        public int Policy;
        public SettlementStatus Status;
        public bool Late;
    }

    /// <summary>
    /// The results of one raw batch, by the batch's record index (reused with the batch): a line
    /// without a result (rejected, duplicate, blank) has none present.
    /// </summary>
    private sealed class ResultSlice
    {
        public long[] Lines { get; private set; } = new long[4096];

        public SpilledResult[] Items { get; private set; } = new SpilledResult[4096];

        public bool[] Present { get; private set; } = new bool[4096];

        public int Count { get; private set; }

        public void Reset(ReadOnlySpan<long> lines)
        {
            if (Lines.Length < lines.Length)
            {
                Lines = new long[lines.Length];
                Items = new SpilledResult[lines.Length];
                Present = new bool[lines.Length];
            }

            lines.CopyTo(Lines);
            Present.AsSpan(0, lines.Length).Clear();
            Count = lines.Length;
        }

        /// <summary>The result slot of <paramref name="line"/> (a line of the batch: results exist only for records read).</summary>
        public ref SpilledResult At(long line)
        {
            // A batch's lines are ascending and nearly always consecutive (one line per record),
            // so the slot is found by its distance from the first line; a search only when the
            // batch has blank lines, quoted line breaks or records left out.
            var guess = (int)Math.Clamp(line - Lines[0], 0, Count - 1);
            var found = Lines[guess];
            var i = found == line ? guess
                : found > line ? Lines.AsSpan(0, guess).BinarySearch(line)
                : Lines.AsSpan(guess + 1, Count - guess - 1).BinarySearch(line) is var j and >= 0 ? guess + 1 + j : -1;
            if (i < 0)
            {
                throw new InvalidDataException($"internal error: a settlement result for line {line} has no record in its batch");
            }

            Present[i] = true;
            return ref Items[i];
        }
    }

    /// <summary>Reads one results partition in order, a buffer at a time.</summary>
    private sealed class ResultCursor(Stream stream) : IDisposable
    {
        private static readonly int Size = Unsafe.SizeOf<SpilledResult>();
        private readonly byte[] _buffer = new byte[Size * 512];
        private int _pos;
        private int _length;

        public bool TryPeekLine(out long line)
        {
            if (_pos == _length && !Fill())
            {
                line = 0;
                return false;
            }

            line = MemoryMarshal.AsRef<SpilledResult>(_buffer.AsSpan(_pos, Size)).Line;
            return true;
        }

        public void Take(out SpilledResult result)
        {
            result = MemoryMarshal.Read<SpilledResult>(_buffer.AsSpan(_pos, Size));
            _pos += Size;
        }

        private bool Fill()
        {
            _length = stream.ReadAtLeast(_buffer, _buffer.Length, throwOnEndOfStream: false);
            _pos = 0;
            if (_length % Size != 0)
            {
                throw new InvalidDataException("internal error: a settlement spill file ends inside a record");
            }

            return _length > 0;
        }

        public void Dispose() => stream.Dispose();
    }
}
