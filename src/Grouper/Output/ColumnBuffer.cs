using Parquet;
using Parquet.Schema;

namespace Grouper.Output;

/// <summary>One Parquet column being filled for the current row group; its array is allocated once and reused.</summary>
internal interface IColumnBuffer
{
    DataField Field { get; }

    Task WriteAsync(ParquetRowGroupWriter rowGroup, int rows, CancellationToken ct);

    /// <summary>Called before the buffers are filled again for a new row group.</summary>
    void Reset()
    {
    }
}

internal sealed class ValueColumn<T>(DataField field, int capacity) : IColumnBuffer
    where T : struct
{
    public DataField Field { get; } = field;

    public T[] Values { get; } = new T[capacity];

    public Task WriteAsync(ParquetRowGroupWriter rowGroup, int rows, CancellationToken ct) =>
        rowGroup.WriteAsync<T>(Field, Values.AsMemory(0, rows), null, null, ct);
}

internal sealed class NullableColumn<T>(DataField field, int capacity) : IColumnBuffer
    where T : struct
{
    public DataField Field { get; } = field;

    public T?[] Values { get; } = new T?[capacity];

    public Task WriteAsync(ParquetRowGroupWriter rowGroup, int rows, CancellationToken ct) =>
        rowGroup.WriteAsync<T>(Field, (ReadOnlyMemory<T?>)Values.AsMemory(0, rows), null, null, ct);
}

/// <summary>
/// A text column. Values are <see cref="ReadOnlyMemory{T}"/> slices: of a cached string (codes,
/// names), or of this column's character arena for per-row text (case ids, pseudonyms, code
/// lists), so filling a row allocates nothing. The arena is reused for the next row group.
/// </summary>
internal sealed class StringColumn(DataField field, int capacity) : IColumnBuffer
{
    private readonly ReadOnlyMemory<char>?[] _nullable = field.IsNullable ? new ReadOnlyMemory<char>?[capacity] : [];
    private readonly ReadOnlyMemory<char>[] _required = field.IsNullable ? [] : new ReadOnlyMemory<char>[capacity];
    private char[] _arena = new char[Math.Max(1024, capacity * 8)];
    private int _used;

    public DataField Field { get; } = field;

    public void Set(int row, string? value)
    {
        if (Field.IsNullable)
        {
            _nullable[row] = value?.AsMemory();
        }
        else
        {
            _required[row] = (value ?? string.Empty).AsMemory();
        }
    }

    /// <summary>Room for <paramref name="length"/> characters of row <paramref name="row"/>'s value, to be filled by the caller.</summary>
    public Span<char> Reserve(int row, int length)
    {
        if (_used + length > _arena.Length)
        {
            // Earlier rows keep their slices of the old array; only new rows use the new one.
            _arena = new char[Math.Max(_arena.Length * 2, length)];
            _used = 0;
        }

        var memory = _arena.AsMemory(_used, length);
        _used += length;
        if (Field.IsNullable)
        {
            _nullable[row] = memory;
        }
        else
        {
            _required[row] = memory;
        }

        return memory.Span;
    }

    public void SetUtf8(int row, ReadOnlySpan<byte> utf8)
    {
        var chars = Reserve(row, System.Text.Encoding.UTF8.GetCharCount(utf8));
        System.Text.Encoding.UTF8.GetChars(utf8, chars);
    }

    public void Reset() => _used = 0;

    public Task WriteAsync(ParquetRowGroupWriter rowGroup, int rows, CancellationToken ct) => Field.IsNullable
        ? rowGroup.WriteAsync<ReadOnlyMemory<char>>(Field, (ReadOnlyMemory<ReadOnlyMemory<char>?>)_nullable.AsMemory(0, rows), null, null, ct)
        : rowGroup.WriteAsync<ReadOnlyMemory<char>>(Field, _required.AsMemory(0, rows), null, null, ct);
}

/// <summary>Caches the string form of codes and other repeated values so output does not allocate per row.</summary>
internal sealed class StringCache<TKey>(Func<TKey, string> format)
    where TKey : notnull
{
    private readonly Dictionary<TKey, string> _cache = [];

    public string Get(TKey key)
    {
        if (!_cache.TryGetValue(key, out var s))
        {
            s = format(key);
            if (_cache.Count < 1_000_000)
            {
                _cache[key] = s;
            }
        }

        return s;
    }
}
