using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Grouper.Output.Internals;

/// <summary>Where one encoded column chunk lies in <see cref="RowGroupEncoder.Part"/> and what its footer entry says.</summary>
internal struct ChunkMeta
{
    public int Type;

    /// <summary>SNAPPY, or UNCOMPRESSED where Snappy does not pay (<see cref="RowGroupEncoder"/>).</summary>
    public int Codec;

    /// <summary>Bit per Parquet encoding id used (values and levels).</summary>
    public int Encodings;

    public long Values;
    public long Uncompressed;
    public long Compressed;

    /// <summary>Offsets are relative to the start of the part; the file writer moves them to absolute file offsets.</summary>
    public long Start;
    public long DataPageOffset;
    public long DictionaryPageOffset; // -1: none

    public long NullCount;
    public bool HasMinMax;
    public int MinAt;
    public int MinLength;
    public int MaxAt;
    public int MaxLength;
}

/// <summary>
/// Encodes one row group's column chunks (data page v1, Snappy) into <see cref="Part"/>: the bytes
/// of the chunks back to back, with a <see cref="ChunkMeta"/> per column for the footer. Each slot
/// of <see cref="CasesParquetWriter"/> owns one encoder, and every buffer here is reused from one
/// row group to the next. The bytes depend only on the rows, never on timing or earlier row groups.
/// <para>
/// Pages hold at most <see cref="MaxPageRows"/> rows and, for PLAIN text, about
/// <see cref="MaxPageBytes"/> bytes. Optional columns carry definition levels (RLE / bit-packed
/// hybrid, 4-byte length prefix). Dictionary columns write a PLAIN dictionary page and
/// RLE_DICTIONARY indices, falling back to PLAIN when a chunk's dictionary passes its bound;
/// integer chunks whose values span less than <see cref="SmallRange"/> are dictionary-encoded too.
/// </para>
/// <para>
/// A chunk is Snappy-compressed unless compressing the start of its first data page saves less than an eighth
/// (random text such as pseudonyms): then the whole chunk is written UNCOMPRESSED, which readers
/// accept per column chunk, and the encoder does not spend Snappy's time for nothing.
/// </para>
/// </summary>
internal sealed class RowGroupEncoder
{
    internal const int MaxPageRows = 20_000;
    internal const int MaxPageBytes = 1 << 20;

    /// <summary>Above this many bytes of distinct values a chunk's dictionary is not worth it: PLAIN instead.</summary>
    internal const int MaxDictionaryBytes = 1 << 20;

    /// <summary>How much of a chunk's first data page is compressed to choose its codec.</summary>
    internal const int CodecSampleBytes = 16 << 10;

    /// <summary>Integer chunks whose values all lie within this range are dictionary-encoded.</summary>
    internal const int SmallRange = 1 << 16;

    private const int NullId = -1;

    /// <summary>An integer dictionary is kept only while at most one value in this many is distinct.</summary>
    internal const int MaxDistinctShare = 4;

    private readonly ByteBuffer _page = new(1 << 16);
    private readonly ByteBuffer _dictionaryPage = new(1 << 12);
    private byte[] _trial = new byte[1 << 16];
    private int _trialLength = -1; // the chunk's first data page, compressed while choosing the codec
    private bool _codecChosen;
    private readonly ByteBuffer _header = new(128);
    private byte[] _compressed = new byte[1 << 16];
    private ChunkMeta[] _chunks = new ChunkMeta[16];
    private byte[] _levels = [];
    private int[] _remap = [];
    private int[] _order = [];
    private int[] _indices = [];
    private long[] _deltaValues = [];
    private ChunkMeta _meta;

    /// <summary>The encoded column chunks, in column order.</summary>
    public ByteBuffer Part { get; } = new(1 << 16);

    /// <summary>Min/max statistic bytes referenced by <see cref="ChunkMeta"/>.</summary>
    public ByteBuffer StatisticsBytes { get; } = new(256);

    public int Rows { get; private set; }

    public int ChunkCount { get; private set; }

    public ReadOnlySpan<ChunkMeta> Chunks => _chunks.AsSpan(0, ChunkCount);

    public void Encode(IReadOnlyList<IColumnBuffer> columns, int rows)
    {
        Part.Clear();
        StatisticsBytes.Clear();
        ChunkCount = 0;
        Rows = rows;
        for (var i = 0; i < columns.Count; i++)
        {
            columns[i].Encode(this, rows);
        }
    }

    /// <summary>An INT32 or INT64 chunk, PLAIN; <paramref name="defined"/> is empty for a required column, else 1 per present row.</summary>
    /// <param name="delta">Write values that do not fit a small dictionary DELTA_BINARY_PACKED (INT64 only: Parquet.Net 6.1 cannot read that encoding for DECIMAL columns).</param>
    internal void Numbers<T>(ReadOnlySpan<T> values, ReadOnlySpan<byte> defined, int type, bool delta = false)
        where T : unmanaged, IBinaryInteger<T>, IMinMaxValue<T>
    {
        var optional = !defined.IsEmpty;
        var rows = values.Length;
        BeginChunk(type, rows);

        // Statistics first: they also tell whether the values fit a small dictionary.
        var min = T.MaxValue;
        var max = T.MinValue;
        if (optional)
        {
            for (var i = 0; i < rows; i++)
            {
                if (defined[i] != 0)
                {
                    min = T.Min(min, values[i]);
                    max = T.Max(max, values[i]);
                }
            }

            _meta.NullCount = rows - Present(defined);
        }
        else
        {
            MinMax(values, ref min, ref max);
        }

        if (_meta.NullCount < rows)
        {
            Span<byte> b = stackalloc byte[8];
            var size = Unsafe.SizeOf<T>();
            MemoryMarshal.Write(b, in min);
            var minAt = AddStatistic(b[..size]);
            MemoryMarshal.Write(b, in max);
            SetMinMax(minAt, size, AddStatistic(b[..size]), size);

            // Few distinct values in a small range (dates, ages, codes, counts, ratios): dictionary-encoded.
            if (long.CreateTruncating(max) - long.CreateTruncating(min) is >= 0 and < SmallRange
                && SmallRangeDictionary(values, defined, long.CreateTruncating(min), (int)(long.CreateTruncating(max) - long.CreateTruncating(min)) + 1))
            {
                EndChunk();
                return;
            }
        }

        // Line numbers: DELTA_BINARY_PACKED, where a run of consecutive lines packs to a few bytes per
        // 128 rows instead of 8 bytes a row for Snappy to shrink to 4.
        if (delta && typeof(T) == typeof(long))
        {
            DeltaPages(MemoryMarshal.Cast<T, long>(values), defined);
            EndChunk();
            return;
        }

        for (var from = 0; from < rows; from += MaxPageRows)
        {
            var n = Math.Min(MaxPageRows, rows - from);
            var page = values.Slice(from, n);
            if (!optional)
            {
                WriteDataPage(MemoryMarshal.AsBytes(page), n, ParquetFormat.Plain);
                continue;
            }

            _page.Clear();
            var levels = defined.Slice(from, n);
            WriteLevels(levels);
            var dst = MemoryMarshal.Cast<byte, T>(_page.GetSpan(n * Unsafe.SizeOf<T>()));
            var k = 0;
            for (var i = 0; i < n; i++)
            {
                if (levels[i] != 0)
                {
                    dst[k++] = page[i];
                }
            }

            _page.Advance(k * Unsafe.SizeOf<T>());
            WriteDataPage(_page.Span, n, ParquetFormat.Plain);
        }

        EndChunk();
    }

    /// <summary>INT64 data pages in DELTA_BINARY_PACKED (present values only; definition levels first in an optional column).</summary>
    private void DeltaPages(ReadOnlySpan<long> values, ReadOnlySpan<byte> defined)
    {
        var rows = values.Length;
        var optional = !defined.IsEmpty;
        for (var from = 0; from < rows; from += MaxPageRows)
        {
            var n = Math.Min(MaxPageRows, rows - from);
            var page = values.Slice(from, n);
            _page.Clear();
            if (optional)
            {
                var levels = defined.Slice(from, n);
                WriteLevels(levels);
                var present = _deltaValues.Length >= n ? _deltaValues : _deltaValues = new long[Math.Max(n, MaxPageRows)];
                var k = 0;
                for (var i = 0; i < n; i++)
                {
                    present[k] = page[i];
                    k += levels[i];
                }

                page = present.AsSpan(0, k);
                if (k == 0)
                {
                    // No value to delta-encode: a PLAIN page of levels only.
                    WriteDataPage(_page.Span, n, ParquetFormat.Plain);
                    continue;
                }
            }

            DeltaBinaryPacked.Write(_page, page);
            WriteDataPage(_page.Span, n, ParquetFormat.DeltaBinaryPacked);
        }
    }

    /// <summary>
    /// Integers within <paramref name="range"/> of <paramref name="min"/>: ids by value − min, in order
    /// of first use. False (nothing written) when more than one value in <see cref="MaxDistinctShare"/>
    /// is distinct: the dictionary would hold most values again (line numbers), PLAIN is smaller.
    /// </summary>
    private bool SmallRangeDictionary<T>(ReadOnlySpan<T> values, ReadOnlySpan<byte> defined, long min, int range)
        where T : unmanaged, IBinaryInteger<T>
    {
        var rows = values.Length;
        if (_indices.Length < rows)
        {
            _indices = new int[rows];
            _levels = new byte[rows];
        }

        if (_remap.Length < range)
        {
            _remap = new int[Math.Max(range, _remap.Length * 2)];
        }

        var remap = _remap.AsSpan(0, range);
        remap.Fill(-1);
        _dictionaryPage.Clear();
        var used = 0;
        var limit = rows / MaxDistinctShare;
        ref var remap0 = ref MemoryMarshal.GetReference(remap);
        ref var indices0 = ref MemoryMarshal.GetArrayDataReference(_indices);
        ref var values0 = ref MemoryMarshal.GetReference(values);
        for (var r = 0; r < rows; r++)
        {
            if (!defined.IsEmpty && defined[r] == 0)
            {
                Unsafe.Add(ref indices0, r) = -1;
                continue;
            }

            var v = Unsafe.Add(ref values0, r);
            ref var c = ref Unsafe.Add(ref remap0, (int)(long.CreateTruncating(v) - min));
            if (c < 0)
            {
                if (used == limit)
                {
                    return false;
                }

                c = used++;
                MemoryMarshal.Write(_dictionaryPage.GetSpan(8), in v);
                _dictionaryPage.Advance(Unsafe.SizeOf<T>());
            }

            Unsafe.Add(ref indices0, r) = c;
        }

        WriteIndexPages(rows, used, !defined.IsEmpty);
        return true;
    }

    /// <summary>A required BOOLEAN chunk, PLAIN (bit-packed, least significant bit first).</summary>
    internal void Booleans(ReadOnlySpan<bool> values)
    {
        BeginChunk(ParquetFormat.Boolean, values.Length);
        for (var from = 0; from < values.Length; from += MaxPageRows)
        {
            var n = Math.Min(MaxPageRows, values.Length - from);
            _page.Clear();
            var bytes = (n + 7) / 8;
            var dst = _page.GetSpan(bytes)[..bytes];
            dst.Clear();
            var page = values.Slice(from, n);
            for (var i = 0; i < n; i++)
            {
                if (page[i])
                {
                    dst[i >> 3] |= (byte)(1 << (i & 7));
                }
            }

            _page.Advance(bytes);
            WriteDataPage(_page.Span, n, ParquetFormat.Plain);
        }

        EndChunk();
    }

    /// <summary>
    /// A BYTE_ARRAY chunk, PLAIN. <paramref name="arena"/> holds the present values back to back
    /// in PLAIN form (4-byte little-endian length, bytes); <paramref name="ends"/>[r] is where row
    /// r's value ends (a null row ends where the previous one did).
    /// </summary>
    internal void PlainBinary(ReadOnlySpan<byte> arena, ReadOnlySpan<int> ends, ReadOnlySpan<byte> defined, bool minMax)
    {
        var rows = ends.Length;
        var optional = !defined.IsEmpty;
        BeginChunk(ParquetFormat.ByteArray, rows);
        int minStart = -1, minEnd = 0, maxStart = -1, maxEnd = 0;
        var from = 0;
        while (from < rows)
        {
            var start = from == 0 ? 0 : ends[from - 1];
            var to = from + 1;
            var limit = Math.Min(rows, from + MaxPageRows);
            while (to < limit && ends[to - 1] - start < MaxPageBytes)
            {
                to++;
            }

            var n = to - from;
            var bytes = arena[start..ends[to - 1]];
            if (minMax)
            {
                MinMaxBinary(arena, start, ends[to - 1], ref minStart, ref minEnd, ref maxStart, ref maxEnd);
            }

            if (optional)
            {
                _page.Clear();
                var levels = defined.Slice(from, n);
                WriteLevels(levels);
                _meta.NullCount += n - Present(levels);
                _page.Write(bytes);
                WriteDataPage(_page.Span, n, ParquetFormat.Plain);
            }
            else
            {
                WriteDataPage(bytes, n, ParquetFormat.Plain);
            }

            from = to;
        }

        if (minStart >= 0)
        {
            SetMinMax(AddStatistic(arena[minStart..minEnd]), minEnd - minStart, AddStatistic(arena[maxStart..maxEnd]), maxEnd - maxStart);
        }

        EndChunk();
    }

    /// <summary>
    /// A BYTE_ARRAY chunk from value ids: <paramref name="ids"/>[r] is row r's id in the chunk's
    /// dictionary (−1: null), <paramref name="order"/>[id] that value's place in the table
    /// (<paramref name="values"/>[<paramref name="starts"/>[t]..<paramref name="ends"/>[t]], PLAIN
    /// form). The column numbers the values of each chunk in order of first use as it is filled, so
    /// the bytes do not depend on what the table held before; past <paramref name="maxEntries"/>
    /// entries or <see cref="MaxDictionaryBytes"/> bytes the chunk is written PLAIN instead.
    /// </summary>
    internal void Dictionary(ReadOnlySpan<int> ids, ReadOnlySpan<int> order, ReadOnlySpan<byte> values, ReadOnlySpan<int> starts, ReadOnlySpan<int> ends, bool optional, int maxEntries)
    {
        var rows = ids.Length;
        if (_indices.Length < rows)
        {
            _indices = new int[rows];
            _levels = new byte[rows];
        }

        var used = order.Length;
        long dictBytes = 0;
        foreach (var t in order)
        {
            dictBytes += ends[t] - starts[t];
        }

        var nulls = optional ? ids.Count(NullId) : 0;
        if (_order.Length < used)
        {
            _order = new int[Math.Max(used, _order.Length * 2)];
        }

        order.CopyTo(_order);
        BeginChunk(ParquetFormat.ByteArray, rows);
        _meta.NullCount = nulls;

        // Statistics over the distinct values only: unsigned byte order, as Parquet orders UTF-8.
        var minId = -1;
        var maxId = -1;
        for (var c = 0; c < used; c++)
        {
            var id = _order[c];
            var v = values[(starts[id] + 4)..ends[id]];
            if (minId < 0 || v.SequenceCompareTo(values[(starts[minId] + 4)..ends[minId]]) < 0)
            {
                minId = id;
            }

            if (maxId < 0 || v.SequenceCompareTo(values[(starts[maxId] + 4)..ends[maxId]]) > 0)
            {
                maxId = id;
            }
        }

        if (minId >= 0)
        {
            var minAt = AddStatistic(values[(starts[minId] + 4)..ends[minId]]);
            var maxAt = AddStatistic(values[(starts[maxId] + 4)..ends[maxId]]);
            SetMinMax(minAt, ends[minId] - starts[minId] - 4, maxAt, ends[maxId] - starts[maxId] - 4);
        }

        // All null: no dictionary (readers refuse dictionary-encoded pages without one), PLAIN levels only.
        if (used == 0 || used > maxEntries || dictBytes > MaxDictionaryBytes)
        {
            var tableIds = _indices.AsSpan(0, rows);
            for (var r = 0; r < rows; r++)
            {
                tableIds[r] = ids[r] < 0 ? NullId : order[ids[r]];
            }

            WritePlainFromTable(tableIds, values, starts, ends, optional);
            EndChunk();
            return;
        }

        // The index pages compact _indices in place.
        ids.CopyTo(_indices);

        // The dictionary page is written before the first data page, once that page has chosen the codec.
        _dictionaryPage.Clear();
        for (var c = 0; c < used; c++)
        {
            var id = _order[c];
            _dictionaryPage.Write(values[starts[id]..ends[id]]);
        }

        WriteIndexPages(rows, used, optional);
        EndChunk();
    }

    /// <summary>
    /// The dictionary page (<see cref="_dictionaryPage"/>, <paramref name="used"/> entries) and the
    /// RLE_DICTIONARY data pages of <see cref="_indices"/> (−1: null) for <paramref name="rows"/> rows.
    /// </summary>
    private void WriteIndexPages(int rows, int used, bool optional)
    {
        var bitWidth = Math.Max(1, 32 - BitOperations.LeadingZeroCount((uint)Math.Max(used - 1, 0)));
        for (var from = 0; from < rows; from += MaxPageRows)
        {
            var n = Math.Min(MaxPageRows, rows - from);
            var page = _indices.AsSpan(from, n);
            _page.Clear();
            var k = 0;
            if (optional)
            {
                var levels = _levels.AsSpan(0, n);
                ref var levels0 = ref MemoryMarshal.GetReference(levels);
                ref var page0 = ref MemoryMarshal.GetReference(page);
                for (var i = 0; i < n; i++)
                {
                    // Compact in place, without a branch: a null (−1) is written and then overwritten.
                    var c = Unsafe.Add(ref page0, i);
                    var present = 1 - (int)((uint)c >> 31);
                    Unsafe.Add(ref levels0, i) = (byte)present;
                    Unsafe.Add(ref page0, k) = c;
                    k += present;
                }

                WriteLevels(levels);
            }
            else
            {
                k = n;
            }

            _page.WriteByte((byte)bitWidth);
            RleHybrid.Write(_page, (ReadOnlySpan<int>)page[..k], bitWidth);
            if (from == 0)
            {
                ChooseCodec(_page.Span);
                _meta.DictionaryPageOffset = Part.Length;
                WritePage(ParquetFormat.DictionaryPage, _dictionaryPage.Span, used, ParquetFormat.Plain);
            }

            WriteDataPage(_page.Span, n, ParquetFormat.RleDictionary);
        }
    }

    private void WritePlainFromTable(ReadOnlySpan<int> ids, ReadOnlySpan<byte> values, ReadOnlySpan<int> starts, ReadOnlySpan<int> ends, bool optional)
    {
        var rows = ids.Length;
        var from = 0;
        while (from < rows)
        {
            _page.Clear();
            var to = from;
            var limit = Math.Min(rows, from + MaxPageRows);
            if (optional)
            {
                var levels = _levels.AsSpan(0, limit - from);
                for (var r = from; r < limit; r++)
                {
                    levels[r - from] = ids[r] < 0 ? (byte)0 : (byte)1;
                }

                // Levels for the rows this page will hold are known only after sizing it: size first.
                long bytes = 0;
                while (to < limit && bytes < MaxPageBytes)
                {
                    var id = ids[to++];
                    bytes += id < 0 ? 0 : ends[id] - starts[id];
                }

                WriteLevels(levels[..(to - from)]);
            }
            else
            {
                long bytes = 0;
                while (to < limit && bytes < MaxPageBytes)
                {
                    var id = ids[to++];
                    bytes += ends[id] - starts[id];
                }
            }

            for (var r = from; r < to; r++)
            {
                var id = ids[r];
                if (id >= 0)
                {
                    _page.Write(values[starts[id]..ends[id]]);
                }
            }

            WriteDataPage(_page.Span, to - from, ParquetFormat.Plain);
            from = to;
        }
    }

    private void BeginChunk(int type, long values)
    {
        _codecChosen = false;
        _trialLength = -1;
        _meta = new ChunkMeta
        {
            Type = type,
            Codec = ParquetFormat.Snappy,
            Encodings = (1 << ParquetFormat.Rle) | (1 << ParquetFormat.Plain),
            Values = values,
            Start = Part.Length,
            DataPageOffset = -1,
            DictionaryPageOffset = -1,
        };
    }

    private void EndChunk()
    {
        if (ChunkCount == _chunks.Length)
        {
            Array.Resize(ref _chunks, _chunks.Length * 2);
        }

        _chunks[ChunkCount++] = _meta;
    }

    private void SetMinMax(int minAt, int minLength, int maxAt, int maxLength)
    {
        _meta.HasMinMax = true;
        _meta.MinAt = minAt;
        _meta.MinLength = minLength;
        _meta.MaxAt = maxAt;
        _meta.MaxLength = maxLength;
    }

    private int AddStatistic(ReadOnlySpan<byte> bytes)
    {
        var at = StatisticsBytes.Length;
        StatisticsBytes.Write(bytes);
        return at;
    }

    /// <summary>Definition levels of a v1 data page: 4-byte length, then the RLE / bit-packed hybrid at bit width 1.</summary>
    private void WriteLevels(ReadOnlySpan<byte> levels)
    {
        var at = _page.Length;
        _page.WriteInt32LittleEndian(0);
        RleHybrid.Write(_page, levels, 1);
        BinaryPrimitives.WriteInt32LittleEndian(_page.Data.AsSpan(at), _page.Length - at - 4);
    }

    private void WriteDataPage(ReadOnlySpan<byte> payload, int values, int encoding)
    {
        if (_meta.DataPageOffset < 0)
        {
            _meta.DataPageOffset = Part.Length;
        }

        _meta.Encodings |= 1 << encoding;
        WritePage(ParquetFormat.DataPage, payload, values, encoding);
    }

    /// <summary>
    /// Snappy for the chunk unless it saves less than an eighth of the first <see cref="CodecSampleBytes"/>
    /// of <paramref name="firstPage"/>; a page no longer than the sample keeps its compressed bytes for writing.
    /// </summary>
    private void ChooseCodec(ReadOnlySpan<byte> firstPage)
    {
        var sample = firstPage[..Math.Min(firstPage.Length, CodecSampleBytes)];
        var compressed = Compress(sample, ref _trial);
        _meta.Codec = (long)compressed * 8 > (long)sample.Length * 7 ? ParquetFormat.Uncompressed : ParquetFormat.Snappy;
        _trialLength = sample.Length == firstPage.Length ? compressed : -1;
        _codecChosen = true;
    }

    private static int Compress(ReadOnlySpan<byte> payload, ref byte[] into)
    {
        var max = Snappier.Snappy.GetMaxCompressedLength(payload.Length);
        if (into.Length < max)
        {
            into = new byte[Math.Max(max, into.Length * 2)];
        }

        return Snappier.Snappy.Compress(payload, into);
    }

    private void WritePage(int pageType, ReadOnlySpan<byte> payload, int values, int encoding)
    {
        if (!_codecChosen)
        {
            ChooseCodec(payload);
        }

        ReadOnlySpan<byte> body;
        if (_meta.Codec == ParquetFormat.Uncompressed)
        {
            body = payload;
        }
        else if (pageType == ParquetFormat.DataPage && _trialLength >= 0)
        {
            body = _trial.AsSpan(0, _trialLength);
        }
        else
        {
            var length = Compress(payload, ref _compressed);
            body = _compressed.AsSpan(0, length);
        }

        if (pageType == ParquetFormat.DataPage)
        {
            _trialLength = -1;
        }

        var compressed = body.Length;

        _header.Clear();
        var w = new ThriftWriter(_header);
        w.I32(1, pageType);
        w.I32(2, payload.Length);
        w.I32(3, compressed);
        if (pageType == ParquetFormat.DataPage)
        {
            w.BeginStruct(5);
            w.I32(1, values);
            w.I32(2, encoding);
            w.I32(3, ParquetFormat.Rle);
            w.I32(4, ParquetFormat.Rle);
            w.EndStruct();
        }
        else
        {
            w.BeginStruct(7);
            w.I32(1, values);
            w.I32(2, encoding);
            w.EndStruct();
        }

        w.WriteStop();
        Part.Write(_header.Span);
        Part.Write(body);
        _meta.Uncompressed += _header.Length + payload.Length;
        _meta.Compressed += _header.Length + compressed;
    }

    private static int Present(ReadOnlySpan<byte> levels) => levels.Length - levels.Count((byte)0);

    private static void MinMax<T>(ReadOnlySpan<T> values, ref T min, ref T max)
        where T : unmanaged, INumber<T>
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<T>.Count)
        {
            var vmin = new Vector<T>(values);
            var vmax = vmin;
            for (i = Vector<T>.Count; i <= values.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var v = new Vector<T>(values[i..]);
                vmin = Vector.Min(vmin, v);
                vmax = Vector.Max(vmax, v);
            }

            for (var j = 0; j < Vector<T>.Count; j++)
            {
                min = T.Min(min, vmin[j]);
                max = T.Max(max, vmax[j]);
            }
        }

        for (; i < values.Length; i++)
        {
            min = T.Min(min, values[i]);
            max = T.Max(max, values[i]);
        }
    }

    private static void MinMaxBinary(ReadOnlySpan<byte> arena, int from, int to, ref int minStart, ref int minEnd, ref int maxStart, ref int maxEnd)
    {
        var at = from;
        while (at < to)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(arena[at..]);
            var start = at + 4;
            var end = start + length;
            var v = arena[start..end];
            if (minStart < 0)
            {
                minStart = maxStart = start;
                minEnd = maxEnd = end;
            }
            else if (v.SequenceCompareTo(arena[minStart..minEnd]) < 0)
            {
                minStart = start;
                minEnd = end;
            }
            else if (v.SequenceCompareTo(arena[maxStart..maxEnd]) > 0)
            {
                maxStart = start;
                maxEnd = end;
            }

            at = end;
        }
    }
}

/// <summary>The RLE / bit-packed hybrid encoding of small unsigned integers (definition levels, dictionary indices).</summary>
internal static class RleHybrid
{
    /// <summary>Longest bit-packed run written (63 groups of 8 keeps every run header one byte, as parquet-mr does).</summary>
    private const int MaxPackedValues = 63 * 8;

    /// <summary>
    /// Writes <paramref name="values"/> (each below 2^<paramref name="bitWidth"/>): runs of 8 or
    /// more equal values as RLE runs, the rest bit-packed in groups of 8 (the last group zero-padded).
    /// </summary>
    public static void Write<T>(ByteBuffer output, ReadOnlySpan<T> values, int bitWidth)
        where T : unmanaged, IBinaryInteger<T>
    {
        var n = values.Length;
        var literal = 0; // first value not yet written
        var i = 0;
        while (i < n)
        {
            // Only maximal runs of 8 or more equal values matter; shorter runs are literals. The
            // first position from which 8 values are equal is where such a run starts (a position
            // before it inside the same run would have been found first).
            var s = NextRunOfEight(values, i);
            if (s >= n)
            {
                break;
            }

            var x = values[s];
            var j = s + 8;
            while (j < n && values[j] == x)
            {
                j++;
            }

            var run = j - s;

            // Literals before an RLE run must fill whole groups of 8: lend them the run's first values.
            var pending = s - literal;
            var pad = (8 - (pending & 7)) & 7;
            if (run - pad >= 8)
            {
                if (pending + pad > 0)
                {
                    BitPacked(output, values.Slice(literal, pending + pad), bitWidth);
                }

                output.WriteVarUInt((ulong)(run - pad) << 1);
                var v = uint.CreateTruncating(x);
                for (var b = 0; b < (bitWidth + 7) / 8; b++)
                {
                    output.WriteByte((byte)(v >> (8 * b)));
                }

                literal = j;
            }

            i = j;
        }

        if (literal < n)
        {
            BitPacked(output, values[literal..], bitWidth);
        }
    }

    /// <summary>The first position at or after <paramref name="from"/> where 8 equal values start; the length when none.</summary>
    private static int NextRunOfEight<T>(ReadOnlySpan<T> values, int from)
        where T : unmanaged, IBinaryInteger<T>
    {
        var n = values.Length;
        var p = from;
        if (Vector256.IsHardwareAccelerated && (typeof(T) == typeof(int) || typeof(T) == typeof(byte)))
        {
            // Bit k of the mask: values[p + k] == values[p + k + 1]; 8 equal values from p + k are
            // 7 set bits from k. 32 positions per step, of which the first 26 are decided.
            ref var v0 = ref MemoryMarshal.GetReference(values);
            var perVector = Vector256<T>.Count;
            while (p + 33 <= n)
            {
                uint mask = 0;
                for (var m = 0; m < 32; m += perVector)
                {
                    var a = Vector256.LoadUnsafe(ref v0, (nuint)(p + m));
                    var b = Vector256.LoadUnsafe(ref v0, (nuint)(p + m + 1));
                    mask |= Vector256.Equals(a, b).ExtractMostSignificantBits() << m;
                }

                var seven = mask & (mask >> 1) & (mask >> 2) & (mask >> 3) & (mask >> 4) & (mask >> 5) & (mask >> 6) & ((1u << 26) - 1);
                if (seven != 0)
                {
                    return p + BitOperations.TrailingZeroCount(seven);
                }

                p += 26;
            }
        }

        for (; p + 8 <= n; p++)
        {
            var x = values[p];
            if (values[p + 7] != x)
            {
                continue;
            }

            var k = 1;
            while (k < 7 && values[p + k] == x)
            {
                k++;
            }

            if (k == 7)
            {
                return p;
            }
        }

        return n;
    }

    private static void BitPacked<T>(ByteBuffer output, ReadOnlySpan<T> values, int bitWidth)
        where T : unmanaged, IBinaryInteger<T>
    {
        for (var from = 0; from < values.Length; from += MaxPackedValues)
        {
            var part = values.Slice(from, Math.Min(MaxPackedValues, values.Length - from));
            var groups = (part.Length + 7) / 8;
            output.WriteVarUInt(((ulong)groups << 1) | 1);
            var bytes = groups * bitWidth;

            // Values are added to a 64-bit accumulator, flushed 4 bytes at a time (room for one store past the end).
            ref var dst = ref MemoryMarshal.GetReference(output.GetSpan(bytes + 4));
            var k = 0;
            if (bitWidth == 1 && typeof(T) == typeof(byte) && Vector256.IsHardwareAccelerated)
            {
                // Definition levels (0 or 1): 32 per compare, least significant bit first as the format wants.
                ref var src = ref Unsafe.As<T, byte>(ref MemoryMarshal.GetReference(part));
                var at = 0;
                for (; at + 32 <= part.Length; at += 32, k += 4)
                {
                    var bits = Vector256.GreaterThan(Vector256.LoadUnsafe(ref src, (nuint)at), Vector256<byte>.Zero).ExtractMostSignificantBits();
                    Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, k), bits);
                }

                uint rest = 0;
                for (var b = 0; at + b < part.Length; b++)
                {
                    rest |= (uint)(Unsafe.Add(ref src, at + b) != 0 ? 1 : 0) << b;
                }

                for (; k < bytes; k++, rest >>= 8)
                {
                    Unsafe.Add(ref dst, k) = (byte)rest;
                }

                output.Advance(bytes);
                continue;
            }

            ulong acc = 0;
            var filled = 0;
            for (var idx = 0; idx < part.Length; idx++)
            {
                acc |= ulong.CreateTruncating(part[idx]) << filled;
                filled += bitWidth;
                if (filled >= 32)
                {
                    Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, k), (uint)acc);
                    k += 4;
                    acc >>= 32;
                    filled -= 32;
                }
            }

            // The rest of the last group is zero padding: the accumulator's bits, then zeros.
            for (; k < bytes; k++, acc >>= 8)
            {
                Unsafe.Add(ref dst, k) = (byte)acc;
            }

            output.Advance(bytes);
        }
    }
}

/// <summary>
/// The DELTA_BINARY_PACKED encoding of INT64 values (Parquet encodings.md): a header (block size
/// 128, 4 miniblocks of 32, value count, first value), then per block of 128 differences the
/// smallest difference and each miniblock's differences above it, bit-packed at the width the
/// miniblock needs (least significant bit first). Differences wrap as 64-bit integers do.
/// </summary>
internal static class DeltaBinaryPacked
{
    private const int BlockSize = 128;
    private const int Miniblocks = 4;
    private const int MiniblockSize = BlockSize / Miniblocks;

    /// <summary>Appends the encoding of <paramref name="values"/> (at least one) to <paramref name="output"/>.</summary>
    public static void Write(ByteBuffer output, ReadOnlySpan<long> values)
    {
        output.WriteVarUInt(BlockSize);
        output.WriteVarUInt(Miniblocks);
        output.WriteVarUInt((ulong)values.Length);
        output.WriteVarUInt(ZigZag(values[0]));
        Span<ulong> deltas = stackalloc ulong[BlockSize];
        Span<int> widths = stackalloc int[Miniblocks];
        for (var from = 1; from < values.Length; from += BlockSize)
        {
            var count = Math.Min(BlockSize, values.Length - from);
            var min = long.MaxValue;
            for (var k = 0; k < count; k++)
            {
                var d = unchecked(values[from + k] - values[from + k - 1]);
                deltas[k] = (ulong)d;
                min = Math.Min(min, d);
            }

            output.WriteVarUInt(ZigZag(min));
            var used = (count + MiniblockSize - 1) / MiniblockSize;

            // Above the minimum; a short last miniblock is padded with zeros.
            for (var k = 0; k < used * MiniblockSize; k++)
            {
                deltas[k] = k < count ? unchecked(deltas[k] - (ulong)min) : 0;
            }

            for (var m = 0; m < Miniblocks; m++)
            {
                ulong any = 0;
                if (m < used)
                {
                    foreach (var d in deltas.Slice(m * MiniblockSize, MiniblockSize))
                    {
                        any |= d;
                    }
                }

                widths[m] = 64 - BitOperations.LeadingZeroCount(any);
                output.WriteByte((byte)widths[m]);
            }

            for (var m = 0; m < used; m++)
            {
                Pack(output, deltas.Slice(m * MiniblockSize, MiniblockSize), widths[m]);
            }
        }
    }

    private static ulong ZigZag(long v) => (ulong)((v << 1) ^ (v >> 63));

    /// <summary>32 values at <paramref name="width"/> bits each: 4 × width bytes.</summary>
    private static void Pack(ByteBuffer output, ReadOnlySpan<ulong> values, int width)
    {
        var bytes = values.Length * width / 8;
        if (bytes == 0)
        {
            return;
        }

        ref var dst = ref MemoryMarshal.GetReference(output.GetSpan(bytes + 8));
        var k = 0;
        if (width <= 32)
        {
            ulong acc = 0;
            var filled = 0;
            foreach (var v in values)
            {
                acc |= v << filled;
                filled += width;
                if (filled >= 32)
                {
                    Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, k), (uint)acc);
                    k += 4;
                    acc >>= 32;
                    filled -= 32;
                }
            }

            for (; k < bytes; k++, acc >>= 8)
            {
                Unsafe.Add(ref dst, k) = (byte)acc;
            }
        }
        else
        {
            // Wider than 32 bits (differences of extreme values only): a 128-bit accumulator.
            UInt128 acc = 0;
            var filled = 0;
            foreach (var v in values)
            {
                acc |= (UInt128)v << filled;
                filled += width;
                if (filled >= 64)
                {
                    Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, k), (ulong)acc);
                    k += 8;
                    acc >>= 64;
                    filled -= 64;
                }
            }

            for (; k < bytes; k++, acc >>= 8)
            {
                Unsafe.Add(ref dst, k) = (byte)acc;
            }
        }

        output.Advance(bytes);
    }
}
