using Grouper.Core;
using Grouper.Ingest;
using Grouper.Output;

namespace Grouper.Pipeline;

/// <summary>What a batch run reads and where it writes.</summary>
public sealed record BatchJobOptions
{
    /// <summary>Directory holding discharges.csv (or .csv.gz) and hospitals.csv (or .csv.gz).</summary>
    public required string InputDirectory { get; init; }

    public required string OutputDirectory { get; init; }

    public ValidationOptions Validation { get; init; } = new();

    /// <summary>Records per batch handed between stages.</summary>
    public int BatchSize { get; init; } = 4096;

    public int RowGroupSize { get; init; } = 128 * 1024;

    /// <summary>Worker threads for parsing, validation, grouping and pricing. Outputs do not depend on it.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;
}

/// <summary>How person identifiers appear in the outputs.</summary>
public sealed record PrivacySection(string PersonId);

/// <summary>Progress of a run, reported per batch.</summary>
public readonly record struct BatchProgress(long RecordsRead, long RecordsRejected, long BytesRead);

/// <summary>
/// The batch run: streams discharges.csv through validation (and the grouping and pricing stages)
/// into out/cases.parquet, out/rejects.csv and out/manifest.json. Outputs go to temporary names and
/// are renamed only when complete, the manifest last.
/// </summary>
public sealed class BatchJob(BatchJobOptions options)
{
    public BatchJobOptions Options { get; } = options;

    public async Task<RunManifest> RunAsync(IProgress<BatchProgress>? progress = null, CancellationToken ct = default)
    {
        var manifest = new RunManifest { StartedUtc = DateTimeOffset.UtcNow };
        var input = Options.InputDirectory;
        if (!Directory.Exists(input))
        {
            throw new InputException(input, "input directory not found");
        }

        var dischargesPath = CsvFiles.Find(input, "discharges") ?? throw new InputException(Path.Combine(input, "discharges.csv"), "discharges file not found (looked for discharges.csv and discharges.csv.gz)");
        var hospitalsPath = CsvFiles.Find(input, "hospitals") ?? throw new InputException(Path.Combine(input, "hospitals.csv"), "hospitals file not found (looked for hospitals.csv and hospitals.csv.gz)");

        var hospitals = HospitalTable.Load(hospitalsPath);
        var (hospitalsSha, hospitalsBytes) = HashingReadStream.HashFile(hospitalsPath);

        await using var reader = await DischargeReader.OpenAsync(dischargesPath, Options.Validation, ct).ConfigureAwait(false);

        var outDir = Options.OutputDirectory;
        Directory.CreateDirectory(outDir);
        var casesPath = Path.Combine(outDir, "cases.parquet");
        var rejectsPath = Path.Combine(outDir, "rejects.csv");
        var manifestPath = Path.Combine(outDir, "manifest.json");

        // A previous manifest would describe outputs this run is about to replace.
        File.Delete(manifestPath);

        var pseudonymized = Options.Validation.Pseudonymizer is not null;
        manifest.Sections["privacy"] = new PrivacySection(pseudonymized ? "hmac-sha256-128" : "identifiers kept (--keep-identifiers)");
        await using var cases = new CasesParquetWriter(casesPath, hospitals, Options.RowGroupSize, pseudonymized);
        await using var rejects = new RejectsWriter(rejectsPath);

        long read = 0;
        long rejected = 0;
        var pipeline = new IngestPipeline(Options.Workers, Options.BatchSize);
        await pipeline.RunAsync(
            reader,
            () => new DischargeRecordParser(reader.Header, hospitals, Options.Validation),
            size => new DischargeBatch(size),
            null,
            async b =>
            {
                ct.ThrowIfCancellationRequested();
                for (var i = 0; i < b.Count; i++)
                {
                    ref readonly var r = ref b.Records[i];
                    manifest.AcceptedMoney.Add(in r);
                    manifest.CountWarnings(r.Warnings);
                }

                foreach (var rej in b.Rejects)
                {
                    rejects.Write(rej);
                }

                await cases.AppendAsync(b, ct).ConfigureAwait(false);
                read += b.RecordsRead;
                rejected += b.Rejects.Count;
                progress?.Report(new BatchProgress(read, rejected, reader.Raw?.BytesRead ?? 0));
            },
            ct).ConfigureAwait(false);

        await cases.CommitAsync(ct).ConfigureAwait(false);
        await rejects.CommitAsync().ConfigureAwait(false);

        manifest.RecordsRead = read;
        manifest.RecordsRejected = rejected;
        manifest.RecordsAccepted = cases.RowsWritten;
        manifest.BlankLinesSkipped = reader.BlankLines;
        foreach (var (reason, count) in rejects.CountsByReason)
        {
            manifest.RejectsByReason[RejectReasons.Name(reason)] = count;
        }

        if (reader.Raw is { } raw)
        {
            manifest.Inputs.Add(new FileFingerprint("discharges", Path.GetFullPath(dischargesPath), raw.Sha256Hex, raw.BytesRead));
        }

        manifest.Inputs.Add(new FileFingerprint("hospitals", Path.GetFullPath(hospitalsPath), hospitalsSha, hospitalsBytes));
        AddOutput(manifest, "cases", casesPath);
        AddOutput(manifest, "rejects", rejectsPath);
        if (!manifest.Reconciles)
        {
            throw new InvalidOperationException($"internal error: records_read {read} != accepted {manifest.RecordsAccepted} + rejected {rejected}");
        }

        manifest.FinishedUtc = DateTimeOffset.UtcNow;
        manifest.Write(manifestPath);
        return manifest;
    }

    private static void AddOutput(RunManifest manifest, string role, string path)
    {
        var (sha, bytes) = HashingReadStream.HashFile(path);
        manifest.Outputs.Add(new FileFingerprint(role, Path.GetFullPath(path), sha, bytes));
    }
}
