using System.Collections.Concurrent;
using System.Threading.Channels;
using Grouper.Ingest;

namespace Grouper.Pipeline;

/// <summary>
/// The parallel form of the read: one reader cuts record bytes in order; <see cref="Workers"/>
/// threads parse and validate batches and run the per-batch stages (grouping, pricing) on them;
/// one sequencer takes the batches back in input order, applies the order-dependent duplicate
/// check and hands each batch to the in-order consumer (writers, manifest). Batches and their
/// buffers are pooled, so memory is bounded by the number in flight, not by the file.
/// Results do not depend on the number of workers: every per-record step is a pure function of
/// the record, and every order-dependent step runs in the sequencer.
/// </summary>
public sealed class IngestPipeline
{
    public IngestPipeline(int workers, int batchSize = 4096)
    {
        Workers = Math.Max(1, workers);
        BatchSize = batchSize;
    }

    public int Workers { get; }

    public int BatchSize { get; }

    /// <summary>Records expected (estimated from the file size; 0 if unknown), to size the duplicate index once.</summary>
    public int ExpectedRecords { get; init; }

    /// <summary>
    /// An estimate of the records in a discharges file from its size (typical records are 150–200
    /// bytes; a gzip file is taken to hold about six times its size).
    /// </summary>
    public static int EstimateRecords(string path)
    {
        var bytes = new FileInfo(path).Length;
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            bytes *= 6;
        }

        return (int)Math.Min(int.MaxValue / 2, bytes / 160);
    }

    /// <param name="reader">An opened reader (header already checked).</param>
    /// <param name="createParser">Makes one parser per worker.</param>
    /// <param name="createBatch">Makes a batch (with its registered result columns).</param>
    /// <param name="parallelStage">Runs on a worker after parsing; must only touch the batch.</param>
    /// <param name="inOrder">Consumes batches in input order (writers).</param>
    /// <param name="caseIds">The DUPLICATE_CASE check (default: an in-memory index sized from <see cref="ExpectedRecords"/>).</param>
    /// <param name="onRead">Runs on the reader thread for each raw batch, in input order, before it is parsed (may set <see cref="RawBatch.Tag"/>).</param>
    public async Task RunAsync(
        DischargeReader reader,
        Func<DischargeRecordParser> createParser,
        Func<int, DischargeBatch> createBatch,
        Action<DischargeBatch>? parallelStage,
        Func<DischargeBatch, ValueTask> inOrder,
        CancellationToken ct,
        CaseIdCheck? caseIds = null,
        Action<RawBatch>? onRead = null)
    {
        var inFlight = Workers * 3;
        var rawPool = new ConcurrentBag<RawBatch>();
        var batchPool = new ConcurrentBag<DischargeBatch>();
        var ordered = Channel.CreateBounded<(RawBatch Raw, TaskCompletionSource<DischargeBatch> Done)>(new BoundedChannelOptions(inFlight) { SingleReader = true, SingleWriter = true });
        var work = Channel.CreateUnbounded<(RawBatch Raw, TaskCompletionSource<DischargeBatch> Done)>(new UnboundedChannelOptions { SingleWriter = true });
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var token = cts.Token;

        var readerTask = Task.Run(
            async () =>
            {
                try
                {
                    await reader.ReadRawAsync(
                        () =>
                        {
                            if (!rawPool.TryTake(out var raw))
                            {
                                raw = new RawBatch(BatchSize);
                            }

                            raw.Clear();
                            return raw;
                        },
                        async raw =>
                        {
                            onRead?.Invoke(raw);
                            var done = new TaskCompletionSource<DischargeBatch>(TaskCreationOptions.RunContinuationsAsynchronously);
                            await ordered.Writer.WriteAsync((raw, done), token).ConfigureAwait(false);
                            work.Writer.TryWrite((raw, done));
                        },
                        token).ConfigureAwait(false);
                }
                finally
                {
                    ordered.Writer.TryComplete();
                    work.Writer.TryComplete();
                }
            },
            token);

        var workerTasks = new Task[Workers];
        for (var w = 0; w < Workers; w++)
        {
            workerTasks[w] = Task.Run(
                async () =>
                {
                    var parser = createParser();
                    await foreach (var (raw, done) in work.Reader.ReadAllAsync(token).ConfigureAwait(false))
                    {
                        try
                        {
                            if (!batchPool.TryTake(out var batch))
                            {
                                batch = createBatch(BatchSize);
                            }

                            batch.Clear();
                            batch.Sequence = raw.Sequence;
                            batch.Tag = raw.Tag;
                            parser.ParseAll(raw, batch);
                            parallelStage?.Invoke(batch);
                            done.TrySetResult(batch);
                        }
                        catch (Exception ex)
                        {
                            done.TrySetException(ex);
                            throw;
                        }
                    }
                },
                token);
        }

        var dedup = caseIds ?? new CaseDeduplicator(ExpectedRecords);
        try
        {
            await foreach (var (raw, done) in ordered.Reader.ReadAllAsync(token).ConfigureAwait(false))
            {
                // Cancellable: after a cancel, workers stop taking work, so a queued batch may never complete.
                var batch = await done.Task.WaitAsync(token).ConfigureAwait(false);
                dedup.Apply(batch);
                await inOrder(batch).ConfigureAwait(false);
                rawPool.Add(raw);
                batchPool.Add(batch);
            }

            await readerTask.ConfigureAwait(false);
            await Task.WhenAll(workerTasks).ConfigureAwait(false);
        }
        catch
        {
            await cts.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll([readerTask, .. workerTasks]).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The first failure is the one rethrown below.
            }

            throw;
        }
    }
}
