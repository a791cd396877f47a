using Parquet;
using Parquet.Schema;

namespace Grouper.Nightly.Internals;

/// <summary>One partition file written by <see cref="CasePartitioner"/>.</summary>
internal sealed record CasePartition(int Year, int Month, string Path, long Rows);

/// <summary>
/// Splits a run's cases.parquet into one file per (year, month) of <c>discharge_date</c>, keeping
/// the schema, the column types and the input order of the rows. The schema is read from the file,
/// so the split follows any change of the case columns; only flat columns are supported (the case
/// table has no nested ones). Runs once per night on the night's own cases, never per case.
/// </summary>
internal static class CasePartitioner
{
    private static readonly ParquetOptions Options = new() { UseDateOnlyTypeForDates = true, CompressionMethod = CompressionMethod.Snappy };

    /// <summary>Writes <c>{root}/cases/year=YYYY/month=MM/{fileName}</c> for each month present; returns them in (year, month) order.</summary>
    public static async Task<List<CasePartition>> SplitAsync(string casesPath, string root, string fileName, CancellationToken ct)
    {
        var writers = new SortedDictionary<int, (ParquetWriter Writer, FileStream Stream, string Path, long Rows)>();
        try
        {
            await using (var input = File.OpenRead(casesPath))
            {
                await using var reader = await ParquetReader.CreateAsync(input, Options, false, ct).ConfigureAwait(false);
                var fields = reader.Schema.DataFields;
                var dateIndex = Array.FindIndex(fields, f => f.Name == "discharge_date");
                if (dateIndex < 0 || fields[dateIndex].ClrType != typeof(DateOnly) || fields[dateIndex].IsNullable)
                {
                    throw new InvalidOperationException($"{casesPath}: no non-null DATE column discharge_date to partition by");
                }

                for (var g = 0; g < reader.RowGroupCount; g++)
                {
                    ct.ThrowIfCancellationRequested();
                    using var rg = reader.OpenRowGroupReader(g);
                    var rows = (int)rg.RowCount;
                    var columns = new Array[fields.Length];
                    for (var c = 0; c < fields.Length; c++)
                    {
                        columns[c] = await ReadAsync(rg, fields[c], rows, ct).ConfigureAwait(false);
                    }

                    var dates = (DateOnly[])columns[dateIndex];
                    var byKey = new SortedDictionary<int, List<int>>();
                    for (var i = 0; i < rows; i++)
                    {
                        var key = (dates[i].Year * 100) + dates[i].Month;
                        if (!byKey.TryGetValue(key, out var list))
                        {
                            byKey[key] = list = [];
                        }

                        list.Add(i);
                    }

                    foreach (var (key, indices) in byKey)
                    {
                        if (!writers.TryGetValue(key, out var w))
                        {
                            var path = Path.Combine(root, "cases", $"year={key / 100:D4}", $"month={key % 100:D2}", fileName);
                            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                            var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
                            var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields.Cast<Field>().ToArray()), stream, Options, false, ct).ConfigureAwait(false);
                            if (reader.CustomMetadata.Count > 0)
                            {
                                writer.CustomMetadata = reader.CustomMetadata;
                            }

                            w = (writer, stream, path, 0);
                        }

                        using (var wg = w.Writer.CreateRowGroup())
                        {
                            for (var c = 0; c < fields.Length; c++)
                            {
                                await WriteAsync(wg, fields[c], columns[c], indices, ct).ConfigureAwait(false);
                            }
                        }

                        writers[key] = (w.Writer, w.Stream, w.Path, w.Rows + indices.Count);
                    }
                }
            }

            var result = new List<CasePartition>();
            foreach (var (key, w) in writers)
            {
                await w.Writer.DisposeAsync().ConfigureAwait(false);
                w.Stream.Flush(flushToDisk: true);
                await w.Stream.DisposeAsync().ConfigureAwait(false);
                result.Add(new CasePartition(key / 100, key % 100, w.Path, w.Rows));
            }

            writers.Clear();
            return result;
        }
        finally
        {
            foreach (var w in writers.Values)
            {
                await w.Writer.DisposeAsync().ConfigureAwait(false);
                await w.Stream.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task<Array> ReadAsync(ParquetRowGroupReader rg, DataField f, int rows, CancellationToken ct)
    {
        var t = f.ClrType;
        if (f.IsArray || f.MaxRepetitionLevel > 0)
        {
            throw new NotSupportedException($"cases.parquet column {f.Name} is nested; the partitioner copies flat columns only");
        }

        if (t == typeof(string) || t == typeof(ReadOnlyMemory<char>))
        {
            var v = new string?[rows];
            await rg.ReadAsync(f, v.AsMemory(), null, ct).ConfigureAwait(false);
            return v;
        }

        return t switch
        {
            _ when t == typeof(int) => await Read<int>(rg, f, rows, ct).ConfigureAwait(false),
            _ when t == typeof(long) => await Read<long>(rg, f, rows, ct).ConfigureAwait(false),
            _ when t == typeof(bool) => await Read<bool>(rg, f, rows, ct).ConfigureAwait(false),
            _ when t == typeof(decimal) => await Read<decimal>(rg, f, rows, ct).ConfigureAwait(false),
            _ when t == typeof(DateOnly) => await Read<DateOnly>(rg, f, rows, ct).ConfigureAwait(false),
            _ when t == typeof(double) => await Read<double>(rg, f, rows, ct).ConfigureAwait(false),
            _ => throw new NotSupportedException($"cases.parquet column {f.Name} has an unexpected type {t}"),
        };
    }

    private static async Task<Array> Read<T>(ParquetRowGroupReader rg, DataField f, int rows, CancellationToken ct)
        where T : struct
    {
        if (f.IsNullable)
        {
            var n = new T?[rows];
            await rg.ReadAsync<T>(f, n.AsMemory(), null, ct).ConfigureAwait(false);
            return n;
        }

        var v = new T[rows];
        await rg.ReadAsync<T>(f, v.AsMemory(), null, ct).ConfigureAwait(false);
        return v;
    }

    private static Task WriteAsync(ParquetRowGroupWriter wg, DataField f, Array values, List<int> indices, CancellationToken ct)
    {
        var t = f.ClrType;
        if (t == typeof(string) || t == typeof(ReadOnlyMemory<char>))
        {
            var src = (string?[])values;
            var v = new string[indices.Count];
            for (var i = 0; i < v.Length; i++)
            {
                v[i] = src[indices[i]]!;
            }

            return wg.WriteAsync(f, v, null);
        }

        return t switch
        {
            _ when t == typeof(int) => Write<int>(wg, f, values, indices, ct),
            _ when t == typeof(long) => Write<long>(wg, f, values, indices, ct),
            _ when t == typeof(bool) => Write<bool>(wg, f, values, indices, ct),
            _ when t == typeof(decimal) => Write<decimal>(wg, f, values, indices, ct),
            _ when t == typeof(DateOnly) => Write<DateOnly>(wg, f, values, indices, ct),
            _ when t == typeof(double) => Write<double>(wg, f, values, indices, ct),
            _ => throw new NotSupportedException($"cases.parquet column {f.Name} has an unexpected type {t}"),
        };
    }

    private static Task Write<T>(ParquetRowGroupWriter wg, DataField f, Array values, List<int> indices, CancellationToken ct)
        where T : struct
    {
        if (f.IsNullable)
        {
            var src = (T?[])values;
            var n = new T?[indices.Count];
            for (var i = 0; i < n.Length; i++)
            {
                n[i] = src[indices[i]];
            }

            return wg.WriteAsync<T>(f, (ReadOnlyMemory<T?>)n, null, null, ct);
        }

        var s = (T[])values;
        var v = new T[indices.Count];
        for (var i = 0; i < v.Length; i++)
        {
            v[i] = s[indices[i]];
        }

        return wg.WriteAsync<T>(f, (ReadOnlyMemory<T>)v, null, null, ct);
    }
}
