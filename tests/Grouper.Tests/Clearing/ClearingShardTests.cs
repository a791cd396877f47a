using Grouper.Clearing;
using Grouper.Core;
using static Grouper.Tests.Clearing.ClearingTestData;

namespace Grouper.Tests.Clearing;

public class ClearingShardTests
{
    [Fact]
    public void ShardFileRoundTripsByteForByte()
    {
        var dir = TestPaths.NewTempDir("clearing-shard");
        var shard = Shard(2024, ExampleHospitals, ExampleCases());
        var a = Path.Combine(dir, "a.csv");
        var b = Path.Combine(dir, "b.csv");
        shard.Write(a);
        ClearingShard.Read(a).Write(b);
        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
        Assert.Equal(shard.Cells, ClearingShard.Read(a).Cells);
        Assert.Equal(36, shard.CellCount); // 3 hospitals × 12 months
        Assert.StartsWith("# grouper-clearing-shard v1 year=2024\nregion,hospital_id,level_group,month,", File.ReadAllText(a), StringComparison.Ordinal);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void MonthlyShardsMergeToTheYear()
    {
        var all = ExampleCases().ToArray();
        var byMonth = Enumerable.Range(1, 12).Select(m => Shard(2024, ExampleHospitals, all.Where(c => c.Month == m))).Reverse();
        var merged = ClearingShard.MergeAll(2024, byMonth);
        Assert.Equal(Shard(2024, ExampleHospitals, all).Cells, merged.Cells);

        // Month points: A has 5,000 cases of 100 points spread evenly → 417 in January (5,000 = 416 × 12 + 8).
        Assert.Equal(Pts("41700"), merged.MonthPoints(Region, "A", 1));
        Assert.Equal(Pts("41600"), merged.MonthPoints(Region, "A", 12));
    }

    [Fact]
    public void MergingShardsOfDifferentYearsFails()
    {
        var a = new ClearingShard(2024);
        Assert.Throws<InvalidOperationException>(() => a.Merge(new ClearingShard(2025)));
    }

    [Theory]
    [InlineData("# something else\n", 1, null)]
    [InlineData("# grouper-clearing-shard v1 year=2024\nregion,hospital_id\n", 2, null)]
    [InlineData("# grouper-clearing-shard v1 year=2024\nHEADER\n350900,A,3A,13,1,0,0,0,0,1,0,0,1,1,0,1,0,0,0\n", 3, "month")]
    [InlineData("# grouper-clearing-shard v1 year=2024\nHEADER\n350900,A,3A,1,1,0,0,0,0,-5,0,0,1,1,0,1,0,0,0\n", 3, "level_points")]
    [InlineData("# grouper-clearing-shard v1 year=2024\nHEADER\n350900,A,3A,1,1,0,0,0,0,5,0,0,1,1,0,1,0,0,0\n350900,A,3B,2,1,0,0,0,0,5,0,0,1,1,0,1,0,0,0\n", 4, "level_group")]
    public void BadShardFilesNameLineAndField(string text, long line, string? field)
    {
        text = text.Replace("HEADER", string.Join(',', ClearingShard.Columns), StringComparison.Ordinal);
        var ex = Assert.Throws<InputException>(() => ClearingShard.Read(new StringReader(text), "part.csv"));
        Assert.Equal("part.csv", ex.File);
        Assert.Equal(line, ex.LineNumber);
        Assert.Equal(field, ex.Field);
    }

    [Fact]
    public void BuilderRejectsBadCases()
    {
        var b = new ClearingShardBuilder(2024, ExampleHospitals);
        Assert.Throws<ArgumentOutOfRangeException>(() => b.Add(new ClearingCase { Hospital = 3, Month = 1, Payment = CasePayment.Dip }));
        Assert.Throws<ArgumentOutOfRangeException>(() => b.Add(new ClearingCase { Hospital = 0, Month = 0, Payment = CasePayment.Dip }));
        Assert.Throws<ArgumentOutOfRangeException>(() => b.Add(new ClearingCase { Hospital = 0, Month = 1, Payment = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => b.Add(new ClearingCase { Hospital = 0, Month = 1, Payment = CasePayment.Dip, Points = -1 }));
    }
}

public class ClearingSampleTests
{
    private static string SampleShard => Path.Combine(TestPaths.SampleData, "clearing", "example-3-hospitals.shard.csv");

    [Fact]
    public void SampleShardIsTheWorkedExample()
    {
        using var w = new StringWriter();
        Shard(2024, ExampleHospitals, ExampleCases()).Write(w);
        Assert.Equal(w.ToString(), File.ReadAllText(SampleShard));
        var r = AnnualClearing.Run(ClearingShard.Read(SampleShard), ExampleInputs().Find(Region, 2024)!);
        Assert.Equal(93.331888m, r.PointValue);
        Assert.Equal([Fen("3393029.38"), Fen("3703488.53"), Fen("36352.47")], r.Hospitals.Select(h => h.BalanceFen));
    }
}
