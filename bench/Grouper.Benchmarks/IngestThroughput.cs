using System.Diagnostics;
using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using Grouper.Core;
using Grouper.Ingest;

namespace Grouper.Benchmarks;

/// <summary>
/// End-to-end ingest + validate throughput on a discharges file, side by side with a baseline that
/// reads the same file with CsvHelper <c>GetRecords&lt;T&gt;</c> into classes (and does the same
/// lexical checks with strings). Prints records/s, MB/s and allocated bytes per record.
/// </summary>
public static class IngestThroughput
{
    public sealed record Row(string Name, long Records, double Seconds, long Bytes, long Allocated, long Retained = 0)
    {
        /// <summary>Allocation per record that is not retained run state (the duplicate-case index).</summary>
        public double GarbagePerRecord => (double)(Allocated - Retained) / Records;

        public double RecordsPerSecond => Records / Seconds;

        public double MegabytesPerSecond => Bytes / Seconds / 1e6;

        public double AllocatedPerRecord => (double)Allocated / Records;
    }

    public static async Task<Row> MeasureGrouperAsync(string dischargesPath, HospitalTable hospitals)
    {
        var bytes = new FileInfo(dischargesPath).Length;
        // Warm-up on the first part of the file so JIT tiers are not measured.
        await ReadAsync(dischargesPath, hospitals, 200_000).ConfigureAwait(false);
        GC.Collect();
        var alloc0 = GC.GetTotalAllocatedBytes(true);
        var sw = Stopwatch.StartNew();
        var dedup = new CaseDeduplicator(Grouper.Pipeline.IngestPipeline.EstimateRecords(dischargesPath));
        var n = await ReadAsync(dischargesPath, hospitals, long.MaxValue, dedup).ConfigureAwait(false);
        sw.Stop();
        var alloc = GC.GetTotalAllocatedBytes(true) - alloc0;
        return new Row("Grouper, 1 thread (PipeReader, spans, packed codes)", n, sw.Elapsed.TotalSeconds, bytes, alloc, dedup.IndexBytes);
    }

    /// <summary>The parallel pipeline as the batch run uses it (reader + workers + in-order sequencer).</summary>
    public static async Task<Row> MeasureParallelAsync(string dischargesPath, HospitalTable hospitals, int workers)
    {
        var bytes = new FileInfo(dischargesPath).Length;
        GC.Collect();
        var alloc0 = GC.GetTotalAllocatedBytes(true);
        var sw = Stopwatch.StartNew();
        long n = 0;
        await using (var reader = await DischargeReader.OpenAsync(dischargesPath).ConfigureAwait(false))
        {
            await new Grouper.Pipeline.IngestPipeline(workers) { ExpectedRecords = Grouper.Pipeline.IngestPipeline.EstimateRecords(dischargesPath) }.RunAsync(
                reader,
                () => new DischargeRecordParser(reader.Header, hospitals),
                size => new DischargeBatch(size),
                null,
                b =>
                {
                    n += b.RecordsRead;
                    return ValueTask.CompletedTask;
                },
                CancellationToken.None).ConfigureAwait(false);
        }

        sw.Stop();
        var alloc = GC.GetTotalAllocatedBytes(true) - alloc0;
        return new Row($"Grouper, {workers} workers (parallel parse + validate)", n, sw.Elapsed.TotalSeconds, bytes, alloc);
    }

    private static async Task<long> ReadAsync(string path, HospitalTable hospitals, long limit, CaseDeduplicator? dedup = null)
    {
        await using var reader = await DischargeReader.OpenAsync(path).ConfigureAwait(false);
        var parser = new DischargeRecordParser(reader.Header, hospitals);
        var batch = new DischargeBatch(4096);
        long n = 0;
        using var cts = new CancellationTokenSource();
        try
        {
            await reader.ReadAllAsync(parser, () =>
            {
                batch.Clear();
                return batch;
            }, b =>
            {
                n += b.RecordsRead;
                if (n >= limit)
                {
                    cts.Cancel();
                }

                return ValueTask.CompletedTask;
            }, dedup, cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        return n;
    }

    /// <summary>The straightforward implementation: CsvHelper into a class per record, strings everywhere.</summary>
    public static Row MeasureCsvHelperBaseline(string dischargesPath, HashSet<string> hospitalIds)
    {
        var bytes = new FileInfo(dischargesPath).Length;
        Baseline(dischargesPath, hospitalIds, 200_000);
        GC.Collect();
        var alloc0 = GC.GetTotalAllocatedBytes(true);
        var sw = Stopwatch.StartNew();
        var n = Baseline(dischargesPath, hospitalIds, long.MaxValue);
        sw.Stop();
        var alloc = GC.GetTotalAllocatedBytes(true) - alloc0;
        return new Row("Baseline (CsvHelper GetRecords<T>)", n, sw.Elapsed.TotalSeconds, bytes, alloc);
    }

    private static long Baseline(string path, HashSet<string> hospitalIds, long limit)
    {
        using var stream = CsvFiles.OpenRead(path);
        using var text = new StreamReader(stream);
        using var csv = new CsvReader(text, new CsvConfiguration(CultureInfo.InvariantCulture) { TrimOptions = TrimOptions.Trim, MissingFieldFound = null, HeaderValidated = null });
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long n = 0;
        long accepted = 0;
        foreach (var r in csv.GetRecords<BaselineRecord>())
        {
            n++;
            var ok = r.case_id.Length > 0
                && DateOnly.TryParseExact(r.admit_date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var admit)
                && DateOnly.TryParseExact(r.discharge_date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var discharge)
                && discharge >= admit
                && decimal.TryParse(r.total_cost, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var total)
                && decimal.TryParse(r.policy_cost, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var policy)
                && policy <= total
                && r.secondary_dx.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).All(c => c.Length >= 3 && char.IsAsciiLetterUpper(c[0]))
                && hospitalIds.Contains(r.hospital_id)
                && seen.Add(r.case_id);
            if (ok)
            {
                accepted++;
            }

            if (n >= limit)
            {
                break;
            }
        }

        return accepted > 0 ? n : n;
    }

    public static string Table(IEnumerable<Row> rows, Row baseline)
    {
        var sb = new System.Text.StringBuilder();
        sb.AppendLine("| implementation | records | records/s | MB/s | allocated B/record | of which retained duplicate index | other B/record | ratio vs baseline |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            var retained = r.Retained > 0 ? ((double)r.Retained / r.Records).ToString("N2", CultureInfo.InvariantCulture) : "n/a";
            var other = r.Retained > 0 ? r.GarbagePerRecord.ToString("N2", CultureInfo.InvariantCulture) : "n/a";
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {r.Name} | {r.Records:N0} | {r.RecordsPerSecond:N0} | {r.MegabytesPerSecond:N1} | {r.AllocatedPerRecord:N2} | {retained} | {other} | {r.RecordsPerSecond / baseline.RecordsPerSecond:N2}x |");
        }

        return sb.ToString();
    }
}

#pragma warning disable IDE1006, CA1707 // property names are the CSV header names for GetRecords<T>
public sealed class BaselineRecord
{
    public string case_id { get; set; } = "";
    public string hospital_id { get; set; } = "";
    public string person_id { get; set; } = "";
    public string insurance_type { get; set; } = "";
    public string assistance_class { get; set; } = "";
    public string admit_date { get; set; } = "";
    public string discharge_date { get; set; } = "";
    public string sex { get; set; } = "";
    public string age_years { get; set; } = "";
    public string age_days { get; set; } = "";
    public string birth_weight_g { get; set; } = "";
    public string admit_weight_g { get; set; } = "";
    public string discharge_mode { get; set; } = "";
    public string principal_dx { get; set; } = "";
    public string secondary_dx { get; set; } = "";
    public string principal_proc { get; set; } = "";
    public string other_procs { get; set; } = "";
    public string vent_hours { get; set; } = "";
    public string total_cost { get; set; } = "";
    public string policy_cost { get; set; } = "";
    public string full_self_pay { get; set; } = "";
    public string partial_self_pay { get; set; } = "";
    public string care_location { get; set; } = "";
    public string referral_status { get; set; } = "";
}
#pragma warning restore IDE1006, CA1707
