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
               grouper clear --year YYYY --dataset DIR --inputs FILE [--out DIR]

          --year YYYY     the clearing year
          --shards ...    clearing shard files written by 'run' (clearing-shard-YYYY.csv), or directories holding
                          them (searched recursively); any split of the year (months, regions, files) merged in
                          any order gives the same clearing, byte for byte
          --dataset DIR   a nightly dataset (the --out of 'nightly'): the year's case results as the complete nights
                          summarised them (nights/*/clearing-shard-YYYY.csv, checked against each night's
                          manifest, and their case counts reconciled with cases/year=YYYY/); refused while a
                          night is only half published. A --shards directory holding nights/ is read the same way
          --inputs FILE   clearing inputs (YAML: DIP budget, reserve share, provisional point value and band,
                          coefficients, sharing tiers, withhold rate, advances paid, approved reviews)
          --out DIR       where to write clearing.parquet, report.html, clearing-manifest.json (default: out)
          --cases FILES   case files to add each case's final points after coefficients to (dip_final_points);
                          default: the cases.parquet beside the shards found in --shards directories

        Exit code 0 when every invariant holds (they are listed in clearing-manifest.json), 1 when one fails.

        Example:
          grouper clear --year 2024 --shards out --inputs sample-data/clearing/350900-2024-demo.yaml --out out
          grouper clear --year 2024 --dataset /data/dataset --inputs clearing/350900-2024.yaml --out /data/clearing-2024
        """;

    public static async Task<int> RunAsync(Settings settings, TextWriter stdout, TextWriter stderr)
    {
        var cl = settings.CommandLine;
        var yearText = settings.Get("--year") ?? throw new UsageException("clear needs --year YYYY");
        if (!int.TryParse(yearText, NumberStyles.None, CultureInfo.InvariantCulture, out var year) || year is < 1990 or > 2200)
        {
            throw new UsageException($"setting {Settings.Describe("--year")}: expected a year such as 2024, got '{yearText}'");
        }

        var datasetArg = settings.Get("--dataset");
        var shardsArg = settings.Get("--shards") ?? datasetArg ?? throw new UsageException("clear needs --shards DIR|FILE[,FILE...] or --dataset DIR");
        if (datasetArg is not null && settings.Get("--shards") is not null)
        {
            throw new UsageException("clear takes --shards or --dataset, not both");
        }

        if (datasetArg is not null && !Directory.Exists(Path.Combine(datasetArg, "nights")))
        {
            throw new UsageException($"setting {Settings.Describe("--dataset")}: '{datasetArg}' is not a nightly dataset (no nights/ folder)");
        }

        var inputsPath = settings.Get("--inputs") ?? throw new UsageException("clear needs --inputs FILE");
        var output = settings.GetOr("--out", "out");
        var casesArg = settings.Get("--cases");
        cl.RejectUnknown();
        if (!File.Exists(inputsPath))
        {
            throw new InputException(inputsPath, "clearing inputs file not found (--inputs)");
        }

        var files = new List<string>();
        long? datasetCases = null;
        foreach (var part in shardsArg.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Directory.Exists(Path.Combine(part, "nights")))
            {
                var (shards, cases) = await DatasetShardsAsync(part, year).ConfigureAwait(false);
                files.AddRange(shards);
                datasetCases = (datasetCases ?? 0) + cases;
            }
            else if (Directory.Exists(part))
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
        if (datasetCases is { } expected)
        {
            long shardCases = 0;
            foreach (var cell in shard.Cells)
            {
                var a = cell.Sums;
                shardCases += a.ClearingCases + a.DrgCases + a.FfsCases;
            }

            if (shardCases != expected)
            {
                throw new InputException(shardsArg, $"the nights' clearing shards of {year} hold {shardCases:N0} cases but their case partitions cases/year={year} hold {expected:N0}: the dataset is inconsistent");
            }

            await stdout.WriteLineAsync($"dataset: {files.Count} night shard(s) of {year}, {expected:N0} cases, reconciled with cases/year={year}").ConfigureAwait(false);
        }

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

    /// <summary>
    /// The year's shards of a nightly dataset: one per complete night (its manifest exists), each
    /// checked against the SHA-256 the night recorded; also the night's case rows of that year, from
    /// the manifest's partitions, whose files must exist with the recorded size. A night being
    /// published (a staging folder with its manifest, or a night folder without one) is refused.
    /// </summary>
    private static async Task<(List<string> Shards, long Cases)> DatasetShardsAsync(string dataset, int year)
    {
        var staging = Path.Combine(dataset, ".staging");
        if (Directory.Exists(staging))
        {
            foreach (var dir in Directory.GetDirectories(staging))
            {
                if (File.Exists(Path.Combine(dir, "manifest.json")))
                {
                    throw new InputException(dir, $"night {Path.GetFileName(dir)} is settled but not yet published: run 'nightly' (any night) to finish it before clearing");
                }
            }
        }

        var shards = new List<string>();
        long cases = 0;
        foreach (var nightDir in Directory.GetDirectories(Path.Combine(dataset, "nights")).Order(StringComparer.Ordinal))
        {
            var manifest = Path.Combine(nightDir, "manifest.json");
            if (!File.Exists(manifest))
            {
                throw new InputException(nightDir, $"night {Path.GetFileName(nightDir)} has no manifest.json: it is incomplete; run 'nightly --date {Path.GetFileName(nightDir)}' to finish it");
            }

            using var doc = JsonDocument.Parse(File.ReadAllBytes(manifest));
            foreach (var output in doc.RootElement.GetProperty("outputs").EnumerateArray())
            {
                var rel = output.GetProperty("path").GetString()!;
                if (output.GetProperty("role").GetString() != "clearing_shard" || !rel.EndsWith($"clearing-shard-{year}.csv", StringComparison.Ordinal))
                {
                    continue;
                }

                var path = Path.Combine(dataset, rel);
                var (sha, _) = File.Exists(path) ? Grouper.Ingest.HashingReadStream.HashFile(path) : (string.Empty, 0L);
                if (sha != output.GetProperty("sha256").GetString())
                {
                    throw new InputException(path, $"clearing shard missing or changed since night {Path.GetFileName(nightDir)} wrote it (sha256 differs from its manifest)");
                }

                shards.Add(path);
            }

            foreach (var p in doc.RootElement.GetProperty("partitions").EnumerateArray())
            {
                if (p.GetProperty("year").GetInt32() != year)
                {
                    continue;
                }

                var path = Path.Combine(dataset, p.GetProperty("path").GetString()!);
                if (!File.Exists(path))
                {
                    throw new InputException(path, $"case partition of night {Path.GetFileName(nightDir)} is missing");
                }

                // The row count from the file's footer (no data pages read), checked against the night's record.
                var rows = await ParquetRowsAsync(path).ConfigureAwait(false);
                if (rows != p.GetProperty("rows").GetInt64())
                {
                    throw new InputException(path, $"case partition holds {rows:N0} rows but night {Path.GetFileName(nightDir)} wrote {p.GetProperty("rows").GetInt64():N0}");
                }

                cases += rows;
            }
        }

        return (shards, cases);
    }

    private static async Task<long> ParquetRowsAsync(string path)
    {
        await using var stream = File.OpenRead(path);
        await using var reader = await Parquet.ParquetReader.CreateAsync(stream).ConfigureAwait(false);
        long rows = 0;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var rg = reader.OpenRowGroupReader(g);
            rows += rg.RowCount;
        }

        return rows;
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
