using Grouper.Core;

namespace Grouper.Dip.Internals;

/// <summary>
/// Interns sorted procedure sets into dense ids (0 = the empty set) so a case key is a
/// (diagnosis key, set id) pair of integers instead of a string.
/// </summary>
internal sealed class ProcSetTable
{
    private Code[] _pool = new Code[1024];
    private int _poolCount;
    private int[] _start = new int[256];
    private int[] _count = new int[256];
    private int[] _next = new int[256];
    private ulong[] _hash = new ulong[256];
    private int[] _buckets = new int[512];

    public ProcSetTable()
    {
        Array.Fill(_buckets, -1);
        Count = 1; // id 0: empty set
    }

    public int Count { get; private set; }

    public ReadOnlySpan<Code> Get(int id) => _pool.AsSpan(_start[id], _count[id]);

    public int Intern(ReadOnlySpan<Code> set)
    {
        if (set.IsEmpty)
        {
            return 0;
        }

        var h = 1469598103934665603UL;
        for (var i = 0; i < set.Length; i++)
        {
            var v = set[i].Value;
            h = (h ^ (ulong)v) * 1099511628211UL;
            h = (h ^ (ulong)(v >> 64)) * 1099511628211UL;
        }

        var b = (int)(h >> 40) & (_buckets.Length - 1);
        for (var e = _buckets[b]; e >= 0; e = _next[e])
        {
            if (_hash[e] == h && _pool.AsSpan(_start[e], _count[e]).SequenceEqual(set))
            {
                return e;
            }
        }

        if (Count == _start.Length)
        {
            Array.Resize(ref _start, Count * 2);
            Array.Resize(ref _count, Count * 2);
            Array.Resize(ref _next, Count * 2);
            Array.Resize(ref _hash, Count * 2);
        }

        if (_poolCount + set.Length > _pool.Length)
        {
            Array.Resize(ref _pool, Math.Max(_pool.Length * 2, _poolCount + set.Length));
        }

        var id = Count++;
        set.CopyTo(_pool.AsSpan(_poolCount));
        _start[id] = _poolCount;
        _count[id] = set.Length;
        _hash[id] = h;
        _poolCount += set.Length;
        _next[id] = _buckets[b];
        _buckets[b] = id;
        if (Count > _buckets.Length)
        {
            Rehash();
        }

        return id;
    }

    private void Rehash()
    {
        _buckets = new int[_buckets.Length * 4];
        Array.Fill(_buckets, -1);
        for (var id = 1; id < Count; id++)
        {
            var b = (int)(_hash[id] >> 40) & (_buckets.Length - 1);
            _next[id] = _buckets[b];
            _buckets[b] = id;
        }
    }
}

/// <summary>A growable array of unmanaged values (no per-item object, amortised doubling).</summary>
internal struct Growable<T>
    where T : unmanaged
{
    private T[] _items;

    public Growable(int capacity) => _items = new T[capacity];

    public int Count { get; private set; }

    public readonly T[] Items => _items;

    public void Add(T item)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, Math.Max(16, _items.Length * 2));
        }

        _items[Count++] = item;
    }

    /// <summary>Extends by <paramref name="n"/> zeroed items and returns the first new index.</summary>
    public int Extend(int n)
    {
        if (Count + n > _items.Length)
        {
            Array.Resize(ref _items, Math.Max(Count + n, _items.Length * 2));
        }

        var start = Count;
        Count += n;
        return start;
    }
}
