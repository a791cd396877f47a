using System.Globalization;
using System.Text.Json;
using Grouper.Clearing;
using Grouper.Core;
using Grouper.Output;

namespace Grouper.Batch;

/// <summary><c>clear --year YYYY</c>: merge the year's clearing shards and run the year-end DIP clearing once.</summary>
internal static class ClearCommand
{
    public const string Help = """
        grouper clear — year-end DIP clearing (年度清算) per hospital

        Usage: grouper clear --year YYYY --shards DIR|FILE[,FILE...] --inputs FILE [--out DIR]

          --year YYYY     the clearing year
          --shards ...    clearing shard files written by 'run' (clearing-shard-YYYY.csv), or directories holding
                          them (searched recursively); any split of the year (months, regions, files) merged in
                          any order gives the same clearing, byte for byte
          --inputs FILE   clearing inputs (YAML: DIP budget, reserve share, provisional point value and band,
                          coefficients, sharing tiers, withhold rate, advances paid, approved reviews)
          --out DIR       where to write clearing.parquet, report.html, clearing-manifest.json (default: out)
          --cases FILES   case files to add each case's final points after coefficients to (dip_final_points);
                          default: the cases.parquet beside the shards found in --shards directories

        Exit code 0 when every invariant holds (they are listed in clearing-manifest.json), 1 when one fails.

        Example:
          grouper clear --year 2024 --shards out --inputs sample-data/clearing/350900-2024-demo.yaml --out out
        """;

    public static async Task<int> RunAsync(Settings settings, TextWriter stdout, TextWriter stderr)
    {
        var cl = settings.CommandLine;
        var yearText = settings.Get("--year") ?? throw new UsageException("clear needs --year YYYY");
        if (!int.TryParse(yearText, NumberStyles.None, CultureInfo.InvariantCulture, out var year) || year is < 1990 or > 2200)
        {
            throw new UsageException($"setting {Settings.Describe("--year")}: expected a year such as 2024, got '{yearText}'");
        }

        var shardsArg = settings.Get("--shards") ?? throw new UsageException("clear needs --shards DIR|FILE[,FILE...]");
        var inputsPath = settings.Get("--inputs") ?? throw new UsageException("clear needs --inputs FILE");
        var output = settings.GetOr("--out", "out");
        var casesArg = settings.Get("--cases");
        cl.RejectUnknown();
        if (!File.Exists(inputsPath))
        {
            throw new InputException(inputsPath, "clearing inputs file not found (--inputs)");
        }

        var files = new List<string>();
        foreach (var part in shardsArg.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Directory.Exists(part))
            {
                files.AddRange(Directory.EnumerateFiles(part, $"clearing-shard-{year}*.csv", SearchOption.AllDirectories));
            }
            else if (File.Exists(part))
            {
                files.Add(part);
            }
            else
            {
                throw new UsageException($"--shards: '{part}' not found");
            }
        }

        files.Sort(StringComparer.Ordinal);
        if (files.Count == 0)
        {
            throw new UsageException($"--shards: no clearing-shard-{year}*.csv found in {shardsArg}");
        }

        var shard = ClearingShard.MergeAll(year, files.Select(ClearingShard.Read));
        var inputs = ClearingInputs.Load(inputsPath);
        var run = AnnualClearing.RunAll(shard, inputs);
        if (run.Results.Count == 0)
        {
            throw new InputException(inputsPath, $"no clearing inputs for year {year} and any region of the shards ({string.Join(", ", shard.Regions())})");
        }

        Directory.CreateDirectory(output);
        var parquet = Path.Combine(output, "clearing.parquet");
        var report = Path.Combine(output, "report.html");
        await ClearingParquetWriter.WriteAsync(parquet, run.Results).ConfigureAwait(false);
        ClearingHtmlReport.Write(report, run.Results);
        var caseFiles = casesArg is not null
            ? casesArg.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList()
            : files.Select(f => Path.Combine(Path.GetDirectoryName(f)!, "cases.parquet")).Where(File.Exists).Distinct(StringComparer.Ordinal).ToList();
        foreach (var casesFile in caseFiles)
        {
            if (!File.Exists(casesFile))
            {
                throw new UsageException($"--cases: '{casesFile}' not found");
            }

            var given = await CaseFinalPoints.AddAsync(casesFile, run.Results).ConfigureAwait(false);
            await stdout.WriteLineAsync(given < 0
                ? $"{casesFile}: already has {CaseFinalPoints.ColumnName}; left as it is"
                : $"{casesFile}: {CaseFinalPoints.ColumnName} added to {given:N0} DIP cases").ConfigureAwait(false);
        }

        var allPassed = run.Results.All(r => r.AllChecksPassed);
        // The updated case files are outputs of the clearing too: their hashes here supersede the run manifest's.
        WriteManifest(Path.Combine(output, "clearing-manifest.json"), year, files, inputsPath, run, [parquet, report, .. caseFiles]);
        foreach (var r in run.Results)
        {
            await stdout.WriteLineAsync(
                $"cleared {r.Region} {r.Year}: {r.Hospitals.Count} hospitals, point value {r.PointValue.ToString("0.000000", CultureInfo.InvariantCulture)}, " +
                $"allocated {Money.Format(r.AllocatedFen)}; invariants {(r.AllChecksPassed ? "hold" : "FAILED")}").ConfigureAwait(false);
        }

        foreach (var missing in run.RegionsWithoutInputs)
        {
            await stderr.WriteLineAsync($"note: region {missing} has cases in the shards but no clearing inputs for {year}; not cleared").ConfigureAwait(false);
        }

        return allPassed ? ExitCodes.Success : ExitCodes.Failure;
    }

    private static void WriteManifest(string path, int year, List<string> shards, string inputs, ClearingRun run, IReadOnlyList<string> outputs)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("command", "clear");
            w.WriteNumber("year", year);
            w.WriteStartArray("shards");
            foreach (var s in shards)
            {
                w.WriteStringValue(Path.GetFullPath(s));
            }

            w.WriteEndArray();
            w.WriteString("inputs", Path.GetFullPath(inputs));
            w.WriteStartArray("regions");
            foreach (var r in run.Results)
            {
                w.WriteStartObject();
                w.WriteString("region", r.Region);
                w.WriteNumber("hospitals", r.Hospitals.Count);
                w.WriteString("point_value", r.PointValue.ToString("0.000000", CultureInfo.InvariantCulture));
                w.WriteString("allocated", Money.Format(r.AllocatedFen));
                w.WriteBoolean("all_checks_passed", r.AllChecksPassed);
                w.WriteStartArray("checks");
                foreach (var c in r.Checks)
                {
                    w.WriteStartObject();
                    w.WriteString("name", c.Name);
                    w.WriteBoolean("passed", c.Passed);
                    w.WriteString("detail", c.Detail);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("regions_without_inputs");
            foreach (var r in run.RegionsWithoutInputs)
            {
                w.WriteStringValue(r);
            }

            w.WriteEndArray();
            w.WriteStartArray("outputs");
            foreach (var f in outputs)
            {
                var (sha, bytes) = Grouper.Ingest.HashingReadStream.HashFile(f);
                w.WriteStartObject();
                w.WriteString("path", Path.GetFullPath(f));
                w.WriteString("sha256", sha);
                w.WriteNumber("bytes", bytes);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        AtomicFile.WriteAllBytes(path, ms.ToArray());
    }
}
