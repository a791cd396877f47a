namespace Grouper.Tests.EndToEnd;

/// <summary>
/// Bad configuration through the built executable: each kind fails at start-up with exit code 2
/// and a message naming the setting (flag, environment variable and appsettings.json key), before
/// anything is read or written.
/// </summary>
[Collection("EndToEnd")]
public sealed class ConfigurationEndToEndTests : IDisposable
{
    private readonly string _dir = TestPaths.NewTempDir("grouper-e2e-config");

    public ConfigurationEndToEndTests()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "inbox", "2024-02-01"));
    }

    public void Dispose() => Directory.Delete(_dir, true);

    private string[] Nightly(params string[] overrides)
    {
        var args = new List<string> { "nightly", "--date", "2024-02-01", "--inbox", Path.Combine(_dir, "inbox"), "--out", Path.Combine(_dir, "out"), "--archive", Path.Combine(_dir, "archive") };
        args.AddRange(NightlyFixture.JobArgs());
        for (var i = 0; i < overrides.Length; i += 2)
        {
            var at = args.IndexOf(overrides[i]);
            if (overrides[i + 1] == "-")
            {
                args.RemoveRange(at, 2);
            }
            else if (at >= 0)
            {
                args[at + 1] = overrides[i + 1];
            }
            else
            {
                args.Add(overrides[i]);
                args.Add(overrides[i + 1]);
            }
        }

        return [.. args];
    }

    private async Task AssertRefused(BatchProcess.Result r, params string[] mentions)
    {
        Assert.True(r.Code == 2, r.ToString());
        foreach (var m in mentions)
        {
            Assert.True(r.Err.Contains(m, StringComparison.Ordinal), $"the message should name '{m}': {r.Err}");
        }

        Assert.Equal("", r.Out);
        // Refused at start-up: nothing was created.
        Assert.False(Directory.Exists(Path.Combine(_dir, "out")), "out/ was created by a refused run");
        await Task.CompletedTask;
    }

    [Fact]
    public async Task WrongInboxPathNamesTheSetting() =>
        await AssertRefused(await BatchProcess.RunAsync(_dir, null, Nightly("--inbox", Path.Combine(_dir, "no-such-inbox"))), "--inbox", "GROUPER_INBOX", "Grouper:Inbox", "no-such-inbox");

    [Fact]
    public async Task WrongPolicyPathFromTheEnvironmentNamesTheSetting() =>
        await AssertRefused(
            await BatchProcess.RunAsync(_dir, new Dictionary<string, string> { ["GROUPER_POLICY"] = Path.Combine(_dir, "no-policies") }, Nightly("--policy", "-")),
            "--policy", "GROUPER_POLICY", "Grouper:Policy", "no-policies");

    [Fact]
    public async Task UnknownRegionNamesTheSetting() =>
        await AssertRefused(await BatchProcess.RunAsync(_dir, null, Nightly("--region", "999999")), "--region", "GROUPER_REGION", "no policy for region 999999");

    [Fact]
    public async Task MalformedRegionFromTheEnvironmentNamesTheSetting() =>
        await AssertRefused(
            await BatchProcess.RunAsync(_dir, new Dictionary<string, string> { ["GROUPER_REGION"] = "35090" }, Nightly("--region", "-")),
            "GROUPER_REGION", "6-digit", "'35090'");

    [Fact]
    public async Task MissingCatalogNamesTheSetting() =>
        await AssertRefused(await BatchProcess.RunAsync(_dir, null, Nightly("--dip-catalog", Path.Combine(_dir, "no-dip"))), "--dip-catalog", "GROUPER_DIP_CATALOG", "Grouper:DipCatalog");

    [Fact]
    public async Task BadAppsettingsValueNamesTheKey()
    {
        // appsettings.json in the working directory; the flag is not given, so the file's value is used.
        File.WriteAllText(Path.Combine(_dir, "appsettings.json"), """{ "Grouper": { "Workers": "many" } }""");
        await AssertRefused(await BatchProcess.RunAsync(_dir, null, Nightly("--workers", "-")), "Grouper:Workers", "'many'");
    }

    [Fact]
    public async Task FlagOverridesEnvironmentOverridesAppsettings()
    {
        // appsettings says a bad region, the environment a good-looking unknown one, the flag wins over both.
        File.WriteAllText(Path.Combine(_dir, "appsettings.json"), """{ "Grouper": { "Region": "bad" } }""");
        var env = new Dictionary<string, string> { ["GROUPER_REGION"] = "111111" };
        await AssertRefused(await BatchProcess.RunAsync(_dir, env, Nightly("--region", "-")), "no policy for region 111111");
        var flag = await BatchProcess.RunAsync(_dir, env, Nightly("--region", "350900"));
        // With the flag's valid region the configuration passes; the night's folder is empty, so the input is refused.
        Assert.True(flag.Code == 2, flag.ToString());
        Assert.Contains("discharges", flag.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadDateUnknownOptionAndMissingNight()
    {
        await AssertRefused(await BatchProcess.RunAsync(_dir, null, Nightly("--date", "2024-13-01")), "--date", "yyyy-MM-dd");
        await AssertRefused(await BatchProcess.RunAsync(_dir, null, Nightly("--colour", "red")), "unknown option '--colour'");
        var missing = await BatchProcess.RunAsync(_dir, null, Nightly("--date", "2024-03-01"));
        Assert.True(missing.Code == 2, missing.ToString());
        Assert.Contains("no inbox folder for night 2024-03-01", missing.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HelpAndUnknownCommand()
    {
        foreach (var command in new[] { "nightly", "report", "clear" })
        {
            var help = await BatchProcess.RunAsync(_dir, null, command, "--help");
            Assert.True(help.Code == 0, help.ToString());
            Assert.Contains($"Usage: grouper {command}", help.Out, StringComparison.Ordinal);
        }

        var unknown = await BatchProcess.RunAsync(_dir, null, "nightlyy");
        Assert.Equal(2, unknown.Code);
        Assert.Contains("unknown command 'nightlyy'", unknown.Err, StringComparison.Ordinal);
    }
}
