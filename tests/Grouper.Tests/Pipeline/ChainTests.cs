using System.Globalization;
using DuckDB.NET.Data;
using Grouper.Batch;

namespace Grouper.Tests.Pipeline;

/// <summary>The whole chain of the README on the committed sample data: run, then clear; the clearing reconciles with the case table.</summary>
public sealed class ChainTests : IDisposable
{
    private readonly string _out = TestPaths.NewTempDir("grouper-chain");

    public void Dispose() => Directory.Delete(_out, true);

    private static Task<(int Code, string Out, string Err)> Cli(params string[] args) => InProcessCli.RunAsync(args);

    private List<object[]> Query(string sql) =>
        DuckDbQuery.Rows(sql.Replace("OUT/", _out.Replace("'", "''", StringComparison.Ordinal) + "/", StringComparison.Ordinal));

    [Fact]
    public async Task RunThenClearOnTheSampleData()
    {
        var sample = TestPaths.SampleData;
        var (code, stdout, stderr) = await Cli(
            "run", "--input", sample, "--out", _out, "--region", "350900", "--policy", Path.Combine(sample, "policies"),
            "--drg-catalog", Path.Combine(sample, "catalogs", "drg-demo"), "--dip-catalog", Path.Combine(sample, "catalogs", "dip-demo"),
            "--pseudonym-key-file", Path.Combine(sample, "DEMO-pseudonym.key"), "--no-progress");
        Assert.True(code == ExitCodes.SuccessWithRejects, stderr);
        Assert.Contains("10,000 records", stdout, StringComparison.Ordinal);

        // Nearly every generated case groups in the demo catalog, and every accepted case has a DIP outcome.
        var ok = Convert.ToInt64(Query("SELECT count(*) FROM 'OUT/cases.parquet' WHERE drg_reason = 'OK'")[0][0], CultureInfo.InvariantCulture);
        var all = Convert.ToInt64(Query("SELECT count(*) FROM 'OUT/cases.parquet'")[0][0], CultureInfo.InvariantCulture);
        Assert.True(ok > all * 95 / 100, $"{ok} of {all} grouped OK");
        Assert.Equal(0L, Convert.ToInt64(Query("SELECT count(*) FROM 'OUT/cases.parquet' WHERE dip_code = ''")[0][0], CultureInfo.InvariantCulture));

        (code, stdout, stderr) = await Cli("clear", "--year", "2024", "--shards", _out, "--inputs", Path.Combine(sample, "clearing", "350900-2024-demo.yaml"), "--out", _out);
        Assert.True(code == ExitCodes.Success, stdout + stderr);
        Assert.Contains("invariants hold", stdout, StringComparison.Ordinal);

        // The clearing's points per hospital equal the case table's DIP points of its cleared DIP cases.
        var mismatches = Query("""
            WITH c AS (
              SELECT hospital_id, sum(dip_points) AS points, count(*) AS cases
              FROM 'OUT/cases.parquet'
              WHERE payment_method = 'DIP' AND dip_kind <> 'Unmatched'
              GROUP BY hospital_id)
            SELECT k.hospital_id FROM 'OUT/clearing.parquet' k JOIN c USING (hospital_id)
            WHERE k.total_points <> c.points OR k.cases <> c.cases
            """);
        Assert.Empty(mismatches);

        // The case table gained each DIP case's final points after coefficients (B = D = 1 in the demo inputs).
        var finals = Query("""
            SELECT count(*) FILTER (WHERE c.dip_final_points IS NOT NULL),
                   count(*) FILTER (WHERE c.dip_kind NOT IN ('Grassroots', 'PerDiem') AND c.dip_final_points <> round(c.dip_points * k.level_coefficient, 4)),
                   count(*) FILTER (WHERE c.dip_kind IN ('Grassroots', 'PerDiem') AND c.dip_final_points <> c.dip_points)
            FROM 'OUT/cases.parquet' c JOIN 'OUT/clearing.parquet' k USING (hospital_id)
            WHERE c.payment_method = 'DIP' AND c.dip_kind <> 'Unmatched'
            """);
        Assert.True(Convert.ToInt64(finals[0][0], CultureInfo.InvariantCulture) > 5000);
        Assert.Equal(0L, Convert.ToInt64(finals[0][1], CultureInfo.InvariantCulture));
        Assert.Equal(0L, Convert.ToInt64(finals[0][2], CultureInfo.InvariantCulture));

        // Settlement amounts add up to the allocated fund.
        var sums = Query("SELECT CAST(sum(settlement_amount) AS VARCHAR), count(*) FROM 'OUT/clearing.parquet'");
        Assert.Equal("132050000.00", sums[0][0]);
        Assert.True(File.Exists(Path.Combine(_out, "report.html")));
    }

    [Fact]
    public async Task BadConfigurationNamesTheSetting()
    {
        var (code, _, stderr) = await Cli("run", "--region", "3509", "--keep-identifiers");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("GROUPER_REGION", stderr, StringComparison.Ordinal);

        (code, _, stderr) = await Cli("run", "--region", "350900", "--keep-identifiers", "--input", TestPaths.SampleData, "--policy", Path.Combine(TestPaths.SampleData, "policies"), "--drg-catalog", "/nonexistent/catalog");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--drg-catalog", stderr, StringComparison.Ordinal);

        (code, _, stderr) = await Cli("run", "--region", "350900", "--keep-identifiers", "--input", TestPaths.SampleData, "--policy", Path.Combine(TestPaths.SampleData, "policies"), "--region-typo", "x");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("unknown option '--region-typo'", stderr, StringComparison.Ordinal);

        (code, _, stderr) = await Cli("frobnicate");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("unknown command", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryCommandHasHelpWithAnExample()
    {
        foreach (var command in new[] { "run", "settle", "validate", "group", "generate", "clear", "compare", "nightly", "report" })
        {
            var (code, stdout, _) = await Cli(command, "--help");
            Assert.Equal(ExitCodes.Success, code);
            Assert.Contains("Example", stdout, StringComparison.Ordinal);
        }

        var (c1, s1, _) = await Cli("catalog", "import", "--help");
        Assert.Equal(ExitCodes.Success, c1);
        Assert.Contains("Example", s1, StringComparison.Ordinal);
        var (c2, s2, _) = await Cli("dip", "build-catalog", "--help");
        Assert.Equal(ExitCodes.Success, c2);
        Assert.Contains("Example", s2, StringComparison.Ordinal);
    }
}

public sealed class CompareTests : IDisposable
{
    private readonly string _dir = TestPaths.NewTempDir("grouper-compare");

    public void Dispose() => Directory.Delete(_dir, true);

    private static Task<(int Code, string Out, string Err)> Cli(params string[] args) => InProcessCli.RunAsync(args);

    private Task<(int Code, string Out, string Err)> Run(string outName, string policyDir) => Cli(
        "run", "--input", TestPaths.SampleData, "--out", Path.Combine(_dir, outName), "--region", "350900", "--policy", policyDir,
        "--drg-catalog", Path.Combine(TestPaths.SampleData, "catalogs", "drg-demo"), "--dip-catalog", Path.Combine(TestPaths.SampleData, "catalogs", "dip-demo"),
        "--keep-identifiers", "--no-progress");

    [Fact]
    public async Task APolicyChangeShowsUpAsAmountChangesOnly()
    {
        var policies = Path.Combine(TestPaths.SampleData, "policies");
        var changed = Path.Combine(_dir, "policies-b");
        Directory.CreateDirectory(changed);
        foreach (var f in Directory.GetFiles(policies))
        {
            var text = File.ReadAllText(f).Replace("point_value: 160.000000", "point_value: 170.000000", StringComparison.Ordinal);
            File.WriteAllText(Path.Combine(changed, Path.GetFileName(f)), text);
        }

        await Run("a", policies);
        await Run("a2", policies);
        await Run("b", changed);

        var (code, stdout, _) = await Cli("compare", "--before", Path.Combine(_dir, "a"), "--after", Path.Combine(_dir, "a2"), "--out", Path.Combine(_dir, "same"));
        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("0 changed DRG, 0 changed DIP group, 0 changed an amount", stdout, StringComparison.Ordinal);
        Assert.Single(File.ReadAllLines(Path.Combine(_dir, "same", "compare.csv"))); // header only

        (code, stdout, _) = await Cli("compare", "--before", Path.Combine(_dir, "a"), "--after", Path.Combine(_dir, "b"), "--out", Path.Combine(_dir, "diff"));
        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("0 changed DRG, 0 changed DIP group", stdout, StringComparison.Ordinal);
        var rows = File.ReadAllLines(Path.Combine(_dir, "diff", "compare.csv")).Skip(1).ToArray();
        Assert.True(rows.Length > 5000, $"{rows.Length} DIP cases should change their provisional amount");
        Assert.All(rows, r => Assert.Equal("amount", r.Split(',')[1]));

        // A DIP case's provisional amount moves by points × (170 − 160) to the fen.
        var json = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_dir, "diff", "compare-summary.json")));
        var delta = decimal.Parse(json.RootElement.GetProperty("money_delta").GetProperty("hospital_payment").GetString()!, CultureInfo.InvariantCulture);
        Assert.True(delta > 0);
    }
}
