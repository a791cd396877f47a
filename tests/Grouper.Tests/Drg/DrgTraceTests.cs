using System.Globalization;
using DuckDB.NET.Data;
using Grouper.Batch;
using Grouper.Drg;

namespace Grouper.Tests.Drg;

/// <summary><c>group --trace FILE</c>: every valid case's rule steps as CSV, consistent with cases.parquet.</summary>
public sealed class DrgTraceTests : IDisposable
{
    private const string Header = "case_id,hospital_id,person_id,insurance_type,assistance_class,admit_date,discharge_date,sex,age_years,age_days,birth_weight_g,admit_weight_g,discharge_mode,principal_dx,secondary_dx,principal_proc,other_procs,vent_hours,total_cost,policy_cost,full_self_pay,partial_self_pay,care_location,referral_status";

    private readonly string _dir = TestPaths.NewTempDir("drg-trace");

    public void Dispose() => Directory.Delete(_dir, true);

    private List<string[]> Query(string sql) =>
        [.. DuckDbQuery.Rows(sql.Replace("DIR/", _dir.Replace("'", "''", StringComparison.Ordinal) + "/", StringComparison.Ordinal))
            .Select(r => r.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture) ?? string.Empty).ToArray())];

    [Fact]
    public async Task Group_trace_lists_each_valid_cases_rule_steps()
    {
        var input = Path.Combine(_dir, "in");
        Directory.CreateDirectory(input);
        File.Copy(Path.Combine(TestPaths.SampleData, "hospitals.csv"), Path.Combine(input, "hospitals.csv"));
        File.WriteAllText(Path.Combine(input, "discharges.csv"), string.Join('\n', [
            Header,

            // J96.000 is an MCC of 表D-1, which holds the principal J18.900: excluded; E87.600 (CC, 表D-4) counts → ES33.
            "T1,H35092100117,350900P000000002,390,,2023-12-24,2024-01-01,1,56,,,,1,J18.900,J96.000;E87.600,,,,6528.59,5657.68,265.06,605.85,local,",

            // An appendix diagnosis with a hip replacement: no MDCG procedure ADRG holds, the procedure is in U → GQY.
            "T2,H35092100117,350900P000000003,390,,2023-12-24,2024-01-01,1,56,,,,1,K35.800x001,,81.5100,,,6528.59,5657.68,265.06,605.85,local,",

            // Duplicate case id: rejected, so not traced.
            "T1,H35092100117,350900P000000004,390,,2023-12-24,2024-01-01,1,56,,,,1,J18.900,,,,,6528.59,5657.68,265.06,605.85,local,",
            string.Empty]));
        var trace = Path.Combine(_dir, "trace.csv");
        var (code, stdout, stderr) = await InProcessCli.RunAsync(
            "group", "--input", input, "--out", Path.Combine(_dir, "out"), "--keep-identifiers", "--no-progress", "--trace", trace,
            "--drg-catalog", Path.Combine(TestPaths.SampleData, "catalogs", "drg-demo"), "--dip-catalog", Path.Combine(TestPaths.SampleData, "catalogs", "dip-demo"));
        Assert.True(code == ExitCodes.SuccessWithRejects, stderr);
        Assert.Contains("traced 2 cases", stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(trace + ".tmp"));

        var lines = File.ReadAllLines(trace);
        Assert.Equal(DrgTraceWriter.Header, lines[0]);
        var rows = Query("SELECT case_id, step, rule, detail FROM read_csv('DIR/trace.csv', header = true, all_varchar = true) ORDER BY case_id, step::INT");
        Assert.Equal(lines.Length - 1, rows.Count);
        Assert.Equal(["T1", "T2"], rows.Select(r => r[0]).Distinct().ToArray());

        var t1 = rows.Where(r => r[0] == "T1").ToList();
        Assert.Equal(Enumerable.Range(1, t1.Count).Select(i => i.ToString(CultureInfo.InvariantCulture)), t1.Select(r => r[1])); // 1, 2, ... in order
        Assert.Equal(["step 1", "pre-MDC MDCA"], t1[0][2..]);
        Assert.Contains(t1, r => r[2] == "step 6" && r[3] == "principal J18.900 → MDCE (mdc_dx.csv)");
        Assert.Contains(t1, r => r[2] == "ADRG ER1 [PDX]" && r[3] == "fails (missing PDX)");
        Assert.Contains(t1, r => r[2] == "ADRG ES3 [PDX]" && r[3] == "holds (Medical; decided by PrincipalDiagnosis J18.900)");
        Assert.Contains(t1, r => r[2] == "step 10" && r[3] == "J96.000 MCC table 表D-1: excluded (principal J18.900 is in that table)");
        Assert.Contains(t1, r => r[2] == "step 10" && r[3] == "E87.600 CC table 表D-4: counts");
        Assert.Equal(["step 11", "level CC, ES3 split by level (none→ES35, CC→ES33, MCC→ES31) → ES33"], t1[^2][2..]); // quoted in the file (commas)
        Assert.Equal(["result", "ES33 OK"], t1[^1][2..]);

        var t2 = rows.Where(r => r[0] == "T2").ToList();
        Assert.Contains(t2, r => r[2] == "ADRG GE2 [PPROC]" && r[3] == "fails (missing PPROC)");
        Assert.Contains(t2, r => r[2] == "step 8" && r[3] == "no procedure ADRG held, principal procedure 81.5100 is in U → GQY (QY)");
        Assert.Equal(["result", "GQY QY"], t2[^1][2..]);

        // The trace's result of every case is the group written to cases.parquet.
        var mismatch = Query("""
            SELECT c.case_id FROM 'DIR/out/cases.parquet' c
            LEFT JOIN (SELECT case_id, detail FROM read_csv('DIR/trace.csv', header = true, all_varchar = true) WHERE rule = 'result') t USING (case_id)
            WHERE t.detail IS NULL OR t.detail <> c.drg_code || ' ' || c.drg_reason
            """);
        Assert.Empty(mismatch);
    }

    [Fact]
    public async Task Without_trace_no_file_and_trace_needs_a_file()
    {
        var (code, _, stderr) = await InProcessCli.RunAsync("group", "--input", TestPaths.SampleData, "--out", Path.Combine(_dir, "out"), "--keep-identifiers", "--no-progress", "--trace");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--trace", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir, "out")));
    }

    [Theory]
    [InlineData("step 6: principal J18.900 → MDCE (mdc_dx.csv)", "step 6", "principal J18.900 → MDCE (mdc_dx.csv)")]
    [InlineData("  ES3 [PDX]: holds (Medical; decided by PrincipalDiagnosis J18.900)", "ADRG ES3 [PDX]", "holds (Medical; decided by PrincipalDiagnosis J18.900)")]
    [InlineData("step 10: J12.100 MCC table 表6-3-96: excluded (x)", "step 10", "J12.100 MCC table 表6-3-96: excluded (x)")]
    [InlineData("no label here", "note", "no label here")]
    public void Trace_lines_split_into_rule_and_detail(string line, string rule, string detail)
    {
        var s = DrgTraceStep.FromLine(3, line);
        Assert.Equal(new DrgTraceStep(3, rule, detail), s);
    }
}
