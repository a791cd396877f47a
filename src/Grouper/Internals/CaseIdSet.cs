using System.Runtime.CompilerServices;

namespace Grouper.Internals;

/// <summary>
/// Exact set of case ids (UTF-8 bytes) seen in a run, for DUPLICATE_CASE. Open addressing on a
/// 64-bit hash; ids are kept in chunked byte arenas and compared byte for byte on a hash match, so
/// there are no false positives. About 40 bytes per id.
/// </summary>
internal sealed class CaseIdSet
{
    private const int ChunkBits = 24; // 16 MiB chunks
    private const int ChunkSize = 1 << ChunkBits;

    private readonly List<byte[]> _chunks = [];
    private int _chunkUsed = ChunkSize;
    // Hash and arena reference side by side: a probe touches one cache line, not two.
    private Entry[] _table;
    private int _count;

    /// <param name="expected">Ids expected (0: unknown); sizing for them up front saves the rehashing of growth.</param>
    public CaseIdSet(int expected = 0)
    {
        var capacity = 1 << 16;
        while (capacity < 1 << 30 && capacity < (long)expected * 2)
        {
            capacity <<= 1;
        }

        _table = new Entry[capacity];
        AllocatedBytes = (long)Unsafe.SizeOf<Entry>() * capacity;
    }

    public int Count => _count;

    /// <summary>Bytes of the arrays this set allocated (retained state, ~40 B per id).</summary>
    public long AllocatedBytes { get; private set; }

    private struct Entry
    {
        public ulong Hash;
        public ulong Ref;
    }

    /// <summary>Empties the set, keeping its memory for reuse.</summary>
    public void Clear()
    {
        Array.Clear(_table);
        _count = 0;
        _chunks.RemoveRange(Math.Min(1, _chunks.Count), Math.Max(0, _chunks.Count - 1));
        _chunkUsed = _chunks.Count == 0 ? ChunkSize : 0;
    }

    /// <summary>Adds the id; false when it was already present.</summary>
    public bool Add(ReadOnlySpan<byte> id) => Add(id, Hash(id));

    /// <summary>Adds the id whose <see cref="Hash"/> the caller already has; false when it was already present.</summary>
    public bool Add(ReadOnlySpan<byte> id, ulong h)
    {
        if (_count * 2 >= _table.Length)
        {
            Grow();
        }

        var mask = _table.Length - 1;
        var slot = (int)(h & (ulong)mask);
        while (true)
        {
            ref var e = ref _table[slot];
            if (e.Hash == 0)
            {
                e.Hash = h;
                e.Ref = Store(id);
                _count++;
                return true;
            }

            if (e.Hash == h && Load(e.Ref).SequenceEqual(id))
            {
                return false;
            }

            slot = (slot + 1) & mask;
        }
    }

    public bool Contains(ReadOnlySpan<byte> id) => Contains(id, Hash(id));

    public bool Contains(ReadOnlySpan<byte> id, ulong h)
    {
        var mask = _table.Length - 1;
        var slot = (int)(h & (ulong)mask);
        while (true)
        {
            ref readonly var e = ref _table[slot];
            if (e.Hash == 0)
            {
                return false;
            }

            if (e.Hash == h && Load(e.Ref).SequenceEqual(id))
            {
                return true;
            }

            slot = (slot + 1) & mask;
        }
    }

    private ulong Store(ReadOnlySpan<byte> id)
    {
        if (_chunkUsed + id.Length > ChunkSize)
        {
            _chunks.Add(new byte[ChunkSize]);
            AllocatedBytes += ChunkSize;
            _chunkUsed = 0;
        }

        var chunk = _chunks.Count - 1;
        id.CopyTo(_chunks[chunk].AsSpan(_chunkUsed));
        var r = ((ulong)chunk << 40) | ((ulong)_chunkUsed << 16) | (uint)id.Length;
        _chunkUsed += id.Length;
        return r;
    }

    private ReadOnlySpan<byte> Load(ulong r) =>
        _chunks[(int)(r >> 40)].AsSpan((int)((r >> 16) & (ChunkSize - 1)), (int)(r & 0xFFFF));

    private void Grow()
    {
        var old = _table;
        _table = new Entry[old.Length * 2];
        AllocatedBytes += (long)Unsafe.SizeOf<Entry>() * _table.Length;
        var mask = _table.Length - 1;
        foreach (var e in old)
        {
            if (e.Hash == 0)
            {
                continue;
            }

            var slot = (int)(e.Hash & (ulong)mask);
            while (_table[slot].Hash != 0)
            {
                slot = (slot + 1) & mask;
            }

            _table[slot] = e;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Hash(ReadOnlySpan<byte> s)
    {
        // FNV-1a over 8-byte words, then a murmur finaliser; never 0 (0 marks an empty slot).
        ulong h = 14695981039346656037UL ^ (ulong)s.Length;
        var i = 0;
        for (; i + 8 <= s.Length; i += 8)
        {
            h = (h ^ System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(s[i..])) * 1099511628211UL;
        }

        for (; i < s.Length; i++)
        {
            h = (h ^ s[i]) * 1099511628211UL;
        }

        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53UL;
        h ^= h >> 33;
        return h == 0 ? 1 : h;
    }
}
