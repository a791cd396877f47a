using System.Buffers.Binary;
using Grouper.Ingest;
using Grouper.Internals;

namespace Grouper.Pipeline.Internals;

/// <summary>
/// DUPLICATE_CASE in bounded memory, first pass: every record's case id goes to a partition by its
/// hash (with its line and whether another check rejected it), nothing is rejected as a duplicate
/// yet. <see cref="FindDuplicates"/> then reads each partition whole (several at once) and marks
/// the lines that repeat an earlier accepted id; <see cref="KnownDuplicates"/> applies them in the next pass.
/// The lines marked are exactly those the in-memory <see cref="CaseDeduplicator"/> rejects.
/// </summary>
internal sealed class SpilledCaseIds(SpillDirectory directory, int partitions) : CaseIdCheck, IDisposable
{
    private const int HeaderSize = 8 + 8 + 1 + 4;
    private readonly PartitionedSpill _spill = new(directory, "case-ids", partitions);
    private byte[] _entry = new byte[256];

    protected override bool IsDuplicate(ReadOnlySpan<byte> caseId, long line, bool accepted)
    {
        var hash = CaseIdSet.Hash(caseId);
        var size = HeaderSize + caseId.Length;
        if (size > _entry.Length)
        {
            _entry = new byte[Math.Max(size, _entry.Length * 2)];
        }

        var e = _entry.AsSpan(0, size);
        BinaryPrimitives.WriteUInt64LittleEndian(e, hash);
        BinaryPrimitives.WriteInt64LittleEndian(e[8..], line);
        e[16] = accepted ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteInt32LittleEndian(e[17..], caseId.Length);
        caseId.CopyTo(e[HeaderSize..]);
        _spill.Write((int)(hash >> 40) & (_spill.Partitions - 1), e);
        return false;
    }

    /// <summary>
    /// The lines of the records that repeat an earlier accepted case id (reads and deletes the
    /// partitions, up to <paramref name="parallelism"/> at once: equal ids are always in one partition).
    /// </summary>
    public LineBitmap FindDuplicates(int parallelism = 1)
    {
        _spill.Complete();
        var duplicates = new LineBitmap();
        SpillDirectory.Unwrap(() => Parallel.For(
            0,
            _spill.Partitions,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism) },
            () => new Scratch(),
            (p, _, scratch) =>
            {
                FindDuplicates(p, scratch);
                if (scratch.Lines.Count > 0)
                {
                    lock (duplicates)
                    {
                        foreach (var line in scratch.Lines)
                        {
                            duplicates.Set(line);
                        }
                    }

                    scratch.Lines.Clear();
                }

                return scratch;
            },
            _ => { }));
        return duplicates;
    }

    /// <summary>One buffer and one index per thread serve all its partitions (no large-object churn).</summary>
    private sealed class Scratch
    {
        public byte[] Buffer = [];
        public readonly CaseIdSet Seen = new(131_072);
        public readonly List<long> Lines = [];
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void FindDuplicates(int p, Scratch scratch)
    {
        // A partition holds its records in input order (the sequencer wrote them), so an in-order
        // index of the partition's accepted ids decides exactly as the whole run's index would:
        // equal ids are always in the same partition.
        var used = _spill.ReadInto(p, ref scratch.Buffer);
        var data = scratch.Buffer;
        var seen = scratch.Seen;
        seen.Clear();
        for (var pos = 0; pos < used;)
        {
            var hash = BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(pos));
            var line = BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan(pos + 8));
            var accepted = data[pos + 16] != 0;
            var length = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(pos + 17));
            var id = data.AsSpan(pos + HeaderSize, length);
            if (accepted ? !seen.Add(id, hash) : seen.Contains(id, hash))
            {
                scratch.Lines.Add(line);
            }

            pos += HeaderSize + length;
        }

        _spill.Delete(p);
    }

    public void Dispose() => _spill.Dispose();
}

/// <summary>DUPLICATE_CASE from the lines a first pass found (<see cref="SpilledCaseIds.FindDuplicates"/>).</summary>
internal sealed class KnownDuplicates(LineBitmap lines) : CaseIdCheck
{
    protected override bool IsDuplicate(ReadOnlySpan<byte> caseId, long line, bool accepted) => lines[line];
}
