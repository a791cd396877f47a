using System.Globalization;
using DuckDB.NET.Data;
using Grouper.Core;
using Grouper.Generation;
using Grouper.Pipeline;
using Grouper.Settlement;

namespace Grouper.Tests.Pipeline;

/// <summary>The whole run with settlement on generated Ningde data: the parts of every bill add up, and nothing depends on threads.</summary>
public sealed class SettlementRunTests : IDisposable
{
    private readonly string _dir = TestPaths.NewTempDir("grouper-settle");

    public SettlementRunTests()
    {
        DischargeGenerator.WriteFiles(_dir, new GeneratorOptions { Count = 3000, Seed = 11, BadFraction = 0.02, Regions = [GeneratorRegion.ByCode("350900")!] });
    }

    public void Dispose() => Directory.Delete(_dir, true);

    private Task<RunManifest> Run(string outName, int workers, string? state = null) =>
        new BatchJob(new BatchJobOptions
        {
            InputDirectory = _dir,
            OutputDirectory = Path.Combine(_dir, outName),
            Workers = workers,
            BatchSize = 128,
            Policies = PolicyStore.Load(Path.Combine(TestPaths.SampleData, "policies")),
            Region = "350900",
            StatePath = state,
        }).RunAsync();

    private List<object[]> Query(string outName, string sql) =>
        DuckDbQuery.Rows(sql.Replace("CASES", $"read_parquet('{Path.Combine(_dir, outName, "cases.parquet")}')", StringComparison.Ordinal));

    [Fact]
    public async Task PartsAddUpToTotalCostForEveryCase()
    {
        var m = await Run("out", 2);
        Assert.True(m.RecordsAccepted > 2800);

        // Two reads: the input's SHA-256 is the first read's, cases.parquet's is taken as it is written.
        using (var manifest = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_dir, "out", "manifest.json"))))
        {
            Grouper.Tests.Ingest.ManifestChecks.ManifestFingerprintsMatchTheFiles(manifest.RootElement);
        }
        var bad = Query("out", "SELECT count(*) FROM CASES WHERE basic_fund + critical_illness + medical_assistance + patient_pays <> total_cost OR patient_pays < 0 OR patient_pays > total_cost OR basic_fund < 0");
        Assert.Equal(0L, Convert.ToInt64(bad[0][0], CultureInfo.InvariantCulture));
        var policies = Query("out", "SELECT DISTINCT policy_version FROM CASES");
        Assert.Equal("ningde 2025.07.1", Assert.Single(policies)[0]);

        // Second and third admissions of a person get the lower deductible (Ningde from 2023-07-10).
        var readmissions = Query("out", "SELECT count(*) FROM CASES WHERE admission_number >= 2");
        Assert.True(Convert.ToInt64(readmissions[0][0], CultureInfo.InvariantCulture) > 100);
        var third = Query("out", "SELECT max(deductible_applied) FROM CASES WHERE admission_number >= 3");
        Assert.Equal(0m, Convert.ToDecimal(third[0][0], CultureInfo.InvariantCulture));

        // The manifest money reconciles with the case table.
        var sum = Query("out", "SELECT CAST(sum(total_cost) AS VARCHAR) FROM CASES");
        Assert.Equal(Money.Format(m.AcceptedMoney.TotalCost), sum[0][0]);
    }

    [Fact]
    public async Task SettlementDoesNotDependOnWorkerCount()
    {
        await Run("one", 1);
        await Run("three", 3);
        Assert.Equal(File.ReadAllBytes(Path.Combine(_dir, "one", "cases.parquet")), File.ReadAllBytes(Path.Combine(_dir, "three", "cases.parquet")));
    }

    [Fact]
    public async Task TheSameInputIsNeverCountedTwiceIntoTheState()
    {
        var state = Path.Combine(_dir, "ytd.db");
        await Run("first", 2, state);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(state));
        }

        var ex = await Assert.ThrowsAsync<InputException>(() => Run("second", 2, state));
        Assert.Contains("already settled", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "second", "manifest.json")));
    }
}
