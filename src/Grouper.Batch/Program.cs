using Grouper.Core;
using Grouper.Ingest;
using Grouper.Pipeline;
using Microsoft.Extensions.Logging;

namespace Grouper.Batch;

public static class Program
{
    private const string MainHelp = """
        grouper — DRG/DIP grouping and settlement batch for medical-insurance bureaus

        Usage: grouper <command> [options]

        Commands:
          run                 validate, group (DRG + DIP), settle and price a directory of discharges.csv + hospitals.csv
          validate            only check the input: writes rejects.csv and manifest.json
          group               validate and group (DRG + DIP), no money: writes cases.parquet with the group columns
          generate            write synthetic discharges.csv + hospitals.csv (deterministic from a seed)
          settle              the same as run (validate, group, settle and price)
          nightly             settle one night's inbox into the partitioned dataset, the year-to-date state and the archive
          report              a readable summary of a run or a night (counts, rejects, money, hospitals, groups)
          clear               year-end DIP clearing from the runs' clearing shards or a nightly dataset
          compare             which cases changed group or amount between two runs, and by how much
          catalog import      convert the public CHS-DRG 2.0 tables into a DRG catalog
          dip build-catalog   build a DIP catalog from historical discharge files

        Run 'grouper <command> --help' for the options of a command.

        Exit codes: 0 success, 3 success with rejects (see rejects.csv), 2 bad input or configuration,
                    1 internal failure, 130 cancelled.
        """;

    private const string RunHelp = """
        grouper run — the batch run

        Usage: grouper run --region CODE [--input DIR] [--out DIR] [--policy DIR] [--state FILE] [--workers N]
                           [--drg-catalog DIR] [--dip-catalog DIR] [--pseudonym-key-file PATH | --keep-identifiers]
                           [--trace FILE] [--temp-dir DIR]

          --region CODE            insured pooling region whose policy settles the run, 6 digits (e.g. 350900)
          --input DIR              directory with discharges.csv[.gz] and hospitals.csv[.gz] (default: sample-data)
          --out DIR                output directory (default: out); writes cases.parquet, rejects.csv, manifest.json
          --policy DIR             policy files (default: sample-data/policies)
          --drg-catalog DIR        DRG catalog (default: the DEMO catalog sample-data/catalogs/drg-demo;
                                   make the national one with 'catalog import')
          --dip-catalog DIR        DIP catalog (default: the DEMO catalog sample-data/catalogs/dip-demo;
                                   build a region's own with 'dip build-catalog')
          --state FILE             year-to-date state database (SQLite); without it the run starts from an empty
                                   state and persists nothing. The same input is never counted twice.
          --workers N              worker threads (default: number of cores); outputs do not depend on it
          --pseudonym-key-file P   file holding the secret key for person_id pseudonyms (HMAC-SHA256);
                                   or set GROUPER_PSEUDONYM_KEY_FILE / GROUPER_PSEUDONYM_KEY
          --keep-identifiers       write raw person ids (only when no key is configured)
          --trace FILE             also write every case's DRG rule steps to FILE (CSV case_id,step,rule,detail;
                                   a second, slower pass over the input; see docs/drg.md)
          --temp-dir DIR           where the run keeps per-case data between its passes, in a private
                                   subdirectory deleted at the end (default: the output directory);
                                   needs about 300 bytes per input record of free space

        Example:
          grouper run --input sample-data --out out --region 350900 --pseudonym-key-file key.txt
          GROUPER_REGION=350900 grouper run --input /data/2024-06-30 --out /data/out --state /data/ytd.db
        """;

    private const string ValidateHelp = """
        grouper validate — check discharges.csv + hospitals.csv against the input contract

        Usage: grouper validate [--input DIR] [--out DIR] [--region CODE]

        Writes OUT/rejects.csv (line, case_id, reason, field, message) and OUT/manifest.json; no case output.
        Exit code 0 when every record is valid, 3 when some are rejected, 2 when the file itself is unusable.

        Example:
          grouper validate --input /data/inbox/2024-06-30 --out /tmp/check
        """;

    private const string GroupHelp = """
        grouper group — DRG and DIP groups of every case, without money

        Usage: grouper group [--input DIR] [--out DIR] [--drg-catalog DIR] [--dip-catalog DIR] [--trace FILE]
                             [--pseudonym-key-file PATH | --keep-identifiers] [--temp-dir DIR]

        Writes OUT/cases.parquet with the input fields and the DRG and DIP columns, OUT/rejects.csv, OUT/manifest.json.

          --trace FILE             also write every valid case's DRG rule steps, in input order, to FILE: CSV with
                                   header case_id,step,rule,detail (step = 1, 2, ... within the case; rule = the
                                   drg.md step, 'normalise', 'ADRG <code> [<logic>]' or 'result'). A second,
                                   slower pass over the input; without --trace grouping runs at full speed.
          --temp-dir DIR           where case ids are spilled when the input is large (over ~4 M records: a
                                   first pass finds duplicate case ids on disk so memory stays flat; default:
                                   the output directory)

        Example:
          grouper group --input sample-data --out out-groups --drg-catalog catalogs/chs-drg-2.0 --keep-identifiers
          grouper group --input sample-data --out out-groups --keep-identifiers --trace out-groups/trace.csv
        """;

    private const string GenerateHelp = """
        grouper generate — synthetic sample data, byte-identical for the same options

        Usage: grouper generate --out DIR [--count N] [--seed S] [--bad-fraction F] [--reference DIR]
                                [--from yyyy-MM-dd] [--to yyyy-MM-dd] [--gzip]

          --out DIR           where to write discharges.csv, hospitals.csv, expected-rejects.csv, expected-warnings.csv
          --count N           records (default 10000)
          --seed S            PRNG seed (default 1)
          --bad-fraction F    share of lines that are rejects or trigger warnings, every kind (default 0)
          --reference DIR     draw codes from the real CHS-DRG 2.0 tables in DIR (default: built-in common codes)
          --drg-catalog DIR   draw codes from a DRG catalog of ours (e.g. the demo catalog, so cases group there)
          --region CODE       only this insured region (350900 Ningde, 411500 Xinyang, 330200 Ningbo); default all three
          --from, --to        discharge date range (default the calendar year 2024)
          --gzip              write discharges.csv.gz

        Examples:
          grouper generate --out sample-data --count 10000 --seed 1 --bad-fraction 0.01
          grouper generate --out /tmp/big --count 5000000 --reference ../shared/reference-data/chs-drg-2.0
        """;

    public static async Task<int> Main(string[] args)
    {
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, ctx =>
        {
            ctx.Cancel = true;
            cts.Cancel();
        });
        return await RunAsync(args, Console.Out, Console.Error, cts.Token).ConfigureAwait(false);
    }

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        try
        {
            var cl = CommandLine.Parse(args, new HashSet<string>(StringComparer.Ordinal) { "--keep-identifiers", "--gzip", "--no-progress" });
            var settings = new Settings(cl, Settings.BuildConfiguration());
            using var logging = Logging.Create(settings);
            var command = cl.Words.Count > 0 ? cl.Words[0] : null;
            switch (command)
            {
                case null when cl.Help:
                case "help":
                    await stdout.WriteLineAsync(MainHelp).ConfigureAwait(false);
                    return ExitCodes.Success;
                case null:
                    await stderr.WriteLineAsync("error: no command given.\n\n" + MainHelp).ConfigureAwait(false);
                    return ExitCodes.BadInput;
                case "compare":
                    if (cl.Help)
                    {
                        await stdout.WriteLineAsync(CompareCommand.Help).ConfigureAwait(false);
                        return ExitCodes.Success;
                    }

                    return await CompareCommand.RunAsync(settings, stdout, ct).ConfigureAwait(false);
                case "clear":
                    if (cl.Help)
                    {
                        await stdout.WriteLineAsync(ClearCommand.Help).ConfigureAwait(false);
                        return ExitCodes.Success;
                    }

                    return await ClearCommand.RunAsync(settings, stdout, stderr).ConfigureAwait(false);
                case "run" or "settle":
                    if (cl.Help)
                    {
                        await stdout.WriteLineAsync(RunHelp).ConfigureAwait(false);
                        return ExitCodes.Success;
                    }

                    return await RunBatchAsync(settings, logging, stdout, ct).ConfigureAwait(false);
                case "nightly":
                    if (cl.Help)
                    {
                        await stdout.WriteLineAsync(NightlyCommand.Help).ConfigureAwait(false);
                        return ExitCodes.Success;
                    }

                    return await NightlyCommand.RunAsync(settings, logging, stdout, ct).ConfigureAwait(false);
                case "report":
                    if (cl.Help)
                    {
                        await stdout.WriteLineAsync(ReportCommand.Help).ConfigureAwait(false);
                        return ExitCodes.Success;
                    }

                    return await ReportCommand.RunAsync(settings, stdout, ct).ConfigureAwait(false);
                case "validate" or "group":
                    if (cl.Help)
                    {
                        await stdout.WriteLineAsync(command == "validate" ? ValidateHelp : GroupHelp).ConfigureAwait(false);
                        return ExitCodes.Success;
                    }

                    return await RunBatchAsync(settings, logging, stdout, ct, command).ConfigureAwait(false);
                case "catalog" when cl.Words.Count > 1 && cl.Words[1] == "import":
                    if (cl.Help)
                    {
                        await stdout.WriteLineAsync(CatalogCommands.ImportHelp).ConfigureAwait(false);
                        return ExitCodes.Success;
                    }

                    return await CatalogCommands.ImportAsync(settings, stdout).ConfigureAwait(false);
                case "dip" when cl.Words.Count > 1 && cl.Words[1] == "build-catalog":
                    if (cl.Help)
                    {
                        await stdout.WriteLineAsync(CatalogCommands.BuildHelp).ConfigureAwait(false);
                        return ExitCodes.Success;
                    }

                    return await CatalogCommands.BuildAsync(settings, stdout, ct).ConfigureAwait(false);
                case "generate":
                    if (cl.Help)
                    {
                        await stdout.WriteLineAsync(GenerateHelp).ConfigureAwait(false);
                        return ExitCodes.Success;
                    }

                    return await GenerateAsync(settings, stdout).ConfigureAwait(false);
                default:
                    await stderr.WriteLineAsync($"error: unknown command '{command}'.\n\n" + MainHelp).ConfigureAwait(false);
                    return ExitCodes.BadInput;
            }
        }
        catch (UsageException ex)
        {
            await stderr.WriteLineAsync($"error: {ex.Message} (see --help)").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }
        catch (InputException ex)
        {
            await stderr.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }
        catch (Grouper.Nightly.NightlyBusyException ex)
        {
            await stderr.WriteLineAsync($"error: {ex.Message}; nothing was done").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException)
        {
            await stderr.WriteLineAsync("cancelled: no output was committed").ConfigureAwait(false);
            return ExitCodes.Cancelled;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            await stderr.WriteLineAsync($"internal error ({ex.GetType().Name}): {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
    }

    internal static Grouper.Drg.DrgCatalog LoadDrgCatalog(string path)
    {
        if (!Directory.Exists(path) && !File.Exists(path))
        {
            throw new UsageException($"setting {Settings.Describe("--drg-catalog")}: '{path}' not found");
        }

        return Grouper.Drg.DrgCatalog.Load(path);
    }

    internal static Grouper.Dip.DipCatalog LoadDipCatalog(string path)
    {
        if (!Directory.Exists(path))
        {
            throw new UsageException($"setting {Settings.Describe("--dip-catalog")}: directory '{path}' not found");
        }

        return Grouper.Dip.DipCatalog.Load(path);
    }

    internal static Grouper.Settlement.PolicyStore LoadPolicies(string dir, string region)
    {
        var store = Grouper.Settlement.PolicyStore.Load(dir);
        if (!store.Regions.Contains(region))
        {
            throw new UsageException($"setting {Settings.Describe("--region")}: no policy for region {region} in {dir} (policies there: {string.Join(", ", store.Regions)})");
        }

        return store;
    }

    private static async Task<int> GenerateAsync(Settings settings, TextWriter stdout)
    {
        var cl = settings.CommandLine;
        var output = settings.Get("--out") ?? throw new UsageException("generate needs --out DIR");
        var options = new Grouper.Generation.GeneratorOptions
        {
            Count = (int)Math.Min(int.MaxValue, cl.GetLong("--count", 10_000)),
            Seed = (ulong)cl.GetLong("--seed", 1),
            BadFraction = cl.GetFraction("--bad-fraction", 0),
            Gzip = cl.Has("--gzip"),
        };
        if (cl.Get("--from") is { } from)
        {
            options = options with { From = ParseDate("--from", from) };
        }

        if (cl.Get("--to") is { } to)
        {
            options = options with { To = ParseDate("--to", to) };
        }

        if (cl.Get("--region") is { } regionCode)
        {
            var region = Grouper.Generation.GeneratorRegion.ByCode(regionCode)
                ?? throw new UsageException($"--region: the generator knows 350900, 411500 and 330200, got '{regionCode}'");
            options = options with { Regions = [region] };
        }

        var reference = settings.Get("--reference");
        var catalogPath = settings.Get("--drg-catalog");
        cl.RejectUnknown();
        if (reference is not null && !Directory.Exists(reference))
        {
            throw new InputException(reference, "reference tables directory not found (--reference)");
        }

        Grouper.Generation.IGeneratorCodeSource? codes = reference is not null ? new Grouper.Generation.ReferenceTablesCodeSource(reference)
            : catalogPath is not null ? new Grouper.Generation.DrgCatalogCodeSource(LoadDrgCatalog(catalogPath))
            : null;
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var summary = Grouper.Generation.DischargeGenerator.WriteFiles(output, options, codes);
        await stdout.WriteLineAsync($"wrote {summary.Records:N0} records and {summary.Hospitals} hospitals to {Path.GetFullPath(output)} in {sw.Elapsed.TotalSeconds:N1} s").ConfigureAwait(false);
        return ExitCodes.Success;
    }

    internal static DateOnly ParseDate(string flag, string value) =>
        DateOnly.TryParseExact(value, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var d)
            ? d
            : throw new UsageException($"{flag} expects a date yyyy-MM-dd, got '{value}'");

    /// <summary>Pseudonyms are on by default: without a key the run refuses to write raw ids unless told to keep them.</summary>
    internal static Grouper.Privacy.Pseudonymizer? ResolvePseudonymizer(Settings settings)
    {
        var keep = settings.CommandLine.Has("--keep-identifiers");
        var pseudonymizer = Grouper.Privacy.Pseudonymizer.FromConfiguration(settings.Get("--pseudonym-key-file"));
        if (pseudonymizer is null && !keep)
        {
            throw new UsageException(
                "no pseudonymization key is configured, and outputs never carry raw person ids by default: set " +
                Grouper.Privacy.Pseudonymizer.KeyFileVariable + " or " + Grouper.Privacy.Pseudonymizer.KeyVariable +
                " (or --pseudonym-key-file), or pass --keep-identifiers to write raw ids");
        }

        if (pseudonymizer is not null && keep)
        {
            throw new UsageException("--keep-identifiers cannot be combined with a configured pseudonymization key");
        }

        return pseudonymizer;
    }

    /// <summary>--trace FILE: a separate pass over the input on the grouper's trace path (docs/drg.md).</summary>
    private static async Task WriteTraceAsync(Grouper.Drg.DrgCatalog catalog, string input, Grouper.Privacy.Pseudonymizer? pseudonymizer, string? region, string tracePath, TextWriter stdout, CancellationToken ct)
    {
        var hospitals = Grouper.Ingest.HospitalTable.Load(Grouper.Ingest.CsvFiles.Find(input, "hospitals")!);
        var validation = new ValidationOptions { InsuredRegion = region, Pseudonymizer = pseudonymizer };
        var discharges = Grouper.Ingest.CsvFiles.Find(input, "discharges")!;
        var n = await Grouper.Drg.DrgTraceWriter.WriteAsync(new Grouper.Drg.DrgGrouper(catalog), discharges, hospitals, validation, tracePath, ct).ConfigureAwait(false);
        await stdout.WriteLineAsync($"traced {n:N0} cases to {Path.GetFullPath(tracePath)}").ConfigureAwait(false);
    }

    private static async Task<int> RunBatchAsync(Settings settings, Logging logging, TextWriter stdout, CancellationToken ct, string command = "run")
    {
        var cl = settings.CommandLine;
        var input = settings.ExistingDirectory("--input") ?? "sample-data";
        var output = settings.GetOr("--out", "out");
        var settles = command is "run" or "settle";
        var groups = command != "validate";
        var region = settings.Region();
        if (settles && region is null)
        {
            throw new UsageException($"run needs the insured pooling region: {Settings.Describe("--region")}");
        }

        var policyDir = settles ? settings.ExistingDirectory("--policy") ?? "sample-data/policies" : null;
        if (policyDir is not null && !Directory.Exists(policyDir))
        {
            throw new UsageException($"setting {Settings.Describe("--policy")}: directory '{policyDir}' not found");
        }

        var drgCatalogPath = groups ? settings.GetOr("--drg-catalog", "sample-data/catalogs/drg-demo") : null;
        var dipCatalogPath = groups ? settings.GetOr("--dip-catalog", "sample-data/catalogs/dip-demo") : null;

        var statePath = settings.Get("--state");
        var workers = settings.Int("--workers", Environment.ProcessorCount, 1, 256);
        var tempDir = settings.Get("--temp-dir");
        if (tempDir is not null && File.Exists(tempDir))
        {
            throw new UsageException($"setting {Settings.Describe("--temp-dir")}: '{tempDir}' is a file, not a directory");
        }

        var pseudonymizer = ResolvePseudonymizer(settings);
        var noProgress = cl.Has("--no-progress");
        var tracePath = groups ? settings.Get("--trace") : null;
        if (groups && tracePath is null && cl.Has("--trace"))
        {
            throw new UsageException("--trace needs a FILE to write the rule steps to, e.g. --trace out/trace.csv");
        }
        cl.RejectUnknown();
        var drgCatalog = drgCatalogPath is null ? null : LoadDrgCatalog(drgCatalogPath);
        var dipCatalog = dipCatalogPath is null ? null : LoadDipCatalog(dipCatalogPath);
        var job = new BatchJob(new BatchJobOptions
        {
            InputDirectory = input,
            OutputDirectory = output,
            Workers = workers,
            Validation = new ValidationOptions { InsuredRegion = region, Pseudonymizer = pseudonymizer },
            Policies = settles ? LoadPolicies(policyDir!, region!) : null,
            Region = settles ? region : null,
            StatePath = settles ? statePath : null,
            DrgCatalog = drgCatalog,
            DipCatalog = dipCatalog,
            WriteCases = command != "validate",
            TempDirectory = tempDir,
        });
        var log = logging.Factory.CreateLogger("grouper.run");
        var inputBytes = Grouper.Ingest.CsvFiles.Find(input, "discharges") is { } f ? new FileInfo(f).Length : 0;
        RunManifest m;
        using (var progress = new RunProgress(log, inputBytes, logging.Interactive && !noProgress))
        {
            m = await job.RunAsync(progress, ct).ConfigureAwait(false);
        }

        if (log.IsEnabled(LogLevel.Information))
        {
            log.LogInformation("run finished: {Read} read, {Accepted} accepted, {Rejected} rejected, {Rate:F0} records/s", m.RecordsRead, m.RecordsAccepted, m.RecordsRejected, m.RecordsPerSecond);
        }

        await stdout.WriteLineAsync(
            $"read {m.RecordsRead:N0} records: {m.RecordsAccepted:N0} accepted, {m.RecordsRejected:N0} rejected; " +
            $"{m.RecordsPerSecond:N0} records/s; outputs in {Path.GetFullPath(output)}").ConfigureAwait(false);
        if (tracePath is not null && drgCatalog is not null)
        {
            await WriteTraceAsync(drgCatalog, input, pseudonymizer, region, tracePath, stdout, ct).ConfigureAwait(false);
        }
        return m.RecordsRejected > 0 ? ExitCodes.SuccessWithRejects : ExitCodes.Success;
    }
}
