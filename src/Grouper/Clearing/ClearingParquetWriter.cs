using Grouper.Core;
using Parquet;
using Parquet.Schema;

namespace Grouper.Clearing;

/// <summary>
/// Writes clearing.parquet (clearing.md "Invariants"): one row per hospital and year, in (region,
/// hospital_id) order. Money decimal(18,2), points decimal(18,4), coefficients decimal(18,4), point
/// value decimal(18,6); Snappy; written to a temp file and renamed so readers never see half a file.
/// Same results → byte-identical file.
/// </summary>
public static class ClearingParquetWriter
{
    private static readonly DataField<string> HospitalId = new("hospital_id", false);
    private static readonly DataField<int> Year = new("year");
    private static readonly DataField<string> LevelGroup = new("level_group", false);
    private static readonly DataField<long> Cases = new("cases");
    private static readonly DecimalDataField TotalPoints = Dec("total_points", 4);
    private static readonly DecimalDataField AvgPoints = Dec("avg_points_per_case", 4);
    private static readonly DecimalDataField LevelCoefficient = Dec("level_coefficient", 4);
    private static readonly DecimalDataField Bonus = Dec("bonus_coefficient", 4);
    private static readonly DecimalDataField Deduction = Dec("deduction_coefficient", 4);
    private static readonly DecimalDataField FinalPoints = Dec("final_points", 4);
    private static readonly DecimalDataField PointValue = Dec("point_value", 6);
    private static readonly DecimalDataField Settlement = Dec("settlement_amount", 2);
    private static readonly DecimalDataField ItemFund = Dec("item_fund_amount", 2);
    private static readonly DecimalDataField Adjustment = Dec("adjustment", 2);
    private static readonly DecimalDataField Withhold = Dec("withhold", 2);
    private static readonly DecimalDataField Advance = Dec("advance_paid", 2);
    private static readonly DecimalDataField Balance = Dec("balance", 2);
    private static readonly DataField<string> Region = new("region", false);

    private static readonly ParquetSchema Schema = new(
        HospitalId, Year, LevelGroup, Cases, TotalPoints, AvgPoints, LevelCoefficient, Bonus, Deduction,
        FinalPoints, PointValue, Settlement, ItemFund, Adjustment, Withhold, Advance, Balance, Region);

    /// <summary>Column names in file order (the spec's columns, then region).</summary>
    public static IReadOnlyList<string> ColumnNames { get; } = [.. Schema.DataFields.Select(f => f.Name)];

    public static void Write(string path, IReadOnlyList<ClearingResult> results) =>
        WriteAsync(path, results).GetAwaiter().GetResult();

    public static async Task WriteAsync(string path, IReadOnlyList<ClearingResult> results, CancellationToken cancellationToken = default)
    {
        var rows = new List<HospitalClearing>();
        foreach (var r in results.OrderBy(r => r.Region, StringComparer.Ordinal).ThenBy(r => r.Year))
        {
            rows.AddRange(r.Hospitals);
        }

        var temp = path + ".tmp";
        await using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            var options = new ParquetOptions { CompressionMethod = CompressionMethod.Snappy };
            await using var writer = await ParquetWriter.CreateAsync(Schema, stream, options, false, cancellationToken).ConfigureAwait(false);
            using var group = writer.CreateRowGroup();
            await group.WriteAsync(HospitalId, rows.Select(h => h.HospitalId).ToArray()).ConfigureAwait(false);
            await group.WriteAsync<int>(Year, rows.Select(h => h.Year).ToArray(), null, null, cancellationToken).ConfigureAwait(false);
            await group.WriteAsync(LevelGroup, rows.Select(h => h.LevelGroup).ToArray()).ConfigureAwait(false);
            await group.WriteAsync<long>(Cases, rows.Select(h => h.Cases).ToArray(), null, null, cancellationToken).ConfigureAwait(false);
            await Decimals(group, TotalPoints, rows, h => h.TotalPoints / 10_000m, cancellationToken).ConfigureAwait(false);
            await Decimals(group, AvgPoints, rows, h => h.AveragePointsPerCase, cancellationToken).ConfigureAwait(false);
            await Decimals(group, LevelCoefficient, rows, h => h.LevelCoefficient, cancellationToken).ConfigureAwait(false);
            await Decimals(group, Bonus, rows, h => h.BonusCoefficient, cancellationToken).ConfigureAwait(false);
            await Decimals(group, Deduction, rows, h => h.DeductionCoefficient, cancellationToken).ConfigureAwait(false);
            await Decimals(group, FinalPoints, rows, h => h.FinalPoints / 10_000m, cancellationToken).ConfigureAwait(false);
            await Decimals(group, PointValue, rows, h => h.PointValue, cancellationToken).ConfigureAwait(false);
            await Decimals(group, Settlement, rows, h => Money.ToYuan(h.SettlementFen), cancellationToken).ConfigureAwait(false);
            await Decimals(group, ItemFund, rows, h => Money.ToYuan(h.ItemFundFen), cancellationToken).ConfigureAwait(false);
            await Decimals(group, Adjustment, rows, h => Money.ToYuan(h.AdjustmentFen), cancellationToken).ConfigureAwait(false);
            await Decimals(group, Withhold, rows, h => Money.ToYuan(h.WithholdFen), cancellationToken).ConfigureAwait(false);
            await Decimals(group, Advance, rows, h => Money.ToYuan(h.AdvancePaidFen), cancellationToken).ConfigureAwait(false);
            await Decimals(group, Balance, rows, h => Money.ToYuan(h.BalanceFen), cancellationToken).ConfigureAwait(false);
            await group.WriteAsync(Region, rows.Select(h => h.Region).ToArray()).ConfigureAwait(false);
        }

        File.Move(temp, path, overwrite: true);
    }

    private static DecimalDataField Dec(string name, int scale) => new(name, 18, scale, false, false);

    private static Task Decimals(ParquetRowGroupWriter group, DecimalDataField field, List<HospitalClearing> rows, Func<HospitalClearing, decimal> value, CancellationToken ct)
    {
        var values = new decimal[rows.Count];
        for (var i = 0; i < values.Length; i++)
        {
            var v = value(rows[i]);
            if (Rounding.Places(v, field.Scale) != v)
            {
                throw new InvalidOperationException($"{field.Name} value {v} has more than {field.Scale} places");
            }

            // Fix the scale so equal values are stored identically whatever scale the decimal carried.
            values[i] = v + new decimal(0, 0, 0, false, (byte)field.Scale);
        }

        return group.WriteAsync<decimal>(field, values, null, null, ct);
    }
}
