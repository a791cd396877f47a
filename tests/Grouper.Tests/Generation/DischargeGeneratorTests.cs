using System.Globalization;
using System.IO.Compression;
using System.Text;
using CsCheck;
using Grouper.Core;
using Grouper.Generation;
using Grouper.Ingest;

namespace Grouper.Tests.Generation;

public sealed class DischargeGeneratorTests
{
    private sealed record Output(string Discharges, string Hospitals, string Rejects, string Warnings, GeneratorSummary Summary, byte[] Raw);

    private static Output Run(GeneratorOptions options, IGeneratorCodeSource? codes = null)
    {
        using var d = new MemoryStream();
        using var h = new MemoryStream();
        using var r = new MemoryStream();
        using var w = new MemoryStream();
        var summary = DischargeGenerator.Write(options, codes ?? new BuiltInCodeSource(), d, h, r, w);
        var raw = d.ToArray();
        return new Output(Encoding.UTF8.GetString(raw), Encoding.UTF8.GetString(h.ToArray()), Encoding.UTF8.GetString(r.ToArray()), Encoding.UTF8.GetString(w.ToArray()), summary, raw);
    }

    private static Dictionary<string, string> HospitalRegions(string hospitalsCsv)
    {
        var table = HospitalTable.Load(new StringReader(hospitalsCsv), "hospitals.csv");
        return table.Hospitals.ToDictionary(x => x.HospitalId, x => x.PoolingRegion, StringComparer.Ordinal);
    }

    private static List<(long Line, string CaseId, string What)> Expected(string csv) =>
        [.. csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')).Select(p => (long.Parse(p[0], CultureInfo.InvariantCulture), p[1], p[2]))];

    [Fact]
    public void Same_seed_gives_identical_bytes_and_another_seed_differs()
    {
        var options = new GeneratorOptions { Count = 3_000, Seed = 42, BadFraction = 0.02 };
        var a = Run(options);
        var b = Run(options);
        Assert.Equal(a.Raw, b.Raw);
        Assert.Equal(a.Hospitals, b.Hospitals);
        Assert.Equal(a.Rejects, b.Rejects);
        Assert.Equal(a.Warnings, b.Warnings);

        var c = Run(options with { Seed = 43 });
        Assert.NotEqual(a.Raw, c.Raw);
        Assert.NotEqual(a.Hospitals, c.Hospitals);
    }

    /// <summary>
    /// Pins the bytes for one option set, so a run on another machine or runtime proves the output is
    /// platform-independent. Update the hashes only for an intended change of the generator.
    /// </summary>
    [Fact]
    public void Output_bytes_are_pinned()
    {
        var o = Run(new GeneratorOptions { Count = 2_000, Seed = 1, BadFraction = 0.05 });
        Assert.Equal(GoldenDischarges, Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(o.Raw)));
        Assert.Equal(GoldenHospitals, Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(o.Hospitals))));
    }

    private const string GoldenDischarges = "3D25E233C7BBB969A0F907A5163EEF9B1A1DF0CD91FC65EDD550C90A97CC17DD";
    private const string GoldenHospitals = "C7C005E90D05F8AD63179E7CEF349F989988D3E97BFFE6794E619449B80440BA";

    [Fact]
    public void Header_is_the_records_md_column_list()
    {
        var o = Run(new GeneratorOptions { Count = 10 });
        var firstLine = o.Discharges[..o.Discharges.IndexOf('\n', StringComparison.Ordinal)];
        Assert.Equal(string.Join(',', CsvOracle.Columns), firstLine);
        Assert.Equal(CsvOracle.Columns, DischargeGenerator.Columns);
    }

    [Fact]
    public void Clean_file_is_fully_valid_without_warnings_and_in_range()
    {
        var options = new GeneratorOptions { Count = 5_000, Seed = 7 };
        var o = Run(options);
        var regions = HospitalRegions(o.Hospitals);
        var records = CsvOracle.Parse(o.Discharges);
        Assert.Equal(5_001, records.Count);
        Assert.Equal(5_001, o.Summary.PhysicalLines);
        var accepted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rec in records.Skip(1))
        {
            Assert.Equal(24, rec.Fields.Length);
            var (reject, warnings) = CsvOracle.Validate(rec, regions, accepted);
            Assert.True(reject is null, $"line {rec.Line}: {reject}");
            Assert.True(warnings.Count == 0, $"line {rec.Line}: {string.Join(' ', warnings)}");

            var discharge = DateOnly.ParseExact(rec.Fields[6], "yyyy-MM-dd", CultureInfo.InvariantCulture);
            Assert.InRange(discharge, options.From, options.To);
            foreach (var col in new[] { 18, 19, 20, 21 })
            {
                var s = rec.Fields[col].Trim(' ');
                Assert.True(s.Length == 0 || CsvOracle.MoneyForm().IsMatch(s), $"line {rec.Line} money '{s}'");
            }

            decimal M(int col) => rec.Fields[col].Trim().Length == 0 ? 0 : decimal.Parse(rec.Fields[col], CultureInfo.InvariantCulture);
            Assert.True(M(19) <= M(18));
            Assert.True(M(19) + M(20) + M(21) <= M(18), $"line {rec.Line}: split exceeds total");
            Assert.True(M(18) > 0);
        }

        Assert.Equal("line,case_id,reason\n", o.Rejects);
        Assert.Equal("line,case_id,warning\n", o.Warnings);
    }

    [Fact]
    public void Distributions_on_20000_records_are_roughly_as_intended()
    {
        var o = Run(new GeneratorOptions { Count = 20_000, Seed = 2024 });
        var rows = CsvOracle.Parse(o.Discharges).Skip(1).Select(r => r.Fields).ToList();
        double Share(Func<string[], bool> p) => rows.Count(p) / (double)rows.Count;
        int Los(string[] f) => DateOnly.ParseExact(f[6], "yyyy-MM-dd", CultureInfo.InvariantCulture).DayNumber - DateOnly.ParseExact(f[5], "yyyy-MM-dd", CultureInfo.InvariantCulture).DayNumber;
        int Secondary(string[] f) => f[14].Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Length;

        var newborn = Share(f => f[8] == "0" && int.Parse(f[9], CultureInfo.InvariantCulture) < 29);
        Assert.InRange(newborn, 0.02, 0.10);
        Assert.InRange(Share(f => f[8] == "0" && int.Parse(f[9], CultureInfo.InvariantCulture) >= 29), 0.002, 0.05); // infants
        Assert.InRange(Share(f => int.Parse(f[8], CultureInfo.InvariantCulture) >= 65), 0.25, 0.55);                  // elderly
        Assert.Contains(rows, f => f[8] == "0" && f[10].Length > 0 && int.Parse(f[10], CultureInfo.InvariantCulture) < 1500);          // preterm weights
        Assert.InRange(Share(f => f[12] == "5"), 0.008, 0.05);                                                     // deaths
        Assert.InRange(Share(f => f[12] is "2" or "3"), 0.01, 0.05);                                               // transfers
        Assert.InRange(Share(f => f[12] == "4"), 0.01, 0.05);                                                      // against advice
        Assert.InRange(Share(f => f[3] == "310"), 0.20, 0.50);                                                     // employees
        Assert.InRange(Share(f => f[4].Length > 0), 0.02, 0.10);                                                   // assistance
        foreach (var cls in new[] { "tekun", "orphan", "dibao", "fanpin", "dibao_edge", "yifanpin", "yinbing" })
        {
            Assert.Contains(rows, f => f[4] == cls);
        }

        Assert.InRange(Share(f => f[22] != "local"), 0.05, 0.20);
        Assert.Contains(rows, f => f[22] == "out_of_province");
        foreach (var r in new[] { "registered", "unregistered", "emergency", "resident" })
        {
            Assert.Contains(rows, f => f[23] == r && f[22] != "local");
        }

        var stays = rows.Select(Los).OrderBy(x => x).ToList();
        Assert.InRange(stays[stays.Count / 2], 4, 10);                                   // median LOS
        Assert.InRange(Share(f => Los(f) is >= 3 and <= 12), 0.55, 0.9);
        Assert.InRange(Share(f => Los(f) == 0), 0.005, 0.04);
        Assert.Contains(stays, x => x >= 90);

        var counts = rows.Select(Secondary).GroupBy(x => x).OrderByDescending(g => g.Count()).First().Key;
        Assert.InRange(counts, 2, 4);                                                  // mode of secondary diagnoses
        Assert.Contains(rows, f => Secondary(f) > 15);
        Assert.True(rows.All(f => Secondary(f) <= 40));

        Assert.InRange(Share(f => f[17].Length > 0 && f[17] != "0"), 0.002, 0.05);   // ventilation
        Assert.Contains(rows, f => f[15] == "96.7201" || f[16].Contains("96.7201", StringComparison.Ordinal));

        // A person's admissions never overlap and nobody is admitted after dying; some have 3+ in the year.
        foreach (var g in rows.GroupBy(f => f[2], StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            var admissions = g.OrderBy(f => f[6], StringComparer.Ordinal).ToList();
            for (var i = 1; i < admissions.Count; i++)
            {
                Assert.True(string.CompareOrdinal(admissions[i][5], admissions[i - 1][6]) > 0, $"{g.Key}: overlapping stays");
                Assert.NotEqual("5", admissions[i - 1][12]);
                Assert.Equal(admissions[0][7].Trim(), admissions[i][7].Trim());
                Assert.Equal(admissions[0][3], admissions[i][3]);
            }
        }

        Assert.True(rows.GroupBy(f => f[2], StringComparer.Ordinal).Count(g => g.Count() >= 3) > 100);
        var persons = rows.Select(f => f[2]).Distinct(StringComparer.Ordinal).Count();
        Assert.InRange(persons / (double)rows.Count, 0.75, 0.92);                     // repeat admissions
        Assert.Contains(rows, f => f[14].Contains("; ", StringComparison.Ordinal));   // quoted list
        Assert.Contains(rows, f => f[20].Length == 0);
        Assert.Contains(rows, f => f[23] == "none");

        // Costs: surgical templates cost more than medical ones (median of cases with a principal procedure from a surgical template vs none).
        decimal Total(string[] f) => decimal.Parse(f[18], CultureInfo.InvariantCulture);
        var surgical = rows.Where(f => f[15] is "81.5100" or "81.5400" or "36.0601").Select(Total).OrderBy(x => x).ToList();
        var medical = rows.Where(f => f[15].Length == 0).Select(Total).OrderBy(x => x).ToList();
        Assert.True(surgical[surgical.Count / 2] > 3 * medical[medical.Count / 2]);
        Assert.True(rows.Max(Total) > 20 * medical[medical.Count / 2]);                 // long tail
    }

    [Fact]
    public void Bad_lines_cover_every_kind_and_fail_exactly_the_intended_check()
    {
        var o = Run(new GeneratorOptions { Count = 4_000, Seed = 99, BadFraction = 0.12 });
        AssertExpectedFilesMatchOracle(o);
        var rejects = Expected(o.Rejects).Select(x => x.What).ToHashSet();
        string[] allRejects = ["LINE_TOO_LONG", "FIELD_COUNT", "MISSING_FIELD", "BAD_TEXT", "BAD_DATE", "BAD_NUMBER", "BAD_CODE", "BAD_DX", "BAD_PROC", "TOO_MANY_CODES", "DATE_ORDER", "COST_SPLIT", "NEWBORN_FIELDS", "UNKNOWN_HOSPITAL", "DUPLICATE_CASE"];
        Assert.Equal(allRejects.Order(StringComparer.Ordinal), rejects.Order(StringComparer.Ordinal));
        var warnings = Expected(o.Warnings).Select(x => x.What).ToHashSet();
        string[] allWarnings = ["DUPLICATE_CODE", "PDX_REPEATED", "PROC_PROMOTED", "AGE_DAYS_IGNORED", "VENT_CODE_MISMATCH", "VENT_EXCEEDS_STAY", "REFERRAL_IGNORED", "LOCATION_MISMATCH"];
        Assert.Equal(allWarnings.Order(StringComparer.Ordinal), warnings.Order(StringComparer.Ordinal));
        Assert.Equal(Expected(o.Rejects).Count, o.Summary.Rejects.Values.Sum());
        Assert.Equal(480, o.Summary.Rejects.Values.Sum() + o.Summary.Warnings.Values.Sum());
        Assert.Equal(BadLinesFieldCount(o), o.Summary.Rejects["FIELD_COUNT"]);
    }

    [Fact]
    public void Small_bad_fraction_still_produces_every_kind_once()
    {
        var o = Run(new GeneratorOptions { Count = 200, Seed = 5, BadFraction = 0.001, CrLf = true, Utf8Bom = true });
        AssertExpectedFilesMatchOracle(o);
        Assert.Equal(15, o.Summary.Rejects.Count);
        Assert.Equal(8, o.Summary.Warnings.Count);
        Assert.Equal(0xEF, o.Raw[0]);
        Assert.Contains("\r\n", o.Discharges, StringComparison.Ordinal);
    }

    [Fact]
    public void Property_any_seed_count_fraction_and_line_end_matches_the_oracle()
    {
        Gen.Select(Gen.ULong, Gen.Int[1, 400], Gen.Double[0, 0.6], Gen.Int[0, 15])
            .Sample(t =>
            {
                var (seed, count, fraction, flags) = t;
                var o = Run(new GeneratorOptions
                {
                    Count = count,
                    Seed = seed,
                    BadFraction = fraction,
                    HospitalCount = 5 + (int)(seed % 40),
                    CrLf = (flags & 1) != 0,
                    Utf8Bom = (flags & 2) != 0,
                    ShuffleColumns = (flags & 4) != 0,
                    ExtraColumn = (flags & 8) != 0,
                });
                AssertExpectedFilesMatchOracle(o);
            },
            iter: 40,
            seed: "0N0XIzNsQ0O4"); // fixed so CI is repeatable; drop the seed locally to explore (a random run found the 40-code case)
    }

    [Fact]
    public void Shuffled_columns_with_an_extra_column_keep_every_kind_exact()
    {
        var o = Run(new GeneratorOptions { Count = 1_500, Seed = 77, BadFraction = 0.1, ShuffleColumns = true, ExtraColumn = true });
        var header = o.Discharges[..o.Discharges.IndexOf('\n', StringComparison.Ordinal)].Split(',');
        Assert.Equal(25, header.Length);
        Assert.NotEqual(CsvOracle.Columns, header.Take(24));
        Assert.Contains("remark", header);
        AssertExpectedFilesMatchOracle(o);
        Assert.Equal(15, o.Summary.Rejects.Count);
    }

    private static int BadLinesFieldCount(Output o)
    {
        var records = CsvOracle.Parse(o.Discharges).Skip(1);
        return records.Count(r => r.Fields.Length != 24);
    }

    /// <summary>Every record's oracle verdict equals the expected files; clean records get nothing.</summary>
    private static void AssertExpectedFilesMatchOracle(Output o)
    {
        var regions = HospitalRegions(o.Hospitals);
        var expectedRejects = Expected(o.Rejects).ToDictionary(x => x.Line);
        var expectedWarnings = Expected(o.Warnings).ToDictionary(x => x.Line);
        var accepted = new HashSet<string>(StringComparer.Ordinal);
        var all = CsvOracle.Parse(o.Discharges);
        var header = all[0].Fields;
        Assert.Equal(CsvOracle.Columns.Order(StringComparer.Ordinal), header.Where(h => h != "remark").Order(StringComparer.Ordinal));
        var records = all.Skip(1).ToList();
        var caseIdAt = Array.IndexOf(header, "case_id");
        Assert.Equal(o.Summary.Records, records.Count);
        foreach (var rec in records)
        {
            var (reject, warnings) = CsvOracle.Validate(rec, header, regions, accepted);
            if (expectedRejects.TryGetValue(rec.Line, out var er))
            {
                Assert.True(er.What == reject, $"line {rec.Line}: expected {er.What}, oracle says {reject ?? "accepted"}");
                if (rec.Fields.Length == header.Length)
                {
                    Assert.Equal(er.CaseId, rec.Fields[caseIdAt]);
                }
                else
                {
                    Assert.Contains(er.CaseId, rec.Fields);
                }
            }
            else
            {
                Assert.True(reject is null, $"line {rec.Line}: unexpected {reject}");
                var want = expectedWarnings.TryGetValue(rec.Line, out var ew) ? [ew.What] : Array.Empty<string>();
                Assert.True(want.SequenceEqual(warnings), $"line {rec.Line}: expected [{string.Join(' ', want)}], oracle says [{string.Join(' ', warnings)}]");
                if (ew.CaseId is not null)
                {
                    Assert.Equal(ew.CaseId, rec.Fields[caseIdAt]);
                }
            }
        }
    }

    [Fact]
    public void Hospitals_load_and_cover_every_level_kind_location_and_payment()
    {
        var o = Run(new GeneratorOptions { Count = 1 });
        var table = HospitalTable.Load(new StringReader(o.Hospitals), "hospitals.csv");
        var hs = table.Hospitals;
        Assert.Equal(36 + 12, hs.Count);
        foreach (var level in new[] { "3A", "3B", "3C", "3", "2A", "2B", "2C", "2", "1A", "1B", "1C", "1", "0" })
        {
            Assert.Contains(hs, h => h.Level.ToString() == level);
        }

        Assert.Equal(Enum.GetValues<HospitalKind>().Order(), hs.Select(h => h.Kind).Distinct().Order());
        Assert.Equal(Enum.GetValues<HospitalLocation>().Order(), hs.Select(h => h.Location).Distinct().Order());
        Assert.Equal(Enum.GetValues<PaymentMethod>().Order(), hs.Select(h => h.PaymentMethod).Distinct().Order());
        Assert.Contains(hs, h => h.DrgCharge);
        Assert.Contains(hs, h => h.IsGrassroots);
        Assert.Contains(hs, h => h.Name.Contains(',', StringComparison.Ordinal));
        Assert.Contains(hs, h => h.Name.Contains('"', StringComparison.Ordinal));
        foreach (var region in new[] { "350900", "411500", "330200", "350100", "410100", "330100", "310100" })
        {
            Assert.Contains(hs, h => h.PoolingRegion == region);
        }

        Assert.Equal(hs.Select(h => h.HospitalId), DischargeGenerator.BuildHospitals(new GeneratorOptions()).Select(h => h.HospitalId));
    }

    [Fact]
    public void Gzip_output_decompresses_to_the_plain_file()
    {
        var dir = TestPaths.NewTempDir("gen");
        try
        {
            var options = new GeneratorOptions { Count = 500, Seed = 3, BadFraction = 0.05 };
            DischargeGenerator.WriteFiles(Path.Combine(dir, "plain"), options);
            DischargeGenerator.WriteFiles(Path.Combine(dir, "gz"), options with { Gzip = true });
            using var gz = new GZipStream(File.OpenRead(Path.Combine(dir, "gz", "discharges.csv.gz")), CompressionMode.Decompress);
            using var ms = new MemoryStream();
            gz.CopyTo(ms);
            Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "plain", "discharges.csv")), ms.ToArray());
            Assert.Equal(File.ReadAllText(Path.Combine(dir, "plain", "expected-rejects.csv")), File.ReadAllText(Path.Combine(dir, "gz", "expected-rejects.csv")));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Other_date_range_and_single_region_stay_in_range_and_local()
    {
        var region = GeneratorRegion.Defaults[0];
        var options = new GeneratorOptions { Count = 2_000, Seed = 11, Regions = [region], HospitalCount = 12, From = new(2025, 3, 1), To = new(2025, 3, 31) };
        var o = Run(options);
        var rows = CsvOracle.Parse(o.Discharges).Skip(1).Select(r => r.Fields).ToList();
        Assert.All(rows, f => Assert.InRange(DateOnly.ParseExact(f[6], "yyyy-MM-dd", CultureInfo.InvariantCulture), options.From, options.To));
        Assert.All(rows, f => Assert.StartsWith("350900P", f[2], StringComparison.Ordinal));
        var regions = HospitalRegions(o.Hospitals);
        Assert.All(rows.Where(f => f[22] == "local"), f => Assert.Equal("350900", regions[f[1]]));
    }

    [Fact]
    public void Cancellation_stops_the_run()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => DischargeGenerator.Write(new GeneratorOptions { Count = 10 }, new BuiltInCodeSource(), Stream.Null, Stream.Null, Stream.Null, Stream.Null, cts.Token));
    }

    [Fact]
    public void Options_are_validated()
    {
        Assert.Throws<ArgumentException>(() => DischargeGenerator.BuildHospitals(new GeneratorOptions { HospitalCount = 2 }));
        Assert.Throws<ArgumentException>(() => DischargeGenerator.BuildHospitals(new GeneratorOptions { BadFraction = 1.5 }));
        Assert.Throws<ArgumentException>(() => DischargeGenerator.BuildHospitals(new GeneratorOptions { To = new(2023, 1, 1) }));
        var ningde = GeneratorRegion.ByCode("350900")!;
        Assert.Throws<ArgumentException>(() => DischargeGenerator.BuildHospitals(new GeneratorOptions { Regions = [ningde with { ReferralCentre = new("350902", "蕉城区", true) }] }));
        Assert.Throws<ArgumentException>(() => DischargeGenerator.BuildHospitals(new GeneratorOptions { Regions = [ningde], OutOfProvinceSite = new("350102", "福州市鼓楼区", true) }));
        Assert.Throws<ArgumentException>(() => DischargeGenerator.BuildHospitals(new GeneratorOptions { Regions = [ningde with { Sites = [new("411502", "浉河区", true)] }] }));
    }
}
