namespace Grouper.Ingest;

/// <summary>
/// Record bytes cut from the input in order, before parsing: one contiguous block with the start,
/// length and first physical line of each record. Lets parsing and validation run in parallel
/// while the reader stays sequential.
/// </summary>
public sealed class RawBatch
{
    /// <summary>Length marking a record longer than the limit (LINE_TOO_LONG); its bytes are not kept.</summary>
    public const int TooLong = -1;

    public RawBatch(int capacity = 4096, int bytes = 1 << 20)
    {
        Capacity = capacity;
        Start = new int[capacity];
        Length = new int[capacity];
        Line = new long[capacity];
        Data = new byte[bytes];
    }

    public int Capacity { get; }

    public long Sequence { get; set; }

    /// <summary>
    /// Data a pipeline stage attaches to this batch in read order (on the reader thread), handed to
    /// the worker that parses it as <see cref="DischargeBatch.Tag"/>; kept when the batch is reused.
    /// </summary>
    public object? Tag { get; set; }

    public int Count { get; private set; }

    public byte[] Data { get; private set; }

    public int DataLength { get; private set; }

    public int[] Start { get; }

    public int[] Length { get; }

    public long[] Line { get; }

    public bool IsFull => Count == Capacity;

    public void Clear()
    {
        Count = 0;
        DataLength = 0;
    }

    public ReadOnlySpan<byte> Record(int i) => Data.AsSpan(Start[i], Length[i]);

    public void Add(ReadOnlySpan<byte> record, long line)
    {
        if (DataLength + record.Length > Data.Length)
        {
            var bigger = new byte[Math.Max(Data.Length * 2, DataLength + record.Length)];
            Data.AsSpan(0, DataLength).CopyTo(bigger);
            Data = bigger;
        }

        record.CopyTo(Data.AsSpan(DataLength));
        Start[Count] = DataLength;
        Length[Count] = record.Length;
        Line[Count] = line;
        DataLength += record.Length;
        Count++;
    }

    public void AddTooLong(long line)
    {
        Start[Count] = DataLength;
        Length[Count] = TooLong;
        Line[Count] = line;
        Count++;
    }
}
