using System.Globalization;
using System.Text;
using System.Text.Json;
using DuckDB.NET.Data;
using Grouper.Core;
using Grouper.Pipeline;
using static Grouper.Tests.Ingest.IngestHarness;

namespace Grouper.Tests.Ingest;

public class BatchJobTests
{
    private const string HospitalsCsv = """
        hospital_id,name,region_code,level,kind,location,is_grassroots,payment_method,drg_charge
        H1,"Ningde City Hospital, East",350902,3A,general,city,0,DIP,0
        H2,Fuzhou Hospital,350102,3A,general,city,,,
        H3,Ningbo Hospital,330203,2,tcm,county,1,DRG,1
        """;

    internal static string WriteInput(string discharges, string? hospitals = null)
    {
        var dir = TestPaths.NewTempDir("grouper-job");
        File.WriteAllText(Path.Combine(dir, "discharges.csv"), discharges, new UTF8Encoding(false));
        File.WriteAllText(Path.Combine(dir, "hospitals.csv"), (hospitals ?? HospitalsCsv) + "\n", new UTF8Encoding(false));
        return dir;
    }

    private static async Task<RunManifest> Run(string inputDir, string outDir) =>
        await new BatchJob(new BatchJobOptions { InputDirectory = inputDir, OutputDirectory = outDir, BatchSize = 3, RowGroupSize = 4 }).RunAsync();

    [Fact]
    public async Task WritesCasesRejectsAndAReconcilingManifestReadableByDuckDb()
    {
        var csv = new StringBuilder(Header).Append('\n');
        csv.Append(Row(("case_id", "A1"), ("total_cost", "20000.00"), ("policy_cost", "17000.00"))).Append('\n');
        csv.Append(Row(("case_id", "A2"), ("hospital_id", "H3"), ("age_years", "0"), ("age_days", "5"), ("birth_weight_g", "1800"),
            ("principal_dx", "P07.300"), ("secondary_dx", ""), ("other_procs", "47.0901;54.5901"), ("total_cost", "1234.5"),
            ("policy_cost", "1000"), ("full_self_pay", ""), ("partial_self_pay", ""), ("assistance_class", "dibao"))).Append('\n');
        csv.Append(Row(("case_id", "A3"), ("sex", "x"))).Append('\n');
        for (var i = 0; i < 10; i++)
        {
            csv.Append(Row(("case_id", "B" + i), ("total_cost", "100.01"), ("policy_cost", "50.00"), ("full_self_pay", "0"), ("partial_self_pay", "0"))).Append('\n');
        }

        var dir = WriteInput(csv.ToString());
        var outDir = Path.Combine(dir, "out");
        var m = await Run(dir, outDir);

        Assert.Equal(13, m.RecordsRead);
        Assert.Equal(12, m.RecordsAccepted);
        Assert.Equal(1, m.RecordsRejected);
        Assert.Equal(1, m.RejectsByReason["BAD_CODE"]);
        Assert.Equal(2_000_000 + 123_450 + (10 * 10_001), m.AcceptedMoney.TotalCost);
        Assert.Equal(1, m.Warnings["PROC_PROMOTED"]);

        // The manifest on disk says the same and reconciles.
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(outDir, "manifest.json")));
        var root = json.RootElement;
        Assert.Equal(13, root.GetProperty("records_read").GetInt64());
        Assert.True(root.GetProperty("reconciles").GetBoolean());
        Assert.Equal("22234.60", root.GetProperty("accepted_money").GetProperty("total_cost").GetString());
        Assert.Equal(64, root.GetProperty("inputs")[0].GetProperty("sha256").GetString()!.Length);
        ManifestChecks.ManifestFingerprintsMatchTheFiles(root);

        // rejects.csv
        var rejects = File.ReadAllLines(Path.Combine(outDir, "rejects.csv"));
        Assert.Equal(["line,case_id,reason,field,message", "4,A3,BAD_CODE,sex,\"sex must be 1 (male), 2 (female) or 9 (not stated)\""], rejects);

        // cases.parquet read back by an independent reader (DuckDB).
        using var conn = new DuckDBConnection("DataSource=:memory:");
        conn.Open();
        using var cmd = conn.CreateCommand();
        var parquet = Path.Combine(outDir, "cases.parquet").Replace("'", "''", StringComparison.Ordinal);
        cmd.CommandText = $"""
            SELECT case_id, hospital_id, line, admit_date, los, age_days, birth_weight_g, principal_dx, secondary_dx,
                   principal_proc, other_procs, CAST(total_cost AS VARCHAR), CAST(over_limit_self_pay AS VARCHAR), assistance_class,
                   warnings, typeof(total_cost), typeof(admit_date)
            FROM read_parquet('{parquet}') ORDER BY line
            """;
        using var rd = cmd.ExecuteReader();
        Assert.True(rd.Read());
        Assert.Equal("A1", rd.GetString(0));
        Assert.Equal("H1", rd.GetString(1));
        Assert.Equal(2L, rd.GetInt64(2));
        Assert.Equal(new DateOnly(2024, 3, 1), DateOnly.FromDateTime(rd.GetDateTime(3)));
        Assert.Equal(7, rd.GetInt32(4));
        Assert.True(rd.IsDBNull(5));
        Assert.Equal("J18.900", rd.GetString(7));
        Assert.Equal("I50.900;E87.600", rd.GetString(8));
        Assert.True(rd.IsDBNull(9));
        Assert.Equal("20000.00", rd.GetString(11));
        Assert.Equal("0.00", rd.GetString(12));
        Assert.True(rd.IsDBNull(13));
        Assert.Equal("DECIMAL(18,2)", rd.GetString(15));
        Assert.Equal("DATE", rd.GetString(16));
        Assert.True(rd.Read());
        Assert.Equal("A2", rd.GetString(0));
        Assert.Equal(5, rd.GetInt32(5));
        Assert.Equal(1800, rd.GetInt32(6));
        Assert.Equal("47.0901", rd.GetString(9));
        Assert.Equal("54.5901", rd.GetString(10));
        Assert.Equal("1234.50", rd.GetString(11));
        Assert.Equal("234.50", rd.GetString(12));
        Assert.Equal("dibao", rd.GetString(13));
        Assert.Equal("PROC_PROMOTED", rd.GetString(14));
        var rows = 2;
        while (rd.Read())
        {
            rows++;
        }

        Assert.Equal(12, rows);
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task MissingHeaderColumnWritesNoOutputs()
    {
        var header = string.Join(',', Grouper.Ingest.DischargeColumns.Names.Where(n => n != "total_cost"));
        var dir = WriteInput(header + "\n");
        var outDir = Path.Combine(dir, "out");
        var ex = await Assert.ThrowsAsync<InputException>(() => Run(dir, outDir));
        Assert.Contains("total_cost", ex.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any());
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task BadHospitalsRowStopsWithFileLineAndColumn()
    {
        var dir = WriteInput(Header + "\n", "hospital_id,name,region_code,level,kind,location\nH1,A,350902,3A,general,city\nH2,B,35090,3A,general,city");
        var ex = await Assert.ThrowsAsync<InputException>(() => Run(dir, Path.Combine(dir, "out")));
        Assert.Equal(3, ex.LineNumber);
        Assert.Equal("region_code", ex.Field);
        Assert.EndsWith("hospitals.csv", ex.File, StringComparison.Ordinal);
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task MissingInputFileIsNamed()
    {
        var dir = TestPaths.NewTempDir();
        var ex = await Assert.ThrowsAsync<InputException>(() => Run(dir, Path.Combine(dir, "out")));
        Assert.Contains("discharges.csv", ex.Message, StringComparison.Ordinal);
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task CancelledRunLeavesNoFinalOutputs()
    {
        var csv = new StringBuilder(Header).Append('\n');
        for (var i = 0; i < 100; i++)
        {
            csv.Append(Row(("case_id", "C" + i.ToString(CultureInfo.InvariantCulture)))).Append('\n');
        }

        var dir = WriteInput(csv.ToString());

        // Repeated with several worker counts: cancelling used to race with the workers and could
        // leave the sequencer waiting forever for a batch no worker would finish (found in CI-like runs).
        for (var attempt = 0; attempt < 12; attempt++)
        {
            var outDir = Path.Combine(dir, "out" + attempt);
            using var cts = new CancellationTokenSource();
            var job = new BatchJob(new BatchJobOptions { InputDirectory = dir, OutputDirectory = outDir, BatchSize = 3, Workers = 1 + (attempt % 4) });
            var progress = new SyncProgress(p =>
            {
                if (p.RecordsRead > 20)
                {
                    cts.Cancel();
                }
            });
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => job.RunAsync(progress, cts.Token).WaitAsync(TimeSpan.FromSeconds(60)));
            Assert.Empty(Directory.EnumerateFiles(outDir));
        }

        Directory.Delete(dir, true);
    }

    private sealed class SyncProgress(Action<BatchProgress> action) : IProgress<BatchProgress>
    {
        public void Report(BatchProgress value) => action(value);
    }
}

public class DeterminismTests
{
    [Fact]
    public async Task OutputsAreByteIdenticalWhateverTheWorkerCount()
    {
        var csv = new StringBuilder(IngestHarness.Header).Append('\n');
        for (var i = 0; i < 3000; i++)
        {
            var id = "C" + (i % 997 == 5 ? 1 : i).ToString(CultureInfo.InvariantCulture); // some duplicates
            var sex = i % 101 == 0 ? "7" : "1"; // some rejects
            csv.Append(IngestHarness.Row(("case_id", id), ("sex", sex), ("total_cost", (20000 + i).ToString(CultureInfo.InvariantCulture) + ".50"))).Append('\n');
        }

        var dir = BatchJobTests.WriteInput(csv.ToString());
        string? casesHash = null;
        string? rejectsText = null;
        foreach (var workers in new[] { 1, 2, 4 })
        {
            var outDir = Path.Combine(dir, "out" + workers);
            var m = await new BatchJob(new BatchJobOptions { InputDirectory = dir, OutputDirectory = outDir, Workers = workers, BatchSize = 64, RowGroupSize = 500 }).RunAsync();
            Assert.Equal(3000, m.RecordsRead);
            Assert.Equal(4 + 30, m.RecordsRejected);
            Assert.Equal(4, m.RejectsByReason["DUPLICATE_CASE"]);
            var hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(outDir, "cases.parquet"))));
            var rejects = File.ReadAllText(Path.Combine(outDir, "rejects.csv"));
            casesHash ??= hash;
            rejectsText ??= rejects;
            Assert.Equal(casesHash, hash);
            Assert.Equal(rejectsText, rejects);
        }

        Directory.Delete(dir, true);
    }
}

/// <summary>Checks of a run's manifest shared by the batch tests.</summary>
internal static class ManifestChecks
{
    /// <summary>Every input and output the manifest names has the SHA-256 and size of the file on disk.</summary>
    public static void ManifestFingerprintsMatchTheFiles(JsonElement manifest)
    {
        var seen = 0;
        foreach (var section in new[] { "inputs", "outputs" })
        {
            foreach (var f in manifest.GetProperty(section).EnumerateArray())
            {
                var path = f.GetProperty("path").GetString()!;
                var bytes = File.ReadAllBytes(path);
                Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), f.GetProperty("sha256").GetString());
                Assert.Equal(bytes.Length, f.GetProperty("bytes").GetInt64());
                seen++;
            }
        }

        Assert.True(seen >= 3, "the manifest names the inputs and the outputs");
    }
}
