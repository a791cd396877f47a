using Grouper.Core;
using Grouper.Settlement.Internals;

namespace Grouper.Settlement;

/// <summary>
/// All policy files of a directory (<c>*.yaml</c>, <c>*.yml</c>), validated on load and resolved
/// per pooling region into date segments, so that a lookup by discharge date is a binary search
/// with no allocation. A region may have several files if their validity ranges do not overlap.
/// </summary>
public sealed class PolicyStore
{
    private readonly Dictionary<string, Segment[]> byRegion;

    private PolicyStore(Dictionary<string, Segment[]> byRegion) => this.byRegion = byRegion;

    /// <summary>Regions with at least one policy, sorted.</summary>
    public IReadOnlyList<string> Regions => [.. byRegion.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Loads and checks every policy file of <paramref name="directory"/>; throws <see cref="InputException"/> on the first bad value.</summary>
    public static PolicyStore Load(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new InputException(directory, "policy directory not found");
        }

        var files = Directory.GetFiles(directory, "*.yaml").Concat(Directory.GetFiles(directory, "*.yml"))
            .Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            throw new InputException(directory, "no policy files (*.yaml) in the directory");
        }

        return FromFiles(files);
    }

    /// <summary>Loads the given policy files.</summary>
    public static PolicyStore FromFiles(IEnumerable<string> files)
    {
        var lists = new Dictionary<string, List<Segment>>(StringComparer.Ordinal);
        foreach (var f in files)
        {
            foreach (var (start, end, policy) in PolicyParser.Parse(f))
            {
                if (!lists.TryGetValue(policy.Region, out var list))
                {
                    lists[policy.Region] = list = [];
                }

                list.Add(new Segment(start, end, policy));
            }
        }

        var result = new Dictionary<string, Segment[]>(StringComparer.Ordinal);
        foreach (var (region, list) in lists)
        {
            list.Sort((a, b) => a.Start.CompareTo(b.Start));
            for (var i = 1; i < list.Count; i++)
            {
                if (list[i].Start <= list[i - 1].End)
                {
                    throw new InputException(list[i].Policy.SourceFile, 1, "valid_from",
                        $"validity overlaps policy file {list[i - 1].Policy.SourceFile} of region {region}");
                }
            }

            result[region] = [.. list];
        }

        return new PolicyStore(result);
    }

    /// <summary>
    /// The policy of <paramref name="region"/> in force on <paramref name="dischargeDate"/> ("from D"
    /// = discharges on or after D). False → the caller rejects the case with <c>NO_POLICY</c>.
    /// </summary>
    public bool TryResolve(string region, DateOnly dischargeDate, out ResolvedPolicy policy)
    {
        policy = null!;
        if (!byRegion.TryGetValue(region, out var segs))
        {
            return false;
        }

        int lo = 0, hi = segs.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (segs[mid].Start <= dischargeDate)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        if (hi < 0 || dischargeDate > segs[hi].End)
        {
            return false;
        }

        policy = segs[hi].Policy;
        return true;
    }

    /// <summary>As <see cref="TryResolve(string, DateOnly, out ResolvedPolicy)"/>, and the policy has a benefit table for the insurance type.</summary>
    public bool TryResolve(string region, DateOnly dischargeDate, InsuranceType insurance, out ResolvedPolicy policy) =>
        TryResolve(region, dischargeDate, out policy) && policy.Covers(insurance);

    private readonly record struct Segment(DateOnly Start, DateOnly End, ResolvedPolicy Policy);
}
