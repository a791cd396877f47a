using System.Globalization;
using System.Text.Json;
using Grouper.Core;
using Grouper.Ingest;
using Grouper.Nightly.Internals;
using Grouper.Output;
using Grouper.Pipeline;

namespace Grouper.Nightly;

/// <summary>What a nightly settlement reads and where it writes (docs/operations.md).</summary>
public sealed record NightlyOptions
{
    /// <summary>The night: its files are in <c>{Inbox}/yyyy-MM-dd/</c>.</summary>
    public required DateOnly Night { get; init; }

    /// <summary>Inbox root; the night's files are <c>{Inbox}/yyyy-MM-dd/discharges.csv[.gz]</c> and <c>hospitals.csv[.gz]</c>.</summary>
    public required string Inbox { get; init; }

    /// <summary>Dataset root: <c>cases/year=YYYY/month=MM/</c>, <c>nights/yyyy-MM-dd/</c>, <c>.staging/</c>.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Archive root: processed inputs move to <c>{Archive}/yyyy-MM-dd/</c>.</summary>
    public required string Archive { get; init; }

    /// <summary>Year-to-date state database (SQLite); default <c>{OutputDirectory}/year-to-date.db</c>.</summary>
    public string? StatePath { get; init; }

    /// <summary>
    /// The batch job settings (catalogs, policies, region, validation, workers). Its input, output
    /// and state paths are replaced by the night's staging paths.
    /// </summary>
    public required BatchJobOptions Job { get; init; }

    /// <summary>Progress lines for the operator (the host sends them to its logger).</summary>
    public Action<string>? Log { get; init; }

    /// <summary>
    /// Called at each step boundary of the journal with the step's name (<c>staged</c>,
    /// <c>state-committed</c>, <c>outputs-published</c>, <c>archived</c>, <c>marked</c>): the end-to-end
    /// tests kill the process there to prove every boundary is recoverable.
    /// </summary>
    public Action<string>? StepReached { get; init; }

    public string NightName => Night.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public string State => StatePath ?? Path.Combine(OutputDirectory, "year-to-date.db");
}

/// <summary>How a nightly invocation ended.</summary>
public enum NightOutcome
{
    /// <summary>The night was settled and published by this invocation.</summary>
    Settled = 0,

    /// <summary>The night was already complete (its manifest exists): nothing changed.</summary>
    AlreadyComplete = 1,
}

/// <summary>The result: outcome, the night's manifest (as published), and nights whose interrupted publication this invocation finished first.</summary>
public sealed record NightlyResult(NightOutcome Outcome, NightSummary Summary, IReadOnlyList<string> RecoveredNights, double ElapsedSeconds);

/// <summary>The counts of a night manifest that the host prints.</summary>
public sealed record NightSummary(string Night, long RecordsRead, long RecordsAccepted, long RecordsRejected, IReadOnlyList<string> Partitions);

/// <summary>Another nightly run holds the dataset's lock.</summary>
public sealed class NightlyBusyException : Exception
{
    public NightlyBusyException()
    {
    }

    public NightlyBusyException(string message)
        : base(message)
    {
    }

    public NightlyBusyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The nightly settlement (夜间批量结算) as a small journal. Every output of the night, and a copy
/// of the year-to-date state with the night applied, is first built in <c>.staging/{night}/</c> by
/// <see cref="BatchJob"/>; the staged night manifest is written there last (the journal's commit
/// record). Publication then (1) renames the staged state over the real one — the state commit,
/// (2) renames the case partitions and the night's files into place, (3) moves the inputs to the
/// archive, (4) renames the night manifest into <c>nights/{night}/manifest.json</c> — the marker of
/// a complete night — and (5) deletes the staging folder. Every step is a rename that is skipped
/// when already done, so a process killed at any moment and started again finishes the same
/// publication: the outputs and the state end as if never interrupted. A staging folder without
/// its manifest is an interrupted build and is deleted; the state was not touched by it.
/// </summary>
public sealed class NightlyJob(NightlyOptions options)
{
    private const string StagingFolder = ".staging";
    private const string ManifestName = "manifest.json";
    private const string JournalName = "journal.json";

    public NightlyOptions Options { get; } = options;

    public async Task<NightlyResult> RunAsync(IProgress<BatchProgress>? progress = null, CancellationToken ct = default)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var outDir = Options.OutputDirectory;
        Directory.CreateDirectory(outDir);
        using var lockFile = AcquireLock(outDir);

        // First finish any night whose build completed but whose publication was interrupted: the
        // state must include it before another night is settled on top of it.
        var recovered = new List<string>();
        var stagingRoot = Path.Combine(outDir, StagingFolder);
        if (Directory.Exists(stagingRoot))
        {
            foreach (var dir in Directory.GetDirectories(stagingRoot).Order(StringComparer.Ordinal))
            {
                if (File.Exists(Path.Combine(dir, ManifestName)))
                {
                    ct.ThrowIfCancellationRequested();
                    Log($"night {Path.GetFileName(dir)}: finishing an interrupted publication");
                    Publish(dir);
                    recovered.Add(Path.GetFileName(dir));
                }
                else
                {
                    Log(File.Exists(Path.Combine(outDir, "nights", Path.GetFileName(dir), ManifestName))
                        ? $"night {Path.GetFileName(dir)}: removing the staging folder of a published night"
                        : $"night {Path.GetFileName(dir)}: discarding an interrupted build (nothing of it was committed)");
                    Directory.Delete(dir, true);
                }
            }

            DeleteIfEmpty(stagingRoot);
        }

        var night = Options.NightName;
        var marker = Path.Combine(outDir, "nights", night, ManifestName);
        var inbox = Path.Combine(Options.Inbox, night);
        if (File.Exists(marker))
        {
            CheckSameInputs(marker, inbox);
            return new NightlyResult(recovered.Contains(night) ? NightOutcome.Settled : NightOutcome.AlreadyComplete, ReadSummary(marker), recovered, started.Elapsed.TotalSeconds);
        }

        if (!Directory.Exists(inbox))
        {
            throw new InputException(inbox, $"no inbox folder for night {night} (expected {Path.Combine(Options.Inbox, night)}/discharges.csv[.gz] and hospitals.csv[.gz])");
        }

        var staging = Path.Combine(stagingRoot, night);
        try
        {
            await BuildAsync(staging, inbox, progress, ct).ConfigureAwait(false);
        }
        catch
        {
            // An unfinished build never counts: without its manifest nothing would be published anyway.
            TryDelete(staging);
            DeleteIfEmpty(stagingRoot);
            throw;
        }

        // Last point where a cancellation leaves everything as it was: past it, the state is committed
        // and the short publication is completed (interrupting it would only defer it to the next start).
        if (ct.IsCancellationRequested)
        {
            TryDelete(staging);
            DeleteIfEmpty(stagingRoot);
            ct.ThrowIfCancellationRequested();
        }

        Publish(staging);
        return new NightlyResult(NightOutcome.Settled, ReadSummary(marker), recovered, started.Elapsed.TotalSeconds);
    }

    private async Task BuildAsync(string staging, string inbox, IProgress<BatchProgress>? progress, CancellationToken ct)
    {
        var night = Options.NightName;
        Directory.CreateDirectory(staging);
        var runDir = Path.Combine(staging, "run");
        var stagedState = Path.Combine(staging, "state.db");
        StateFiles.Snapshot(Options.State, stagedState);

        var job = new BatchJob(Options.Job with { InputDirectory = inbox, OutputDirectory = runDir, StatePath = stagedState });
        var m = await job.RunAsync(progress, ct).ConfigureAwait(false);
        StateFiles.Close(stagedState);
        Log($"night {night}: {m.RecordsRead:N0} records read, {m.RecordsRejected:N0} rejected, {m.RecordsPerSecond:N0} records/s");

        var publish = Path.Combine(staging, "publish");
        var nightDir = Path.Combine(publish, "nights", night);
        Directory.CreateDirectory(nightDir);
        var partitions = await CasePartitioner.SplitAsync(Path.Combine(runDir, "cases.parquet"), publish, night + ".parquet", ct).ConfigureAwait(false);
        var files = new List<(string Role, string Path)>();
        File.Move(Path.Combine(runDir, "rejects.csv"), Path.Combine(nightDir, "rejects.csv"));
        files.Add(("rejects", Path.Combine(nightDir, "rejects.csv")));
        foreach (var shard in Directory.GetFiles(runDir, "clearing-shard-*.csv").Order(StringComparer.Ordinal))
        {
            var to = Path.Combine(nightDir, Path.GetFileName(shard));
            File.Move(shard, to);
            files.Add(("clearing_shard", to));
        }

        var inputs = new List<(string Name, string Sha, long Bytes)>();
        foreach (var f in m.Inputs.OrderBy(i => i.Role, StringComparer.Ordinal))
        {
            inputs.Add((Path.GetFileName(f.Path), f.Sha256, f.Bytes));
        }

        var runManifest = await File.ReadAllBytesAsync(Path.Combine(runDir, "manifest.json"), ct).ConfigureAwait(false);
        var manifest = NightManifest.Build(night, runManifest, inputs, partitions, files, publish);
        var journal = JsonSerializer.SerializeToUtf8Bytes(new Journal(
            Path.GetFullPath(Options.State), Path.GetFullPath(inbox), Path.GetFullPath(Path.Combine(Options.Archive, night)), Path.GetFullPath(Options.OutputDirectory)));
        AtomicFile.WriteAllBytes(Path.Combine(staging, JournalName), journal);
        Directory.Delete(runDir, true);

        // The journal's commit record: with it, the night is published even if this process dies now.
        foreach (var dir in Directory.GetDirectories(publish, "*", SearchOption.AllDirectories))
        {
            DirectorySync.Flush(dir);
        }

        DirectorySync.Flush(staging);
        AtomicFile.WriteAllBytes(Path.Combine(staging, ManifestName), manifest);
        DirectorySync.Flush(staging);
        Options.StepReached?.Invoke("staged");
    }

    /// <summary>Publishes a staged night; every step is skipped when already done (idempotent).</summary>
    private void Publish(string staging)
    {
        var journal = JsonSerializer.Deserialize<Journal>(File.ReadAllBytes(Path.Combine(staging, JournalName)))
            ?? throw new InvalidOperationException($"{staging}: empty journal");
        var night = Path.GetFileName(staging);

        // 1. The state commit: one rename. Absent staged state = already renamed.
        var stagedState = Path.Combine(staging, "state.db");
        if (File.Exists(stagedState))
        {
            StateFiles.Commit(stagedState, journal.State);
            DirectorySync.Flush(Path.GetDirectoryName(journal.State)!);
            Options.StepReached?.Invoke("state-committed");
        }

        // 2. Outputs: every staged file renamed to the same relative path under the dataset root.
        var publish = Path.Combine(staging, "publish");
        var touched = new SortedSet<string>(StringComparer.Ordinal);
        if (Directory.Exists(publish))
        {
            foreach (var file in Directory.GetFiles(publish, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var to = Path.Combine(journal.Out, Path.GetRelativePath(publish, file));
                Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                File.Move(file, to, overwrite: true);
                touched.Add(Path.GetDirectoryName(to)!);
            }

            foreach (var dir in touched)
            {
                DirectorySync.Flush(dir);
            }

            Options.StepReached?.Invoke("outputs-published");
        }

        // 3. Inputs to the archive.
        var manifestPath = Path.Combine(staging, ManifestName);
        using (var doc = JsonDocument.Parse(File.ReadAllBytes(manifestPath)))
        {
            Directory.CreateDirectory(journal.Archive);
            foreach (var input in doc.RootElement.GetProperty("inputs").EnumerateArray())
            {
                var name = input.GetProperty("name").GetString()!;
                var from = Path.Combine(journal.Inbox, name);
                var to = Path.Combine(journal.Archive, name);
                if (File.Exists(from))
                {
                    File.Move(from, to, overwrite: true);
                }
                else if (!File.Exists(to))
                {
                    Log($"night {night}: input {name} is neither in the inbox nor in the archive");
                }
            }
        }

        DirectorySync.Flush(journal.Archive);
        if (Directory.Exists(journal.Inbox) && !Directory.EnumerateFileSystemEntries(journal.Inbox).Any())
        {
            Directory.Delete(journal.Inbox);
        }

        Options.StepReached?.Invoke("archived");

        // 4. The marker, last.
        var marker = Path.Combine(journal.Out, "nights", night, ManifestName);
        Directory.CreateDirectory(Path.GetDirectoryName(marker)!);
        File.Move(manifestPath, marker, overwrite: true);
        DirectorySync.Flush(Path.GetDirectoryName(marker)!);
        Options.StepReached?.Invoke("marked");

        // 5. Cleanup (a staging folder without manifest is discarded at the next start anyway).
        TryDelete(staging);
        DeleteIfEmpty(Path.GetDirectoryName(staging)!);

        Log($"night {night}: published");
    }

    private static void CheckSameInputs(string marker, string inbox)
    {
        if (!Directory.Exists(inbox))
        {
            return;
        }

        using var doc = JsonDocument.Parse(File.ReadAllBytes(marker));
        foreach (var input in doc.RootElement.GetProperty("inputs").EnumerateArray())
        {
            var name = input.GetProperty("name").GetString()!;
            var path = Path.Combine(inbox, name);
            var found = File.Exists(path) ? path : CsvFiles.Find(inbox, name.Split('.')[0]);
            if (found is null)
            {
                continue;
            }

            var (sha, _) = HashingReadStream.HashFile(found);
            if (sha != input.GetProperty("sha256").GetString())
            {
                throw new InputException(found, $"night {Path.GetFileName(inbox)} was already settled from a different {name} (sha256 {input.GetProperty("sha256").GetString()}); a corrected file needs a correction run, it is never settled over a completed night");
            }
        }
    }

    private static NightSummary ReadSummary(string marker)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(marker));
        var r = doc.RootElement;
        var parts = r.GetProperty("partitions").EnumerateArray().Select(p => p.GetProperty("path").GetString()!).ToList();
        return new NightSummary(
            r.GetProperty("night").GetString()!,
            r.GetProperty("records_read").GetInt64(),
            r.GetProperty("records_accepted").GetInt64(),
            r.GetProperty("records_rejected").GetInt64(),
            parts);
    }

    private static FileStream AcquireLock(string outDir)
    {
        var path = Path.Combine(outDir, ".nightly.lock");
        try
        {
            // FileShare.None takes an exclusive advisory lock; the kernel drops it when the process dies.
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new NightlyBusyException($"another nightly run is working on {Path.GetFullPath(outDir)} (lock {path} is held)", ex);
        }
    }

    private static void TryDelete(string dir)
    {
        try
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, true);
            }
        }
        catch (IOException)
        {
            // Left for the next start, which discards a staging folder without manifest.
        }
    }

    private static void DeleteIfEmpty(string dir)
    {
        if (Directory.Exists(dir) && !Directory.EnumerateFileSystemEntries(dir).Any())
        {
            Directory.Delete(dir);
        }
    }

    private void Log(string message) => Options.Log?.Invoke(message);

    /// <summary>Where a staged night publishes to, fixed when it was built (a restart may pass other paths).</summary>
    private sealed record Journal(string State, string Inbox, string Archive, string Out);
}
