using System.Text;
using DuckDB.NET.Data;
using Grouper.Batch;
using Grouper.Privacy;
using Grouper.Tests.Ingest;

namespace Grouper.Tests.Privacy;

public class PrivacyTests
{
    private static (string Dir, string[] PersonIds) Input()
    {
        var ids = Enumerable.Range(0, 50).Select(i => $"PERSON-{i:0000}-SECRET").ToArray();
        var csv = new StringBuilder(IngestHarness.Header).Append('\n');
        for (var i = 0; i < ids.Length; i++)
        {
            var sex = i % 7 == 0 ? "x" : "1"; // some rejects
            csv.Append(IngestHarness.Row(("case_id", "C" + i), ("person_id", ids[i]), ("sex", sex))).Append('\n');
        }

        var hospitals = "hospital_id,name,region_code,level,kind,location\nH1,A,350902,3A,general,city\nH2,B,350102,3A,general,city\nH3,C,330203,2,tcm,county";
        return (BatchJobTests.WriteInput(csv.ToString(), hospitals), ids);
    }

    private static async Task<(int Code, string Out, string Err)> Cli(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        string[] settle =
        [
            "--region", "350900", "--policy", Path.Combine(TestPaths.SampleData, "policies"), "--no-progress",
            "--drg-catalog", Path.Combine(TestPaths.SampleData, "catalogs", "drg-demo"), "--dip-catalog", Path.Combine(TestPaths.SampleData, "catalogs", "dip-demo"),
        ];
        var code = await Program.RunAsync(args[0] == "run" ? [.. args, .. settle] : args, stdout, stderr, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static List<string> PersonColumn(string parquet)
    {
        using var conn = new DuckDBConnection("DataSource=:memory:");
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT person_id FROM read_parquet('{parquet.Replace("'", "''", StringComparison.Ordinal)}') ORDER BY line";
        using var rd = cmd.ExecuteReader();
        var list = new List<string>();
        while (rd.Read())
        {
            list.Add(rd.GetString(0));
        }

        return list;
    }

    [Fact]
    public async Task NoRawPersonIdInAnyOutputWhenPseudonymized()
    {
        var (dir, ids) = Input();
        var keyFile = Path.Combine(dir, "key");
        await File.WriteAllTextAsync(keyFile, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
        var outDir = Path.Combine(dir, "out");

        // Capture the logger too (it writes to the process's stderr): JSON lines must carry no raw id either.
        var logs = new StringWriter();
        var previousError = Console.Error;
        Console.SetError(logs);
        int code;
        string stdout, stderr;
        try
        {
            (code, stdout, stderr) = await Cli("run", "--input", dir, "--out", outDir, "--pseudonym-key-file", keyFile, "--log-format", "json");
        }
        finally
        {
            Console.SetError(previousError);
        }

        Assert.Equal(ExitCodes.SuccessWithRejects, code);
        Assert.Contains("run finished", logs.ToString(), StringComparison.Ordinal);
        stderr += logs.ToString();

        var persons = PersonColumn(Path.Combine(outDir, "cases.parquet"));
        Assert.Equal(42, persons.Count);
        Assert.All(persons, p => Assert.Matches("^[0-9a-f]{32}$", p));
        var text = stdout + stderr + string.Concat(Directory.GetFiles(outDir).Where(f => !f.EndsWith(".parquet", StringComparison.Ordinal)).Select(File.ReadAllText));
        foreach (var id in ids)
        {
            Assert.DoesNotContain(id, text, StringComparison.Ordinal);
            Assert.DoesNotContain(id, persons);
        }

        // Parquet bytes may be compressed: read every string column back and scan it.
        using var conn = new DuckDBConnection("DataSource=:memory:");
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT * FROM read_parquet('{Path.Combine(outDir, "cases.parquet")}')";
        using var rd = cmd.ExecuteReader();
        while (rd.Read())
        {
            for (var c = 0; c < rd.FieldCount; c++)
            {
                var v = rd.IsDBNull(c) ? string.Empty : Convert.ToString(rd.GetValue(c), System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
                Assert.DoesNotContain("SECRET", v, StringComparison.Ordinal);
            }
        }

        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task PseudonymsAreStableForOneKeyAndDifferAcrossKeys()
    {
        var (dir, _) = Input();
        var key1 = Path.Combine(dir, "k1");
        var key2 = Path.Combine(dir, "k2");
        await File.WriteAllTextAsync(key1, "11112222333344445555666677778888");
        await File.WriteAllTextAsync(key2, "99992222333344445555666677778888");
        await Cli("run", "--input", dir, "--out", Path.Combine(dir, "a"), "--pseudonym-key-file", key1);
        await Cli("run", "--input", dir, "--out", Path.Combine(dir, "b"), "--pseudonym-key-file", key1);
        await Cli("run", "--input", dir, "--out", Path.Combine(dir, "c"), "--pseudonym-key-file", key2);
        var a = PersonColumn(Path.Combine(dir, "a", "cases.parquet"));
        var b = PersonColumn(Path.Combine(dir, "b", "cases.parquet"));
        var c = PersonColumn(Path.Combine(dir, "c", "cases.parquet"));
        Assert.Equal(a, b);
        Assert.Empty(a.Intersect(c));

        // HMAC-SHA256 of the UTF-8 id with the key bytes, first 128 bits.
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(Convert.FromHexString("11112222333344445555666677778888"), Encoding.UTF8.GetBytes("PERSON-0001-SECRET")))[..32];
        Assert.Equal(expected, a[0]);
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task WithoutAKeyTheRunRefusesRawIdsUnlessToldToKeepThem()
    {
        var (dir, ids) = Input();
        var outDir = Path.Combine(dir, "out");
        var previous = (Environment.GetEnvironmentVariable(Pseudonymizer.KeyVariable), Environment.GetEnvironmentVariable(Pseudonymizer.KeyFileVariable));
        Assert.Equal((null, null), previous);
        var (code, _, stderr) = await Cli("run", "--input", dir, "--out", outDir);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--keep-identifiers", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(outDir));

        (code, _, _) = await Cli("run", "--input", dir, "--out", outDir, "--keep-identifiers");
        Assert.Equal(ExitCodes.SuccessWithRejects, code);
        Assert.Contains(ids[1], PersonColumn(Path.Combine(outDir, "cases.parquet")));
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task OutputFilesAreReadableByTheOwnerOnly()
    {
        var (dir, _) = Input();
        var outDir = Path.Combine(dir, "out");
        await Cli("run", "--input", dir, "--out", outDir, "--keep-identifiers");
        var files = Directory.GetFiles(outDir);
        Assert.Equal(4, files.Length); // cases, rejects, manifest, clearing shard
        foreach (var f in files)
        {
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f));
            }
        }

        Directory.Delete(dir, true);
    }

    [Fact]
    public void AShortKeyIsRefusedWithoutEchoingIt()
    {
        var ex = Assert.Throws<Grouper.Core.InputException>(() => Pseudonymizer.FromConfiguration(null, v => v == Pseudonymizer.KeyVariable ? "abc123" : null));
        Assert.DoesNotContain("abc123", ex.Message, StringComparison.Ordinal);
        Assert.Contains(Pseudonymizer.KeyVariable, ex.Message, StringComparison.Ordinal);
    }
}
