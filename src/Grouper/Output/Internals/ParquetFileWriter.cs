using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using Parquet.Schema;

namespace Grouper.Output.Internals;

/// <summary>
/// Assembles a Parquet file from row groups encoded by <see cref="RowGroupEncoder"/>: "PAR1", each
/// row group's column chunks in the order appended, then the footer (FileMetaData in Thrift compact
/// encoding: schema, num_rows, row groups with absolute offsets, created_by, column orders), its
/// length and "PAR1". The encoders record offsets relative to their part; they are moved here by
/// where the part lands in the file, so parts can be encoded in parallel and appended in order.
/// </summary>
internal sealed class ParquetFileWriter
{
    private static readonly string CreatedBy = "Grouper " + typeof(ParquetFileWriter).Assembly.GetName().Version + " (cases.parquet encoder)";

    private readonly Stream _out;
    private readonly DataField[] _fields;
    private readonly ColumnType[] _types;
    private readonly ByteBuffer _rowGroups = new(4096);
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private string? _sha256Hex;
    private long _position;

    public ParquetFileWriter(Stream output, IReadOnlyList<DataField> fields)
    {
        _out = output;
        _fields = [.. fields];
        _types = new ColumnType[_fields.Length];
        for (var i = 0; i < _fields.Length; i++)
        {
            _types[i] = ColumnType.Of(_fields[i]);
        }

        Put(Magic);
        _position = Magic.Length;
    }

    /// <summary>Bytes written so far (the file's length after <see cref="Finish"/>).</summary>
    public long Length => _position;

    /// <summary>
    /// Hex SHA-256 of the file, taken as its bytes are written (the manifest's fingerprint without
    /// reading the file back); after <see cref="Finish"/>.
    /// </summary>
    public string Sha256Hex => _sha256Hex ?? throw new InvalidOperationException("the file is not finished");

    private void Put(ReadOnlySpan<byte> bytes)
    {
        _out.Write(bytes);
        _sha256.AppendData(bytes);
    }

    public long Rows { get; private set; }

    public int RowGroups { get; private set; }

    private static ReadOnlySpan<byte> Magic => "PAR1"u8;

    /// <summary>Writes the row group <paramref name="encoded"/> holds and records its footer entry.</summary>
    public void Append(RowGroupEncoder encoded)
    {
        var chunks = encoded.Chunks;
        if (chunks.Length != _fields.Length)
        {
            throw new InvalidOperationException($"row group has {chunks.Length} column chunks, the schema {_fields.Length} columns");
        }

        var shift = _position;
        var stats = encoded.StatisticsBytes.Span;
        long uncompressed = 0;
        long compressed = 0;
        var w = new ThriftWriter(_rowGroups);
        w.BeginListStruct();
        w.ListField(1, chunks.Length, ThriftType.Struct);
        for (var i = 0; i < chunks.Length; i++)
        {
            ref readonly var c = ref chunks[i];
            if (c.Type != _types[i].Physical)
            {
                throw new InvalidOperationException($"column {_fields[i].Name}: chunk type {c.Type}, schema type {_types[i].Physical}");
            }

            uncompressed += c.Uncompressed;
            compressed += c.Compressed;
            w.BeginListStruct(); // ColumnChunk
            w.I64(2, shift + c.Start);
            w.BeginStruct(3); // ColumnMetaData
            w.I32(1, c.Type);
            w.ListField(2, BitOperations.PopCount((uint)c.Encodings), ThriftType.I32);
            for (var e = 0; e < 32; e++)
            {
                if ((c.Encodings & (1 << e)) != 0)
                {
                    w.WriteVarInt(e);
                }
            }

            w.ListField(3, 1, ThriftType.Binary);
            w.WriteString(_fields[i].Name);
            w.I32(4, c.Codec);
            w.I64(5, c.Values);
            w.I64(6, c.Uncompressed);
            w.I64(7, c.Compressed);
            w.I64(9, shift + c.DataPageOffset);
            if (c.DictionaryPageOffset >= 0)
            {
                w.I64(11, shift + c.DictionaryPageOffset);
            }

            w.BeginStruct(12); // Statistics
            w.I64(3, c.NullCount);
            if (c.HasMinMax)
            {
                w.Binary(5, stats.Slice(c.MaxAt, c.MaxLength));
                w.Binary(6, stats.Slice(c.MinAt, c.MinLength));
            }

            w.EndStruct();
            w.EndStruct();
            w.EndStruct();
        }

        w.I64(2, uncompressed);
        w.I64(3, encoded.Rows);
        w.I64(5, shift + (chunks.Length > 0 ? chunks[0].Start : 0));
        w.I64(6, compressed);
        if (RowGroups <= short.MaxValue)
        {
            w.FieldHeader(7, ThriftType.I16);
            w.WriteVarInt(RowGroups);
        }

        w.EndStruct();

        Put(encoded.Part.Span);
        _position += encoded.Part.Length;
        Rows += encoded.Rows;
        RowGroups++;
    }

    /// <summary>Writes the footer and the trailing magic.</summary>
    public void Finish()
    {
        var footer = new ByteBuffer(4096 + _rowGroups.Length);
        var w = new ThriftWriter(footer);
        w.I32(1, 1); // version, as Parquet.Net writes it
        w.ListField(2, _fields.Length + 1, ThriftType.Struct);
        w.BeginListStruct();
        w.String(4, "root");
        w.I32(5, _fields.Length);
        w.EndStruct();
        for (var i = 0; i < _fields.Length; i++)
        {
            WriteSchemaElement(ref w, _fields[i], _types[i]);
        }

        w.I64(3, Rows);
        w.ListField(4, RowGroups, ThriftType.Struct);
        w.WriteRaw(_rowGroups.Span);
        w.String(6, CreatedBy);

        // Min/max statistics follow each type's defined order (signed integers, unsigned bytes for text).
        w.ListField(7, _fields.Length, ThriftType.Struct);
        for (var i = 0; i < _fields.Length; i++)
        {
            w.BeginListStruct();
            w.BeginStruct(1);
            w.EndStruct();
            w.EndStruct();
        }

        w.WriteStop();
        Put(footer.Span);
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(len, footer.Length);
        Put(len);
        Put(Magic);
        _position += footer.Length + 8;
        _sha256Hex = Convert.ToHexStringLower(_sha256.GetHashAndReset());
        _sha256.Dispose();
    }

    private static void WriteSchemaElement(ref ThriftWriter w, DataField field, ColumnType t)
    {
        w.BeginListStruct();
        w.I32(1, t.Physical);
        if (t.TypeLength != ColumnType.Unset)
        {
            w.I32(2, t.TypeLength);
        }

        w.I32(3, field.IsNullable ? ParquetFormat.Optional : ParquetFormat.Required);
        w.String(4, field.Name);
        if (t.Converted != ColumnType.Unset)
        {
            w.I32(6, t.Converted);
        }

        if (t.Logical == LogicalKind.Decimal)
        {
            w.I32(7, t.Scale);
            w.I32(8, t.Precision);
        }

        if (t.Logical != LogicalKind.None)
        {
            w.BeginStruct(10); // LogicalType union
            switch (t.Logical)
            {
                case LogicalKind.String:
                    w.BeginStruct(1);
                    w.EndStruct();
                    break;
                case LogicalKind.Decimal:
                    w.BeginStruct(5);
                    w.I32(1, t.Scale);
                    w.I32(2, t.Precision);
                    w.EndStruct();
                    break;
                case LogicalKind.Date:
                    w.BeginStruct(6);
                    w.EndStruct();
                    break;
                case LogicalKind.Integer:
                    w.BeginStruct(10);
                    w.I8(1, (sbyte)t.BitWidth);
                    w.Bool(2, true);
                    w.EndStruct();
                    break;
            }

            w.EndStruct();
        }

        w.EndStruct();
    }
}
