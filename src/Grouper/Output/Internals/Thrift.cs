namespace Grouper.Output.Internals;

/// <summary>A growable byte buffer reused from one row group to the next (no array per page or part).</summary>
internal sealed class ByteBuffer(int capacity = 4096)
{
    private byte[] _data = new byte[Math.Max(16, capacity)];

    public int Length { get; private set; }

    public byte[] Data => _data;

    public ReadOnlySpan<byte> Span => _data.AsSpan(0, Length);

    public void Clear() => Length = 0;

    /// <summary>At least <paramref name="size"/> writable bytes after the end; <see cref="Advance"/> by what was written.</summary>
    public Span<byte> GetSpan(int size)
    {
        if (Length + size > _data.Length)
        {
            Array.Resize(ref _data, Math.Max(checked(_data.Length * 2), checked(Length + size)));
        }

        return _data.AsSpan(Length);
    }

    public void Advance(int count) => Length += count;

    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        Length += bytes.Length;
    }

    public void WriteByte(byte b)
    {
        GetSpan(1)[0] = b;
        Length++;
    }

    public void WriteInt32LittleEndian(int v)
    {
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(GetSpan(4), v);
        Length += 4;
    }

    /// <summary>Unsigned LEB128 varint (Thrift compact, RLE run headers).</summary>
    public void WriteVarUInt(ulong v)
    {
        var span = GetSpan(10);
        var n = 0;
        while (v >= 0x80)
        {
            span[n++] = (byte)(v | 0x80);
            v >>= 7;
        }

        span[n++] = (byte)v;
        Length += n;
    }
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

/// <summary>
/// Writes Thrift compact protocol (the encoding of Parquet page headers and of the footer),
/// tracking field ids per nested struct for the delta field headers. Parquet.Net keeps its own
/// Thrift writer internal, so the few structures the cases.parquet encoder needs are written here.
/// </summary>
internal ref struct ThriftWriter(ByteBuffer output)
{
    private const int MaxDepth = 4;
    private readonly ByteBuffer _out = output;
    private short _lastId;
    private long _stack; // up to MaxDepth enclosing last ids, 16 bits each
    private int _depth;

    /// <summary>Starts a struct that is a field of the current struct.</summary>
    public void BeginStruct(short id)
    {
        FieldHeader(id, ThriftType.Struct);
        BeginListStruct();
    }

    /// <summary>Starts a struct that is an element of a list (no field header).</summary>
    public void BeginListStruct()
    {
        if (++_depth > MaxDepth)
        {
            throw new InvalidOperationException("Thrift structs nested too deep for this writer");
        }

        _stack = (_stack << 16) | (ushort)_lastId;
        _lastId = 0;
    }

    public void EndStruct()
    {
        WriteStop();
        _lastId = (short)(_stack & 0xFFFF);
        _stack >>= 16;
        _depth--;
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
            _out.WriteVarUInt(Zig(id));
        }

        _lastId = id;
    }

    public void I32(short id, int value)
    {
        FieldHeader(id, ThriftType.I32);
        _out.WriteVarUInt(Zig(value));
    }

    public void I64(short id, long value)
    {
        FieldHeader(id, ThriftType.I64);
        _out.WriteVarUInt(Zig(value));
    }

    public void I8(short id, sbyte value)
    {
        FieldHeader(id, ThriftType.Byte);
        _out.WriteByte((byte)value);
    }

    public void Bool(short id, bool value) => FieldHeader(id, value ? ThriftType.True : ThriftType.False);

    public void Binary(short id, ReadOnlySpan<byte> value)
    {
        FieldHeader(id, ThriftType.Binary);
        WriteBinary(value);
    }

    public void String(short id, string value)
    {
        FieldHeader(id, ThriftType.Binary);
        WriteString(value);
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
            _out.WriteVarUInt((ulong)count);
        }
    }

    /// <summary>A list field's header; the elements follow (<see cref="WriteVarInt"/>, <see cref="WriteString"/>, <see cref="BeginListStruct"/>).</summary>
    public void ListField(short id, int count, byte elem)
    {
        FieldHeader(id, ThriftType.List);
        ListHeader(count, elem);
    }

    /// <summary>An i16/i32/i64 list element.</summary>
    public readonly void WriteVarInt(long v) => _out.WriteVarUInt(Zig(v));

    public readonly void WriteBinary(ReadOnlySpan<byte> value)
    {
        _out.WriteVarUInt((ulong)value.Length);
        _out.Write(value);
    }

    public readonly void WriteString(string value)
    {
        var n = System.Text.Encoding.UTF8.GetByteCount(value);
        _out.WriteVarUInt((ulong)n);
        System.Text.Encoding.UTF8.GetBytes(value, _out.GetSpan(n));
        _out.Advance(n);
    }

    public readonly void WriteRaw(ReadOnlySpan<byte> bytes) => _out.Write(bytes);

    private static ulong Zig(long v) => (ulong)((v << 1) ^ (v >> 63));
}
