using System.Diagnostics;
using DuckDB.NET.Data;
using Grouper.Clearing;
using static Grouper.Tests.Clearing.ClearingTestData;

namespace Grouper.Tests.Clearing;

public class ClearingOutputTests
{
    private static ClearingResult Example() =>
        AnnualClearing.Run(Shard(2024, ExampleHospitals, ExampleCases()), ExampleInputs().Find(Region, 2024)!);

    [Fact]
    public void ParquetReadsBackWithDuckDb()
    {
        var dir = TestPaths.NewTempDir("clearing-parquet");
        var path = Path.Combine(dir, "clearing.parquet");
        ClearingParquetWriter.Write(path, [Example()]);
        Assert.False(File.Exists(path + ".tmp"));

        using var db = new DuckDBConnection("DataSource=:memory:");
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = $"""
            SELECT hospital_id, year, level_group, cases, total_points, avg_points_per_case, level_coefficient,
                   bonus_coefficient, deduction_coefficient, final_points, point_value, settlement_amount,
                   item_fund_amount, adjustment, withhold, advance_paid, balance, region
            FROM read_parquet('{path}') ORDER BY hospital_id
            """;
        using var reader = cmd.ExecuteReader();
        var rows = new List<object[]>();
        while (reader.Read())
        {
            var values = new object[reader.FieldCount];
            reader.GetValues(values);
            rows.Add(values);
        }

        Assert.Equal(3, rows.Count);
        object[] b = rows[1];
        Assert.Equal("B", b[0]);
        Assert.Equal(2024, Convert.ToInt32(b[1], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("3B", b[2]);
        Assert.Equal(4500L, Convert.ToInt64(b[3], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(320_000.0000m, b[4]);
        Assert.Equal(71.1111m, b[5]);
        Assert.Equal(0.9091m, b[6]);
        Assert.Equal(1.0300m, b[7]);
        Assert.Equal(1.0000m, b[8]);
        Assert.Equal(301_511.9000m, b[9]);
        Assert.Equal(93.331888m, b[10]);
        Assert.Equal(28_140_675.03m, b[11]);
        Assert.Equal(31_500_000.00m, b[12]);
        Assert.Equal(1_407_033.75m, b[13]);
        Assert.Equal(844_220.25m, b[14]);
        Assert.Equal(25_000_000.00m, b[15]);
        Assert.Equal(3_703_488.53m, b[16]);
        Assert.Equal("350900", b[17]);
        Assert.Equal(-924_163.37m, rows[2][13]);

        // Column types as the spec fixes them.
        using var types = db.CreateCommand();
        types.CommandText = $"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('{path}'))";
        using var tr = types.ExecuteReader();
        var map = new Dictionary<string, string>();
        while (tr.Read())
        {
            map[tr.GetString(0)] = tr.GetString(1);
        }

        Assert.Equal("DECIMAL(18,2)", map["settlement_amount"]);
        Assert.Equal("DECIMAL(18,4)", map["final_points"]);
        Assert.Equal("DECIMAL(18,6)", map["point_value"]);
        Assert.Equal(ClearingParquetWriter.ColumnNames, map.Keys);

        // Money check in SQL: Σ settlement + Σ adjustment + reserve left = budget.
        using var sum = db.CreateCommand();
        sum.CommandText = $"SELECT sum(settlement_amount) + sum(adjustment) FROM read_parquet('{path}')";
        Assert.Equal(100_000_000.00m - 4_517_129.62m, Convert.ToDecimal(sum.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));

        // The per-level-group query of docs/clearing.md.
        using var byGroup = db.CreateCommand();
        byGroup.CommandText = $"""
            SELECT level_group, count(*) AS hospitals, sum(final_points) AS points,
                   sum(settlement_amount) AS settlement, sum(adjustment) AS adjustment, sum(balance) AS balance
            FROM '{path}' GROUP BY level_group ORDER BY level_group
            """;
        using var g = byGroup.ExecuteReader();
        Assert.True(g.Read());
        Assert.Equal("3A", g.GetString(0));
        Assert.Equal(49_889_721.01m, g.GetDecimal(3));
        Assert.True(g.Read());
        Assert.Equal(2L, Convert.ToInt64(g.GetValue(1), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(483_331.9000m, g.GetDecimal(2));
        Assert.Equal(3_739_841.00m, g.GetDecimal(5)); // 3,703,488.53 + 36,352.47
        Assert.False(g.Read());
        Directory.Delete(dir, true);
    }

    [Fact]
    public void HtmlReportRendersInHeadlessChromium()
    {
        var html = ClearingHtmlReport.Render([Example()]);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
        Assert.Equal(html, ClearingHtmlReport.Render([Example()]));

        var chromium = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);
        Assert.True(chromium is not null, "headless chromium is needed: apt-get install -y chromium");
        var dir = TestPaths.NewTempDir("clearing-html");
        var path = Path.Combine(dir, "clearing.html");
        ClearingHtmlReport.Write(path, [Example()]);

        var dom = RunChromium(chromium!, dir, "--dump-dom", "file://" + path);
        Assert.Contains("id=\"r350900-2024-budget\">100,000,000.00<", dom, StringComparison.Ordinal);
        Assert.Contains("id=\"r350900-2024-point-value\">93.331888<", dom, StringComparison.Ordinal);
        Assert.Contains("id=\"r350900-2024-allocated\">95,000,000.00<", dom, StringComparison.Ordinal);
        Assert.Contains("id=\"r350900-2024-reserve-left\">4,517,129.62<", dom, StringComparison.Ordinal);
        Assert.Contains("3,703,488.53", dom, StringComparison.Ordinal);
        Assert.Contains("-924,163.37", dom, StringComparison.Ordinal);
        Assert.Contains("<svg", dom, StringComparison.Ordinal);
        Assert.DoesNotContain(">FAIL<", dom, StringComparison.Ordinal);

        var png = Path.Combine(dir, "clearing.png");
        RunChromium(chromium!, dir, "--screenshot=" + png, "--window-size=1280,2000", "file://" + path);
        Assert.True(File.Exists(png) && new FileInfo(png).Length > 10_000);
        var keep = Environment.GetEnvironmentVariable("GROUPER_CLEARING_SCREENSHOT");
        if (!string.IsNullOrEmpty(keep))
        {
            File.Copy(png, keep, true);
            File.Copy(path, Path.ChangeExtension(keep, ".html"), true);
        }

        Directory.Delete(dir, true);
    }

    [Fact]
    public void ChartsOfALargeRegionShowTheLargestHospitals()
    {
        var hospitals = Enumerable.Range(0, 45).Select(i => Hospital($"H{i:00}", "3A")).ToArray();
        var cases = Enumerable.Range(0, 45).SelectMany(i => Cases(i, 2, 10m + i, 1_000m, 900m));
        var r = AnnualClearing.Run(Shard(2024, hospitals, cases), ExampleInputs().Find(Region, 2024)!);
        var html = ClearingHtmlReport.Render([r]);
        Assert.Contains("Charts show the 40 hospitals with the most final points of 48.", html, StringComparison.Ordinal); // 45 + A, B, C with advances only
        Assert.Contains(">H44 (3A)<", html, StringComparison.Ordinal);
        Assert.DoesNotContain(">H04 (3A)<", html, StringComparison.Ordinal); // the 5 smallest are not charted
        Assert.Contains("<td class=\"l\">H04</td>", html, StringComparison.Ordinal); // but listed
    }

    private static string RunChromium(string exe, string dir, params string[] args)
    {
        var psi = new ProcessStartInfo(exe)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in (string[])["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir=" + Path.Combine(dir, "profile")])
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        p.StandardInput.Close();

        // Read both pipes asynchronously and bound every wait: Chromium's helper processes can keep
        // the pipes open after the browser exits, so a blocking ReadToEnd could wait forever.
        var stderr = p.StandardError.ReadToEndAsync();
        var stdoutTask = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(60_000))
        {
            p.Kill(true);
            throw new TimeoutException("chromium did not finish within 60 s");
        }

        if (!stdoutTask.Wait(TimeSpan.FromSeconds(20)))
        {
            p.Kill(true);
            throw new TimeoutException("chromium's output did not close within 20 s of its exit");
        }

        var stdout = stdoutTask.Result;
        Assert.True(p.ExitCode == 0, "chromium failed: " + (stderr.Wait(TimeSpan.FromSeconds(5)) ? stderr.Result : "(stderr still open)"));
        return stdout;
    }
}
