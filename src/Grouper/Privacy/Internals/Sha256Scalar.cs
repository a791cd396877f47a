using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Grouper.Privacy.Internals;

/// <summary>The eight 32-bit words of a SHA-256 chaining state (H0..H7), kept inline so no array is allocated.</summary>
[InlineArray(8)]
internal struct Sha256State
{
    private uint _h0;
}

/// <summary>Sixteen 32-bit message words (one 64-byte block); the compression reuses it as its schedule ring.</summary>
[InlineArray(16)]
internal struct Sha256Block
{
    private uint _w0;
}

/// <summary>
/// Managed SHA-256 (FIPS 180-4), one message at a time. The reference the multi-lane code is tested
/// against, and the path for lane tails and long messages. Managed because the cost of the OS
/// library on our short person ids is the P/Invoke round trip, not the hashing.
/// </summary>
internal static class Sha256Scalar
{
    /// <summary>Round constants K0..K63 (first 32 bits of the fractional parts of the cube roots of the first 64 primes).</summary>
    internal static ReadOnlySpan<uint> K =>
    [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];

    /// <summary>The initial hash value H(0).</summary>
    internal static Sha256State InitialState()
    {
        var s = default(Sha256State);
        s[0] = 0x6a09e667;
        s[1] = 0xbb67ae85;
        s[2] = 0x3c6ef372;
        s[3] = 0xa54ff53a;
        s[4] = 0x510e527f;
        s[5] = 0x9b05688c;
        s[6] = 0x1f83d9ab;
        s[7] = 0x5be0cd19;
        return s;
    }

    /// <summary>Loads a 64-byte block as 16 big-endian words.</summary>
    internal static void Load(ReadOnlySpan<byte> block64, ref Sha256Block w)
    {
        for (var t = 0; t < 16; t++)
        {
            w[t] = BinaryPrimitives.ReadUInt32BigEndian(block64.Slice(4 * t, 4));
        }
    }

    /// <summary>One compression: state += rounds(state, w). <paramref name="w"/> is overwritten (it doubles as the schedule ring).</summary>
    internal static void Compress(ref Sha256State state, ref Sha256Block w)
    {
        uint a = state[0], b = state[1], c = state[2], d = state[3];
        uint e = state[4], f = state[5], g = state[6], h = state[7];
        var k = K;
        Span<uint> ws = w;

        // The same shape as Sha256Lanes.Compress: rounds 0..15 use the message words as they are,
        // 16..63 extend the schedule in place in a 16-word ring (W[t] only needs W[t-16..t-1]).
        Rounds16(ref a, ref b, ref c, ref d, ref e, ref f, ref g, ref h, ws, k[..16]);
        Rounds16Scheduled(ref a, ref b, ref c, ref d, ref e, ref f, ref g, ref h, ws, k[16..32]);
        Rounds16Scheduled(ref a, ref b, ref c, ref d, ref e, ref f, ref g, ref h, ws, k[32..48]);
        Rounds16Scheduled(ref a, ref b, ref c, ref d, ref e, ref f, ref g, ref h, ws, k[48..64]);
        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        state[4] += e;
        state[5] += f;
        state[6] += g;
        state[7] += h;
    }

    // Out-of-line blocks of 16 rounds: more inlined rounds in one method exceed the JIT's inlining
    // budget, and the rest become calls with the working variables in memory.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Rounds16(ref uint sa, ref uint sb, ref uint sc, ref uint sd, ref uint se, ref uint sf, ref uint sg, ref uint sh, Span<uint> w, ReadOnlySpan<uint> k) =>
        Sixteen(ref sa, ref sb, ref sc, ref sd, ref se, ref sf, ref sg, ref sh, w, k, schedule: false);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Rounds16Scheduled(ref uint sa, ref uint sb, ref uint sc, ref uint sd, ref uint se, ref uint sf, ref uint sg, ref uint sh, Span<uint> w, ReadOnlySpan<uint> k) =>
        Sixteen(ref sa, ref sb, ref sc, ref sd, ref se, ref sf, ref sg, ref sh, w, k, schedule: true);

    /// <summary>16 rounds with constant ring indices; the working variables rotate by argument order instead of moves.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Sixteen(ref uint sa, ref uint sb, ref uint sc, ref uint sd, ref uint se, ref uint sf, ref uint sg, ref uint sh, Span<uint> w, ReadOnlySpan<uint> k, bool schedule)
    {
        _ = w[15];
        _ = k[15];
        uint a = sa, b = sb, c = sc, d = sd, e = se, f = sf, g = sg, h = sh;
        Round(a, b, c, ref d, e, f, g, ref h, k[0], w, 0, schedule);
        Round(h, a, b, ref c, d, e, f, ref g, k[1], w, 1, schedule);
        Round(g, h, a, ref b, c, d, e, ref f, k[2], w, 2, schedule);
        Round(f, g, h, ref a, b, c, d, ref e, k[3], w, 3, schedule);
        Round(e, f, g, ref h, a, b, c, ref d, k[4], w, 4, schedule);
        Round(d, e, f, ref g, h, a, b, ref c, k[5], w, 5, schedule);
        Round(c, d, e, ref f, g, h, a, ref b, k[6], w, 6, schedule);
        Round(b, c, d, ref e, f, g, h, ref a, k[7], w, 7, schedule);
        Round(a, b, c, ref d, e, f, g, ref h, k[8], w, 8, schedule);
        Round(h, a, b, ref c, d, e, f, ref g, k[9], w, 9, schedule);
        Round(g, h, a, ref b, c, d, e, ref f, k[10], w, 10, schedule);
        Round(f, g, h, ref a, b, c, d, ref e, k[11], w, 11, schedule);
        Round(e, f, g, ref h, a, b, c, ref d, k[12], w, 12, schedule);
        Round(d, e, f, ref g, h, a, b, ref c, k[13], w, 13, schedule);
        Round(c, d, e, ref f, g, h, a, ref b, k[14], w, 14, schedule);
        Round(b, c, d, ref e, f, g, h, ref a, k[15], w, 15, schedule);
        sa = a;
        sb = b;
        sc = c;
        sd = d;
        se = e;
        sf = f;
        sg = g;
        sh = h;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Round(uint a, uint b, uint c, ref uint d, uint e, uint f, uint g, ref uint h, uint k, Span<uint> w, int i, bool schedule)
    {
        if (schedule)
        {
            // W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16]; slot i holds W[t-16].
            var w2 = w[(i + 14) & 15];
            var w15 = w[(i + 1) & 15];
            var s0 = BitOperations.RotateRight(w15, 7) ^ BitOperations.RotateRight(w15, 18) ^ (w15 >> 3);
            var s1 = BitOperations.RotateRight(w2, 17) ^ BitOperations.RotateRight(w2, 19) ^ (w2 >> 10);
            w[i] += s1 + w[(i + 9) & 15] + s0;
        }

        var sigma1 = BitOperations.RotateRight(e, 6) ^ BitOperations.RotateRight(e, 11) ^ BitOperations.RotateRight(e, 25);
        var ch = g ^ (e & (f ^ g));
        var t1 = h + sigma1 + ch + k + w[i];
        var sigma0 = BitOperations.RotateRight(a, 2) ^ BitOperations.RotateRight(a, 13) ^ BitOperations.RotateRight(a, 22);
        var maj = (a & b) | (c & (a | b));
        d += t1;
        h = t1 + sigma0 + maj;
    }

    /// <summary>
    /// Hashes the rest of a message into <paramref name="state"/>: its whole blocks, then the padding
    /// (0x80, zeros, total bit length) for a total of <paramref name="prefixBytes"/> already
    /// compressed plus <paramref name="message"/>.
    /// </summary>
    internal static void Finish(ref Sha256State state, ReadOnlySpan<byte> message, long prefixBytes)
    {
        var w = default(Sha256Block);
        var rest = message;
        while (rest.Length >= 64)
        {
            Load(rest[..64], ref w);
            Compress(ref state, ref w);
            rest = rest[64..];
        }

        // One final block when the tail, 0x80 and the 8-byte length fit (tail <= 55), else two.
        Span<byte> last = stackalloc byte[128];
        last.Clear();
        rest.CopyTo(last);
        last[rest.Length] = 0x80;
        var blocks = rest.Length <= 55 ? 1 : 2;
        BinaryPrimitives.WriteUInt64BigEndian(last.Slice((64 * blocks) - 8, 8), (ulong)(prefixBytes + message.Length) * 8);
        for (var i = 0; i < blocks; i++)
        {
            Load(last.Slice(64 * i, 64), ref w);
            Compress(ref state, ref w);
        }
    }

    /// <summary>SHA-256 of <paramref name="message"/> into 32 bytes (used for keys longer than a block).</summary>
    internal static void Hash(ReadOnlySpan<byte> message, Span<byte> digest)
    {
        var state = InitialState();
        Finish(ref state, message, 0);
        Store(in state, digest);
    }

    /// <summary>Writes the state as the 32-byte big-endian digest.</summary>
    internal static void Store(in Sha256State state, Span<byte> digest)
    {
        for (var i = 0; i < 8; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(digest.Slice(4 * i, 4), state[i]);
        }
    }
}
