using System.Globalization;
using DuckDB.NET.Data;
using Grouper.Generation;
using Grouper.Pipeline;
using Grouper.Tests.Generation;

namespace Grouper.Tests.Ingest;

/// <summary>
/// The generator writes, next to each file, what a correct validator must do with it. The real
/// reader and validator must agree line for line, and every accepted record must come back from
/// cases.parquet (read by DuckDB) equal to its CSV fields after the documented normalisation.
/// </summary>
public sealed class GeneratedDataTests : IAsyncLifetime
{
    private readonly string _dir = TestPaths.NewTempDir("grouper-gen");
    private RunManifest _manifest = null!;

    private string OutDir => Path.Combine(_dir, "out");

    public async Task InitializeAsync()
    {
        var options = new GeneratorOptions
        {
            Count = 4000,
            Seed = 7,
            BadFraction = 0.05,
            Regions = [GeneratorRegion.ByCode("350900")!],
        };
        DischargeGenerator.WriteFiles(_dir, options);
        _manifest = await new BatchJob(new BatchJobOptions
        {
            InputDirectory = _dir,
            OutputDirectory = OutDir,
            Workers = 2,
            BatchSize = 256,
            Validation = new Grouper.Ingest.ValidationOptions { InsuredRegion = "350900" },
        }).RunAsync();
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, true);
        return Task.CompletedTask;
    }

    [Fact]
    public void RejectsEqualTheGeneratorsExpectationLineForLine()
    {
        // Our documented choice: a line that cannot be split reliably (LINE_TOO_LONG, FIELD_COUNT)
        // is reported without a case id, so no other field's content can be echoed by mistake.
        var expected = File.ReadAllLines(Path.Combine(_dir, "expected-rejects.csv")).Skip(1)
            .Select(l => l.Split(','))
            .Select(p => p[2] is "LINE_TOO_LONG" or "FIELD_COUNT" ? $"{p[0]},,{p[2]}" : string.Join(',', p))
            .ToArray();
        var actual = CsvOracle.Parse(File.ReadAllText(Path.Combine(OutDir, "rejects.csv"))).Skip(1)
            .Select(r => string.Join(',', r.Fields[0], r.Fields[1], r.Fields[2])).ToArray();
        Assert.True(expected.Length > 60, "the generator should have produced rejects of every kind");
        Assert.Equal(expected, actual);
        Assert.Equal(4000, _manifest.RecordsRead);
        Assert.Equal(expected.Length, _manifest.RecordsRejected);
    }

    [Fact]
    public void WarningsEqualTheGeneratorsExpectation()
    {
        var expected = File.ReadAllLines(Path.Combine(_dir, "expected-warnings.csv")).Skip(1)
            .Select(l => l.Split(',')).GroupBy(p => p[1]).ToDictionary(g => g.Key, g => string.Join(';', g.Select(p => p[2]).Order(StringComparer.Ordinal)));
        var actual = new Dictionary<string, string>();
        foreach (var row in Query("SELECT case_id, warnings FROM read_parquet('{0}') WHERE warnings <> ''"))
        {
            actual[(string)row[0]] = string.Join(';', ((string)row[1]).Split(';').Order(StringComparer.Ordinal));
        }

        Assert.True(expected.Count > 40);
        Assert.Equal(expected.OrderBy(k => k.Key, StringComparer.Ordinal), actual.OrderBy(k => k.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void AcceptedRecordsRoundTripThroughParquetFieldByField()
    {
        var csv = CsvOracle.Parse(File.ReadAllText(Path.Combine(_dir, "discharges.csv")));
        var header = csv[0].Fields;
        var rejected = File.ReadAllLines(Path.Combine(_dir, "expected-rejects.csv")).Skip(1).Select(l => long.Parse(l.Split(',')[0], CultureInfo.InvariantCulture)).ToHashSet();
        var byLine = csv.Skip(1).Where(r => !rejected.Contains(r.Line)).ToDictionary(r => r.Line);

        var rows = Query("""
            SELECT line, case_id, hospital_id, person_id, insurance_type, coalesce(assistance_class, ''), strftime(admit_date, '%Y-%m-%d'),
                   strftime(discharge_date, '%Y-%m-%d'), sex, age_years, coalesce(CAST(age_days AS VARCHAR), ''),
                   coalesce(CAST(birth_weight_g AS VARCHAR), ''), coalesce(CAST(admit_weight_g AS VARCHAR), ''), discharge_mode,
                   principal_dx, secondary_dx, coalesce(principal_proc, ''), other_procs, vent_hours, CAST(total_cost AS VARCHAR),
                   CAST(policy_cost AS VARCHAR), CAST(full_self_pay AS VARCHAR), CAST(partial_self_pay AS VARCHAR), care_location, referral_status
            FROM read_parquet('{0}') ORDER BY line
            """);
        Assert.Equal(byLine.Count, rows.Count);
        foreach (var row in rows)
        {
            var rec = byLine[(long)row[0]];
            string F(string name) => rec.Fields[Array.IndexOf(header, name)].Trim();
            Assert.Equal(F("case_id"), row[1]);
            Assert.Equal(F("hospital_id"), row[2]);
            Assert.Equal(F("person_id"), row[3]);
            Assert.Equal(F("insurance_type"), row[4]);
            Assert.Equal(F("assistance_class"), row[5]);
            Assert.Equal(F("admit_date"), row[6]);
            Assert.Equal(F("discharge_date"), row[7]);
            Assert.Equal(int.Parse(F("sex"), CultureInfo.InvariantCulture), Convert.ToInt32(row[8], CultureInfo.InvariantCulture));
            Assert.Equal(int.Parse(F("age_years"), CultureInfo.InvariantCulture), Convert.ToInt32(row[9], CultureInfo.InvariantCulture));
            var ageYears = int.Parse(F("age_years"), CultureInfo.InvariantCulture);
            Assert.Equal(ageYears >= 1 ? string.Empty : Int(F("age_days")), row[10]);
            Assert.Equal(Int(F("birth_weight_g")), row[11]);
            Assert.Equal(Int(F("admit_weight_g")), row[12]);
            Assert.Equal(int.Parse(F("discharge_mode"), CultureInfo.InvariantCulture), Convert.ToInt32(row[13], CultureInfo.InvariantCulture));
            var pdx = F("principal_dx");
            Assert.Equal(pdx, row[14]);
            Assert.Equal(string.Join(';', List(F("secondary_dx")).Where(c => c != pdx)), row[15]);
            var procs = List(F("other_procs"));
            var pproc = F("principal_proc");
            if (pproc.Length == 0 && procs.Count > 0)
            {
                pproc = procs[0];
                procs.RemoveAt(0);
            }

            Assert.Equal(pproc, row[16]);
            Assert.Equal(string.Join(';', procs), row[17]);
            Assert.Equal(F("vent_hours").Length == 0 ? 0 : int.Parse(F("vent_hours"), CultureInfo.InvariantCulture), Convert.ToInt32(row[18], CultureInfo.InvariantCulture));
            Assert.Equal(Money(F("total_cost")), row[19]);
            Assert.Equal(Money(F("policy_cost")), row[20]);
            Assert.Equal(Money(F("full_self_pay")), row[21]);
            Assert.Equal(Money(F("partial_self_pay")), row[22]);
            Assert.Equal(F("care_location"), row[23]);
            Assert.Equal(F("referral_status") is "" ? "none" : F("referral_status"), row[24]);
        }
    }

    private static string Int(string s) => s.Length == 0 ? string.Empty : int.Parse(s, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);

    private static string Money(string s) => s.Length == 0 ? "0.00" : decimal.Parse(s, CultureInfo.InvariantCulture).ToString("0.00", CultureInfo.InvariantCulture);

    private static List<string> List(string s) =>
        s.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();

    private List<object[]> Query(string sql)
    {
        using var conn = new DuckDBConnection("DataSource=:memory:");
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = string.Format(CultureInfo.InvariantCulture, sql, Path.Combine(OutDir, "cases.parquet").Replace("'", "''", StringComparison.Ordinal));
        using var rd = cmd.ExecuteReader();
        var list = new List<object[]>();
        while (rd.Read())
        {
            var values = new object[rd.FieldCount];
            rd.GetValues(values);
            list.Add(values);
        }

        return list;
    }
}
