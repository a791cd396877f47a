using System.Numerics;

namespace Grouper.Generation.Internals;

/// <summary>
/// xoshiro256** seeded through SplitMix64: a PRNG whose output is fixed by the seed on every
/// runtime and machine (unlike <see cref="Random"/>, whose algorithm is an implementation detail).
/// </summary>
internal struct Rng
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    public Rng(ulong seed, ulong stream)
    {
        var x = seed ^ (stream * 0xD1B54A32D192ED03UL);
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    private static ulong SplitMix(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        var z = x;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong Next()
    {
        var result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, n) (Lemire's multiply-high; the tiny bias is irrelevant here).</summary>
    public long Below(long n) => (long)Math.BigMul(Next(), (ulong)n, out _);

    public int Below(int n) => (int)Math.BigMul(Next(), (ulong)n, out _);

    /// <summary>Uniform integer in [lo, hi] inclusive.</summary>
    public int Between(int lo, int hi) => lo + Below(hi - lo + 1);

    /// <summary>Uniform in [0, 1) with 53 bits.</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    public bool Chance(double p) => NextDouble() < p;

    /// <summary>
    /// Approximately standard normal (Irwin–Hall: sum of 12 uniforms − 6, tails cut at ±6).
    /// Only additions, so the value is bit-identical everywhere.
    /// </summary>
    public double Normal()
    {
        var s = 0.0;
        for (var i = 0; i < 12; i++)
        {
            s += NextDouble();
        }

        return s - 6.0;
    }
}

/// <summary>
/// exp() from IEEE basic operations only (+, −, ×, exact scaling), so results do not depend on the
/// platform's libm: <see cref="Math.Exp"/> may differ in the last bit between machines, which would
/// change a generated fen amount.
/// </summary>
internal static class DetMath
{
    private const double Ln2Hi = 6.93147180369123816490e-01;
    private const double Ln2Lo = 1.90821492927058770002e-10;
    private const double InvLn2 = 1.44269504088896338700e+00;

    public static double Exp(double x)
    {
        if (x > 700)
        {
            x = 700;
        }
        else if (x < -700)
        {
            x = -700;
        }

        var k = (int)Math.Round(x * InvLn2, MidpointRounding.ToEven);
        var r = x - (k * Ln2Hi) - (k * Ln2Lo);

        // Taylor series; |r| <= 0.35, so 14 terms are well below double precision.
        var term = 1.0;
        var sum = 1.0;
        for (var i = 1; i <= 14; i++)
        {
            term = term * r / i;
            sum += term;
        }

        return Math.ScaleB(sum, k);
    }
}
