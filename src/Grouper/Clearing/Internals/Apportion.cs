using System.Numerics;
using Grouper.Core;

namespace Grouper.Clearing.Internals;

/// <summary>Exact integer arithmetic of clearing: the largest-remainder rule and exact ratios.</summary>
internal static class Apportion
{
    /// <summary>
    /// Splits <paramref name="total"/> fen in proportion to <paramref name="weights"/> (clearing.md
    /// step 6): each share w × total ÷ Σw is computed exactly and cut to the fen; the fen left over go
    /// one each to the largest cut-off fractions, ties to the lower index (callers order by
    /// hospital_id ascending). Σ result = total exactly when Σw &gt; 0; all zero otherwise.
    /// </summary>
    public static long[] LargestRemainder(long total, ReadOnlySpan<long> weights)
    {
        var result = new long[weights.Length];
        Int128 sum = 0;
        foreach (var w in weights)
        {
            if (w < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(weights), "weights must not be negative");
            }

            sum += w;
        }

        if (sum == 0 || total == 0)
        {
            return result;
        }

        if (total < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(total), "total must not be negative");
        }

        var remainders = new Int128[weights.Length];
        long allocated = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            var num = (Int128)weights[i] * total;
            result[i] = (long)(num / sum);
            remainders[i] = num % sum;
            allocated += result[i];
        }

        var left = total - allocated;
        if (left > 0)
        {
            var order = new int[weights.Length];
            for (var i = 0; i < order.Length; i++)
            {
                order[i] = i;
            }

            // Same denominator for every share, so the remainders compare the fractions exactly.
            Array.Sort(order, (a, b) =>
            {
                var c = remainders[b].CompareTo(remainders[a]);
                return c != 0 ? c : a.CompareTo(b);
            });
            for (var k = 0; k < left; k++)
            {
                result[order[k]]++;
            }
        }

        return result;
    }

    /// <summary>
    /// num ÷ den (both ≥ 0, den &gt; 0) truncated to 18 places. Truncating far below the rounding
    /// place keeps half-up exact: a value below a tie stays below it, a value at or above stays at
    /// or above, so <see cref="Rounding"/> of the result equals half-up of the exact rational.
    /// </summary>
    public static decimal Ratio(BigInteger num, BigInteger den)
    {
        if (den.Sign <= 0 || num.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(den), "ratio needs num ≥ 0 and den > 0");
        }

        var scale = BigInteger.Pow(10, 18);
        var q = BigInteger.Divide(num * scale, den);
        return (decimal)q / 1_000_000_000_000_000_000m;
    }
}
