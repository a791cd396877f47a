namespace Grouper.Tests;

/// <summary>Locates the repository root and the shared reference data beside it (CI has ../shared next to the checkout).</summary>
internal static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Shared => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    public static string ChsDrg20 => Path.Combine(Shared, "reference-data", "chs-drg-2.0");

    public static string SampleData => Path.Combine(RepoRoot, "sample-data");

    public static string NewTempDir(string prefix = "grouper-test")
    {
        var dir = Path.Combine(Path.GetTempPath(), prefix + "-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Grouper.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Grouper.sln not found above " + AppContext.BaseDirectory);
    }
}
