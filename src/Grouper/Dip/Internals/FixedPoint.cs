using System.Runtime.CompilerServices;

namespace Grouper.Dip.Internals;

/// <summary>
/// Points, ratios and factors on the per-case path as integers of 0.0001 (clearing.md keeps
/// points as integers of 0.0001 anyway). Decimal division costs hundreds of nanoseconds; these
/// integer forms give exactly <c>Rounding.Places4</c> of the same quotient (half-up, operands
/// never negative), which the tests check against <see cref="Grouper.Core.Rounding"/> on random values.
/// </summary>
internal static class FixedPoint
{
    public const long One = 10_000;

    /// <summary>round-half-up(num ÷ den) for num ≥ 0, den &gt; 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long DivHalfUp(long num, long den)
    {
        var q = Math.DivRem(num, den, out var rem);
        return rem >= den - rem ? q + 1 : q;
    }

    public static long DivHalfUp(Int128 num, Int128 den)
    {
        var (q, rem) = Int128.DivRem(num, den);
        return (long)(rem >= den - rem ? q + 1 : q);
    }

    /// <summary>An exact 4-place value as an integer of 0.0001; throws when it has more places.</summary>
    public static long ToE4(decimal value, string what)
    {
        var scaled = value * One;
        if (scaled != decimal.Truncate(scaled) || scaled < 0 || scaled > long.MaxValue / 4)
        {
            throw new ArgumentException($"{what} {value} must be a non-negative number with at most 4 decimals");
        }

        return (long)scaled;
    }

    /// <summary>The decimal with scale 4 of an integer of 0.0001 (cheap: no division).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static decimal ToDecimal(long e4)
    {
        var neg = e4 < 0;
        var u = neg ? (ulong)-e4 : (ulong)e4;
        return new decimal((int)(uint)u, (int)(uint)(u >> 32), 0, neg, 4);
    }
}
