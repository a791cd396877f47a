using DuckDB.NET.Data;
using Grouper.Output.Internals;
using Parquet;
using Parquet.Schema;

namespace Grouper.Tests.Pipeline;

/// <summary>
/// Row groups encoded as separate Parquet parts and joined must give exactly the file one
/// Parquet.Net writer gives for the same row groups, and read back the same in DuckDB.
/// </summary>
public sealed class ParquetStitcherTests
{
    private static readonly ParquetOptions Options = new() { CompressionMethod = CompressionMethod.Snappy };

    private sealed record Group(long[] Lines, int?[] Ages, string?[] Codes, decimal[] Money, DateOnly[] Dates);

    private static ParquetSchema Schema() => new(
        new DataField<long>("line"),
        new DataField<int?>("age", true),
        new DataField<string>("code", true),
        new DecimalDataField("money", 18, 2, false, false),
        new DataField<DateOnly>("day"));

    private static List<Group> Groups(int seed, int count)
    {
        var rnd = new Random(seed);
        var groups = new List<Group>();
        long line = 2;
        for (var g = 0; g < count; g++)
        {
            var n = rnd.Next(1, 3000);
            var grp = new Group(new long[n], new int?[n], new string?[n], new decimal[n], new DateOnly[n]);
            for (var i = 0; i < n; i++)
            {
                grp.Lines[i] = line++;
                grp.Ages[i] = rnd.Next(10) == 0 ? null : rnd.Next(0, 110);
                grp.Codes[i] = rnd.Next(7) == 0 ? null : $"K{rnd.Next(100):D2}.{rnd.Next(1000):D3}";
                grp.Money[i] = rnd.NextInt64(0, 10_000_000_000) / 100m;
                grp.Dates[i] = new DateOnly(2024, 1, 1).AddDays(rnd.Next(366));
            }

            groups.Add(grp);
        }

        return groups;
    }

    private static async Task WriteGroupsAsync(ParquetSchema schema, Stream stream, IEnumerable<Group> groups)
    {
        var f = schema.DataFields;
        await using var w = await ParquetWriter.CreateAsync(schema, stream, Options);
        foreach (var g in groups)
        {
            using var rg = w.CreateRowGroup();
            await rg.WriteAsync<long>(f[0], g.Lines.AsMemory());
            await rg.WriteAsync<int>(f[1], (ReadOnlyMemory<int?>)g.Ages.AsMemory());
            await rg.WriteAsync(f[2], g.Codes!, null);
            await rg.WriteAsync<decimal>(f[3], g.Money.AsMemory());
            await rg.WriteAsync<DateOnly>(f[4], g.Dates.AsMemory());
        }
    }

    private static async Task<byte[]> PartAsync(IEnumerable<Group> groups)
    {
        using var ms = new MemoryStream();
        await WriteGroupsAsync(Schema(), ms, groups);
        return ms.ToArray();
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 5)]
    [InlineData(3, 40)]
    public async Task Joined_parts_equal_one_writer_byte_for_byte(int seed, int groupCount)
    {
        var groups = Groups(seed, groupCount);
        using var single = new MemoryStream();
        await WriteGroupsAsync(Schema(), single, groups);

        using var joined = new MemoryStream();
        using (var stitcher = new ParquetStitcher(joined, await PartAsync([])))
        {
            // Parts of one or several row groups each, as a writer with any batching would make.
            var rnd = new Random(seed);
            for (var i = 0; i < groups.Count;)
            {
                var take = Math.Min(groups.Count - i, rnd.Next(1, 4));
                stitcher.Append(await PartAsync(groups.GetRange(i, take)));
                i += take;
            }

            stitcher.Finish();
            Assert.Equal(groups.Sum(g => g.Lines.Length), stitcher.Rows);
            Assert.Equal(groups.Count, stitcher.RowGroups);
        }

        Assert.Equal(single.ToArray(), joined.ToArray());
    }

    [Fact]
    public async Task Joined_file_reads_back_in_DuckDB_with_every_value()
    {
        var groups = Groups(7, 12);
        var path = Path.Combine(Path.GetTempPath(), $"stitch-{Guid.NewGuid():N}.parquet");
        try
        {
            await using (var fs = File.Create(path))
            {
                using var stitcher = new ParquetStitcher(fs, await PartAsync([]));
                foreach (var g in groups)
                {
                    stitcher.Append(await PartAsync([g]));
                }

                stitcher.Finish();
            }

            using var conn = new DuckDBConnection("DataSource=:memory:");
            conn.Open();
            using var cmd = conn.CreateCommand();
            cmd.CommandText = $"SELECT count(*), sum(line)::BIGINT, count(age), sum(age)::BIGINT, count(code), sum(money), min(day), max(day) FROM read_parquet('{path}')";
            using var r = cmd.ExecuteReader();
            Assert.True(r.Read());
            var all = groups.SelectMany(g => g.Lines.Select((l, i) => (Line: l, Age: g.Ages[i], Code: g.Codes[i], Money: g.Money[i], Day: g.Dates[i]))).ToList();
            Assert.Equal(all.Count, Convert.ToInt64(r.GetValue(0)));
            Assert.Equal(all.Sum(x => x.Line), Convert.ToInt64(r.GetValue(1)));
            Assert.Equal(all.Count(x => x.Age is not null), Convert.ToInt64(r.GetValue(2)));
            Assert.Equal(all.Sum(x => (long)(x.Age ?? 0)), Convert.ToInt64(r.GetValue(3)));
            Assert.Equal(all.Count(x => x.Code is not null), Convert.ToInt64(r.GetValue(4)));
            Assert.Equal(all.Sum(x => x.Money), r.GetDecimal(5));
            Assert.Equal(all.Min(x => x.Day).ToDateTime(TimeOnly.MinValue), r.GetDateTime(6));
            Assert.Equal(all.Max(x => x.Day).ToDateTime(TimeOnly.MinValue), r.GetDateTime(7));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_file_with_no_row_group_is_the_schema_alone()
    {
        var empty = await PartAsync([]);
        using var joined = new MemoryStream();
        using (var stitcher = new ParquetStitcher(joined, empty))
        {
            stitcher.Finish();
        }

        Assert.Equal(empty, joined.ToArray());
    }

    [Fact]
    public void A_part_that_is_not_Parquet_is_refused()
    {
        using var ms = new MemoryStream();
        var ex = Assert.Throws<InvalidDataException>(() => new ParquetStitcher(ms, "PAR1 not a footer PAR1"u8.ToArray()));
        Assert.Contains("Parquet", ex.Message, StringComparison.Ordinal);
    }
}
