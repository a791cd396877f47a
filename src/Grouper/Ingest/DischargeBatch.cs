using Grouper.Core;

namespace Grouper.Ingest;

/// <summary>
/// A reusable block of validated records with the text arena and code pool they point into.
/// Batches flow through the pipeline in input order; stages fill their result arrays by index.
/// </summary>
public class DischargeBatch
{
    public DischargeBatch(int capacity = 4096)
    {
        Capacity = capacity;
        Records = new DischargeRecord[capacity];
        Codes = new Code[capacity * 8];
        Text = new byte[capacity * 64];
    }

    public int Capacity { get; }

    /// <summary>Sequence number of the batch in the run (0-based), for ordered output.</summary>
    public long Sequence { get; set; }

    /// <summary>What a stage attached to the raw batch this one was parsed from (<see cref="RawBatch.Tag"/>).</summary>
    public object? Tag { get; set; }

    public int Count { get; set; }

    public DischargeRecord[] Records { get; }

    public Code[] Codes { get; private set; }

    public int CodeCount { get; set; }

    public byte[] Text { get; private set; }

    public int TextLength { get; set; }

    public bool IsFull => Count == Capacity;

    /// <summary>Rejected records whose lines fall in this batch's span of the input, in line order.</summary>
    public List<Reject> Rejects { get; } = [];

    /// <summary>Records read into this batch: accepted + rejected.</summary>
    public int RecordsRead => Count + Rejects.Count;

    /// <summary>Messages of pending stage rejects (see <see cref="DischargeRecord.PendingReject"/>).</summary>
    public List<(string Field, string Message)> PendingMessages { get; } = [];

    /// <summary>Marks record <paramref name="index"/> rejected by a later stage.</summary>
    public void RejectLater(int index, RejectReason reason, string field, string message)
    {
        lock (PendingMessages)
        {
            Records[index].PendingReject = reason;
            Records[index].PendingRejectMessage = PendingMessages.Count;
            PendingMessages.Add((field, message));
        }
    }

    public void Clear()
    {
        PendingMessages.Clear();
        Rejects.Clear();
        Count = 0;
        CodeCount = 0;
        TextLength = 0;
    }

    private readonly List<Array> _columns = [];

    /// <summary>
    /// Registers a per-record result array (indexed like <see cref="Records"/>) so that
    /// <see cref="RemoveRecords"/> keeps it aligned.
    /// </summary>
    public void RegisterColumn(Array column) => _columns.Add(column);

    /// <summary>Removes the records at the given ascending indices, shifting later records (and registered columns) down.</summary>
    public void RemoveRecords(IReadOnlyList<int> ascending)
    {
        var write = ascending[0];
        var next = 0;
        for (var read = ascending[0]; read < Count; read++)
        {
            if (next < ascending.Count && ascending[next] == read)
            {
                next++;
                continue;
            }

            Records[write] = Records[read];
            foreach (var c in _columns)
            {
                Array.Copy(c, read, c, write, 1);
            }

            write++;
        }

        Count = write;
    }

    public ReadOnlySpan<Code> SecondaryDx(in DischargeRecord r) => Codes.AsSpan(r.SecondaryDxStart, r.SecondaryDxCount);

    public ReadOnlySpan<Code> OtherProcs(in DischargeRecord r) => Codes.AsSpan(r.OtherProcsStart, r.OtherProcsCount);

    public ReadOnlySpan<byte> TextOf(TextRef t) => Text.AsSpan(t.Offset, t.Length);

    public string StringOf(TextRef t) => System.Text.Encoding.UTF8.GetString(Text, t.Offset, t.Length);

    /// <summary>Appends text bytes to the arena, growing it when needed (rare: arena is sized for typical ids).</summary>
    public TextRef AddText(ReadOnlySpan<byte> bytes)
    {
        if (TextLength + bytes.Length > Text.Length)
        {
            var bigger = new byte[Math.Max(Text.Length * 2, TextLength + bytes.Length)];
            Text.AsSpan(0, TextLength).CopyTo(bigger);
            Text = bigger;
        }

        bytes.CopyTo(Text.AsSpan(TextLength));
        var r = new TextRef(TextLength, bytes.Length);
        TextLength += bytes.Length;
        return r;
    }

    /// <summary>Reserves room for <paramref name="count"/> codes and returns the start index.</summary>
    public int ReserveCodes(int count)
    {
        if (CodeCount + count > Codes.Length)
        {
            var bigger = new Code[Math.Max(Codes.Length * 2, CodeCount + count)];
            Codes.AsSpan(0, CodeCount).CopyTo(bigger);
            Codes = bigger;
        }

        var start = CodeCount;
        CodeCount += count;
        return start;
    }
}
