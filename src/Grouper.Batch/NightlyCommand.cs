using Grouper.Ingest;
using Grouper.Nightly;
using Grouper.Pipeline;
using Microsoft.Extensions.Logging;

namespace Grouper.Batch;

/// <summary><c>nightly --date D</c>: settle one night's inbox into the dataset (docs/operations.md).</summary>
internal static class NightlyCommand
{
    public const string Help = """
        grouper nightly — settle one night's discharges into the dataset, safely restartable

        Usage: grouper nightly --date YYYY-MM-DD --inbox DIR --out DIR --archive DIR --region CODE
                               [--state FILE] [--policy DIR] [--drg-catalog DIR] [--dip-catalog DIR] [--workers N]
                               [--pseudonym-key-file PATH | --keep-identifiers] [--temp-dir DIR] [--no-progress]

          --date D        the night; its files are INBOX/D/discharges.csv[.gz] and INBOX/D/hospitals.csv[.gz]
          --inbox DIR     inbox root (one folder per night, named YYYY-MM-DD)
          --out DIR       dataset root: cases/year=YYYY/month=MM/D.parquet (by discharge date),
                          nights/D/ (manifest.json, rejects.csv, clearing-shard-YYYY.csv)
          --archive DIR   processed inputs move to ARCHIVE/D/
          --state FILE    year-to-date state (SQLite; default OUT/year-to-date.db)
          --region, --policy, --drg-catalog, --dip-catalog, --workers, --pseudonym-key-file, --keep-identifiers,
          --temp-dir:     as for 'run'

        A night is complete when OUT/nights/D/manifest.json exists; running it again changes nothing.
        A run killed at any moment finishes the night when started again (any night's start first
        completes an interrupted publication). Ctrl-C / SIGTERM before the state commit: exit 130,
        nothing committed.

        Exit codes: 0 settled (or already complete), 3 settled with rejects (see nights/D/rejects.csv),
                    2 bad input or configuration, 1 failure (or another nightly holds OUT's lock), 130 cancelled.

        Example:
          grouper nightly --date 2024-07-01 --inbox /data/inbox --out /data/dataset --archive /data/archive \
                          --region 350900 --pseudonym-key-file /etc/grouper/key
        """;

    public static async Task<int> RunAsync(Settings settings, Logging logging, TextWriter stdout, CancellationToken ct)
    {
        var cl = settings.CommandLine;
        var dateText = settings.Get("--date") ?? throw new UsageException($"nightly needs the night: {Settings.Describe("--date")}");
        var night = Program.ParseDate("--date", dateText);
        var inbox = settings.ExistingDirectory("--inbox") ?? throw new UsageException($"nightly needs the inbox root: {Settings.Describe("--inbox")}");
        var output = settings.Get("--out") ?? throw new UsageException($"nightly needs the dataset root: {Settings.Describe("--out")}");
        var archive = settings.Get("--archive") ?? throw new UsageException($"nightly needs the archive root: {Settings.Describe("--archive")}");
        var region = settings.Region() ?? throw new UsageException($"nightly needs the insured pooling region: {Settings.Describe("--region")}");
        var policyDir = settings.ExistingDirectory("--policy") ?? "sample-data/policies";
        if (!Directory.Exists(policyDir))
        {
            throw new UsageException($"setting {Settings.Describe("--policy")}: directory '{policyDir}' not found");
        }

        var drgCatalogPath = settings.GetOr("--drg-catalog", "sample-data/catalogs/drg-demo");
        var dipCatalogPath = settings.GetOr("--dip-catalog", "sample-data/catalogs/dip-demo");
        var statePath = settings.Get("--state");
        var workers = settings.Int("--workers", Environment.ProcessorCount, 1, 256);
        var tempDir = settings.Get("--temp-dir");
        var pseudonymizer = Program.ResolvePseudonymizer(settings);
        var noProgress = cl.Has("--no-progress");
        cl.RejectUnknown();
        if (File.Exists(output))
        {
            throw new UsageException($"setting {Settings.Describe("--out")}: '{output}' is a file, not a directory");
        }

        if (File.Exists(archive))
        {
            throw new UsageException($"setting {Settings.Describe("--archive")}: '{archive}' is a file, not a directory");
        }

        if (statePath is not null && Directory.Exists(statePath))
        {
            throw new UsageException($"setting {Settings.Describe("--state")}: '{statePath}' is a directory, not a database file");
        }

        var policies = Program.LoadPolicies(policyDir, region);
        var drgCatalog = Program.LoadDrgCatalog(drgCatalogPath);
        var dipCatalog = Program.LoadDipCatalog(dipCatalogPath);
        var log = logging.Factory.CreateLogger("grouper.nightly");
        var job = new NightlyJob(new NightlyOptions
        {
            Night = night,
            Inbox = inbox,
            OutputDirectory = output,
            Archive = archive,
            StatePath = statePath,
            Job = new BatchJobOptions
            {
                InputDirectory = inbox,
                OutputDirectory = output,
                Workers = workers,
                Validation = new ValidationOptions { InsuredRegion = region, Pseudonymizer = pseudonymizer },
                Policies = policies,
                Region = region,
                DrgCatalog = drgCatalog,
                DipCatalog = dipCatalog,
                TempDirectory = tempDir,
            },
            Log = message =>
            {
                if (log.IsEnabled(LogLevel.Information))
                {
                    log.LogInformation("{Message}", message);
                }
            },
            StepReached = CrashHook(),
        });

        var nightInbox = Path.Combine(inbox, night.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        var inputBytes = Grouper.Ingest.CsvFiles.Find(nightInbox, "discharges") is { } f ? new FileInfo(f).Length : 0;
        NightlyResult result;
        using (var progress = new RunProgress(log, inputBytes, logging.Interactive && !noProgress))
        {
            result = await job.RunAsync(progress, ct).ConfigureAwait(false);
        }

        foreach (var n in result.RecoveredNights)
        {
            await stdout.WriteLineAsync($"night {n}: finished the publication an earlier run had started").ConfigureAwait(false);
        }

        var s = result.Summary;
        if (result.Outcome == NightOutcome.AlreadyComplete)
        {
            await stdout.WriteLineAsync($"night {s.Night} was already settled ({s.RecordsRead:N0} records: {s.RecordsAccepted:N0} accepted, {s.RecordsRejected:N0} rejected); nothing changed").ConfigureAwait(false);
            return ExitCodes.Success;
        }

        await stdout.WriteLineAsync(
            $"night {s.Night}: {s.RecordsRead:N0} records, {s.RecordsAccepted:N0} accepted, {s.RecordsRejected:N0} rejected; " +
            $"{s.Partitions.Count} case partition(s); {result.ElapsedSeconds:N1} s; dataset {Path.GetFullPath(output)}").ConfigureAwait(false);
        return s.RecordsRejected > 0 ? ExitCodes.SuccessWithRejects : ExitCodes.Success;
    }

    /// <summary>
    /// Fault injection for the end-to-end tests: with GROUPER_TEST_KILL_AT=step the process kills
    /// itself with SIGKILL at that journal step (the same death as an operator's kill -9).
    /// </summary>
    private static Action<string>? CrashHook()
    {
        var at = Environment.GetEnvironmentVariable("GROUPER_TEST_KILL_AT");
        if (string.IsNullOrEmpty(at))
        {
            return null;
        }

        return step =>
        {
            if (step == at)
            {
                using var self = System.Diagnostics.Process.GetCurrentProcess();
                self.Kill();
            }
        };
    }
}
