using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;
using Grouper.Core;
using Grouper.Dip;
using Grouper.Drg;
using Grouper.Generation;
using Grouper.Ingest;
using Parquet;
using Parquet.Serialization;

namespace Grouper.Benchmarks;

/// <summary>
/// End-to-end throughput: generates N records from the real CHS-DRG 2.0 code lists, runs the
/// batch host (<c>Grouper.Batch run</c>: parse, validate, DRG, DIP, patient chain, hospital
/// payment, cases.parquet) as a separate process for each worker count, and beside it, in the
/// same invocation, a straightforward baseline: CsvHelper <c>GetRecords&lt;T&gt;</c> into classes,
/// the string/LINQ reference DRG grouper, the naive DIP matcher, pricing in decimals and
/// Parquet.Net's row-object serializer. Each run is its own process, so peak working set is
/// that run's alone. Prints a markdown table.
/// </summary>
public static class EndToEnd
{
    /// <param name="CpuSeconds">CPU time of the whole process (all threads, start to end): on a shared machine a steadier measure of cost than elapsed time.</param>
    public sealed record Measure(string Name, int Workers, long Records, double Seconds, long InputBytes, long Allocated, long PeakWorkingSet, double CpuSeconds = 0)
    {
        public double RecordsPerSecond => Records / Seconds;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        string Arg(string name, string fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }

        var records = long.Parse(Arg("--records", "1000000"), CultureInfo.InvariantCulture);
        var workerCounts = Arg("--workers", "1,2").Split(',').Select(w => int.Parse(w, CultureInfo.InvariantCulture)).ToArray();

        // --one-core true: also run 1 worker pinned to one core (taskset, Linux), the issue's one-core figure.
        var oneCore = Arg("--one-core", "false") == "true" && OperatingSystem.IsLinux();
        var withBaseline = Arg("--baseline", "true") == "true";
        var root = RepositoryRoot();
        var reference = Environment.GetEnvironmentVariable("GROUPER_CHS_DRG20") ?? Path.GetFullPath(Path.Combine(root, "..", "shared", "reference-data", "chs-drg-2.0"));
        var work = Path.GetFullPath(Arg("--work", Path.Combine(Path.GetTempPath(), "grouper-e2e")));
        Directory.CreateDirectory(work);

        var drgDir = Path.Combine(work, "drg-catalog");
        if (!File.Exists(Path.Combine(drgDir, "catalog.json")))
        {
            DrgCatalogImporter.Import(reference, drgDir, "CHS-DRG", "2.0", new DateOnly(2024, 7, 23), null);
        }

        var data = Path.Combine(work, $"data-{records}");
        if (!File.Exists(Path.Combine(data, "discharges.csv")))
        {
            var sw = Stopwatch.StartNew();
            DischargeGenerator.WriteFiles(data, new GeneratorOptions { Count = (int)records, Seed = 1, Regions = [GeneratorRegion.ByCode("350900")!] }, new ReferenceTablesCodeSource(reference));
            Console.Error.WriteLine($"generated {records:N0} records in {sw.Elapsed.TotalSeconds:N1} s");
        }

        // The product as users run it (run-batch.sh): the batch host published ReadyToRun for this
        // machine's runtime, or the plain Release build where that cannot be restored.
        var project = Path.Combine(root, "src", "Grouper.Batch", "Grouper.Batch.csproj");
        var batchDll = Path.Combine(root, "src", "Grouper.Batch", "bin", "publish", "Grouper.Batch.dll");
        if (await ChildAsync("dotnet", ["publish", project, "-c", "Release", "--use-current-runtime", "--self-contained", "false", "-p:PublishReadyToRun=true",
                "-o", Path.GetDirectoryName(batchDll)!, "-nologo", "-v", "quiet"]).ConfigureAwait(false) != 0)
        {
            Console.Error.WriteLine("the ReadyToRun publish failed; measuring the plain Release build");
            if (await ChildAsync("dotnet", ["build", project, "-c", "Release", "-nologo", "-v", "quiet"]).ConfigureAwait(false) != 0)
            {
                return 1;
            }

            batchDll = Path.Combine(root, "src", "Grouper.Batch", "bin", "Release", "net10.0", "Grouper.Batch.dll");
        }
        var results = new List<Measure>();
        var runs = workerCounts.Select(w => (Workers: w, Pinned: false)).ToList();
        if (oneCore)
        {
            runs.Add((1, true));
        }

        foreach (var (w, pinned) in runs)
        {
            var output = Path.Combine(work, $"out-{records}-w{w}{(pinned ? "-pinned" : string.Empty)}");
            string[] command = [batchDll, "run", "--input", data, "--out", output, "--region", "350900", "--workers", w.ToString(CultureInfo.InvariantCulture),
                "--drg-catalog", drgDir, "--dip-catalog", Path.Combine(root, "sample-data", "catalogs", "dip-demo"), "--policy", Path.Combine(root, "sample-data", "policies"),
                "--pseudonym-key-file", Path.Combine(root, "sample-data", "DEMO-pseudonym.key"), "--no-progress"];
            var exit = pinned
                ? await ChildAsync("taskset", ["-c", "0", "dotnet", .. command]).ConfigureAwait(false)
                : await ChildAsync("dotnet", command).ConfigureAwait(false);
            if (exit is not (0 or 3))
            {
                Console.Error.WriteLine($"Grouper.Batch exited with {exit}");
                return 1;
            }

            using var manifest = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(output, "manifest.json")).ConfigureAwait(false));
            var m = manifest.RootElement;
            var seconds = (m.GetProperty("finished_utc").GetDateTimeOffset() - m.GetProperty("started_utc").GetDateTimeOffset()).TotalSeconds;
            var res = m.GetProperty("resources");
            results.Add(new Measure(pinned ? "Grouper, 1 worker, pinned to one core" : $"Grouper, {w} worker{(w > 1 ? "s" : "")}", w, m.GetProperty("records_read").GetInt64(), seconds, new FileInfo(Path.Combine(data, "discharges.csv")).Length,
                res.GetProperty("allocated_bytes").GetInt64(), res.GetProperty("peak_working_set_bytes").GetInt64(), res.GetProperty("process_cpu_seconds").GetDouble()));
            Console.Error.WriteLine($"{results[^1].Name}: {results[^1].RecordsPerSecond:N0} records/s");
        }

        Measure? baseline = null;
        if (withBaseline)
        {
            var output = Path.Combine(work, $"out-{records}-baseline");
            var json = Path.Combine(work, "baseline.json");
            var exit = await ChildAsync("dotnet", [typeof(EndToEnd).Assembly.Location, "e2e-baseline", data, output, reference, drgDir, Path.Combine(root, "sample-data", "catalogs", "dip-demo"), json]).ConfigureAwait(false);
            if (exit != 0)
            {
                Console.Error.WriteLine($"baseline exited with {exit}");
                return 1;
            }

            baseline = JsonSerializer.Deserialize<Measure>(await File.ReadAllTextAsync(json).ConfigureAwait(false))!;
            results.Insert(0, baseline);
        }

        Console.WriteLine($"End to end, {records:N0} generated records (real CHS-DRG 2.0 codes), {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");
        Console.WriteLine();
        Console.WriteLine("| implementation | records | seconds | records/s | MB/s | CPU µs/record | allocated B/record | peak working set | ratio vs baseline |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            var ratio = baseline is null ? "n/a" : (r.RecordsPerSecond / baseline.RecordsPerSecond).ToString("N2", CultureInfo.InvariantCulture) + "x";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Name} | {r.Records:N0} | {r.Seconds:N1} | {r.RecordsPerSecond:N0} | {r.InputBytes / r.Seconds / 1e6:N1} | {r.CpuSeconds * 1e6 / r.Records:N1} | {(double)r.Allocated / r.Records:N0} | {r.PeakWorkingSet / 1048576.0:N0} MiB | {ratio} |"));
        }

        return 0;
    }

    private static async Task<int> ChildAsync(string file, string[] arguments)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().ConfigureAwait(false);
        if (p.ExitCode is not (0 or 3))
        {
            Console.Error.WriteLine(await stdout.ConfigureAwait(false));
            Console.Error.WriteLine(await stderr.ConfigureAwait(false));
        }

        return p.ExitCode;
    }

    internal static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "Grouper.sln")))
            {
                return d.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }

    /// <summary>The baseline, in its own process: <c>e2e-baseline DATA OUT REFERENCE DRGCATALOG DIPCATALOG RESULT.json</c>.</summary>
    public static async Task<int> BaselineAsync(string[] args)
    {
        var (data, output, reference, drgDir, dipDir, json) = (args[1], args[2], args[3], args[4], args[5], args[6]);
        var alloc0 = GC.GetTotalAllocatedBytes(true);
        var sw = Stopwatch.StartNew();
        var n = await NaivePipeline.RunAsync(data, output, reference, DrgCatalog.Load(drgDir), DipCatalog.Load(dipDir)).ConfigureAwait(false);
        sw.Stop();
        using var self = Process.GetCurrentProcess();
        var m = new Measure("Baseline (CsvHelper GetRecords<T>, string dictionaries, row objects to Parquet)", 1, n, sw.Elapsed.TotalSeconds,
            new FileInfo(Path.Combine(data, "discharges.csv")).Length, GC.GetTotalAllocatedBytes(true) - alloc0, self.PeakWorkingSet64, Environment.CpuUsage.TotalTime.TotalSeconds);
        await File.WriteAllTextAsync(json, JsonSerializer.Serialize(m)).ConfigureAwait(false);
        return 0;
    }
}

/// <summary>
/// What a straightforward implementation of the same job looks like: a class per record from
/// CsvHelper, strings everywhere, the reference DRG grouper (dictionaries of strings, LINQ), the
/// naive DIP matcher, DRG pricing in decimals, and a row object per case handed to Parquet.Net's
/// serializer. It leaves out the patient chain and most validation, so it does less than the
/// real run: the comparison flatters the baseline, not us.
/// </summary>
internal static class NaivePipeline
{
    public static async Task<long> RunAsync(string data, string output, string reference, DrgCatalog drgCatalog, DipCatalog dipCatalog)
    {
        Directory.CreateDirectory(output);
        var hospitals = HospitalTable.Load(Path.Combine(data, "hospitals.csv")).Hospitals.ToDictionary(h => h.HospitalId, StringComparer.Ordinal);
        var drg = new Tests.Drg.ReferenceDrgGrouper(reference);
        var weights = new Dictionary<string, decimal>(StringComparer.Ordinal);
        for (var i = 0; i < drgCatalog.DrgCount; i++)
        {
            weights[drgCatalog.DrgCode(i)] = drgCatalog.DrgWeight4(i) / 10000m;
        }

        var dip = new NaiveDipMatcher(dipCatalog, new DipScoringParameters());
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var rows = new List<NaiveRow>(100_000);
        long n = 0;
        var append = false;
        await using var file = File.Create(Path.Combine(output, "cases.parquet"));
        using var text = new StreamReader(Path.Combine(data, "discharges.csv"));
        using var csv = new CsvReader(text, new CsvConfiguration(CultureInfo.InvariantCulture) { TrimOptions = TrimOptions.Trim, MissingFieldFound = null, HeaderValidated = null });
        foreach (var r in csv.GetRecords<BaselineRecord>())
        {
            n++;
            if (!hospitals.TryGetValue(r.hospital_id, out var hospital) || !seen.Add(r.case_id)
                || !DateOnly.TryParseExact(r.admit_date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var admit)
                || !DateOnly.TryParseExact(r.discharge_date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var discharge)
                || !decimal.TryParse(r.total_cost, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var total))
            {
                continue;
            }

            var sdx = r.secondary_dx.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
            var procs = r.other_procs.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
            var age = int.Parse(r.age_years, CultureInfo.InvariantCulture);
            var ageDays = r.age_days.Length > 0 ? int.Parse(r.age_days, CultureInfo.InvariantCulture) : -1;
            var weight = r.birth_weight_g.Length > 0 ? int.Parse(r.birth_weight_g, CultureInfo.InvariantCulture) : -1;
            var grouped = drg.Group(r.sex == "1" ? 1 : 2, age, ageDays, weight, r.principal_dx, sdx, r.principal_proc, procs);
            var los = Math.Max(1, discharge.DayNumber - admit.DayNumber);
            var dipResult = dip.Match(new NaiveCase(r.principal_dx, r.principal_proc.Length > 0 ? r.principal_proc : null, [.. procs], [.. sdx], age,
                int.Parse(r.discharge_mode, CultureInfo.InvariantCulture), los, (long)(total * 100), hospital.Level.GradeGroup, hospital.Level.Tier));
            var w = weights.GetValueOrDefault(grouped.Drg);
            rows.Add(new NaiveRow
            {
                case_id = r.case_id,
                hospital_id = r.hospital_id,
                person_id = r.person_id,
                insurance_type = r.insurance_type,
                admit_date = admit.ToDateTime(TimeOnly.MinValue),
                discharge_date = discharge.ToDateTime(TimeOnly.MinValue),
                principal_dx = r.principal_dx,
                secondary_dx = r.secondary_dx,
                principal_proc = r.principal_proc,
                other_procs = r.other_procs,
                total_cost = total,
                drg_code = grouped.Drg,
                mdc = grouped.Mdc,
                adrg = grouped.Adrg,
                drg_reason = grouped.Reason,
                drg_weight = w,
                drg_payment = Math.Round(w * 10_000m, 2, MidpointRounding.AwayFromZero),
                dip_points = dipResult.Points,
            });
            if (rows.Count == rows.Capacity)
            {
                await ParquetSerializer.SerializeAsync(rows, file, new ParquetOptions { Append = append, CompressionMethod = CompressionMethod.Snappy }).ConfigureAwait(false);
                append = true;
                rows.Clear();
            }
        }

        if (rows.Count > 0)
        {
            await ParquetSerializer.SerializeAsync(rows, file, new ParquetOptions { Append = append, CompressionMethod = CompressionMethod.Snappy }).ConfigureAwait(false);
        }

        return n;
    }
}

#pragma warning disable IDE1006, CA1707 // column names as properties, as a straightforward implementation writes them
internal sealed class NaiveRow
{
    public string case_id { get; set; } = "";
    public string hospital_id { get; set; } = "";
    public string person_id { get; set; } = "";
    public string insurance_type { get; set; } = "";
    public DateTime admit_date { get; set; }
    public DateTime discharge_date { get; set; }
    public string principal_dx { get; set; } = "";
    public string secondary_dx { get; set; } = "";
    public string principal_proc { get; set; } = "";
    public string other_procs { get; set; } = "";
    public decimal total_cost { get; set; }
    public string drg_code { get; set; } = "";
    public string mdc { get; set; } = "";
    public string adrg { get; set; } = "";
    public string drg_reason { get; set; } = "";
    public decimal drg_weight { get; set; }
    public decimal drg_payment { get; set; }
    public decimal dip_points { get; set; }
}
#pragma warning restore IDE1006, CA1707
