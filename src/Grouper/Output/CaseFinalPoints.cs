using Grouper.Clearing;
using Parquet;
using Parquet.Schema;

namespace Grouper.Output;

/// <summary>
/// After the year-end clearing, adds <c>dip_final_points</c> to a cases.parquet: for each DIP case of
/// a cleared hospital and year, round4(points × K × B × D) with K its level group's coefficient
/// (1 for grassroots and per-diem cases) and B, D the hospital's bonus and deduction coefficients
/// (clearing.md step 3: reported only). Other cases get null. The file is rewritten row group by row
/// group into a temporary file and renamed, so a crash leaves the old file intact.
/// </summary>
public static class CaseFinalPoints
{
    public const string ColumnName = "dip_final_points";

    /// <summary>Rewrites <paramref name="casesPath"/>; returns the number of cases that got final points.</summary>
    public static async Task<long> AddAsync(string casesPath, IReadOnlyList<ClearingResult> results, CancellationToken ct = default)
    {
        var byHospital = new Dictionary<(string Hospital, int Year), (decimal K, HospitalCoefficients Coef)>();
        foreach (var r in results)
        {
            foreach (var h in r.Hospitals)
            {
                byHospital[(h.HospitalId, h.Year)] = (h.LevelCoefficient, new HospitalCoefficients(h.BonusCoefficient, h.DeductionCoefficient));
            }
        }

        var options = new ParquetOptions { UseDateOnlyTypeForDates = true, CompressionMethod = CompressionMethod.Snappy };
        long given = 0;
        using var input = File.OpenRead(casesPath);
        await using var reader = await ParquetReader.CreateAsync(input, options, false, ct).ConfigureAwait(false);
        var fields = reader.Schema.DataFields;
        if (Array.Exists(fields, f => f.Name == ColumnName))
        {
            return -1; // already added by an earlier clearing of this file
        }

        var final = new DecimalDataField(ColumnName, 18, 4, false, true);
        var schema = new ParquetSchema([.. fields.Cast<Field>(), final]);
        await using var file = new AtomicFile(casesPath);
        await using (var writer = await ParquetWriter.CreateAsync(schema, file.Stream, options, false, ct).ConfigureAwait(false))
        {
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var rg = reader.OpenRowGroupReader(g);
                var rows = (int)rg.RowCount;
                using var wg = writer.CreateRowGroup();
                string?[]? hospital = null;
                string?[]? kind = null;
                string?[]? method = null;
                decimal[]? points = null;
                DateOnly[]? discharge = null;
                foreach (var f in fields)
                {
                    var values = await CopyAsync(rg, wg, f, rows, ct).ConfigureAwait(false);
                    switch (f.Name)
                    {
                        case "hospital_id": hospital = (string?[])values!; break;
                        case "dip_kind": kind = (string?[])values!; break;
                        case "payment_method": method = (string?[])values!; break;
                        case "dip_points": points = (decimal[])values!; break;
                        case "discharge_date": discharge = (DateOnly[])values!; break;
                    }
                }

                var column = new decimal?[rows];
                if (hospital is not null && kind is not null && method is not null && points is not null && discharge is not null)
                {
                    for (var i = 0; i < rows; i++)
                    {
                        if (method[i] != "DIP" || kind[i] is "Unmatched" || !byHospital.TryGetValue((hospital[i] ?? string.Empty, discharge[i].Year), out var h))
                        {
                            continue;
                        }

                        var k = kind[i] is "Grassroots" or "PerDiem" ? 1m : h.K;
                        column[i] = AnnualClearing.CaseFinalPoints((long)(points[i] * 10_000m), k, h.Coef) / 10_000m;
                        given++;
                    }
                }

                await wg.WriteAsync<decimal>(final, (ReadOnlyMemory<decimal?>)column, null, null, ct).ConfigureAwait(false);
            }
        }

        input.Close();
        await file.CommitAsync().ConfigureAwait(false);
        return given;
    }

    /// <summary>Copies one column of a row group; returns its values when a caller needs them.</summary>
    private static async Task<Array?> CopyAsync(ParquetRowGroupReader rg, ParquetRowGroupWriter wg, DataField f, int rows, CancellationToken ct)
    {
        var t = f.ClrType;
        if (t == typeof(string) || t == typeof(ReadOnlyMemory<char>))
        {
            var v = new string?[rows];
            await rg.ReadAsync(f, v.AsMemory(), null, ct).ConfigureAwait(false);
            await wg.WriteAsync(f, v!, null).ConfigureAwait(false);
            return v;
        }

        return t switch
        {
            _ when t == typeof(int) => await Copy<int>(rg, wg, f, rows, ct).ConfigureAwait(false),
            _ when t == typeof(long) => await Copy<long>(rg, wg, f, rows, ct).ConfigureAwait(false),
            _ when t == typeof(bool) => await Copy<bool>(rg, wg, f, rows, ct).ConfigureAwait(false),
            _ when t == typeof(decimal) => await Copy<decimal>(rg, wg, f, rows, ct).ConfigureAwait(false),
            _ when t == typeof(DateOnly) => await Copy<DateOnly>(rg, wg, f, rows, ct).ConfigureAwait(false),
            _ => throw new NotSupportedException($"cases.parquet column {f.Name} has an unexpected type {t}"),
        };
    }

    private static async Task<Array> Copy<T>(ParquetRowGroupReader rg, ParquetRowGroupWriter wg, DataField f, int rows, CancellationToken ct)
        where T : struct
    {
        if (f.IsNullable)
        {
            var n = new T?[rows];
            await rg.ReadAsync<T>(f, n.AsMemory(), null, ct).ConfigureAwait(false);
            await wg.WriteAsync<T>(f, (ReadOnlyMemory<T?>)n, null, null, ct).ConfigureAwait(false);
            return n;
        }

        var v = new T[rows];
        await rg.ReadAsync<T>(f, v.AsMemory(), null, ct).ConfigureAwait(false);
        await wg.WriteAsync<T>(f, (ReadOnlyMemory<T>)v, null, null, ct).ConfigureAwait(false);
        return v;
    }
}
