using Grouper.Core;
using Grouper.Ingest;
using Grouper.Output;
using Grouper.Pipeline.Internals;
using Grouper.Settlement;

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

    /// <summary>Policies for settlement; with <see cref="Region"/> the run settles every case (patient chain columns, NO_POLICY rejects).</summary>
    public PolicyStore? Policies { get; init; }

    /// <summary>Insured pooling region whose policy settles the run.</summary>
    public string? Region { get; init; }

    /// <summary>Year-to-date state database (SQLite). Null: the run starts from an empty state and persists nothing.</summary>
    public string? StatePath { get; init; }

    /// <summary>False for <c>validate</c>: only rejects.csv and manifest.json are written.</summary>
    public bool WriteCases { get; init; } = true;

    /// <summary>DRG catalog (null: no DRG grouping).</summary>
    public Drg.DrgCatalog? DrgCatalog { get; init; }

    /// <summary>DIP catalog (null: no DIP grouping).</summary>
    public Dip.DipCatalog? DipCatalog { get; init; }

    /// <summary>Run id recorded in the state database (default: the discharges file's SHA-256).</summary>
    public string? RunId { get; init; }

    /// <summary>
    /// Where the run keeps per-case data between its passes (a private subdirectory, deleted at the
    /// end; default: the output directory). Needs about 300 bytes per record while the run lasts.
    /// </summary>
    public string? TempDirectory { get; init; }

    /// <summary>
    /// Up to this many records (estimated from the file size) a run without settlement finds
    /// duplicate case ids with an in-memory index in one pass; above it, with a first pass that
    /// spills the ids to disk, so memory stays flat. Settling runs always spill (they read twice anyway).
    /// </summary>
    public long InMemoryDuplicateLimit { get; init; } = 4_000_000;

    /// <summary>Spill partitions (0: one per ~32 K records estimated from the file size). Tests set it to show outputs do not depend on it.</summary>
    internal int SpillPartitions { get; init; }

    /// <summary>Test hook: runs after the first pass of a two-pass run, before the second reads the input again.</summary>
    internal Action? AfterFirstPass { get; init; }
}

/// <summary>Which catalog a run used.</summary>
public sealed record CatalogSection(string Name, string Version, bool Demo);

/// <summary>How person identifiers appear in the outputs.</summary>
public sealed record PrivacySection(string PersonId);

/// <summary>What the run used: worker threads, the process's peak working set and bytes allocated (for capacity planning and benchmarks).</summary>
public sealed record ResourceSection(int Workers, long PeakWorkingSetBytes, long AllocatedBytes, int Gen2Collections, double GcPauseSeconds, int SpillPartitions, long SpillBytes, RunPhases Phases, RunPhases PhasesCpu, double ProcessCpuSeconds);

/// <summary>
/// Seconds spent in each phase of a run (first pass, duplicates and settlement between the passes,
/// writing pass, state commit): elapsed, and CPU seconds of all the process's threads (which, on a
/// shared machine, say more about the run's own cost than elapsed time does).
/// </summary>
public sealed record RunPhases(double FirstPass, double BetweenPasses, double WritePass, double StateCommit);

/// <summary>Progress of a run, reported per batch.</summary>
/// <param name="Pass">Which read of the input this is (1-based) of <paramref name="Passes"/> (a settling or large run reads it twice).</param>
/// <param name="PassSeconds">Seconds since this pass began reading (0: unknown), for a rate over the pass.</param>
public readonly record struct BatchProgress(long RecordsRead, long RecordsRejected, long BytesRead, int Pass = 1, int Passes = 1, double PassSeconds = 0);

/// <summary>What the settlement pass did.</summary>
public sealed record SettlementSection(string Region, IReadOnlyList<string> Policies, long CasesSettled, string State, string? RunId);

/// <summary>
/// The batch run: streams discharges.csv through validation, grouping and pricing into
/// out/cases.parquet, out/rejects.csv and out/manifest.json. With settlement on, a first pass
/// collects each case's chain input and applies the patient chain per person in
/// (discharge_date, case_id) order; the second pass writes. Outputs go to temporary names and
/// are renamed only when complete, the manifest last.
/// </summary>
public sealed class BatchJob(BatchJobOptions options)
{
    public BatchJobOptions Options { get; } = options;

    private bool Settles => Options.Policies is not null && Options.Region is not null;

    public async Task<RunManifest> RunAsync(IProgress<BatchProgress>? progress = null, CancellationToken ct = default)
    {
        var manifest = new RunManifest { StartedUtc = DateTimeOffset.UtcNow };
        var allocatedAtStart = GC.GetTotalAllocatedBytes();
        var input = Options.InputDirectory;
        if (!Directory.Exists(input))
        {
            throw new InputException(input, "input directory not found");
        }

        var dischargesPath = CsvFiles.Find(input, "discharges") ?? throw new InputException(Path.Combine(input, "discharges.csv"), "discharges file not found (looked for discharges.csv and discharges.csv.gz)");
        var hospitalsPath = CsvFiles.Find(input, "hospitals") ?? throw new InputException(Path.Combine(input, "hospitals.csv"), "hospitals file not found (looked for hospitals.csv and hospitals.csv.gz)");

        var hospitals = HospitalTable.Load(hospitalsPath);
        var (hospitalsSha, hospitalsBytes) = HashingReadStream.HashFile(hospitalsPath);
        var pseudonymized = Options.Validation.Pseudonymizer is not null;
        var pipeline = new IngestPipeline(Options.Workers, Options.BatchSize) { ExpectedRecords = IngestPipeline.EstimateRecords(dischargesPath) };

        // Header check before anything is written.
        await using (var probe = await DischargeReader.OpenAsync(dischargesPath, Options.Validation, ct).ConfigureAwait(false))
        {
        }

        var spillPartitions = 0;
        long spillBytes = 0;
        var clock = new PhaseClock();
        double firstPass = 0, between = 0, writePass = 0, commit = 0;
        double firstPassCpu = 0, betweenCpu = 0, writePassCpu = 0, commitCpu = 0;
        SettlementStage? settlement = null;
        YearToDateStore? store = null;
        string? runId = null;
        try
        {
            CaseIdCheck? caseIds = null;
            if (Settles || pipeline.ExpectedRecords > Options.InMemoryDuplicateLimit)
            {
                // Pass 1: case ids (and with settlement the chain inputs) go to disk, partitioned,
                // so what the run holds does not grow with the number of records.
                using var spill = new SpillDirectory(Options.TempDirectory ?? Options.OutputDirectory);
                spillPartitions = Options.SpillPartitions > 0 ? (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Options.SpillPartitions) : PartitionedSpill.CountFor(pipeline.ExpectedRecords);
                using var ids = new SpilledCaseIds(spill, spillPartitions);
                settlement = Settles ? new SettlementStage(Options.Policies!, Options.Region!, hospitals, pseudonymized, spill, spillPartitions) : null;
                long read1 = 0, rejected1 = 0;
                FirstRead? firstRead = null;
                var pass1Clock = System.Diagnostics.Stopwatch.StartNew();
                try
                {
                    await using (var reader1 = await DischargeReader.OpenAsync(dischargesPath, Options.Validation, ct).ConfigureAwait(false))
                    {
                        await pipeline.RunAsync(
                            reader1,
                            () => new DischargeRecordParser(reader1.Header, hospitals, Options.Validation),
                            size => new CaseBatch(size),
                            settlement is null ? null : settlement.CheckPolicy,
                            b =>
                            {
                                ct.ThrowIfCancellationRequested();
                                settlement?.Collect(b);
                                read1 += b.RecordsRead;
                                rejected1 += b.Rejects.Count;
                                progress?.Report(new BatchProgress(read1, rejected1, reader1.Raw?.BytesRead ?? 0, 1, 2, pass1Clock.Elapsed.TotalSeconds));
                                return ValueTask.CompletedTask;
                            },
                            ct,
                            ids).ConfigureAwait(false);
                        runId = Options.RunId ?? reader1.Raw?.Sha256Hex;
                        firstRead = reader1.Raw is { } raw1 ? new FirstRead(raw1.Sha256Hex, raw1.ContentHash, raw1.BytesRead) : null;
                    }

                    Options.AfterFirstPass?.Invoke();

                    (firstPass, firstPassCpu) = clock.Lap();
                    var duplicates = ids.FindDuplicates(Options.Workers);
                    caseIds = new KnownDuplicates(duplicates);
                    if (settlement is not null)
                    {
                        if (Options.StatePath is not null)
                        {
                            store = YearToDateStore.Open(Options.StatePath);
                            var status = store.CheckRun(runId!, runId!);
                            if (status != RunStatus.New)
                            {
                                throw new InputException(Options.StatePath, $"this input (run id {runId}) was already settled into the year-to-date state ({status}); settling it again would count its cases twice");
                            }
                        }

                        settlement.Settle(duplicates, store, Options.Workers);
                    }

                    (between, betweenCpu) = clock.Lap();
                    await WriteAsync(manifest, dischargesPath, hospitals, settlement, pipeline, caseIds, firstRead, progress, ct).ConfigureAwait(false);
                    (writePass, writePassCpu) = clock.Lap();

                    if (store is not null)
                    {
                        // The state moves only after the outputs are complete (a failure before leaves it as it was).
                        store.Commit(runId!, runId!, settlement!.UpdatedStates(), settlement.Count);
                        (commit, commitCpu) = clock.Lap();
                    }
                }
                finally
                {
                    settlement?.Dispose();
                    spillBytes = spill.BytesWritten;
                }
            }
            else
            {
                await WriteAsync(manifest, dischargesPath, hospitals, null, pipeline, null, null, progress, ct).ConfigureAwait(false);
                (writePass, writePassCpu) = clock.Lap();
            }
        }
        finally
        {
            store?.Dispose();
        }

        manifest.Inputs.Add(new FileFingerprint("hospitals", Path.GetFullPath(hospitalsPath), hospitalsSha, hospitalsBytes));
        if (settlement is not null)
        {
            manifest.Sections["settlement"] = new SettlementSection(
                settlement.Region,
                settlement.PoliciesUsed(),
                settlement.Count,
                Options.StatePath is null ? "empty (not persisted)" : Path.GetFullPath(Options.StatePath),
                runId);
        }

        if (Options.DrgCatalog is { } drg)
        {
            manifest.Sections["drg_catalog"] = new CatalogSection(drg.Name, drg.Version, drg.IsDemo);
        }

        if (Options.DipCatalog is { } dip)
        {
            manifest.Sections["dip_catalog"] = new CatalogSection(dip.Name, dip.Version, dip.IsDemo);
        }

        manifest.Sections["privacy"] = new PrivacySection(pseudonymized ? "hmac-sha256-128" : "identifiers kept (--keep-identifiers)");
        manifest.FinishedUtc = DateTimeOffset.UtcNow;
        using (var self = System.Diagnostics.Process.GetCurrentProcess())
        {
            manifest.Sections["resources"] = new ResourceSection(Options.Workers, self.PeakWorkingSet64, GC.GetTotalAllocatedBytes() - allocatedAtStart, GC.CollectionCount(2), Math.Round(GC.GetTotalPauseDuration().TotalSeconds, 3), spillPartitions, spillBytes,
                new RunPhases(Math.Round(firstPass, 3), Math.Round(between, 3), Math.Round(writePass, 3), Math.Round(commit, 3)),
                new RunPhases(Math.Round(firstPassCpu, 3), Math.Round(betweenCpu, 3), Math.Round(writePassCpu, 3), Math.Round(commitCpu, 3)),
                Math.Round(Environment.CpuUsage.TotalTime.TotalSeconds, 3));
        }

        manifest.Write(Path.Combine(Options.OutputDirectory, "manifest.json"));
        return manifest;
    }

    /// <summary>What the first of two reads saw of discharges.csv: its SHA-256 (for the manifest) and the content hash the second read must match.</summary>
    private sealed record FirstRead(string Sha256, UInt128 Content, long Bytes);

    private async Task WriteAsync(RunManifest manifest, string dischargesPath, HospitalTable hospitals, SettlementStage? settlement, IngestPipeline pipeline, CaseIdCheck? caseIds, FirstRead? firstRead, IProgress<BatchProgress>? progress, CancellationToken ct)
    {
        var outDir = Options.OutputDirectory;
        Directory.CreateDirectory(outDir);
        var casesPath = Path.Combine(outDir, "cases.parquet");
        var rejectsPath = Path.Combine(outDir, "rejects.csv");

        // A previous manifest would describe outputs this run is about to replace.
        File.Delete(Path.Combine(outDir, "manifest.json"));

        var stage = new CaseStage(Options.DrgCatalog, Options.DipCatalog, Options.Policies, Options.Region, hospitals);
        var drgCatalog = Options.DrgCatalog;
        var dipCatalog = Options.DipCatalog;
        var settles = settlement is not null;
        IEnumerable<ICaseColumnSet> ColumnSets(int capacity)
        {
            if (drgCatalog is not null)
            {
                yield return new DrgColumns(drgCatalog, capacity);
            }

            if (dipCatalog is not null)
            {
                yield return new DipColumns(dipCatalog, capacity);
            }

            if (settles)
            {
                yield return new SettlementColumns(capacity);
                yield return new PaymentColumns(capacity);
            }
        }

        var clearing = settlement is not null && Options.DipCatalog is not null ? new ClearingStage(hospitals) : null;
        // A second read only checks it sees the bytes the first did (XXH3-128); SHA-256 was taken by the first.
        await using var reader = await DischargeReader.OpenAsync(dischargesPath, Options.Validation, sha256: firstRead is null, ct).ConfigureAwait(false);
        await using var cases = new CasesParquetWriter(casesPath, hospitals, ColumnSets, Options.RowGroupSize, Options.Validation.Pseudonymizer is not null, Options.Workers);
        await using var rejects = new RejectsWriter(rejectsPath);

        long read = 0;
        long rejected = 0;
        long accepted = 0;
        var passClock = System.Diagnostics.Stopwatch.StartNew();
        await pipeline.RunAsync(
            reader,
            () => new DischargeRecordParser(reader.Header, hospitals, Options.Validation),
            size => new CaseBatch(size),
            b =>
            {
                settlement?.CheckPolicy(b);
                settlement?.Join((CaseBatch)b);
                stage.Process((CaseBatch)b);
            },
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

                clearing?.Add((CaseBatch)b);
                if (Options.WriteCases)
                {
                    await cases.AppendAsync(b, ct).ConfigureAwait(false);
                }
                else
                {
                    accepted += b.Count;
                }

                read += b.RecordsRead;
                rejected += b.Rejects.Count;
                progress?.Report(new BatchProgress(read, rejected, reader.Raw?.BytesRead ?? 0, caseIds is null ? 1 : 2, caseIds is null ? 1 : 2, passClock.Elapsed.TotalSeconds));
            },
            ct,
            caseIds,
            settlement is null ? null : settlement.Attach).ConfigureAwait(false);

        // The second pass joins the first pass's results by line: a file that changed in between
        // would pair records with another record's duplicates and chain. Nothing is committed then.
        if (firstRead is not null && reader.Raw is { } second && (second.ContentHash != firstRead.Content || second.BytesRead != firstRead.Bytes))
        {
            throw new InputException(dischargesPath, $"the file changed while the run was reading it ({firstRead.Bytes:N0} bytes on the first read, {second.BytesRead:N0} on the second, and their contents differ); nothing was written: run again on a file that is not being written to");
        }

        await cases.CommitAsync(ct).ConfigureAwait(false);
        await rejects.CommitAsync().ConfigureAwait(false);

        manifest.RecordsRead = read;
        manifest.RecordsRejected = rejected;
        manifest.RecordsAccepted = Options.WriteCases ? cases.RowsWritten : accepted;
        manifest.BlankLinesSkipped = reader.BlankLines;
        foreach (var (reason, count) in rejects.CountsByReason)
        {
            manifest.RejectsByReason[RejectReasons.Name(reason)] = count;
        }

        if (reader.Raw is { } raw)
        {
            manifest.Inputs.Add(new FileFingerprint("discharges", Path.GetFullPath(dischargesPath), firstRead?.Sha256 ?? raw.Sha256Hex, raw.BytesRead));
        }

        if (Options.WriteCases)
        {
            var (casesSha, casesBytes) = cases.Fingerprint;
            manifest.Outputs.Add(new FileFingerprint("cases", Path.GetFullPath(casesPath), casesSha, casesBytes));
        }
        else
        {
            File.Delete(casesPath);
        }

        AddOutput(manifest, "rejects", rejectsPath);
        if (clearing is not null)
        {
            foreach (var shard in clearing.Write(outDir))
            {
                AddOutput(manifest, "clearing_shard", shard);
            }
        }

        if (!manifest.Reconciles)
        {
            throw new InvalidOperationException($"internal error: records_read {read} != accepted {manifest.RecordsAccepted} + rejected {rejected}");
        }
    }

    /// <summary>Elapsed and process CPU time since the last lap.</summary>
    private sealed class PhaseClock
    {
        private readonly System.Diagnostics.Stopwatch _wall = System.Diagnostics.Stopwatch.StartNew();
        private TimeSpan _cpu = Environment.CpuUsage.TotalTime;

        public (double Seconds, double CpuSeconds) Lap()
        {
            var seconds = _wall.Elapsed.TotalSeconds;
            _wall.Restart();
            var cpu = Environment.CpuUsage.TotalTime;
            var used = (cpu - _cpu).TotalSeconds;
            _cpu = cpu;
            return (seconds, used);
        }
    }

    private static void AddOutput(RunManifest manifest, string role, string path)
    {
        var (sha, bytes) = HashingReadStream.HashFile(path);
        manifest.Outputs.Add(new FileFingerprint(role, Path.GetFullPath(path), sha, bytes));
    }
}
