using Grouper.Batch;
using Microsoft.Extensions.Configuration;

namespace Grouper.Tests.Fuzz;

/// <summary>With allowed roots configured, no path setting may point outside them (flag, environment or appsettings.json alike).</summary>
public class PathLimitTests
{
    private static Settings With(string roots, params string[] args) =>
        new(CommandLine.Parse(args, new HashSet<string>(StringComparer.Ordinal)),
            new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Grouper:AllowedRoots"] = roots }).Build());

    [Fact]
    public void PathsInsideTheRootsAreAccepted()
    {
        var root = TestPaths.NewTempDir("grouper-roots");
        var s = With(root + ";/nonexistent-other", "run", "--out", Path.Combine(root, "out"), "--input", Path.Combine(root, "a", "..", "in"));
        Assert.Equal(Path.Combine(root, "out"), s.Get("--out"));
        Assert.NotNull(s.Get("--input"));
        Directory.Delete(root, true);
    }

    [Theory]
    [InlineData("--out", "/etc/grouper")]
    [InlineData("--input", "ROOT/../escape")]
    [InlineData("--shards", "ROOT/ok,/var/other")]
    [InlineData("--pseudonym-key-file", "/root/.ssh/id_rsa")]
    public void PathsThatEscapeTheRootsAreRefusedNamingTheSetting(string flag, string value)
    {
        var root = TestPaths.NewTempDir("grouper-roots");
        var s = With(root, "run", flag, value.Replace("ROOT", root, StringComparison.Ordinal));
        var ex = Assert.Throws<UsageException>(() => s.Get(flag));
        Assert.Contains(flag, ex.Message, StringComparison.Ordinal);
        Assert.Contains("outside the allowed roots", ex.Message, StringComparison.Ordinal);
        Directory.Delete(root, true);
    }

    [Fact]
    public void WithoutRootsNothingIsRestricted()
    {
        var s = new Settings(CommandLine.Parse(["run", "--out", "/tmp/x"], new HashSet<string>(StringComparer.Ordinal)), new ConfigurationBuilder().Build());
        Assert.Equal("/tmp/x", s.Get("--out"));
    }
}
