using Parquet.Schema;

namespace Grouper.Output.Internals;

/// <summary>Parquet format enum values (parquet.thrift) used by the cases.parquet encoder.</summary>
internal static class ParquetFormat
{
    // Type
    public const int Boolean = 0;
    public const int Int32 = 1;
    public const int Int64 = 2;
    public const int ByteArray = 6;

    // Encoding
    public const int Plain = 0;
    public const int Rle = 3;
    public const int DeltaBinaryPacked = 5;
    public const int RleDictionary = 8;

    // ConvertedType
    public const int Utf8 = 0;
    public const int Decimal = 5;
    public const int Date = 6;
    public const int Int32Converted = 17;
    public const int Int64Converted = 18;

    // PageType
    public const int DataPage = 0;
    public const int DictionaryPage = 2;

    // CompressionCodec
    public const int Uncompressed = 0;
    public const int Snappy = 1;
    public const int Required = 0;
    public const int Optional = 1;
}

/// <summary>Logical type of a leaf column (the LogicalType union member written in the schema).</summary>
internal enum LogicalKind
{
    None,
    String,
    Decimal,
    Date,
    Integer,
}

/// <summary>
/// How one Parquet.Net <see cref="DataField"/> is stored: the same physical, converted and logical
/// types, DECIMAL precision/scale and type_length that Parquet.Net 6.1's writer declares for it
/// (checked by the schema test against that writer), so the files read back the same everywhere.
/// </summary>
internal readonly record struct ColumnType(int Physical, int Converted, int TypeLength, int Scale, int Precision, LogicalKind Logical, int BitWidth)
{
    /// <summary>No converted type / type length.</summary>
    public const int Unset = -1;

    public static ColumnType Of(DataField field)
    {
        if (field.MaxRepetitionLevel > 0 || field.IsArray)
        {
            throw new NotSupportedException($"column {field.Name}: repeated fields are not supported by the cases.parquet encoder");
        }

        var t = field.ClrType;
        if (field is DecimalDataField d)
        {
            if (d.ForceByteArrayEncoding || d.Precision > 18 || d.Precision < 1)
            {
                throw new NotSupportedException($"column {field.Name}: decimal({d.Precision},{d.Scale}) must be stored as INT32/INT64 (precision 1..18)");
            }

            return d.Precision <= 9
                ? new(ParquetFormat.Int32, ParquetFormat.Decimal, 4, d.Scale, d.Precision, LogicalKind.Decimal, 0)
                : new(ParquetFormat.Int64, ParquetFormat.Decimal, 8, d.Scale, d.Precision, LogicalKind.Decimal, 0);
        }

        if (t == typeof(long))
        {
            return new(ParquetFormat.Int64, ParquetFormat.Int64Converted, Unset, 0, 0, LogicalKind.Integer, 64);
        }

        if (t == typeof(int))
        {
            return new(ParquetFormat.Int32, ParquetFormat.Int32Converted, Unset, 0, 0, LogicalKind.Integer, 32);
        }

        if (t == typeof(DateOnly))
        {
            return new(ParquetFormat.Int32, ParquetFormat.Date, Unset, 0, 0, LogicalKind.Date, 0);
        }

        if (t == typeof(string) || t == typeof(ReadOnlyMemory<char>))
        {
            return new(ParquetFormat.ByteArray, ParquetFormat.Utf8, Unset, 0, 0, LogicalKind.String, 0);
        }

        if (t == typeof(bool))
        {
            return new(ParquetFormat.Boolean, Unset, Unset, 0, 0, LogicalKind.None, 0);
        }

        throw new NotSupportedException($"column {field.Name}: type {t} is not supported by the cases.parquet encoder");
    }
}
