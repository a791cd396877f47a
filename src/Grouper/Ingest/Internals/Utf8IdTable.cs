using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Grouper.Ingest.Internals;

/// <summary>
/// Maps short byte strings (hospital ids) to an int by open addressing with linear probing over a
/// power-of-two slot array; the keys live in one byte arena. Built once, read by many threads.
/// </summary>
internal sealed class Utf8IdTable
{
    private readonly int[] _slots; // entry index + 1; 0 = empty
    private readonly int _mask;
    private readonly int[] _starts;
    private readonly int[] _lengths;
    private readonly int[] _values;
    private int _count;
    private byte[] _arena = new byte[256];
    private int _arenaLength;

    public Utf8IdTable(int capacity)
    {
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, capacity * 2));
        _slots = new int[size];
        _mask = size - 1;
        _starts = new int[capacity];
        _lengths = new int[capacity];
        _values = new int[capacity];
    }

    /// <summary>Adds or replaces the value of <paramref name="key"/> (at most the constructor's capacity of distinct keys).</summary>
    public void Set(ReadOnlySpan<byte> key, int value)
    {
        var slot = (int)Hash(key) & _mask;
        while (_slots[slot] != 0)
        {
            var e = _slots[slot] - 1;
            if (key.SequenceEqual(_arena.AsSpan(_starts[e], _lengths[e])))
            {
                _values[e] = value;
                return;
            }

            slot = (slot + 1) & _mask;
        }

        if (_count == _starts.Length)
        {
            throw new InvalidOperationException("the id table is full");
        }

        if (_arenaLength + key.Length > _arena.Length)
        {
            Array.Resize(ref _arena, Math.Max(_arena.Length * 2, _arenaLength + key.Length));
        }

        key.CopyTo(_arena.AsSpan(_arenaLength));
        _starts[_count] = _arenaLength;
        _lengths[_count] = key.Length;
        _values[_count] = value;
        _arenaLength += key.Length;
        _slots[slot] = ++_count;
    }

    /// <summary>The value of <paramref name="key"/>, −1 when absent.</summary>
    public int Find(ReadOnlySpan<byte> key)
    {
        var slot = (int)Hash(key) & _mask;
        while (true)
        {
            var s = _slots[slot];
            if (s == 0)
            {
                return -1;
            }

            var e = s - 1;
            if (_lengths[e] == key.Length && key.SequenceEqual(_arena.AsSpan(_starts[e], key.Length)))
            {
                return _values[e];
            }

            slot = (slot + 1) & _mask;
        }
    }

    /// <summary>A multiplicative hash of the first and last 8 bytes (overlapping for short keys) and the length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Hash(ReadOnlySpan<byte> key)
    {
        ulong a, b;
        if (key.Length >= 8)
        {
            a = BinaryPrimitives.ReadUInt64LittleEndian(key);
            b = BinaryPrimitives.ReadUInt64LittleEndian(key[^8..]);
        }
        else if (key.Length >= 4)
        {
            a = BinaryPrimitives.ReadUInt32LittleEndian(key);
            b = BinaryPrimitives.ReadUInt32LittleEndian(key[^4..]);
        }
        else
        {
            a = key.IsEmpty ? 0u : ((ulong)key[0] << 16) | ((ulong)key[key.Length >> 1] << 8) | key[^1];
            b = 0;
        }

        var h = ((a * 0x9E3779B97F4A7C15UL) ^ BitOperations.RotateLeft(b * 0xC2B2AE3D27D4EB4FUL, 31) ^ (ulong)key.Length) * 0x165667B19E3779F9UL;
        return h >> 32;
    }
}
