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
        public ChainOrder[] Order = [];
        public SettlementCase[] Cases = [];
        public CaseSettlement[] Results = [];
        public CaseSettlement[] ByEntry = [];
        public readonly Dictionary<PersonYearKey, PersonYearState> States = [];

        /// <summary>Grows <paramref name="array"/> to hold <paramref name="length"/> items, keeping its contents.</summary>
        public static void Ensure<T>(ref T[] array, int length)
        {
            if (array.Length < length)
            {
                Array.Resize(ref array, Math.Max(length + (length / 4), 1024));
            }
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
    /// A case's place in chain order: person (by key), discharge day, case id, input order. Compared
    /// without touching the case's bytes unless one person has two cases on a day.
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

            c = x.Day.CompareTo(y.Day);
            if (c != 0)
            {
                return c;
            }

            ref readonly var a = ref entries[x.Entry];
            ref readonly var b = ref entries[y.Entry];
            c = CompareOrdinal(data.AsSpan(a.CaseId, a.CaseIdLength), data.AsSpan(b.CaseId, b.CaseIdLength));
            return c != 0 ? c : x.Entry.CompareTo(y.Entry);
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

            PartitionScratch.Ensure(ref scratch.Entries, n + 1);
            PartitionScratch.Ensure(ref scratch.Order, n + 1);
            scratch.Entries[n] = entry;
            var day = MemoryMarshal.Read<ChainInput>(data.AsSpan(entry.Input, inputSize)).DischargeDate.DayNumber;
            scratch.Order[n] = new ChainOrder(BinaryPrimitives.ReadUInt128LittleEndian(e[8..]), day, n);
            n++;
        }

        var order = scratch.Order.AsSpan(0, n);
        order.Sort(new ChainOrderComparer(data, scratch.Entries));

        // 2. The cases in chain order; one id string per person, not per case.
        PartitionScratch.Ensure(ref scratch.Cases, n);
        var cases = scratch.Cases.AsSpan(0, n);
        var person = string.Empty;
        var lastKey = UInt128.Zero;
        var lastPerson = ReadOnlySpan<byte>.Empty;
        for (var k = 0; k < n; k++)
        {
            ref readonly var entry = ref scratch.Entries[order[k].Entry];
            var personBytes = data.AsSpan(entry.Person, entry.PersonLength);
            if (k == 0 || order[k].Person != lastKey || !personBytes.SequenceEqual(lastPerson))
            {
                person = _pseudonymized ? Privacy.Pseudonymizer.Format(order[k].Person) : Encoding.UTF8.GetString(personBytes);
                lastKey = order[k].Person;
                lastPerson = personBytes;
            }

            // The case id only orders cases (done above); the chain does not read it.
            cases[k] = new SettlementCase { PersonId = person, CaseId = string.Empty, Input = MemoryMarshal.Read<ChainInput>(data.AsSpan(entry.Input, inputSize)) };
        }

        Dictionary<PersonYearKey, PersonYearState> states;
        if (store is null)
        {
            states = scratch.States;
            states.Clear();
        }
        else
        {
            var keys = SettlementBatch.Keys(cases);
            lock (store)
            {
                states = store.Load(keys);
            }
        }

        // 3. Settle, then put the results back in line (input) order for the merge of pass 2.
        PartitionScratch.Ensure(ref scratch.Results, n);
        PartitionScratch.Ensure(ref scratch.ByEntry, n);
        var results = scratch.Results.AsSpan(0, n);
        SettlementBatch.ApplySorted(_policies, Region, cases, states, results);
        var byEntry = scratch.ByEntry.AsSpan(0, n);
        for (var k = 0; k < n; k++)
        {
            byEntry[order[k].Entry] = results[k];
        }

        ResolvedPolicy? lastPolicy = null;
        var lastIndex = -1;
        for (var i = 0; i < n; i++)
        {
            ref readonly var r = ref byEntry[i];
            if (!ReferenceEquals(r.Policy, lastPolicy))
            {
                lastPolicy = r.Policy;
                lastIndex = IndexOf(r.Policy);
            }

            var spilled = new SpilledResult { Line = scratch.Entries[i].Line, Result = r.Result, Status = r.Status, Late = r.Late, Policy = lastIndex };
            _results.Write(p, in spilled);
        }

        if (store is not null)
        {
            foreach (var (key, state) in states)
            {
                WriteState(p, key, state);
            }
        }

        _inputs.Delete(p);

        // Drop the references (strings, policies) until the next partition.
        cases.Clear();
        results.Clear();
        byEntry.Clear();
        return n;
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
    /// to its last, merged from the partitions in line order.
    /// </summary>
    public void Attach(RawBatch raw)
    {
        var slice = raw.Tag as ResultSlice ?? new ResultSlice();
        raw.Tag = slice;
        slice.Clear();
        if (raw.Count == 0)
        {
            return;
        }

        var last = raw.Line[raw.Count - 1];
        foreach (var cursor in _cursors)
        {
            while (cursor.TryPeekLine(out var line) && line <= last)
            {
                slice.Add(cursor.Take());
            }
        }

        slice.SortByLine();
    }

    /// <summary>Pass 2, parallel: copies each record's chain result (attached by <see cref="Attach"/>) into the batch.</summary>
    public void Join(CaseBatch batch)
    {
        var slice = (ResultSlice)batch.Tag!;
        var k = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            ref readonly var r = ref batch.Records[i];
            while (k < slice.Count && slice.Items[k].Line < r.Line)
            {
                k++;
            }

            if (r.PendingReject != RejectReason.None || k == slice.Count || slice.Items[k].Line != r.Line)
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

    /// <summary>The results of one raw batch's lines, in line order (reused with the batch).</summary>
    private sealed class ResultSlice
    {
        public SpilledResult[] Items { get; private set; } = new SpilledResult[4096];

        public int Count { get; private set; }

        public void Clear() => Count = 0;

        public void Add(in SpilledResult r)
        {
            if (Count == Items.Length)
            {
                var bigger = Items;
                Array.Resize(ref bigger, Items.Length * 2);
                Items = bigger;
            }

            Items[Count++] = r;
        }

        public void SortByLine() => Items.AsSpan(0, Count).Sort(static (a, b) => a.Line.CompareTo(b.Line));
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

        public SpilledResult Take()
        {
            var r = MemoryMarshal.Read<SpilledResult>(_buffer.AsSpan(_pos, Size));
            _pos += Size;
            return r;
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
