using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using Grouper.Core;

namespace Grouper.Clearing;

/// <summary>Key of one shard cell: pooling region, hospital and month (ordinal order).</summary>
public readonly record struct ShardKey(string Region, string HospitalId, int Month) : IComparable<ShardKey>
{
    public int CompareTo(ShardKey other)
    {
        var c = string.CompareOrdinal(Region, other.Region);
        if (c != 0)
        {
            return c;
        }

        c = string.CompareOrdinal(HospitalId, other.HospitalId);
        return c != 0 ? c : Month.CompareTo(other.Month);
    }

    public static bool operator <(ShardKey left, ShardKey right) => left.CompareTo(right) < 0;

    public static bool operator <=(ShardKey left, ShardKey right) => left.CompareTo(right) <= 0;

    public static bool operator >(ShardKey left, ShardKey right) => left.CompareTo(right) > 0;

    public static bool operator >=(ShardKey left, ShardKey right) => left.CompareTo(right) >= 0;
}

/// <summary>One (region, hospital, month) cell of a shard: the hospital's level group and its sums.</summary>
public sealed record ShardCell(ShardKey Key, string LevelGroup, ClearingAggregate Sums);

/// <summary>
/// The map output of clearing (scale.md): per (hospital, month) integer partial sums of one year.
/// Shards merge by plain addition, so a year processed in parts (by month, region or file) and
/// merged in any order clears exactly like one pass. Serialises to a deterministic CSV file
/// (<see cref="Write"/> / <see cref="Read"/>); rows are in ordinal key order.
/// </summary>
public sealed class ClearingShard
{
    internal const string Magic = "# grouper-clearing-shard v1";

    internal static readonly string[] Columns =
    [
        "region", "hospital_id", "level_group", "month",
        "level_cases", "grassroots_cases", "per_diem_cases", "drg_cases", "ffs_cases",
        "level_points", "grassroots_points", "per_diem_points",
        "level_cost_fen", "cost_fen", "other_paid_fen", "item_fund_fen",
        "high_outliers", "low_outliers", "reviews",
    ];

    private readonly SortedDictionary<ShardKey, (string LevelGroup, ClearingAggregate Sums)> _cells = [];
    private readonly Dictionary<(string Region, string HospitalId), string> _groups = [];

    public ClearingShard(int year)
    {
        if (year is < 1900 or > 9999)
        {
            throw new ArgumentOutOfRangeException(nameof(year), year, "clearing year out of range");
        }

        Year = year;
    }

    public int Year { get; }

    public int CellCount => _cells.Count;

    /// <summary>Cells in ordinal (region, hospital_id, month) order.</summary>
    public IEnumerable<ShardCell> Cells
    {
        get
        {
            foreach (var (key, value) in _cells)
            {
                yield return new ShardCell(key, value.LevelGroup, value.Sums);
            }
        }
    }

    /// <summary>Adds sums to a cell (creating it). A hospital must keep one level group within a year.</summary>
    public void Add(string region, string hospitalId, string levelGroup, int month, in ClearingAggregate sums)
    {
        if (month is < 1 or > 12)
        {
            throw new ArgumentOutOfRangeException(nameof(month), month, "month must be 1..12");
        }

        // One level group per hospital and year: K is per group, so a hospital cannot be split across two.
        if (_groups.TryGetValue((region, hospitalId), out var group))
        {
            if (!string.Equals(group, levelGroup, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"hospital {hospitalId} has level group {group} and {levelGroup} in the same year");
            }
        }
        else
        {
            _groups.Add((region, hospitalId), levelGroup);
        }

        var key = new ShardKey(region, hospitalId, month);
        if (_cells.TryGetValue(key, out var existing))
        {
            existing.Sums.Add(sums);
            _cells[key] = existing;
        }
        else
        {
            _cells.Add(key, (levelGroup, sums));
        }
    }

    /// <summary>Adds every cell of <paramref name="other"/> into this shard (same year).</summary>
    public void Merge(ClearingShard other)
    {
        if (other.Year != Year)
        {
            throw new InvalidOperationException($"cannot merge a {other.Year} shard into a {Year} shard");
        }

        foreach (var (key, value) in other._cells)
        {
            Add(key.Region, key.HospitalId, value.LevelGroup, key.Month, value.Sums);
        }
    }

    /// <summary>Merges shards into a new one; the order of <paramref name="shards"/> does not matter.</summary>
    public static ClearingShard MergeAll(int year, IEnumerable<ClearingShard> shards)
    {
        var result = new ClearingShard(year);
        foreach (var s in shards)
        {
            result.Merge(s);
        }

        return result;
    }

    /// <summary>Σ of a hospital's points (all classes, before coefficients) in one month: the basis of its monthly advance.</summary>
    public long MonthPoints(string region, string hospitalId, int month) =>
        _cells.TryGetValue(new ShardKey(region, hospitalId, month), out var v) ? v.Sums.TotalPoints : 0;

    /// <summary>Regions present, ordinal order.</summary>
    public IReadOnlyList<string> Regions()
    {
        var list = new List<string>();
        foreach (var key in _cells.Keys)
        {
            if (list.Count == 0 || !string.Equals(list[^1], key.Region, StringComparison.Ordinal))
            {
                list.Add(key.Region);
            }
        }

        return list;
    }

    /// <summary>Writes the shard (temp file, then rename). Byte-identical for equal contents.</summary>
    public void Write(string path)
    {
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        using (var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\n" })
        {
            Write(writer);
        }

        File.Move(temp, path, overwrite: true);
    }

    public void Write(TextWriter writer)
    {
        writer.Write(Magic);
        writer.Write(" year=");
        writer.Write(Year.ToString(CultureInfo.InvariantCulture));
        writer.Write('\n');
        var config = new CsvConfiguration(CultureInfo.InvariantCulture) { NewLine = "\n" };
        using var csv = new CsvWriter(writer, config, leaveOpen: true);
        foreach (var c in Columns)
        {
            csv.WriteField(c);
        }

        csv.NextRecord();
        foreach (var (key, (group, s)) in _cells)
        {
            csv.WriteField(key.Region);
            csv.WriteField(key.HospitalId);
            csv.WriteField(group);
            csv.WriteField(key.Month);
            foreach (var v in (ReadOnlySpan<long>)[s.LevelCases, s.GrassrootsCases, s.PerDiemCases, s.DrgCases, s.FfsCases,
                s.LevelPoints, s.GrassrootsPoints, s.PerDiemPoints, s.LevelCostFen, s.CostFen, s.OtherPaidFen, s.ItemFundFen,
                s.HighOutliers, s.LowOutliers, s.Reviews])
            {
                csv.WriteField(v.ToString(CultureInfo.InvariantCulture));
            }

            csv.NextRecord();
        }
    }

    /// <summary>Reads a shard file; every error names file, line and column.</summary>
    public static ClearingShard Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new InputException(path, "clearing shard file not found");
        }

        using var reader = new StreamReader(path, new UTF8Encoding(false, true));
        return Read(reader, path);
    }

    public static ClearingShard Read(TextReader reader, string fileName)
    {
        var first = reader.ReadLine();
        const string prefix = Magic + " year=";
        if (first is null || !first.StartsWith(prefix, StringComparison.Ordinal)
            || !int.TryParse(first.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            || year is < 1900 or > 9999)
        {
            throw new InputException(fileName, 1, null, $"expected first line '{prefix}<year>'");
        }

        var shard = new ClearingShard(year);
        var config = new CsvConfiguration(CultureInfo.InvariantCulture) { DetectColumnCountChanges = true, BadDataFound = null };
        using var csv = new CsvReader(reader, config);
        if (!csv.Read() || !csv.ReadHeader() || csv.HeaderRecord is null || !csv.HeaderRecord.AsSpan().SequenceEqual(Columns))
        {
            throw new InputException(fileName, 2, null, "expected header " + string.Join(',', Columns));
        }

        Span<long> values = stackalloc long[15];
        while (csv.Read())
        {
            var line = csv.Parser.RawRow + 1; // + the magic line
            if (csv.Parser.Count != Columns.Length)
            {
                throw new InputException(fileName, line, null, $"expected {Columns.Length} fields, found {csv.Parser.Count}");
            }

            var region = csv.GetField(0)!;
            var hospital = csv.GetField(1)!;
            var group = csv.GetField(2)!;
            if (region.Length == 0 || hospital.Length == 0 || group.Length == 0)
            {
                throw new InputException(fileName, line, region.Length == 0 ? "region" : hospital.Length == 0 ? "hospital_id" : "level_group", "must not be empty");
            }

            if (!int.TryParse(csv.GetField(3), NumberStyles.None, CultureInfo.InvariantCulture, out var month) || month is < 1 or > 12)
            {
                throw new InputException(fileName, line, "month", "expected an integer 1..12");
            }

            for (var i = 0; i < values.Length; i++)
            {
                if (!long.TryParse(csv.GetField(4 + i), NumberStyles.None, CultureInfo.InvariantCulture, out values[i]))
                {
                    throw new InputException(fileName, line, Columns[4 + i], "expected a non-negative integer");
                }
            }

            var s = new ClearingAggregate
            {
                LevelCases = values[0],
                GrassrootsCases = values[1],
                PerDiemCases = values[2],
                DrgCases = values[3],
                FfsCases = values[4],
                LevelPoints = values[5],
                GrassrootsPoints = values[6],
                PerDiemPoints = values[7],
                LevelCostFen = values[8],
                CostFen = values[9],
                OtherPaidFen = values[10],
                ItemFundFen = values[11],
                HighOutliers = values[12],
                LowOutliers = values[13],
                Reviews = values[14],
            };
            try
            {
                shard.Add(region, hospital, group, month, s);
            }
            catch (InvalidOperationException ex)
            {
                throw new InputException(fileName, line, "level_group", ex.Message);
            }
        }

        return shard;
    }
}

/// <summary>
/// Map step over one part of a year: accumulates <see cref="ClearingCase"/>s into a dense
/// (hospital × month) array without allocation per case, then emits a <see cref="ClearingShard"/>.
/// One builder per thread; merge their shards.
/// </summary>
public sealed class ClearingShardBuilder
{
    private readonly IReadOnlyList<Hospital> _hospitals;
    private readonly ClearingAggregate[] _cells;

    /// <param name="year">Clearing year.</param>
    /// <param name="hospitals">The run's hospitals; <see cref="ClearingCase.Hospital"/> indexes this list.</param>
    public ClearingShardBuilder(int year, IReadOnlyList<Hospital> hospitals)
    {
        Year = year;
        _hospitals = hospitals;
        _cells = new ClearingAggregate[hospitals.Count * 12];
    }

    public int Year { get; }

    public long CasesAdded { get; private set; }

    public void Add(in ClearingCase c)
    {
        if ((uint)c.Hospital >= (uint)_hospitals.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(c), c.Hospital, "hospital index out of range");
        }

        if (c.Month is < 1 or > 12)
        {
            throw new ArgumentOutOfRangeException(nameof(c), c.Month, "month must be 1..12");
        }

        if (c.Points < 0 || c.CostFen < 0 || c.OtherPaidFen < 0 || c.ItemFundFen < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(c), "points and amounts must not be negative");
        }

        _cells[(c.Hospital * 12) + c.Month - 1].Add(c);
        CasesAdded++;
    }

    /// <summary>The non-empty cells as a shard.</summary>
    public ClearingShard ToShard()
    {
        var shard = new ClearingShard(Year);
        for (var h = 0; h < _hospitals.Count; h++)
        {
            var hospital = _hospitals[h];
            for (var m = 0; m < 12; m++)
            {
                ref readonly var cell = ref _cells[(h * 12) + m];
                if (cell.AllCases > 0)
                {
                    shard.Add(hospital.PoolingRegion, hospital.HospitalId, hospital.Level.GradeGroup, m + 1, cell);
                }
            }
        }

        return shard;
    }
}
