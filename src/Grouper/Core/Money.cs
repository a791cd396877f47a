namespace Grouper.Core;

/// <summary>
/// Money is held as integer fen (0.01 yuan) in <see cref="long"/>; arithmetic that multiplies by
/// ratios, weights or point values is done in <see cref="decimal"/> and brought back to fen only
/// through <see cref="Rounding"/>. Never <c>double</c>.
/// </summary>
public static class Money
{
    public const long FenPerYuan = 100;

    public static decimal ToYuan(long fen) => fen / 100m;

    /// <summary>
    /// The same amount as <see cref="ToYuan"/>, built without a division and always with two
    /// decimals (1.00, not 1): for writers that store the unscaled value (Parquet decimal(18,2)),
    /// where the division was a measurable part of the cost of a row.
    /// </summary>
    public static decimal ToYuanForOutput(long fen)
    {
        var negative = fen < 0;
        var magnitude = negative ? (ulong)-fen : (ulong)fen;
        return new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), 0, negative, 2);
    }

    /// <summary>Largest amount accepted anywhere, in yuan (a trillion: far above any budget, far below <see cref="long"/> fen).</summary>
    public const decimal MaxYuan = 1_000_000_000_000m;

    /// <summary>Exact conversion; throws if the amount has more than two decimals or exceeds ±<see cref="MaxYuan"/>.</summary>
    public static long ToFenExact(decimal yuan)
    {
        if (yuan > MaxYuan || yuan < -MaxYuan)
        {
            throw new ArgumentOutOfRangeException(nameof(yuan), yuan, $"amount beyond ±{MaxYuan} yuan");
        }

        var fen = yuan * 100m;
        if (fen != decimal.Truncate(fen))
        {
            throw new ArgumentException($"amount {yuan} has more than two decimals", nameof(yuan));
        }

        return (long)fen;
    }

    public static string Format(long fen)
    {
        var sign = fen < 0 ? "-" : string.Empty;
        var abs = Math.Abs(fen);
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{sign}{abs / 100}.{abs % 100:00}");
    }
}

/// <summary>
/// The one place where amounts, ratios and points are rounded. Half-up means away from zero
/// (amounts are never negative), as the domain specification fixes.
/// </summary>
public static class Rounding
{
    /// <summary>Yuan amount rounded half-up to the fen, returned as fen.</summary>
    public static long ToFen(decimal yuan) => (long)(decimal.Round(yuan, 2, MidpointRounding.AwayFromZero) * 100m);

    /// <summary>Half-up to the fen, returned in yuan.</summary>
    public static decimal Yuan2(decimal yuan) => decimal.Round(yuan, 2, MidpointRounding.AwayFromZero);

    /// <summary>Ratios, coefficients, points and weights: 4 places half-up.</summary>
    public static decimal Places4(decimal value) => decimal.Round(value, 4, MidpointRounding.AwayFromZero);

    /// <summary>Point values (yuan per point): 6 places half-up.</summary>
    public static decimal Places6(decimal value) => decimal.Round(value, 6, MidpointRounding.AwayFromZero);

    public static decimal Places(decimal value, int places) => decimal.Round(value, places, MidpointRounding.AwayFromZero);
}
