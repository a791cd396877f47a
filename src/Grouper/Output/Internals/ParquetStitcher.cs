using System.Buffers.Binary;

namespace Grouper.Output.Internals;

/// <summary>
/// Joins complete single-file Parquet parts, each holding whole row groups of the same schema,
/// into one Parquet file, in the order the parts are appended. This is what lets row groups be
/// encoded in parallel (each by its own Parquet.Net writer into memory) while the output stays
/// one file, byte-identical whatever the number of threads: a part's bytes depend only on its
/// rows, and the parts are written in input order.
/// <para>
/// A Parquet file is "PAR1", the column chunks, the footer (FileMetaData in Thrift compact
/// encoding), the footer's length and "PAR1". Joining copies each part's chunk bytes and
/// rewrites the footer: the row groups of all parts in order, every absolute file offset
/// (row group, column chunk, data/index/dictionary page, page indexes, bloom filter) moved by
/// where the part's bytes landed, ordinals renumbered and num_rows summed. Everything else
/// (schema, key-value metadata, created_by, statistics) is copied byte for byte. Parquet.Net
/// keeps its Thrift writer internal, so the few structures touched are transcoded here.
/// </para>
/// </summary>
internal sealed class ParquetStitcher : IDisposable
{
    private static ReadOnlySpan<byte> Magic => "PAR1"u8;

    private readonly Stream _out;
    private readonly byte[] _template;
    private readonly MemoryStream _rowGroups = new();
    private long _position;
    private long _rows;
    private int _rowGroupCount;

    /// <param name="output">Where the joined file is written (positioned at 0).</param>
    /// <param name="emptyFileTemplate">A complete Parquet file of the schema with no row group: its footer gives every field the joined footer keeps.</param>
    public ParquetStitcher(Stream output, byte[] emptyFileTemplate)
    {
        _out = output;
        _template = emptyFileTemplate;
        _ = Footer(_template, "template");
        _out.Write(Magic);
        _position = Magic.Length;
    }

    public long Rows => _rows;

    public int RowGroups => _rowGroupCount;

    /// <summary>Appends every row group of a complete Parquet file.</summary>
    public void Append(ReadOnlySpan<byte> part)
    {
        var footer = Footer(part, "part");
        var body = part[Magic.Length..(part.Length - footer.Length - 8)];
        var shift = _position - Magic.Length;

        var r = new ThriftReader(footer);
        short id = 0;
        while (r.NextField(ref id, out var type))
        {
            switch (id)
            {
                case 3 when type == ThriftType.I64:
                    _rows += r.ReadVarLong();
                    break;
                case 4 when type == ThriftType.List:
                    {
                        var (count, elem) = r.ReadListHeader();
                        if (elem != ThriftType.Struct)
                        {
                            throw Malformed("row_groups is not a list of structs");
                        }

                        for (var i = 0; i < count; i++)
                        {
                            var w = new ThriftWriter(_rowGroups);
                            CopyRowGroup(ref r, ref w, shift, _rowGroupCount++);
                        }

                        break;
                    }

                default:
                    r.Skip(type);
                    break;
            }
        }

        _out.Write(body);
        _position += body.Length;
    }

    /// <summary>Writes the joined footer and the trailing magic.</summary>
    public void Finish()
    {
        var footer = new MemoryStream();
        var w = new ThriftWriter(footer);
        var r = new ThriftReader(Footer(_template, "template"));
        short id = 0;
        var wroteRows = false;
        var wroteGroups = false;
        while (r.NextField(ref id, out var type))
        {
            if (id > 3 && !wroteRows)
            {
                WriteRows(ref w);
                wroteRows = true;
            }

            if (id > 4 && !wroteGroups)
            {
                WriteGroups(ref w);
                wroteGroups = true;
            }

            switch (id)
            {
                case 3:
                    r.Skip(type);
                    WriteRows(ref w);
                    wroteRows = true;
                    break;
                case 4:
                    r.Skip(type);
                    WriteGroups(ref w);
                    wroteGroups = true;
                    break;
                default:
                    w.CopyField(ref r, id, type);
                    break;
            }
        }

        if (!wroteRows)
        {
            WriteRows(ref w);
        }

        if (!wroteGroups)
        {
            WriteGroups(ref w);
        }

        w.WriteStop();
        var bytes = footer.GetBuffer().AsSpan(0, (int)footer.Length);
        _out.Write(bytes);
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(len, bytes.Length);
        _out.Write(len);
        _out.Write(Magic);
        _position += bytes.Length + 8;
    }

    public void Dispose() => _rowGroups.Dispose();

    private void WriteRows(ref ThriftWriter w)
    {
        w.FieldHeader(3, ThriftType.I64);
        w.WriteVarLong(_rows);
    }

    private void WriteGroups(ref ThriftWriter w)
    {
        w.FieldHeader(4, ThriftType.List);
        w.ListHeader(_rowGroupCount, ThriftType.Struct);
        w.WriteRaw(_rowGroups.GetBuffer().AsSpan(0, (int)_rowGroups.Length));
    }

    // RowGroup: 1 columns, 5 file_offset, 7 ordinal are rewritten; the rest is copied.
    private static void CopyRowGroup(ref ThriftReader r, ref ThriftWriter w, long shift, int ordinal)
    {
        short id = 0;
        w.BeginStruct();
        while (r.NextField(ref id, out var type))
        {
            switch (id)
            {
                case 1 when type == ThriftType.List:
                    {
                        var (count, elem) = r.ReadListHeader();
                        w.FieldHeader(1, ThriftType.List);
                        w.ListHeader(count, elem);
                        for (var i = 0; i < count; i++)
                        {
                            CopyColumnChunk(ref r, ref w, shift);
                        }

                        break;
                    }

                case 5 when type == ThriftType.I64:
                    w.FieldHeader(5, type);
                    w.WriteVarLong(r.ReadVarLong() + shift);
                    break;
                case 7 when type == ThriftType.I16:
                    _ = r.ReadVarLong();
                    if (ordinal <= short.MaxValue)
                    {
                        w.FieldHeader(7, type);
                        w.WriteVarLong(ordinal);
                    }

                    break;
                default:
                    w.CopyField(ref r, id, type);
                    break;
            }
        }

        w.EndStruct();
    }

    // ColumnChunk: 2 file_offset, 3 meta_data, 4 offset_index_offset, 6 column_index_offset.
    private static void CopyColumnChunk(ref ThriftReader r, ref ThriftWriter w, long shift)
    {
        short id = 0;
        w.BeginStruct();
        while (r.NextField(ref id, out var type))
        {
            switch (id)
            {
                case 2 or 4 or 6 when type == ThriftType.I64:
                    w.FieldHeader(id, type);
                    w.WriteVarLong(r.ReadVarLong() + shift);
                    break;
                case 3 when type == ThriftType.Struct:
                    w.FieldHeader(id, type);
                    CopyColumnMetaData(ref r, ref w, shift);
                    break;
                default:
                    w.CopyField(ref r, id, type);
                    break;
            }
        }

        w.EndStruct();
    }

    // ColumnMetaData: 9 data_page_offset, 10 index_page_offset, 11 dictionary_page_offset, 14 bloom_filter_offset.
    private static void CopyColumnMetaData(ref ThriftReader r, ref ThriftWriter w, long shift)
    {
        short id = 0;
        w.BeginStruct();
        while (r.NextField(ref id, out var type))
        {
            if (id is 9 or 10 or 11 or 14 && type == ThriftType.I64)
            {
                w.FieldHeader(id, type);
                w.WriteVarLong(r.ReadVarLong() + shift);
            }
            else
            {
                w.CopyField(ref r, id, type);
            }
        }

        w.EndStruct();
    }

    private static ReadOnlySpan<byte> Footer(ReadOnlySpan<byte> file, string what)
    {
        if (file.Length < 12 || !file[..4].SequenceEqual(Magic) || !file[^4..].SequenceEqual(Magic))
        {
            throw Malformed($"{what} is not a Parquet file");
        }

        var len = BinaryPrimitives.ReadInt32LittleEndian(file[^8..]);
        if (len <= 0 || len > file.Length - 12)
        {
            throw Malformed($"{what} has a footer length out of range");
        }

        return file.Slice(file.Length - 8 - len, len);
    }

    internal static InvalidDataException Malformed(string message) => new($"Parquet join: {message}");
}

/// <summary>Thrift compact protocol type ids.</summary>
internal static class ThriftType
{
    public const byte Stop = 0;
    public const byte True = 1;
    public const byte False = 2;
    public const byte Byte = 3;
    public const byte I16 = 4;
    public const byte I32 = 5;
    public const byte I64 = 6;
    public const byte Double = 7;
    public const byte Binary = 8;
    public const byte List = 9;
    public const byte Set = 10;
    public const byte Map = 11;
    public const byte Struct = 12;
}

/// <summary>Reads Thrift compact protocol from a span; <see cref="Skip"/> finds the end of any value.</summary>
internal ref struct ThriftReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;

    public int Position { get; private set; }

    public readonly ReadOnlySpan<byte> Slice(int from, int to) => _data[from..to];

    /// <summary>Reads a field header; false at the struct's stop byte. <paramref name="id"/> carries the previous id in.</summary>
    public bool NextField(ref short id, out byte type)
    {
        var b = ReadByte();
        type = (byte)(b & 0x0F);
        if (type == ThriftType.Stop)
        {
            return false;
        }

        var delta = b >> 4;
        id = delta != 0 ? (short)(id + delta) : (short)Unzig(ReadVarRaw());
        return true;
    }

    public (int Count, byte Elem) ReadListHeader()
    {
        var b = ReadByte();
        var count = b >> 4;
        if (count == 15)
        {
            count = checked((int)ReadVarRaw());
        }

        return (count, (byte)(b & 0x0F));
    }

    public long ReadVarLong() => Unzig(ReadVarRaw());

    public void Skip(byte type)
    {
        switch (type)
        {
            case ThriftType.True or ThriftType.False:
                break; // in a field header the value is the type itself
            case ThriftType.Byte:
                ReadByte();
                break;
            case ThriftType.I16 or ThriftType.I32 or ThriftType.I64:
                ReadVarRaw();
                break;
            case ThriftType.Double:
                Advance(8);
                break;
            case ThriftType.Binary:
                Advance(checked((int)ReadVarRaw()));
                break;
            case ThriftType.List or ThriftType.Set:
                {
                    var (count, elem) = ReadListHeader();
                    for (var i = 0; i < count; i++)
                    {
                        SkipElement(elem);
                    }

                    break;
                }

            case ThriftType.Map:
                {
                    var count = checked((int)ReadVarRaw());
                    if (count > 0)
                    {
                        var kv = ReadByte();
                        for (var i = 0; i < count; i++)
                        {
                            SkipElement((byte)(kv >> 4));
                            SkipElement((byte)(kv & 0x0F));
                        }
                    }

                    break;
                }

            case ThriftType.Struct:
                {
                    short id = 0;
                    while (NextField(ref id, out var t))
                    {
                        Skip(t);
                    }

                    break;
                }

            default:
                throw ParquetStitcher.Malformed($"unknown Thrift type {type} at byte {Position}");
        }
    }

    // Booleans inside collections take one byte each.
    private void SkipElement(byte type)
    {
        if (type is ThriftType.True or ThriftType.False)
        {
            ReadByte();
        }
        else
        {
            Skip(type);
        }
    }

    private byte ReadByte()
    {
        if (Position >= _data.Length)
        {
            throw ParquetStitcher.Malformed("footer ends inside a value");
        }

        return _data[Position++];
    }

    private void Advance(int n)
    {
        if (n < 0 || Position + n > _data.Length)
        {
            throw ParquetStitcher.Malformed("footer ends inside a value");
        }

        Position += n;
    }

    private ulong ReadVarRaw()
    {
        ulong v = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            var b = ReadByte();
            v |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return v;
            }
        }

        throw ParquetStitcher.Malformed("varint too long");
    }

    private static long Unzig(ulong v) => (long)(v >> 1) ^ -(long)(v & 1);
}

/// <summary>Writes Thrift compact protocol, tracking field ids per nested struct for the delta headers.</summary>
internal ref struct ThriftWriter(Stream output)
{
    private readonly Stream _out = output;
    private short _lastId;
    private long _stack; // up to 4 enclosing last ids, 16 bits each

    public void BeginStruct()
    {
        _stack = (_stack << 16) | (ushort)_lastId;
        _lastId = 0;
    }

    public void EndStruct()
    {
        WriteStop();
        _lastId = (short)(_stack & 0xFFFF);
        _stack >>= 16;
    }

    public readonly void WriteStop() => _out.WriteByte(ThriftType.Stop);

    public void FieldHeader(short id, byte type)
    {
        var delta = id - _lastId;
        if (delta is > 0 and <= 15)
        {
            _out.WriteByte((byte)((delta << 4) | type));
        }
        else
        {
            _out.WriteByte(type);
            WriteVarRaw(Zig(id));
        }

        _lastId = id;
    }

    public readonly void ListHeader(int count, byte elem)
    {
        if (count < 15)
        {
            _out.WriteByte((byte)((count << 4) | elem));
        }
        else
        {
            _out.WriteByte((byte)(0xF0 | elem));
            WriteVarRaw((ulong)count);
        }
    }

    public readonly void WriteVarLong(long v) => WriteVarRaw(Zig(v));

    public readonly void WriteRaw(ReadOnlySpan<byte> bytes) => _out.Write(bytes);

    /// <summary>Copies one field's value unchanged under a fresh header (nested headers are relative, so the bytes stay valid).</summary>
    public void CopyField(ref ThriftReader r, short id, byte type)
    {
        FieldHeader(id, type);
        var from = r.Position;
        r.Skip(type);
        _out.Write(r.Slice(from, r.Position));
    }

    private readonly void WriteVarRaw(ulong v)
    {
        Span<byte> buf = stackalloc byte[10];
        var n = 0;
        while (v >= 0x80)
        {
            buf[n++] = (byte)(v | 0x80);
            v >>= 7;
        }

        buf[n++] = (byte)v;
        _out.Write(buf[..n]);
    }

    private static ulong Zig(long v) => (ulong)((v << 1) ^ (v >> 63));
}
