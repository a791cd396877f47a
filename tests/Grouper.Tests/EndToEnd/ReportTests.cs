using System.Text.Json;
using Grouper.Batch;

namespace Grouper.Tests.EndToEnd;

/// <summary><c>report --run</c> on a small run (in process): the numbers are the manifest's and the case table's.</summary>
public sealed class ReportTests : IDisposable
{
    private readonly string _dir = TestPaths.NewTempDir("grouper-report");

    public void Dispose() => Directory.Delete(_dir, true);

    private static Task<(int Code, string Out, string Err)> Cli(params string[] args) => InProcessCli.RunAsync(args);

    [Fact]
    public async Task RunReportHasTheManifestCountsAndTheCaseSums()
    {
        var s = TestPaths.SampleData;
        var input = Path.Combine(_dir, "in");
        var output = Path.Combine(_dir, "out");
        Assert.Equal(0, (await Cli("generate", "--out", input, "--count", "300", "--seed", "3", "--region", "350900", "--drg-catalog", Path.Combine(s, "catalogs", "drg-demo"), "--bad-fraction", "0.05")).Code);
        var run = await Cli("run", "--input", input, "--out", output, "--region", "350900", "--policy", Path.Combine(s, "policies"),
            "--drg-catalog", Path.Combine(s, "catalogs", "drg-demo"), "--dip-catalog", Path.Combine(s, "catalogs", "dip-demo"), "--keep-identifiers", "--no-progress");
        Assert.True(run.Code == 3, run.Err);

        var report = await Cli("report", "--run", output, "--top", "5");
        Assert.True(report.Code == 0, report.Err);
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(output, "manifest.json")));
        var m = manifest.RootElement;
        var accepted = m.GetProperty("records_accepted").GetInt64();
        Assert.Contains("| records read | 300 |", report.Out, StringComparison.Ordinal);
        Assert.Contains($"| accepted | {accepted:N0} |", report.Out, StringComparison.Ordinal);
        foreach (var reason in m.GetProperty("rejects_by_reason").EnumerateObject())
        {
            Assert.Contains($"| {reason.Name} | {reason.Value.GetInt64():N0} |", report.Out, StringComparison.Ordinal);
        }

        // The money line equals the manifest's sum of total cost (the same records, summed independently).
        var total = decimal.Parse(m.GetProperty("accepted_money").GetProperty("total_cost").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains($"| total_cost | {total.ToString("N2", System.Globalization.CultureInfo.InvariantCulture)} |", report.Out, StringComparison.Ordinal);
        Assert.Contains("top 5 of", report.Out, StringComparison.Ordinal);

        var html = Path.Combine(_dir, "r.html");
        Assert.Equal(0, (await Cli("report", "--run", output, "--format", "html", "--output", html)).Code);
        var page = File.ReadAllText(html);
        Assert.Contains("<h2>Per hospital</h2>", page, StringComparison.Ordinal);

        var bad = await Cli("report", "--run", output, "--format", "pdf");
        Assert.Equal(2, bad.Code);
        Assert.Contains("--format", bad.Err, StringComparison.Ordinal);
        var none = await Cli("report", "--run", input);
        Assert.Equal(2, none.Code);
        Assert.Contains("no manifest", none.Err, StringComparison.Ordinal);
    }
}
