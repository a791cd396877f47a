using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Grouper.Core;

namespace Grouper.Drg.Internals;

/// <summary>
/// Frozen open-addressing hash map from a packed <see cref="Code"/> to its per-code facts, built
/// once per catalog. The facts sit in the slot beside the key, so a lookup costs one cache line (the
/// tables are larger than L2). Packed codes keep their characters in the high bits and zeros below,
/// so both halves are mixed before taking the top bits of the product. Load factor ≤ 0.5, linear probing.
/// </summary>
internal sealed unsafe class CodeMap<T>
    where T : unmanaged
{
    // Key and facts side by side (32 bytes): one cache line per probe, as the tables are larger than
    // L2. The slots live in a pinned (never moved) buffer aligned to 64 bytes, so no slot straddles
    // two cache lines (a managed array is only 8-byte aligned) and a slot can be prefetched by address.
    private readonly byte[] _storage;
    private readonly Entry* _entries;
    private readonly int _shift;
    private readonly int _mask;

    public CodeMap(IReadOnlyList<Code> codes, IReadOnlyList<T> values)
    {
        var cap = 16;
        while (cap < codes.Count * 2)
        {
            cap <<= 1;
        }

        _storage = GC.AllocateArray<byte>((cap * sizeof(Entry)) + 64, pinned: true);
        var start = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_storage));
        _entries = (Entry*)((start + 63) & ~(nuint)63);
        _mask = cap - 1;
        _shift = 64 - System.Numerics.BitOperations.Log2((uint)cap);
        for (var id = 0; id < codes.Count; id++)
        {
            var k = codes[id].Value;
            if (k == UInt128.Zero)
            {
                throw new ArgumentException("empty code");
            }

            var i = Slot(k);
            while (_entries[i].Key != UInt128.Zero)
            {
                if (_entries[i].Key == k)
                {
                    throw new ArgumentException("duplicate code " + codes[id]);
                }

                i = (i + 1) & _mask;
            }

            _entries[i] = new Entry { Key = k, Value = values[id] };
        }

        Count = codes.Count;
    }

    public int Count { get; }

    /// <summary>Slot of the code (read its facts with the indexer), −1 when absent (also for <see cref="Code.Empty"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Find(Code code)
    {
        var k = code.Value;
        var i = Slot(k);
        var entries = _entries;
        while (true)
        {
            var s = entries[i].Key;
            if (s == k)
            {
                return k == UInt128.Zero ? -1 : i;
            }

            if (s == UInt128.Zero)
            {
                return -1;
            }

            i = (i + 1) & _mask;
        }
    }

    /// <summary>
    /// Asks the CPU to fetch the code's home slot into cache. A case prefetches all its codes before
    /// looking them up, so the cache misses of its 5–15 lookups overlap instead of queueing.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(Code code)
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(_entries + Slot(code.Value));
        }
    }

    /// <summary>Facts of the code in a slot returned by <see cref="Find"/>.</summary>
    public ref readonly T this[int slot] => ref _entries[slot].Value;

    private struct Entry
    {
        public UInt128 Key;
        public T Value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Slot(UInt128 k)
    {
        var h = ((ulong)(k >> 64) * 0x9E3779B97F4A7C15UL) ^ ((ulong)k * 0xC2B2AE3D27D4EB4FUL);
        h ^= h >> 31;
        h *= 0xBF58476D1CE4E5B9UL;
        return (int)(h >> _shift) & _mask;
    }
}
