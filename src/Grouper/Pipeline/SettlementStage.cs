using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Grouper.Core;
using Grouper.Ingest;
using Grouper.Pipeline.Internals;
using Grouper.Settlement;

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
    private readonly SpillDirectory _directory;
    private readonly PartitionedSpill _inputs;
    private readonly PartitionedSpill _results;
    private readonly PartitionedSpill _states;
    private readonly List<ResolvedPolicy> _policyTable = [];
    private readonly Dictionary<ResolvedPolicy, int> _policyIndex = new(ReferenceEqualityComparer.Instance);
    private ResultCursor[] _cursors = [];
    private byte[] _entry = new byte[512];
    private long _collected;
    private long _settled = -1;
    private long _statesUpdated;

    public SettlementStage(PolicyStore policies, string region, HospitalTable hospitals, bool pseudonymized, SpillDirectory directory, int partitions)
    {
        _policies = policies;
        Region = region;
        _hospitals = hospitals;
        _pseudonymized = pseudonymized;
        _directory = directory;
        _inputs = new PartitionedSpill(directory, "chain-inputs", partitions);
        _results = new PartitionedSpill(directory, "chain-results", partitions);
        _states = new PartitionedSpill(directory, "states", partitions);
    }

    /// <summary>Cases settled (after <see cref="Settle"/>), else cases collected so far.</summary>
    public long Count => _settled >= 0 ? _settled : _collected;

    /// <summary>Year-to-date states the run updated (after <see cref="Settle"/>).</summary>
    public long StatesUpdated => _statesUpdated;

    public string Region { get; }

    public int Partitions => _inputs.Partitions;

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
        Parallel.For(
            0,
            _inputs.Partitions,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism) },
            p => Interlocked.Add(ref settled, SettlePartition(p, duplicates, store)));

        _results.Complete();
        _states.Complete();
        _settled = settled;
        _cursors = new ResultCursor[_results.Partitions];
        for (var p = 0; p < _cursors.Length; p++)
        {
            _cursors[p] = new ResultCursor(_results.OpenRead(p));
        }
    }

    private int SettlePartition(int p, LineBitmap duplicates, YearToDateStore? store)
    {
        var inputSize = Unsafe.SizeOf<ChainInput>();
        var data = _inputs.Read(p);
        var cases = new List<SettlementCase>();
        var lines = new List<long>();
        for (var pos = 0; pos < data.Length;)
        {
            var e = data.AsSpan(pos);
            var line = BinaryPrimitives.ReadInt64LittleEndian(e);
            var personLength = BinaryPrimitives.ReadInt32LittleEndian(e[24..]);
            var caseLength = BinaryPrimitives.ReadInt32LittleEndian(e[28..]);
            pos += InputHeader + personLength + caseLength + inputSize;
            if (duplicates[line])
            {
                continue;
            }

            lines.Add(line);
            cases.Add(new SettlementCase
            {
                PersonId = _pseudonymized
                    ? Privacy.Pseudonymizer.Format(BinaryPrimitives.ReadUInt128LittleEndian(e[8..]))
                    : Encoding.UTF8.GetString(e.Slice(InputHeader, personLength)),
                CaseId = Encoding.UTF8.GetString(e.Slice(InputHeader + personLength, caseLength)),
                Input = MemoryMarshal.Read<ChainInput>(e[(InputHeader + personLength + caseLength)..]),
            });
        }

        _inputs.Delete(p);
        var collected = CollectionsMarshal.AsSpan(cases);
        Dictionary<PersonYearKey, PersonYearState> states;
        if (store is null)
        {
            states = [];
        }
        else
        {
            var keys = SettlementBatch.Keys(collected);
            lock (store)
            {
                states = store.Load(keys);
            }
        }

        var results = new CaseSettlement[collected.Length];
        SettlementBatch.Apply(_policies, Region, collected, states, results);
        ResolvedPolicy? lastPolicy = null;
        var lastIndex = -1;
        for (var i = 0; i < results.Length; i++)
        {
            ref readonly var r = ref results[i];
            if (!ReferenceEquals(r.Policy, lastPolicy))
            {
                lastPolicy = r.Policy;
                lastIndex = IndexOf(r.Policy);
            }

            var spilled = new SpilledResult { Line = lines[i], Result = r.Result, Status = r.Status, Late = r.Late, Policy = lastIndex };
            _results.Write(p, in spilled);
        }

        if (store is not null)
        {
            foreach (var (key, state) in states)
            {
                WriteState(p, key, state);
            }
        }

        return collected.Length;
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
        Interlocked.Increment(ref _statesUpdated);
    }

    /// <summary>The year-to-date states after the run (streamed from the spill, for <see cref="YearToDateStore.Commit"/>).</summary>
    public IEnumerable<KeyValuePair<PersonYearKey, PersonYearState>> UpdatedStates()
    {
        var header = new byte[12];
        var state = new byte[Unsafe.SizeOf<PersonYearState>()];
        for (var p = 0; p < _states.Partitions; p++)
        {
            using var s = _states.OpenRead(p);
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
        _inputs.Dispose();
        _results.Dispose();
        _states.Dispose();
        foreach (var c in _cursors)
        {
            c.Dispose();
        }
    }

    private static class Unsafe
    {
        public static int SizeOf<T>()
            where T : unmanaged => System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
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

            line = BinaryPrimitives.ReadInt64LittleEndian(_buffer.AsSpan(_pos));
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
