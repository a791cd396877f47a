using System.Diagnostics;
using Xunit.Abstractions;

namespace Grouper.Tests.EndToEnd;

/// <summary>
/// The nightly mode through the built executable: idempotent re-runs, SIGKILL at random moments and
/// at every journal step followed by a restart (the result must be byte-identical to the
/// uninterrupted reference), and Ctrl-C / SIGTERM (exit 130, nothing committed).
/// </summary>
[Collection("EndToEnd")]
public sealed class NightlyEndToEndTests(NightlyFixture fx, ITestOutputHelper output) : IClassFixture<NightlyFixture>
{
    [Fact]
    public void ReferenceNightsWriteThePartitionedDataset()
    {
        var r = fx.Reference;
        var a = NightlyFixture.NightA;
        Assert.True(File.Exists(Path.Combine(r.Out, "nights", a, "manifest.json")));
        // Night A's late December discharges go to 2023's partition and shard, January's to 2024's.
        Assert.True(File.Exists(Path.Combine(r.Out, "cases", "year=2023", "month=12", a + ".parquet")));
        Assert.True(File.Exists(Path.Combine(r.Out, "cases", "year=2024", "month=01", a + ".parquet")));
        Assert.True(File.Exists(Path.Combine(r.Out, "nights", a, "clearing-shard-2023.csv")));
        Assert.True(File.Exists(Path.Combine(r.Out, "nights", a, "clearing-shard-2024.csv")));
        Assert.True(File.Exists(Path.Combine(r.Archive, a, "discharges.csv")));
        Assert.False(Directory.Exists(Path.Combine(r.Inbox, a)));
        Assert.False(Directory.Exists(Path.Combine(r.Out, ".staging")));
        Assert.True(File.Exists(Path.Combine(r.Out, "year-to-date.db")));

        // The partitions hold exactly the accepted records, each month only its own discharges.
        var rows = Query($"SELECT count(*), count(DISTINCT case_id) FROM read_parquet('{r.Out}/cases/*/*/{a}.parquet', hive_partitioning = true)");
        Assert.Equal(1985L, Convert.ToInt64(rows[0], System.Globalization.CultureInfo.InvariantCulture));
        var wrong = Query($"SELECT count(*) FROM read_parquet('{r.Out}/cases/*/*/*.parquet', hive_partitioning = true) WHERE year(discharge_date) <> year OR month(discharge_date) <> month");
        Assert.Equal(0L, Convert.ToInt64(wrong[0], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task SameNightTwiceChangesNothing()
    {
        var d = fx.NewDataset("twice");
        Assert.Equal(3, (await d.NightlyAsync(NightlyFixture.NightA)).Code);
        var after = d.Snapshot();
        Assert.Equal(fx.ReferenceAfterA, after);

        var again = await d.NightlyAsync(NightlyFixture.NightA);
        Assert.True(again.Code == 0, again.ToString());
        Assert.Contains("already settled", again.Out, StringComparison.Ordinal);
        Assert.Equal("", BatchProcess.Diff(after, d.Snapshot()));

        // The same files delivered again: still nothing changes (and they are left where they are).
        var inbox = Path.Combine(d.Inbox, NightlyFixture.NightA);
        Directory.CreateDirectory(inbox);
        File.Copy(Path.Combine(fx.Generated, NightlyFixture.NightA, "discharges.csv"), Path.Combine(inbox, "discharges.csv"));
        var redelivered = d.Snapshot();
        Assert.Equal(0, (await d.NightlyAsync(NightlyFixture.NightA)).Code);
        Assert.Equal("", BatchProcess.Diff(redelivered, d.Snapshot()));

        // A different file for a settled night is refused, naming the file.
        File.AppendAllText(Path.Combine(inbox, "discharges.csv"), "\n");
        var changed = await d.NightlyAsync(NightlyFixture.NightA);
        Assert.True(changed.Code == 2, changed.ToString());
        Assert.Contains("discharges.csv", changed.Err, StringComparison.Ordinal);
        Assert.Contains("already settled from a different", changed.Err, StringComparison.Ordinal);
        Directory.Delete(inbox, true);
        Assert.Equal("", BatchProcess.Diff(after, d.Snapshot()));
    }

    [Fact]
    public async Task KilledAtRandomMomentsAndRestartedEndsAsUninterrupted()
    {
        var d = fx.NewDataset("kill-random");
        var random = new Random(20241123); // seeded: the same kill moments on every run of the test
        var window = fx.NightDuration * 1.2;
        var log = new List<string>();
        foreach (var night in new[] { NightlyFixture.NightA, NightlyFixture.NightB })
        {
            for (var k = 0; k < 3; k++)
            {
                var delay = TimeSpan.FromMilliseconds(random.Next(150, (int)window.TotalMilliseconds));
                using var p = d.StartNightly(night);
                var exited = p.WaitForExit(delay);
                if (!exited)
                {
                    p.Kill(); // SIGKILL
                }

                var r = await BatchProcess.WaitAsync(p);
                log.Add($"{night} kill {k} after {delay.TotalMilliseconds:F0} ms: {(exited ? "finished first, exit " + r.Code : "killed")}; left: {Phase(d, night)}");
                Assert.True(!exited || r.Code is 0 or 3, r.ToString());
            }

            var final = await d.NightlyAsync(night);
            Assert.True(final.Code is 0 or 3, string.Join('\n', log) + "\n" + final);
        }

        output.WriteLine(string.Join('\n', log));
        var diff = BatchProcess.Diff(fx.ReferenceAfterB, d.Snapshot());
        Assert.True(diff.Length == 0, string.Join('\n', log) + "\n" + diff);
    }

    [Fact]
    public async Task KilledAtEveryJournalStepAndRestartedEndsAsUninterrupted()
    {
        var d = fx.NewDatasetAfterA("kill-steps");
        string[] steps = ["staged", "state-committed", "outputs-published", "archived", "marked"];
        foreach (var night in new[] { NightlyFixture.NightB })
        {
            foreach (var step in steps)
            {
                // Each start first finishes what the killed one left, then dies at the next step.
                var r = await d.NightlyAsync(night, new Dictionary<string, string> { ["GROUPER_TEST_KILL_AT"] = step });
                Assert.True(r.Code == 137, $"expected SIGKILL at {step}: {r}");
                Assert.False(File.Exists(Path.Combine(d.Out, "nights", night, "manifest.json")) && step != "marked", $"marker present before the last step ({step})");
            }

            var final = await d.NightlyAsync(night);
            Assert.True(final.Code is 0 or 3, final.ToString());
        }

        Assert.Equal("", BatchProcess.Diff(fx.ReferenceAfterB, d.Snapshot()));
    }

    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public async Task SignalStopsCleanlyWithNothingCommitted(string signal)
    {
        var d = fx.NewDatasetAfterA("cancel-" + signal);
        var before = d.Snapshot();
        Assert.Equal("", BatchProcess.Diff(fx.ReferenceAfterA, before));

        using var p = d.StartNightly(NightlyFixture.NightB);
        // Signal while the batch job is writing into the staging folder (well before the state commit).
        var run = Path.Combine(d.Out, ".staging", NightlyFixture.NightB, "run");
        var sw = Stopwatch.StartNew();
        while (!Directory.Exists(run) && !p.HasExited && sw.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(5);
        }

        BatchProcess.Signal(p, signal);
        var r = await BatchProcess.WaitAsync(p);
        Assert.True(r.Code == 130, r.ToString());
        Assert.Contains("cancelled", r.Err, StringComparison.Ordinal);
        // Nothing that looks complete, the state and the archive as they were, the inputs still in the inbox.
        Assert.Equal("", BatchProcess.Diff(before, d.Snapshot()));

        if (signal == "INT")
        {
            // Started again, the night runs as if the cancelled attempt had never been.
            Assert.Equal(3, (await d.NightlyAsync(NightlyFixture.NightB)).Code);
            Assert.Equal("", BatchProcess.Diff(fx.ReferenceAfterB, d.Snapshot()));
        }
    }

    [Fact]
    public async Task ASecondNightlyOnTheSameDatasetIsRefused()
    {
        var d = fx.NewDatasetAfterA("locked");
        var before = d.Snapshot();
        // Hold the dataset's lock the way a running nightly does (an exclusive lock on .nightly.lock).
        using (new FileStream(Path.Combine(d.Out, ".nightly.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var r = await d.NightlyAsync(NightlyFixture.NightB);
            Assert.True(r.Code == 1, r.ToString());
            Assert.Contains("another nightly run is working on", r.Err, StringComparison.Ordinal);
        }

        Assert.Equal("", BatchProcess.Diff(before, d.Snapshot()));
    }

    [Fact]
    public async Task ClearAndReportReadTheDataset()
    {
        var r = fx.Reference;
        var clearOut = Path.Combine(fx.Root, "clear-" + Guid.NewGuid().ToString("N")[..6]);
        var inputs = Path.Combine(TestPaths.SampleData, "clearing", "350900-2024-demo.yaml");
        var clear = await BatchProcess.RunAsync(fx.Root, null, "clear", "--year", "2024", "--dataset", r.Out, "--inputs", inputs, "--out", clearOut);
        Assert.True(clear.Code == 0, clear.ToString());
        Assert.Contains("2 night shard(s) of 2024", clear.Out, StringComparison.Ordinal);
        Assert.Contains("invariants hold", clear.Out, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(clearOut, "clearing.parquet")));

        // The clearing's case counts come from the nights; they equal the rows of cases/year=2024.
        var rows = Convert.ToInt64(Query($"SELECT count(*) FROM read_parquet('{r.Out}/cases/year=2024/*/*.parquet')")[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains($"{rows:N0} cases, reconciled", clear.Out, StringComparison.Ordinal);

        var report = await BatchProcess.RunAsync(fx.Root, null, "report", "--dataset", r.Out, "--night", NightlyFixture.NightA);
        Assert.True(report.Code == 0, report.ToString());
        Assert.Contains("# Grouper report — Night 2024-02-01", report.Out, StringComparison.Ordinal);
        Assert.Contains("| records read | 2,000 |", report.Out, StringComparison.Ordinal);
        Assert.Contains("| accepted | 1,985 |", report.Out, StringComparison.Ordinal);
        Assert.Contains("| DUPLICATE_CASE | 1 |", report.Out, StringComparison.Ordinal);

        var html = Path.Combine(fx.Root, "night.html");
        var htmlRun = await BatchProcess.RunAsync(fx.Root, null, "report", "--dataset", r.Out, "--night", NightlyFixture.NightB, "--format", "html", "--output", html);
        Assert.True(htmlRun.Code == 0, htmlRun.ToString());
        Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(html), StringComparison.Ordinal);

        // A half-published night makes the dataset unusable for the clearing until nightly finishes it.
        var broken = fx.NewDatasetAfterA("half");
        Assert.Equal(137, (await broken.NightlyAsync(NightlyFixture.NightB, new Dictionary<string, string> { ["GROUPER_TEST_KILL_AT"] = "outputs-published" })).Code);
        var refused = await BatchProcess.RunAsync(fx.Root, null, "clear", "--year", "2024", "--dataset", broken.Out, "--inputs", inputs, "--out", clearOut);
        Assert.True(refused.Code == 2, refused.ToString());
        Assert.Contains("not yet published", refused.Err, StringComparison.Ordinal);
    }

    /// <summary>Where a killed run stopped, as far as the files tell.</summary>
    private static string Phase(NightlyFixture.Dataset d, string night)
    {
        var staging = Path.Combine(d.Out, ".staging", night);
        if (File.Exists(Path.Combine(d.Out, "nights", night, "manifest.json")))
        {
            return "night complete";
        }

        if (File.Exists(Path.Combine(staging, "manifest.json")))
        {
            return File.Exists(Path.Combine(staging, "state.db")) ? "staged, not committed" : "state committed, publishing";
        }

        return Directory.Exists(staging) ? "build interrupted" : "nothing started";
    }

    private static object[] Query(string sql)
    {
        var rows = DuckDbQuery.Rows(sql);
        Assert.NotEmpty(rows);
        return rows[0];
    }
}
