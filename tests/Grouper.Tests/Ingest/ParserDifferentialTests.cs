using System.Text;
using Grouper.Core;
using Grouper.Generation;
using Grouper.Ingest;
using Grouper.Ingest.Internals;
using Grouper.Internals;
using Grouper.Privacy;

namespace Grouper.Tests.Ingest;

/// <summary>
/// The fast parser against a frozen copy of the parser before it (<see cref="ReferenceDischargeRecordParser"/>):
/// generated records (good and bad, shuffled and extra columns), sample-data, and thousands of
/// mutations of them must give the same accepted records (every field, text arena, code pool) and
/// the same rejects (line, case id, reason, field, message), with the vector splitter and the
/// scalar one.
/// </summary>
[Collection(ParserSwitchCollection.Name)]
public sealed class ParserDifferentialTests
{
    // Values that sit on the edges of the records.md checks, dropped into random fields.
    private static readonly string[] Edgy =
    [
        "", " ", "\t", " 12 ", "\t310\t", "310", "390", "391", "2024-02-29", "2023-02-29", "2100-02-29", "2000-02-29", "2024-13-01",
        "2024-00-10", "2024-04-31", "0000-01-01", "0001-01-01", "9999-12-31", "2024-1-01", "2024/01/01", "20240101xx", "２０２４-01-01",
        "1.5", "0.05", "123456789.99", "1234567890", "12.345", ".5", "5.", "-1", "+1", "0", "00", "150", "151", "365", "366", "99", "100",
        "9999", "10000", "99999", "100000", "1", "2", "9", "5", "6", "local", "out_of_city", "out_of_province", "Local", "none",
        "registered", "unregistered", "emergency", "resident", "tekun", "orphan", "dibao", "fanpin", "dibao_edge", "yifanpin", "yinbing",
        "A01.000x005+J17.0*", "A01.000x005+J17.0*X", "K35.800x001;K35.800x001", "J18.900;;I50.900; ", " J18.900 ; E87.600", "96.7201",
        "96.7201;96.7201", "47.0900x001", "47", "4", "J18", "j18.900", "J18.9 00", "A01.0000000000000000001", "99.99999999999999999;01",
        "H1", "H2", "H3", "H4", "张三", "医院", "\u0085", "\u007f", "x\u0001y", new string('x', 64), new string('x', 65), new string('y', 33),
        "\"q\"", "\"a,b\"", "\"", "\"\"", "a\"b", string.Join(';', Enumerable.Repeat("I10.x00", 41)), string.Join(';', Enumerable.Repeat("01.01", 40)),
    ];

    private static readonly byte[] EdgyBytes = ",\"\t ;.-+*0159AZaxX\r\n"u8.ToArray().Concat(new byte[] { 0x00, 0x01, 0x7F, 0x80, 0xC2, 0xC3, 0xE4, 0xFF }).ToArray();

    [Theory]
    [InlineData(true, false, false)]
    [InlineData(false, false, false)]
    [InlineData(true, true, true)]
    [InlineData(false, true, true)]
    public void SameRecordsAndRejectsAsTheReferenceParser(bool vectors, bool shuffle, bool extraColumn)
    {
        var dir = TestPaths.NewTempDir("grouper-parse-diff");
        try
        {
            DischargeGenerator.WriteFiles(dir, new GeneratorOptions
            {
                Count = 1500,
                Seed = shuffle ? 11UL : 5UL,
                BadFraction = 0.1,
                ShuffleColumns = shuffle,
                ExtraColumn = extraColumn,
                Regions = [GeneratorRegion.ByCode("350900")!],
            });
            var hospitals = HospitalTable.Load(Path.Combine(dir, "hospitals.csv"));
            var (header, records) = Cut(File.ReadAllBytes(Path.Combine(dir, "discharges.csv")));
            var sample = Cut(File.ReadAllBytes(Path.Combine(TestPaths.SampleData, "discharges.csv")));
            if (sample.Header.SequenceEqual(header))
            {
                records.AddRange(sample.Records);
            }

            var rng = new Random(shuffle ? 23 : 17);
            var mutants = new List<byte[]>();
            foreach (var r in records)
            {
                for (var k = 0; k < 4; k++)
                {
                    mutants.Add(Mutate(r, rng, rng.Next(1, 4)));
                }
            }

            records.AddRange(mutants);
            var pseudonymizer = Pseudonymizer.FromConfiguration(Path.Combine(TestPaths.SampleData, "DEMO-pseudonym.key"));
            ValidationOptions[] options =
            [
                new() { InsuredRegion = "350900", Pseudonymizer = pseudonymizer },
                new() { MaxRecordBytes = 190, MaxCodesPerList = 3 },
            ];
            foreach (var o in options)
            {
                var (accepted, rejected) = Compare(header, hospitals, o, records, vectors);
                Assert.True(accepted > 1000, $"only {accepted} records accepted: the comparison would prove little");
                Assert.True(rejected > 1000, $"only {rejected} records rejected");
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void HandWrittenEdgeRecordsAgree()
    {
        // Short records (under one vector), quotes in the last partial block, blanks around fields.
        var header = IngestHarness.Header.Split(',');
        List<byte[]> records =
        [
            .. new[] { "", ",", "a", "\"", ",,,,", "\"a\",b", new string(',', 23), new string(',', 24), new string(',', 22) }.Select(Encoding.UTF8.GetBytes),
            Encoding.UTF8.GetBytes(IngestHarness.Row()),
            Encoding.UTF8.GetBytes(IngestHarness.Row(("referral_status", "\"none\""))),
            Encoding.UTF8.GetBytes(IngestHarness.Row(("case_id", " \tC9 \t"), ("care_location", "\tlocal "))),
            Encoding.UTF8.GetBytes(IngestHarness.Row(("care_location", "local\""))),
            Encoding.UTF8.GetBytes(IngestHarness.Row(("hospital_id", "H\u00ff"))),
            Encoding.UTF8.GetBytes(IngestHarness.Row() + ","),
            Encoding.UTF8.GetBytes(IngestHarness.Row() + ",\"x\""),
        ];
        foreach (var vectors in new[] { true, false })
        {
            Compare(header, IngestHarness.Hospitals, new ValidationOptions(), records, vectors);
        }
    }

    private static (int Accepted, int Rejected) Compare(IReadOnlyList<string> header, HospitalTable hospitals, ValidationOptions options, List<byte[]> records, bool vectors)
    {
        var saved = DischargeRecordParser.UseVectors;
        DischargeRecordParser.UseVectors = vectors;
        try
        {
            var fast = new DischargeRecordParser(header, hospitals, options);
            var reference = new ReferenceDischargeRecordParser(header, hospitals, options);
            int accepted = 0, rejected = 0;
            for (var first = 0; first < records.Count; first += 512)
            {
                var raw = new RawBatch(512);
                for (var i = first; i < Math.Min(records.Count, first + 512); i++)
                {
                    raw.Add(records[i], i + 2);
                }

                var a = new DischargeBatch(512);
                var b = new DischargeBatch(512);
                reference.ParseAll(raw, a);
                fast.ParseAll(raw, b);
                Assert.Equal(a.Rejects.Count, b.Rejects.Count);
                for (var i = 0; i < a.Rejects.Count; i++)
                {
                    Assert.Equal(a.Rejects[i], b.Rejects[i]);
                }

                Assert.Equal(a.Count, b.Count);
                for (var i = 0; i < a.Count; i++)
                {
                    Assert.True(a.Records[i].Equals(b.Records[i]), $"record on line {a.Records[i].Line} differs");
                }

                Assert.Equal(a.Text.AsSpan(0, a.TextLength).ToArray(), b.Text.AsSpan(0, b.TextLength).ToArray());
                Assert.Equal(a.Codes.AsSpan(0, a.CodeCount).ToArray(), b.Codes.AsSpan(0, b.CodeCount).ToArray());
                accepted += a.Count;
                rejected += a.Rejects.Count;
            }

            return (accepted, rejected);
        }
        finally
        {
            DischargeRecordParser.UseVectors = saved;
        }
    }

    private static byte[] Mutate(byte[] record, Random rng, int steps)
    {
        var text = new List<byte>(record);
        for (var s = 0; s < steps; s++)
        {
            switch (rng.Next(6))
            {
                case 0 when text.Count > 0:
                    text[rng.Next(text.Count)] = EdgyBytes[rng.Next(EdgyBytes.Length)];
                    break;
                case 1 when text.Count > 0:
                    text.RemoveAt(rng.Next(text.Count));
                    break;
                case 2:
                    text.Insert(rng.Next(text.Count + 1), EdgyBytes[rng.Next(EdgyBytes.Length)]);
                    break;
                default:
                    {
                        // Replace, pad or swap whole fields.
                        var fields = Encoding.UTF8.GetString([.. text]).Split(',');
                        var f = rng.Next(fields.Length);
                        fields[f] = rng.Next(4) switch
                        {
                            0 => " " + fields[f] + "\t",
                            1 when fields.Length > 1 => fields[rng.Next(fields.Length)],
                            _ => Edgy[rng.Next(Edgy.Length)],
                        };
                        text = [.. Encoding.UTF8.GetBytes(string.Join(',', fields))];
                        break;
                    }
            }
        }

        return [.. text];
    }

    private static (IReadOnlyList<string> Header, List<byte[]> Records) Cut(byte[] csv)
    {
        return CutAsync().GetAwaiter().GetResult();

        async Task<(IReadOnlyList<string>, List<byte[]>)> CutAsync()
        {
            var list = new List<byte[]>();
            await using var reader = await DischargeReader.OpenAsync(new MemoryStream(csv), "discharges.csv");
            await reader.ReadRawAsync(() => new RawBatch(1024), raw =>
            {
                for (var i = 0; i < raw.Count; i++)
                {
                    if (raw.Length[i] != RawBatch.TooLong)
                    {
                        list.Add(raw.Record(i).ToArray());
                    }
                }

                return ValueTask.CompletedTask;
            });
            return (reader.Header, list);
        }
    }
}

/// <summary>Tests that flip <see cref="DischargeRecordParser.UseVectors"/> run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ParserSwitchCollection
{
    public const string Name = "parser vector switch";
}

/// <summary>The fast lexical checks accept exactly what the <see cref="Utf8Lexical"/> ones accept.</summary>
public sealed class FastLexicalTests
{
    [Fact]
    public void DatesAgreeWithTheReferenceOnEveryYearMonthDayClass()
    {
        var checkedCount = 0;
        foreach (var year in new[] { "0000", "0001", "0004", "1900", "1999", "2000", "2023", "2024", "2100", "2400", "9999", "20a4", "2 24" })
        {
            for (var month = 0; month <= 13; month++)
            {
                for (var day = 0; day <= 32; day++)
                {
                    var s = Encoding.ASCII.GetBytes($"{year}-{month:00}-{day:00}");
                    AssertSameDate(s);
                    checkedCount++;
                }
            }
        }

        // Every byte value in every position of a valid date, and a few lengths.
        var valid = "2024-02-29"u8.ToArray();
        for (var pos = 0; pos < valid.Length; pos++)
        {
            for (var b = 0; b < 256; b++)
            {
                var s = (byte[])valid.Clone();
                s[pos] = (byte)b;
                AssertSameDate(s);
                checkedCount++;
            }
        }

        AssertSameDate("2024-02-2"u8.ToArray());
        AssertSameDate("2024-02-290"u8.ToArray());
        AssertSameDate([]);
        Assert.True(FastLexical.TryParseDate("2024-02-29"u8, out var leap) && leap == new DateOnly(2024, 2, 29));
        Assert.True(FastLexical.TryParseDate("0001-01-01"u8, out var first) && first == DateOnly.MinValue);
        Assert.True(FastLexical.TryParseDate("9999-12-31"u8, out var last) && last == DateOnly.MaxValue);
        Assert.False(FastLexical.TryParseDate("2023-02-29"u8, out _));
        Assert.True(checkedCount > 8000);
    }

    private static void AssertSameDate(byte[] s)
    {
        var expected = ReferenceLexical.TryParseDate(s, out var e);
        var actual = FastLexical.TryParseDate(s, out var a);
        Assert.True(expected == actual, $"'{Encoding.Latin1.GetString(s)}': reference {expected}, fast {actual}");
        Assert.Equal(e, a);
    }

    [Fact]
    public void CleanTextAgreesWithTheReference()
    {
        var rng = new Random(3);
        byte[] alphabet = [0x00, 0x09, 0x1F, 0x20, 0x41, 0x7E, 0x7F, 0x80, 0xC2, 0x85, 0xA0, 0xE4, 0xB8, 0xAD, 0xED, 0xA0, 0xF0, 0x9F, 0xFF];
        for (var n = 0; n < 20000; n++)
        {
            var s = new byte[rng.Next(0, 40)];
            for (var i = 0; i < s.Length; i++)
            {
                s[i] = rng.Next(3) == 0 ? alphabet[rng.Next(alphabet.Length)] : (byte)rng.Next(0x20, 0x7F);
            }

            var max = rng.Next(0, 40);
            var expected = ReferenceLexical.IsCleanText(s, max, out var expectedTooLong);
            var actual = FastLexical.IsCleanText(s, max, out var actualTooLong);
            Assert.Equal(expected, actual);
            Assert.Equal(expectedTooLong, actualTooLong);
        }

        Assert.True(FastLexical.IsCleanText("C1 x"u8, 4, out _));
        Assert.False(FastLexical.IsCleanText("C1 x"u8, 3, out var tooLong) || !tooLong);
        Assert.True(FastLexical.IsCleanText("医院"u8, 2, out _));
    }

    [Fact]
    public void SimpleCodesAgreeWithTheReferenceFormAndPacking()
    {
        var rng = new Random(5);
        var alphabet = "AZaz09.+* x;\t"u8.ToArray();
        var inputs = new List<byte[]>
        {
            "K35.800x001"u8.ToArray(), "A01.000x005+J17.0*"u8.ToArray(), "A01"u8.ToArray(), "A01."u8.ToArray(), "47"u8.ToArray(), "47."u8.ToArray(),
            "47.0900x001"u8.ToArray(), "99.99999999999999"u8.ToArray(), "99.999999999999999"u8.ToArray(), "A01.99999999999999"u8.ToArray(),
            "A01.999999999999999"u8.ToArray(), "I10.x00x002"u8.ToArray(), Array.Empty<byte>(), "a01"u8.ToArray(), new byte[] { 0x41, 0x30, 0x31, 0x2E, 0xC3, 0xA9 },
        };
        for (var n = 0; n < 40000; n++)
        {
            var s = new byte[rng.Next(0, 22)];
            for (var i = 0; i < s.Length; i++)
            {
                s[i] = rng.Next(5) == 0 ? alphabet[rng.Next(alphabet.Length)] : (byte)rng.Next(0x20, 0x80);
            }

            // Mostly well-formed prefixes, so that the accepting branch is exercised too.
            if (rng.Next(2) == 0 && s.Length >= 4)
            {
                s[0] = (byte)('A' + rng.Next(26));
                s[1] = (byte)('0' + rng.Next(10));
                s[2] = (byte)('0' + rng.Next(10));
                s[3] = (byte)'.';
                for (var i = 4; i < s.Length; i++)
                {
                    s[i] = rng.Next(20) == 0 ? s[i] : "0123456789xX"u8[rng.Next(12)];
                }
            }

            inputs.Add(s);
        }

        var simple = 0;
        foreach (var s in inputs)
        {
            foreach (var isDx in new[] { true, false })
            {
                var ok = FastLexical.TrySimpleCode(s, isDx ? FastLexical.DxForm : FastLexical.ProcForm, isDx ? 3 : 2, out var code);
                if (ok)
                {
                    simple++;
                    Assert.True(isDx ? ReferenceLexical.IsDx(s) : ReferenceLexical.IsProc(s), Encoding.Latin1.GetString(s));
                    Assert.Equal(Code.FromUtf8(s), code);
                    Assert.Equal(Encoding.ASCII.GetString(s), code.ToString());
                }
                else if (s.Length <= Code.MaxPackedLength && s.AsSpan().IndexOfAny("+* \t"u8) < 0)
                {
                    // Not simple must mean not well-formed, unless it is a dagger-asterisk pair, blank or long.
                    Assert.False(isDx ? ReferenceLexical.IsDx(s) : ReferenceLexical.IsProc(s), Encoding.Latin1.GetString(s));
                }
            }
        }

        Assert.True(simple > 5000, $"only {simple} simple codes");
    }

    [Fact]
    public void MoneyAgreesWithTheReference()
    {
        var rng = new Random(4);
        var alphabet = "0123456789..- +x"u8.ToArray();
        var inputs = new List<byte[]> { "0.00"u8.ToArray(), "123456789.99"u8.ToArray(), "1234567890.00"u8.ToArray(), "1.5"u8.ToArray(), "12.345"u8.ToArray(), "00000001.01"u8.ToArray() };
        for (var n = 0; n < 30000; n++)
        {
            var s = new byte[rng.Next(0, 14)];
            for (var i = 0; i < s.Length; i++)
            {
                s[i] = rng.Next(4) == 0 ? alphabet[rng.Next(alphabet.Length)] : (byte)('0' + rng.Next(10));
            }

            if (s.Length >= 3 && rng.Next(2) == 0)
            {
                s[^3] = (byte)'.';
            }

            inputs.Add(s);
        }

        foreach (var s in inputs)
        {
            var expected = ReferenceLexical.TryParseMoney(s, out var e);
            Assert.Equal(expected, FastLexical.TryParseMoney(s, out var a));
            Assert.Equal(e, a);
        }

        Assert.True(FastLexical.TryParseMoney("123456789.99"u8, out var max) && max == 12_345_678_999);
        Assert.False(FastLexical.TryParseMoney("1234567890.00"u8, out _));
    }

    [Fact]
    public void HospitalLookupAgreesWithTheReference()
    {
        var ids = new[] { "H1", "H35092100117", "医院1", "A", "", "X\uFFFDY", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", "dup", "dup" };
        var hospitals = new HospitalTable(ids.Select(id =>
            new Hospital(id, "n", "350902", new HospitalLevel(3, 'A'), HospitalKind.General, HospitalLocation.City, false, PaymentMethod.Dip, false)).ToArray());
        var reference = new ReferenceHospitalIds(hospitals);
        var probes = ids.Select(Encoding.UTF8.GetBytes).ToList();
        probes.Add("H2"u8.ToArray());
        probes.Add("H3509210011"u8.ToArray());
        probes.Add("H350921001170"u8.ToArray());
        probes.Add([(byte)'X', 0xFF, (byte)'Y']); // invalid UTF-8 decodes to the U+FFFD id
        probes.Add([0xE5, 0x8C]);
        probes.Add(Encoding.UTF8.GetBytes(new string('Z', 200)));
        var rng = new Random(9);
        for (var n = 0; n < 2000; n++)
        {
            var p = probes[rng.Next(ids.Length)].ToArray();
            if (p.Length > 0)
            {
                p[rng.Next(p.Length)] ^= (byte)(1 << rng.Next(8));
            }

            probes.Add(p);
        }

        foreach (var p in probes)
        {
            Assert.Equal(reference.Find(p), hospitals.Find(p));
        }

        Assert.Equal(8, hospitals.Find("dup"u8)); // the later duplicate wins, as before
        Assert.Equal(5, hospitals.Find([(byte)'X', 0xFF, (byte)'Y']));
        Assert.Equal(-1, hospitals.Find("H2"u8));
    }
}
