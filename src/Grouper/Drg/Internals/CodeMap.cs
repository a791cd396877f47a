using System.Runtime.CompilerServices;
using Grouper.Core;

namespace Grouper.Drg.Internals;

/// <summary>
/// Frozen open-addressing hash map from a packed <see cref="Code"/> to its per-code facts, built
/// once per catalog. The facts sit in the slot beside the key, so a lookup costs one cache line (the
/// tables are larger than L2). Packed codes keep their characters in the high bits and zeros below,
/// so both halves are mixed before taking the top bits of the product. Load factor ≤ 0.5, linear probing.
/// </summary>
internal sealed class CodeMap<T>
    where T : struct
{
    // key and id side by side: one cache line per probe (the tables are larger than L2)
    private readonly Entry[] _entries;
    private readonly int _shift;
    private readonly int _mask;

    public CodeMap(IReadOnlyList<Code> codes, IReadOnlyList<T> values)
    {
        var cap = 16;
        while (cap < codes.Count * 2)
        {
            cap <<= 1;
        }

        _entries = new Entry[cap];
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
            ref readonly var e = ref entries[i];
            var s = e.Key;
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
