using Parquet;
using Parquet.Schema;

namespace Grouper.Output;

/// <summary>One Parquet column being filled for the current row group; its array is allocated once and reused.</summary>
internal interface IColumnBuffer
{
    DataField Field { get; }

    Task WriteAsync(ParquetRowGroupWriter rowGroup, int rows, CancellationToken ct);
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

internal sealed class StringColumn(DataField field, int capacity) : IColumnBuffer
{
    public DataField Field { get; } = field;

    public string?[] Values { get; } = new string?[capacity];

    public Task WriteAsync(ParquetRowGroupWriter rowGroup, int rows, CancellationToken ct) =>
        rowGroup.WriteAsync(Field, new ArraySegment<string>(Values!, 0, rows), null);
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
