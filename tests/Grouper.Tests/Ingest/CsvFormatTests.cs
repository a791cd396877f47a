using System.IO.Compression;
using System.Text;
using Grouper.Core;
using Grouper.Ingest;
using static Grouper.Tests.Ingest.IngestHarness;

namespace Grouper.Tests.Ingest;

public class CsvFormatTests
{
    [Fact]
    public void HeaderByNameAnyOrderExtraColumnsIgnoredBomAndCrlf()
    {
        var names = DischargeColumns.Names.Reverse().Append("extra").ToArray();
        var row = Row(("case_id", "Q1"));
        var values = row.Split(',').Reverse().Append("ignored").ToArray();
        var csv = "\uFEFF" + string.Join(',', names.Select(n => " " + n + " ")) + "\r\n" + string.Join(',', values) + "\r\n";
        var r = Read(csv);
        Assert.Empty(r.Rejects);
        Assert.Equal("Q1", Assert.Single(r.CaseIds));
    }

    [Fact]
    public void QuotedFieldsWithCommasQuotesAndLineBreaks()
    {
        // An extra (ignored) column holds a quoted line break; quoted lists hold commas.
        var row = Row(("case_id", "\"Q,1\"\"x\""), ("secondary_dx", "\"I50.900, ;E87.600\"".Replace(", ", " ", StringComparison.Ordinal))) + ",\"note\nsecond line\"";
        var csv = Header + ",note\n" + row + "\n" + Row(("case_id", "Q2")) + ",plain\n";
        var r = Read(csv);
        Assert.Empty(r.Rejects);
        Assert.Equal(["Q,1\"x", "Q2"], r.CaseIds);
        Assert.Equal("I50.900;E87.600", r.Secondary[0]);

        // The second record starts on physical line 4: the first one spans lines 2 and 3.
        Assert.Equal(4, r.Accepted[1].Line);
    }

    [Fact]
    public void LastLineWithoutTerminatorAndBlankLines()
    {
        var r = Read(Header + "\n\n" + Row(("case_id", "A")) + "\n\n" + Row(("case_id", "B")));
        Assert.Equal(["A", "B"], r.CaseIds);
        Assert.Equal([3L, 5L], r.Accepted.Select(a => a.Line));
    }

    [Fact]
    public void MissingRequiredColumnStopsWithNamedColumns()
    {
        var header = string.Join(',', DischargeColumns.Names.Where(n => n is not ("policy_cost" or "sex")));
        var ex = Assert.Throws<InputException>(() => Read(header + "\n"));
        Assert.Contains("discharges.csv", ex.Message, StringComparison.Ordinal);
        Assert.Contains("sex, policy_cost", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DuplicateColumnStops()
    {
        var ex = Assert.Throws<InputException>(() => Read(Header + ",sex\n"));
        Assert.Equal("sex", ex.Field);
    }

    [Fact]
    public void EmptyFileStops()
    {
        var ex = Assert.Throws<InputException>(() => Read(string.Empty));
        Assert.Contains("empty", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HeaderOnlyGivesNoRecords()
    {
        var r = Read(Header + "\n");
        Assert.Empty(r.Accepted);
        Assert.Empty(r.Rejects);
    }

    [Fact]
    public void UnterminatedQuoteIsAFieldCountReject()
    {
        var r = Read(Header + "\n" + Row(("case_id", "\"Q1")) + "\n");
        Assert.Equal(RejectReason.FieldCount, Assert.Single(r.Rejects).Reason);
    }

    [Fact]
    public void OverLongRecordIsRejectedAndReadingResumesAtTheNextLine()
    {
        var big = new string('x', 1 << 20); // a 1 MB field
        var csv = Header + "\n" + Row(("person_id", big)) + "\n" + Row(("case_id", "OK")) + "\n";
        var r = Read(csv, batchSize: 2);
        Assert.Equal(RejectReason.LineTooLong, Assert.Single(r.Rejects).Reason);
        Assert.Equal(2, r.Rejects[0].Line);
        Assert.Equal("OK", Assert.Single(r.CaseIds));
        Assert.Equal(3, r.Accepted[0].Line);
    }

    [Fact]
    public void InvalidUtf8AndNulBytesAreRejectsNotCrashes()
    {
        var header = Encoding.UTF8.GetBytes(Header + "\n");
        var row = Encoding.UTF8.GetBytes(Row(("person_id", "PXX")) + "\n");
        var i = Array.IndexOf(row, (byte)'X');
        row[i] = 0xFF;
        row[i + 1] = 0x00;
        var r = ReadBytes([.. header, .. row]);
        var rej = Assert.Single(r.Rejects);
        Assert.Equal(RejectReason.BadText, rej.Reason);
        Assert.Equal("person_id", rej.Field);
    }

    [Fact]
    public async Task GzipIsReadTransparently()
    {
        var dir = TestPaths.NewTempDir();
        var path = Path.Combine(dir, "discharges.csv.gz");
        using (var f = File.Create(path))
        using (var gz = new GZipStream(f, CompressionLevel.Fastest))
        {
            gz.Write(Encoding.UTF8.GetBytes(Header + "\n" + Row() + "\n"));
        }

        var reader = await DischargeReader.OpenAsync(path);
        var count = 0;
        var parser = new DischargeRecordParser(reader.Header, Hospitals);
        await reader.ReadAllAsync(parser, () => new DischargeBatch(16), b =>
        {
            count += b.Count;
            return ValueTask.CompletedTask;
        });
        await reader.DisposeAsync();
        Assert.Equal(1, count);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void GzipBombIsRefused()
    {
        var dir = TestPaths.NewTempDir();
        var path = Path.Combine(dir, "discharges.csv.gz");
        using (var f = File.Create(path))
        using (var gz = new GZipStream(f, CompressionLevel.Optimal))
        {
            gz.Write(Encoding.UTF8.GetBytes(Header + "\n"));
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 8; i++)
            {
                gz.Write(zeros);
            }
        }

        var ex = Assert.Throws<InputException>(() =>
        {
            using var s = CsvFiles.OpenRead(path, 1 << 20);
            s.CopyTo(Stream.Null);
        });
        Assert.Contains("gzip bomb", ex.Message, StringComparison.Ordinal);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void ManyBatchesKeepLineNumbersAndOrder()
    {
        var sb = new StringBuilder(Header).Append('\n');
        for (var i = 0; i < 1000; i++)
        {
            sb.Append(Row(("case_id", "C" + i))).Append('\n');
        }

        var r = Read(sb.ToString(), batchSize: 7);
        Assert.Equal(1000, r.Accepted.Count);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => "C" + i), r.CaseIds);
        Assert.Equal(Enumerable.Range(2, 1000).Select(i => (long)i), r.Accepted.Select(a => a.Line));
    }
}
