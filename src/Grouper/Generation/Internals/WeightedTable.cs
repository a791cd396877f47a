namespace Grouper.Generation.Internals;

/// <summary>Samples an item index with probability proportional to its integer weight (cumulative sums, binary search).</summary>
internal sealed class WeightedTable
{
    private readonly long[] _cumulative;
    private readonly int[] _items;

    public WeightedTable(IReadOnlyList<int> items, IReadOnlyList<long> weights)
    {
        var cum = new List<long>(items.Count);
        var its = new List<int>(items.Count);
        long total = 0;
        for (var i = 0; i < items.Count; i++)
        {
            if (weights[i] <= 0)
            {
                continue;
            }

            total += weights[i];
            cum.Add(total);
            its.Add(items[i]);
        }

        _cumulative = [.. cum];
        _items = [.. its];
        Total = total;
    }

    public long Total { get; }

    public int Count => _items.Length;

    public bool IsEmpty => _items.Length == 0;

    public int Sample(ref Rng rng)
    {
        var x = rng.Below(Total);
        int lo = 0, hi = _cumulative.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi) >> 1;
            if (_cumulative[mid] > x)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return _items[lo];
    }
}
