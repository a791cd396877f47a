using System.Numerics;
using System.Runtime.CompilerServices;
using Grouper.Core;

namespace Grouper.Dip.Internals;

/// <summary>
/// Read-mostly open-addressing hash map from a 128-bit key (a packed <see cref="Code"/>, possibly
/// with a few low tag bits) to an int. Built once per catalog; lookups allocate nothing and are
/// safe from many threads once building is done.
/// </summary>
internal sealed class CodeMap
{
    private UInt128[] _keys;
    private int[] _values;
    private bool[] _used;
    private int _mask;

    public CodeMap(int capacity = 16)
    {
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, capacity * 2));
        _keys = new UInt128[size];
        _values = new int[size];
        _used = new bool[size];
        _mask = size - 1;
    }

    public int Count { get; private set; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(UInt128 key)
    {
        var lo = (ulong)key;
        var hi = (ulong)(key >> 64);
        var h = (hi * 0x9E3779B97F4A7C15UL) ^ (lo * 0xC2B2AE3D27D4EB4FUL);
        h ^= h >> 29;
        h *= 0xBF58476D1CE4E5B9UL;
        return (int)(h >> 32);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGet(UInt128 key, out int value)
    {
        var i = Hash(key) & _mask;
        while (_used[i])
        {
            if (_keys[i] == key)
            {
                value = _values[i];
                return true;
            }

            i = (i + 1) & _mask;
        }

        value = 0;
        return false;
    }

    /// <summary>Adds or replaces.</summary>
    public void Set(UInt128 key, int value)
    {
        if ((Count + 1) * 2 > _keys.Length)
        {
            Grow();
        }

        var i = Hash(key) & _mask;
        while (_used[i])
        {
            if (_keys[i] == key)
            {
                _values[i] = value;
                return;
            }

            i = (i + 1) & _mask;
        }

        _used[i] = true;
        _keys[i] = key;
        _values[i] = value;
        Count++;
    }

    private void Grow()
    {
        var oldKeys = _keys;
        var oldValues = _values;
        var oldUsed = _used;
        var size = oldKeys.Length * 2;
        _keys = new UInt128[size];
        _values = new int[size];
        _used = new bool[size];
        _mask = size - 1;
        Count = 0;
        for (var i = 0; i < oldKeys.Length; i++)
        {
            if (oldUsed[i])
            {
                Set(oldKeys[i], oldValues[i]);
            }
        }
    }
}
