using System.Text;
using CsCheck;
using Grouper.Core;
using static Grouper.Tests.Ingest.IngestHarness;

namespace Grouper.Tests.Ingest;

/// <summary>No input crashes the reader or loses a record: every record read is accepted or rejected.</summary>
public class RobustnessTests
{
    private static readonly string ValidFile = BuildValidFile();

    private static string BuildValidFile()
    {
        var sb = new StringBuilder(Header).Append('\n');
        for (var i = 0; i < 30; i++)
        {
            sb.Append(Row(("case_id", "C" + i), ("secondary_dx", i % 2 == 0 ? "\"I50.900;E87.600\"" : "I10.x00"))).Append(i % 3 == 0 ? "\r\n" : "\n");
        }

        return sb.ToString();
    }

    /// <summary>Counts records the way a reader must: either the header is refused with a clear error, or accepted + rejected = records found.</summary>
    private static void ReadsWithoutCrashing(byte[] bytes)
    {
        try
        {
            var r = ReadBytes(bytes, batchSize: 5);
            foreach (var rej in r.Rejects)
            {
                Assert.False(string.IsNullOrWhiteSpace(rej.Message));
                Assert.True(rej.Line >= 2);
            }

            // Lines are strictly increasing across accepted and rejected records: nothing is counted twice.
            var lines = r.Accepted.Select(a => a.Line).Concat(r.Rejects.Select(x => x.Line)).Order().ToArray();
            Assert.Equal(lines.Distinct().Count(), lines.Length);
        }
        catch (InputException ex)
        {
            Assert.Contains("discharges.csv", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void RandomBytes()
    {
        Gen.Byte.Array[0, 4000].Sample(ReadsWithoutCrashing, iter: 300, seed: "0N0XIzNsQ0O2");
    }

    [Fact]
    public void RandomBytesAfterAValidHeader()
    {
        var header = Encoding.UTF8.GetBytes(Header + "\n");
        Gen.Byte.Array[0, 4000].Sample(tail => ReadsWithoutCrashing([.. header, .. tail]), iter: 300, seed: "0N0XIzNsQ0O3");
    }

    [Fact]
    public void TruncatedAtEveryLength()
    {
        var bytes = Encoding.UTF8.GetBytes(ValidFile);
        for (var len = 0; len <= bytes.Length; len += 7)
        {
            ReadsWithoutCrashing(bytes[..len]);
        }
    }

    [Fact]
    public void MutatedValidFiles()
    {
        var bytes = Encoding.UTF8.GetBytes(ValidFile);
        Gen.Select(Gen.Int[0, bytes.Length - 1].Array[1, 20], Gen.Byte.Array[20]).Sample((positions, values) =>
        {
            var copy = (byte[])bytes.Clone();
            for (var i = 0; i < positions.Length; i++)
            {
                copy[positions[i]] = values[i];
            }

            ReadsWithoutCrashing(copy);
        }, iter: 300, seed: "0N0XIzNsQ0O4");
    }

    [Fact]
    public void EveryValidRecordOfAValidFileIsAccepted()
    {
        var r = Read(ValidFile, batchSize: 4);
        Assert.Equal(30, r.Accepted.Count);
        Assert.Empty(r.Rejects);
    }
}
