using System.Text;
using CsCheck;
using Grouper.Generation;
using Grouper.Ingest;
using Grouper.Pipeline;
using Grouper.Pipeline.Internals;
using Grouper.Settlement;
using Microsoft.Data.Sqlite;

namespace Grouper.Tests.Pipeline;

/// <summary>
/// The bounded-memory paths of a run: case ids and chain data spilled to partitioned files give
/// exactly the outputs and state of the in-memory paths, whatever the number of partitions.
/// </summary>
public sealed class SpillTests : IDisposable
{
    private readonly string _dir = TestPaths.NewTempDir("grouper-spill");

    public void Dispose() => Directory.Delete(_dir, true);

    /// <summary>A batch of records with the given case ids; a true flag marks a record another check rejected.</summary>
    private static DischargeBatch Batch(IReadOnlyList<(string Id, bool Rejected)> rows, long firstLine)
    {
        var b = new DischargeBatch(Math.Max(1, rows.Count));
        for (var i = 0; i < rows.Count; i++)
        {
            b.Records[i] = new DischargeRecord { Line = firstLine + i, CaseId = b.AddText(Encoding.UTF8.GetBytes(rows[i].Id)) };
        }

        b.Count = rows.Count;
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i].Rejected)
            {
                b.RejectLater(i, RejectReason.BadDate, "admit_date", "bad");
            }
        }

        return b;
    }

    private static List<(long Line, RejectReason Reason)> Outcome(DischargeBatch b)
    {
        var list = new List<(long, RejectReason)>();
        foreach (var r in b.Rejects)
        {
            list.Add((r.Line, r.Reason));
        }

        for (var i = 0; i < b.Count; i++)
        {
            list.Add((b.Records[i].Line, RejectReason.None));
        }

        list.Sort();
        return list;
    }

    private List<(long Line, RejectReason Reason)> Spilled(IReadOnlyList<(string Id, bool Rejected)> rows, int partitions, int batchSize)
    {
        using var spill = new SpillDirectory(_dir);
        LineBitmap duplicates;
        using (var ids = new SpilledCaseIds(spill, partitions))
        {
            for (var s = 0; s < rows.Count; s += batchSize)
            {
                var part = rows.Skip(s).Take(batchSize).ToList();
                var b = Batch(part, 2 + s);
                ids.Apply(b);

                // The first pass rejects only what other checks rejected.
                Assert.Equal(part.Count(r => r.Rejected), b.Rejects.Count);
            }

            duplicates = ids.FindDuplicates();
        }

        var known = new KnownDuplicates(duplicates);
        var all = new List<(long, RejectReason)>();
        for (var s = 0; s < rows.Count; s += batchSize)
        {
            var b = Batch(rows.Skip(s).Take(batchSize).ToList(), 2 + s);
            known.Apply(b);
            all.AddRange(Outcome(b));
        }

        return all;
    }

    private static List<(long Line, RejectReason Reason)> InMemory(IReadOnlyList<(string Id, bool Rejected)> rows, int batchSize)
    {
        var dedup = new CaseDeduplicator();
        var all = new List<(long, RejectReason)>();
        for (var s = 0; s < rows.Count; s += batchSize)
        {
            var b = Batch(rows.Skip(s).Take(batchSize).ToList(), 2 + s);
            dedup.Apply(b);
            all.AddRange(Outcome(b));
        }

        return all;
    }

    [Fact]
    public void TheFirstAcceptedRecordOwnsTheIdAndEveryLaterOneIsADuplicate()
    {
        // Line 2 rejected for another reason keeps it; line 3 owns "A"; 5 (accepted) and 6 (rejected
        // for another reason) repeat it; "B" is first accepted on line 7.
        (string, bool)[] rows = [("A", true), ("A", false), ("B", true), ("A", false), ("A", true), ("B", false), ("B", false)];
        var expected = new List<(long, RejectReason)>
        {
            (2, RejectReason.BadDate), (3, RejectReason.None), (4, RejectReason.BadDate), (5, RejectReason.DuplicateCase),
            (6, RejectReason.DuplicateCase), (7, RejectReason.None), (8, RejectReason.DuplicateCase),
        };
        Assert.Equal(expected, InMemory(rows, 3));
        Assert.Equal(expected, Spilled(rows, 4, 3));
    }

    [Fact]
    public void SpilledDuplicatesEqualTheInMemoryIndex()
    {
        // Few distinct ids (many repeats), some rejected by other checks, any batch size and partition count.
        var row = Gen.Select(Gen.Int[0, 30], Gen.Int[0, 9]).Select((id, r) => ("C" + id + (id % 7 == 0 ? "患者" : string.Empty), r == 0));
        Gen.Select(row.List[0, 300], Gen.Int[1, 50], Gen.Int[0, 4]).Sample(
            (rows, batch, logP) => Assert.Equal(InMemory(rows, batch), Spilled(rows, 1 << logP, batch)),
            iter: 60,
            seed: "0N0XIzNsQ0O4");
    }

    private Task<RunManifest> Run(string input, string outName, int partitions, long inMemoryLimit = 4_000_000, string? state = null, bool settle = true) =>
        new BatchJob(new BatchJobOptions
        {
            InputDirectory = input,
            OutputDirectory = Path.Combine(_dir, outName),
            Workers = 2,
            BatchSize = 128,
            RowGroupSize = 1000,
            Policies = settle ? PolicyStore.Load(Path.Combine(TestPaths.SampleData, "policies")) : null,
            Region = settle ? "350900" : null,
            StatePath = state,
            SpillPartitions = partitions,
            InMemoryDuplicateLimit = inMemoryLimit,
        }).RunAsync();

    private string Generate(ulong seed)
    {
        var input = Path.Combine(_dir, "in" + seed);
        DischargeGenerator.WriteFiles(input, new GeneratorOptions { Count = 3000, Seed = seed, BadFraction = 0.05, Regions = [GeneratorRegion.ByCode("350900")!] });
        return input;
    }

    private static void AssertSameFiles(string a, string b, params string[] names)
    {
        foreach (var n in names)
        {
            Assert.True(File.ReadAllBytes(Path.Combine(a, n)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(b, n))), n + " differs");
        }
    }

    private static List<string> StateRows(string db)
    {
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT * FROM person_year ORDER BY person_id, insurance, year";
        using var r = cmd.ExecuteReader();
        var rows = new List<string>();
        while (r.Read())
        {
            var values = new object[r.FieldCount];
            r.GetValues(values);
            rows.Add(string.Join('|', values));
        }

        return rows;
    }

    [Fact]
    public async Task SettlementIsTheSameWhateverThePartitionCount()
    {
        var input = Generate(21);
        var m1 = await Run(input, "p1", 1, state: Path.Combine(_dir, "p1.db"));
        var m16 = await Run(input, "p16", 16, state: Path.Combine(_dir, "p16.db"));
        var m64 = await Run(input, "p64", 64, state: Path.Combine(_dir, "p64.db"));

        Assert.True(m1.RejectsByReason.GetValueOrDefault("DUPLICATE_CASE") > 0, "the input should have duplicate case ids");
        AssertSameFiles(Path.Combine(_dir, "p1"), Path.Combine(_dir, "p16"), "cases.parquet", "rejects.csv");
        AssertSameFiles(Path.Combine(_dir, "p1"), Path.Combine(_dir, "p64"), "cases.parquet", "rejects.csv");
        var state = StateRows(Path.Combine(_dir, "p1.db"));
        Assert.True(state.Count > 1000);
        Assert.Equal(state, StateRows(Path.Combine(_dir, "p16.db")));
        Assert.Equal(state, StateRows(Path.Combine(_dir, "p64.db")));
        Assert.Equal(m1.RecordsAccepted, m16.RecordsAccepted);

        var resources = (ResourceSection)m16.Sections["resources"];
        Assert.Equal(16, resources.SpillPartitions);
        Assert.True(resources.SpillBytes > 3000 * 50);
        Assert.Empty(Directory.GetDirectories(Path.Combine(_dir, "p16"), ".grouper-spill-*"));
    }

    [Fact]
    public async Task GroupingWithSpilledCaseIdsEqualsTheInMemoryIndex()
    {
        var input = Generate(22);
        var inMemory = await Run(input, "mem", 0, settle: false);
        var spilled = await Run(input, "spill", 8, inMemoryLimit: 0, settle: false);
        Assert.True(inMemory.RejectsByReason.GetValueOrDefault("DUPLICATE_CASE") > 0, "the input should have duplicate case ids");
        Assert.Equal(0, ((ResourceSection)inMemory.Sections["resources"]).SpillPartitions);
        Assert.Equal(8, ((ResourceSection)spilled.Sections["resources"]).SpillPartitions);
        AssertSameFiles(Path.Combine(_dir, "mem"), Path.Combine(_dir, "spill"), "cases.parquet", "rejects.csv");
    }

    [Fact]
    public async Task AFailedRunLeavesNoSpillFiles()
    {
        var input = Generate(23);
        var state = Path.Combine(_dir, "once.db");
        await Run(input, "first", 4, state: state);
        await Assert.ThrowsAsync<Grouper.Core.InputException>(() => Run(input, "again", 4, state: state));
        Assert.Empty(Directory.GetDirectories(Path.Combine(_dir, "again"), ".grouper-spill-*"));
        Assert.Empty(Directory.GetDirectories(Path.Combine(_dir, "first"), ".grouper-spill-*"));
    }

    [Fact]
    public async Task ATemporaryDirectoryThatCannotBeMadeIsAClearError()
    {
        var input = Generate(24);
        var blocker = Path.Combine(_dir, "blocker");
        await File.WriteAllTextAsync(blocker, "a file, not a directory");
        var ex = await Assert.ThrowsAsync<Grouper.Core.InputException>(() => new BatchJob(new BatchJobOptions
        {
            InputDirectory = input,
            OutputDirectory = Path.Combine(_dir, "out-blocked"),
            TempDirectory = Path.Combine(blocker, "tmp"),
            InMemoryDuplicateLimit = 0,
        }).RunAsync());
        Assert.Contains("cannot create the run's temporary directory", ex.Message, StringComparison.Ordinal);
        Assert.Contains("--temp-dir", ex.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(blocker, "tmp"), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CaseIdBytesCompareAsTheirStringsDoOrdinally()
    {
        // ASCII, Chinese, a private-use char (U+E000, after the surrogates in UTF-16 but before
        // U+10000 in code points) and a supplementary char (a surrogate pair): the orders differ there.
        string[] parts = ["a", "b", "Z", "0", "-", "患", "者", "\uE000", "\uFFFD", "😀", "𠀀"];
        var chars = Gen.Int[0, parts.Length - 1].Select(i => parts[i]);
        var id = chars.Array[0, 6].Select(p => string.Concat(p));
        Gen.Select(id, id).Sample(
            (x, y) => Assert.Equal(
                Math.Sign(string.CompareOrdinal(x, y)),
                SettlementStage.CompareOrdinal(Encoding.UTF8.GetBytes(x), Encoding.UTF8.GetBytes(y))),
            iter: 2000,
            seed: "0N0XIzNsQ0O4");
        Assert.True(SettlementStage.CompareOrdinal(Encoding.UTF8.GetBytes("\uE000"), Encoding.UTF8.GetBytes("😀")) > 0);
    }

    private readonly struct FullKeyComparer : IComparer<(UInt128 Key, int Day, int Entry)>
    {
        public int Compare((UInt128 Key, int Day, int Entry) x, (UInt128 Key, int Day, int Entry) y)
        {
            var c = x.Key.CompareTo(y.Key);
            if (c != 0)
            {
                return c;
            }

            c = x.Day.CompareTo(y.Day);
            return c != 0 ? c : x.Entry.CompareTo(y.Entry);
        }
    }

    [Fact]
    public void ChainOrderSortedByHighBitsThenRunsEqualsTheFullComparerSort()
    {
        // Few distinct high halves (so runs of equal high bits hold several keys whose low halves
        // and days differ) and repeated keys (one person's cases).
        var key = Gen.Select(Gen.Int[0, 5], Gen.Int[0, 3]).Select((hi, lo) => new UInt128(((ulong)(uint)hi << 60) | (uint)hi, (uint)lo));
        Gen.Select(key, Gen.Int[0, 4]).Array[0, 300].Sample(
            items =>
            {
                var order = items.Select((t, i) => (t.Item1, t.Item2, i)).ToArray();
                var expected = order.ToArray();
                Array.Sort(expected, new FullKeyComparer());
                var keys = order.Select(o => (ulong)(o.Item1 >> 64)).ToArray();
                SettlementStage.SortChainOrder(keys.AsSpan(), order.AsSpan(), new FullKeyComparer());
                Assert.Equal(expected, order);
            },
            iter: 500,
            seed: "0N0XIzNsQ0O4");
    }

    [Fact]
    public async Task AFileRewrittenInPlaceWithTheSameSizeBetweenTheReadsIsRefused()
    {
        var input = Generate(25);
        var discharges = Path.Combine(input, "discharges.csv");
        var outDir = Path.Combine(_dir, "rewritten");
        var ex = await Assert.ThrowsAsync<Grouper.Core.InputException>(() => new BatchJob(new BatchJobOptions
        {
            InputDirectory = input,
            OutputDirectory = outDir,
            Policies = PolicyStore.Load(Path.Combine(TestPaths.SampleData, "policies")),
            Region = "350900",
            AfterFirstPass = () =>
            {
                // One digit of the last record's last field changes; the size does not.
                var bytes = File.ReadAllBytes(discharges);
                var i = bytes.Length - 1;
                while (bytes[i] is < (byte)'0' or > (byte)'9')
                {
                    i--;
                }

                bytes[i] = bytes[i] == (byte)'1' ? (byte)'2' : (byte)'1';
                File.WriteAllBytes(discharges, bytes);
            },
        }).RunAsync());
        Assert.Contains("changed while the run was reading it", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(outDir, "cases.parquet")));
        Assert.False(File.Exists(Path.Combine(outDir, "manifest.json")));
    }

    [Fact]
    public async Task AFileThatChangesBetweenTheTwoReadsIsRefusedAndNothingIsWritten()
    {
        var input = Generate(25);
        var discharges = Path.Combine(input, "discharges.csv");
        var outDir = Path.Combine(_dir, "changed");
        var ex = await Assert.ThrowsAsync<Grouper.Core.InputException>(() => new BatchJob(new BatchJobOptions
        {
            InputDirectory = input,
            OutputDirectory = outDir,
            Policies = PolicyStore.Load(Path.Combine(TestPaths.SampleData, "policies")),
            Region = "350900",
            AfterFirstPass = () => File.AppendAllText(discharges, File.ReadLines(discharges).Skip(1).First() + "\n"),
        }).RunAsync());
        Assert.Contains("changed while the run was reading it", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(outDir, "cases.parquet")));
        Assert.False(File.Exists(Path.Combine(outDir, "manifest.json")));
        Assert.Empty(Directory.GetDirectories(outDir, ".grouper-spill-*"));
        Assert.Empty(Directory.GetFiles(outDir, ".*tmp*"));
    }
}
