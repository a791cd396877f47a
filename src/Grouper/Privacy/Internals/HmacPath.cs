namespace Grouper.Privacy.Internals;

/// <summary>How <see cref="Pseudonymizer"/> computes a batch of MACs; tests and benchmarks force each one.</summary>
internal enum HmacPath
{
    /// <summary>Managed SHA-256, one message at a time.</summary>
    Scalar,

    /// <summary>8 messages per step in <c>Vector256</c> lanes, AVX2 instructions only.</summary>
    Lanes8Avx2,

    /// <summary>8 messages per step in <c>Vector256</c> lanes with AVX-512VL rotates and ternary logic.</summary>
    Lanes8Avx512,

    /// <summary>16 messages per step in <c>Vector512</c> lanes (AVX-512F).</summary>
    Lanes16Avx512,
}
