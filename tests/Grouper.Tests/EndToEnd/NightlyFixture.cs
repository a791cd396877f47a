using System.Diagnostics;

namespace Grouper.Tests.EndToEnd;

/// <summary>
/// Generated inputs for two nights (by the built host's <c>generate</c>) and a reference dataset in
/// which both nights ran uninterrupted, in order. Night 2024-02-01 holds late discharges of
/// December 2023 beside January 2024 ones, so it splits into two years' partitions and shards.
/// </summary>
public sealed class NightlyFixture : IAsyncLifetime
{
    public const string NightA = "2024-02-01";
    public const string NightB = "2024-02-02";

    public string Root { get; } = TestPaths.NewTempDir("grouper-e2e");

    public string Generated => Path.Combine(Root, "generated");

    public Dataset Reference { get; private set; } = null!;

    public SortedDictionary<string, string> ReferenceAfterA { get; private set; } = null!;

    public SortedDictionary<string, string> ReferenceAfterB { get; private set; } = null!;

    /// <summary>Wall time of the reference nights (to spread the random kills over a whole run).</summary>
    public TimeSpan NightDuration { get; private set; }

    public static string[] JobArgs()
    {
        var s = TestPaths.SampleData;
        return
        [
            "--region", "350900", "--policy", Path.Combine(s, "policies"),
            "--drg-catalog", Path.Combine(s, "catalogs", "drg-demo"), "--dip-catalog", Path.Combine(s, "catalogs", "dip-demo"),
            "--pseudonym-key-file", Path.Combine(s, "DEMO-pseudonym.key"), "--workers", "2", "--no-progress",
        ];
    }

    public async Task InitializeAsync()
    {
        var drgDemo = Path.Combine(TestPaths.SampleData, "catalogs", "drg-demo");
        var a = await BatchProcess.RunAsync(Root, null, "generate", "--out", Path.Combine(Generated, NightA), "--count", "2000", "--seed", "7",
            "--region", "350900", "--drg-catalog", drgDemo, "--from", "2023-12-20", "--to", "2024-01-31", "--bad-fraction", "0.01");
        Assert.True(a.Code == 0, a.ToString());
        var b = await BatchProcess.RunAsync(Root, null, "generate", "--out", Path.Combine(Generated, NightB), "--count", "2000", "--seed", "8",
            "--region", "350900", "--drg-catalog", drgDemo, "--from", "2024-01-20", "--to", "2024-02-01", "--bad-fraction", "0.01");
        Assert.True(b.Code == 0, b.ToString());

        Reference = NewDataset("reference");
        var sw = Stopwatch.StartNew();
        var ra = await Reference.NightlyAsync(NightA);
        Assert.True(ra.Code == 3, ra.ToString()); // the generated data has rejects on purpose
        ReferenceAfterA = Reference.Snapshot();
        CopyTree(Reference.Root, AfterATemplate);
        var rb = await Reference.NightlyAsync(NightB);
        Assert.True(rb.Code == 3, rb.ToString());
        NightDuration = sw.Elapsed / 2;
        ReferenceAfterB = Reference.Snapshot();
    }

    /// <summary>A fresh inbox holding both nights' files, an empty dataset and archive.</summary>
    public Dataset NewDataset(string name)
    {
        var d = new Dataset(Path.Combine(Root, name + "-" + Guid.NewGuid().ToString("N")[..6]));
        foreach (var night in new[] { NightA, NightB })
        {
            var inbox = Path.Combine(d.Inbox, night);
            Directory.CreateDirectory(inbox);
            foreach (var f in new[] { "discharges.csv", "hospitals.csv" })
            {
                File.Copy(Path.Combine(Generated, night, f), Path.Combine(inbox, f));
            }
        }

        return d;
    }

    private string AfterATemplate => Path.Combine(Root, "template-after-a");

    /// <summary>A copy of the reference as it was after night A (night B still in the inbox).</summary>
    public Dataset NewDatasetAfterA(string name)
    {
        var d = new Dataset(Path.Combine(Root, name + "-" + Guid.NewGuid().ToString("N")[..6]));
        CopyTree(AfterATemplate, d.Root);
        return d;
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        }

        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Root, true);
        return Task.CompletedTask;
    }

    /// <summary>One inbox / dataset / archive triple.</summary>
    public sealed class Dataset(string root)
    {
        public string Root { get; } = root;

        public string Inbox => Path.Combine(Root, "inbox");

        public string Out => Path.Combine(Root, "out");

        public string Archive => Path.Combine(Root, "archive");

        public string[] NightlyArgs(string night) => ["nightly", "--date", night, "--inbox", Inbox, "--out", Out, "--archive", Archive, .. JobArgs()];

        public Task<BatchProcess.Result> NightlyAsync(string night, IReadOnlyDictionary<string, string>? env = null) =>
            BatchProcess.RunAsync(Root, env, NightlyArgs(night));

        public Process StartNightly(string night, IReadOnlyDictionary<string, string>? env = null) =>
            BatchProcess.Start(Root, env, NightlyArgs(night));

        /// <summary>The whole observable result: dataset (with the state database), archive and what is left in the inbox.</summary>
        public SortedDictionary<string, string> Snapshot() => BatchProcess.Snapshot(("out", Out), ("archive", Archive), ("inbox", Inbox));
    }
}
