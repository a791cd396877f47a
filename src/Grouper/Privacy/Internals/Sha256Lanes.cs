using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Grouper.Privacy.Internals;

/// <summary>
/// The SHA-256 round arithmetic on a vector whose lanes are independent messages (multi-buffer
/// hashing): lane j of every vector belongs to message j. One generic compression (see
/// <see cref="Sha256Lanes"/>) is instantiated per implementation; they are structs so the JIT
/// specialises and inlines every call (no interface dispatch in the rounds). The operations are
/// whole round terms rather than single instructions so a block of 16 rounds stays within the
/// JIT's inlining budget (an over-budget call keeps the working variables in memory).
/// </summary>
internal interface ILanes<TV>
    where TV : struct
{
    /// <summary>Messages per vector.</summary>
    static abstract int Count { get; }

    /// <summary>Whether this implementation runs in hardware on this machine (else it must not be used: it would be slower than scalar or throw).</summary>
    static abstract bool IsSupported { get; }

    static abstract TV Splat(uint x);

    static abstract TV Add(TV a, TV b);

    /// <summary>
    /// Transposes the padded blocks into message-word vectors: <paramref name="rows"/> holds, for
    /// lane j, words 0..7 at [2j] and words 8..15 at [2j + 1]; <c>w[t]</c> receives word t of every lane.
    /// </summary>
    static abstract void Transpose(ReadOnlySpan<Vector256<uint>> rows, Span<TV> w);

    /// <summary>Next schedule word W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16], with σ0 = ROTR7 ^ ROTR18 ^ SHR3 and σ1 = ROTR17 ^ ROTR19 ^ SHR10.</summary>
    static abstract TV Schedule(TV w16, TV w15, TV w7, TV w2);

    /// <summary>
    /// T1 = h + Σ1(e) + Ch(e, f, g) + K[t] + W[t], with Σ1 = ROTR6 ^ ROTR11 ^ ROTR25 and Ch = (e &amp; f) ^ (~e &amp; g).
    /// Implementations add in the order h + (K + W) + Ch + Σ1: the terms that do not wait for e
    /// first, so the round's dependency chain through e is two additions shorter.
    /// </summary>
    static abstract TV T1(TV h, TV e, TV f, TV g, uint k, TV w);

    /// <summary>T2 = Σ0(a) + Maj(a, b, c), with Σ0 = ROTR2 ^ ROTR13 ^ ROTR22 and Maj = (a &amp; b) ^ (a &amp; c) ^ (b &amp; c).</summary>
    static abstract TV T2(TV a, TV b, TV c);
}

/// <summary>8 lanes with AVX2 only: a rotation is two shifts and an or (AVX2 has no vector rotate), written out so no helper call counts against the inlining budget.</summary>
internal struct Avx2Lanes : ILanes<Vector256<uint>>
{
    public static int Count => 8;

    public static bool IsSupported => Vector256.IsHardwareAccelerated && Avx2.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transpose(ReadOnlySpan<Vector256<uint>> rows, Span<Vector256<uint>> w) => Sha256Lanes.Transpose8(rows, w);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> Splat(uint x) => Vector256.Create(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> Add(Vector256<uint> a, Vector256<uint> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> Schedule(Vector256<uint> w16, Vector256<uint> w15, Vector256<uint> w7, Vector256<uint> w2)
    {
        var s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
        var s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
        return w16 + s0 + w7 + s1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> T1(Vector256<uint> h, Vector256<uint> e, Vector256<uint> f, Vector256<uint> g, uint k, Vector256<uint> w)
    {
        var sigma1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));

        // g ^ (e & (f ^ g)): 3 operations instead of 4.
        var ch = g ^ (e & (f ^ g));
        return h + (Vector256.Create(k) + w) + ch + sigma1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> T2(Vector256<uint> a, Vector256<uint> b, Vector256<uint> c)
    {
        var sigma0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        var maj = (a & b) | (c & (a | b));
        return sigma0 + maj;
    }
}

/// <summary>
/// 8 lanes with AVX-512VL: one-instruction rotates (vprord) and three-input logic (vpternlogd) turn
/// Σ into 4 instructions instead of 11, and Ch / Maj into one each.
/// </summary>
internal struct Avx512VLLanes : ILanes<Vector256<uint>>
{
    // Truth-table immediates of vpternlogd over (A, B, C) = (0xF0, 0xCC, 0xAA).
    internal const byte Xor3 = 0x96;
    internal const byte Choose = 0xCA;
    internal const byte Majority = 0xE8;

    public static int Count => 8;

    public static bool IsSupported => Vector256.IsHardwareAccelerated && Avx512F.VL.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transpose(ReadOnlySpan<Vector256<uint>> rows, Span<Vector256<uint>> w) => Sha256Lanes.Transpose8(rows, w);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> Splat(uint x) => Vector256.Create(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> Add(Vector256<uint> a, Vector256<uint> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> Schedule(Vector256<uint> w16, Vector256<uint> w15, Vector256<uint> w7, Vector256<uint> w2)
    {
        var s0 = Avx512F.VL.TernaryLogic(Avx512F.VL.RotateRight(w15, 7), Avx512F.VL.RotateRight(w15, 18), w15 >>> 3, Xor3);
        var s1 = Avx512F.VL.TernaryLogic(Avx512F.VL.RotateRight(w2, 17), Avx512F.VL.RotateRight(w2, 19), w2 >>> 10, Xor3);
        return w16 + s0 + w7 + s1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> T1(Vector256<uint> h, Vector256<uint> e, Vector256<uint> f, Vector256<uint> g, uint k, Vector256<uint> w)
    {
        var sigma1 = Avx512F.VL.TernaryLogic(Avx512F.VL.RotateRight(e, 6), Avx512F.VL.RotateRight(e, 11), Avx512F.VL.RotateRight(e, 25), Xor3);
        return h + (Vector256.Create(k) + w) + Avx512F.VL.TernaryLogic(e, f, g, Choose) + sigma1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> T2(Vector256<uint> a, Vector256<uint> b, Vector256<uint> c) =>
        Avx512F.VL.TernaryLogic(Avx512F.VL.RotateRight(a, 2), Avx512F.VL.RotateRight(a, 13), Avx512F.VL.RotateRight(a, 22), Xor3)
        + Avx512F.VL.TernaryLogic(a, b, c, Majority);
}

/// <summary>16 lanes with AVX-512F: the same instructions as <see cref="Avx512VLLanes"/> on 512-bit vectors.</summary>
internal struct Avx512Lanes : ILanes<Vector512<uint>>
{
    public static int Count => 16;

    public static bool IsSupported => Vector512.IsHardwareAccelerated && Avx512F.IsSupported;

    /// <summary>
    /// A 16x16 transpose of 32-bit words in 64 shuffles: unpack 32-bit pairs, unpack 64-bit pairs
    /// (vector 4g+c then holds word 4L+c of rows 4g..4g+3 in its 128-bit lane L), then two rounds of
    /// 128-bit lane shuffles gather lane L of the four groups.
    /// </summary>
    public static void Transpose(ReadOnlySpan<Vector256<uint>> rows, Span<Vector512<uint>> w)
    {
        _ = rows[31];
        _ = w[15];
        Span<Vector512<uint>> u = stackalloc Vector512<uint>[16];
        for (var g = 0; g < 4; g++)
        {
            // Rows 4g..4g+3, each as one 512-bit vector of its 16 words.
            var r0 = Vector512.Create(rows[8 * g], rows[(8 * g) + 1]);
            var r1 = Vector512.Create(rows[(8 * g) + 2], rows[(8 * g) + 3]);
            var r2 = Vector512.Create(rows[(8 * g) + 4], rows[(8 * g) + 5]);
            var r3 = Vector512.Create(rows[(8 * g) + 6], rows[(8 * g) + 7]);
            var t0 = Avx512F.UnpackLow(r0, r1).AsUInt64();
            var t1 = Avx512F.UnpackHigh(r0, r1).AsUInt64();
            var t2 = Avx512F.UnpackLow(r2, r3).AsUInt64();
            var t3 = Avx512F.UnpackHigh(r2, r3).AsUInt64();
            u[4 * g] = Avx512F.UnpackLow(t0, t2).AsUInt32();
            u[(4 * g) + 1] = Avx512F.UnpackHigh(t0, t2).AsUInt32();
            u[(4 * g) + 2] = Avx512F.UnpackLow(t1, t3).AsUInt32();
            u[(4 * g) + 3] = Avx512F.UnpackHigh(t1, t3).AsUInt32();
        }

        for (var c = 0; c < 4; c++)
        {
            // 0x88 takes 128-bit lanes 0 and 2 of each source, 0xDD lanes 1 and 3.
            var x01 = Avx512F.Shuffle4x128(u[c], u[4 + c], 0x88);
            var y01 = Avx512F.Shuffle4x128(u[c], u[4 + c], 0xDD);
            var x23 = Avx512F.Shuffle4x128(u[8 + c], u[12 + c], 0x88);
            var y23 = Avx512F.Shuffle4x128(u[8 + c], u[12 + c], 0xDD);
            w[c] = Avx512F.Shuffle4x128(x01, x23, 0x88);
            w[8 + c] = Avx512F.Shuffle4x128(x01, x23, 0xDD);
            w[4 + c] = Avx512F.Shuffle4x128(y01, y23, 0x88);
            w[12 + c] = Avx512F.Shuffle4x128(y01, y23, 0xDD);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> Splat(uint x) => Vector512.Create(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> Add(Vector512<uint> a, Vector512<uint> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> Schedule(Vector512<uint> w16, Vector512<uint> w15, Vector512<uint> w7, Vector512<uint> w2)
    {
        var s0 = Avx512F.TernaryLogic(Avx512F.RotateRight(w15, 7), Avx512F.RotateRight(w15, 18), w15 >>> 3, Avx512VLLanes.Xor3);
        var s1 = Avx512F.TernaryLogic(Avx512F.RotateRight(w2, 17), Avx512F.RotateRight(w2, 19), w2 >>> 10, Avx512VLLanes.Xor3);
        return w16 + s0 + w7 + s1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> T1(Vector512<uint> h, Vector512<uint> e, Vector512<uint> f, Vector512<uint> g, uint k, Vector512<uint> w)
    {
        var sigma1 = Avx512F.TernaryLogic(Avx512F.RotateRight(e, 6), Avx512F.RotateRight(e, 11), Avx512F.RotateRight(e, 25), Avx512VLLanes.Xor3);
        return h + (Vector512.Create(k) + w) + Avx512F.TernaryLogic(e, f, g, Avx512VLLanes.Choose) + sigma1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> T2(Vector512<uint> a, Vector512<uint> b, Vector512<uint> c) =>
        Avx512F.TernaryLogic(Avx512F.RotateRight(a, 2), Avx512F.RotateRight(a, 13), Avx512F.RotateRight(a, 22), Avx512VLLanes.Xor3)
        + Avx512F.TernaryLogic(a, b, c, Avx512VLLanes.Majority);
}

/// <summary>
/// Multi-buffer HMAC-SHA256 of short messages (at most <see cref="HmacSha256Key.MaxSingleBlock"/>
/// bytes, so each is exactly one inner and one outer block): <c>TL.Count</c> messages per call, one
/// per vector lane. The caller routes longer messages and tails to the scalar path.
/// </summary>
internal static class Sha256Lanes
{
    /// <summary>
    /// MACs of the messages <c>text.Slice(start[i], length[i])</c> for the <c>TL.Count</c> indices
    /// i in <paramref name="which"/> (each length at most 55), first 128 bits into destination[i].
    /// </summary>
    [SkipLocalsInit]
    public static void Mac128<TL, TV>(HmacSha256Key key, ReadOnlySpan<byte> text, ReadOnlySpan<int> start, ReadOnlySpan<int> length, ReadOnlySpan<int> which, Span<UInt128> destination)
        where TL : struct, ILanes<TV>
        where TV : struct
    {
        var lanes = TL.Count;

        Span<uint> words = stackalloc uint[16 * 16];
        var w = System.Runtime.InteropServices.MemoryMarshal.Cast<uint, TV>(words)[..16];
        InnerBlocks<TL, TV>(text, start, length, which, w);

        // Inner: every lane starts from the same ipad midstate.
        TV a = TL.Splat(key.Inner[0]), b = TL.Splat(key.Inner[1]), c = TL.Splat(key.Inner[2]), d = TL.Splat(key.Inner[3]);
        TV e = TL.Splat(key.Inner[4]), f = TL.Splat(key.Inner[5]), g = TL.Splat(key.Inner[6]), h = TL.Splat(key.Inner[7]);
        Compress<TL, TV>(ref a, ref b, ref c, ref d, ref e, ref f, ref g, ref h, w);

        // Outer block straight from the inner state vectors (no transposition): digest words,
        // 0x80 marker, zeros, and the 768-bit length of (opad block + 32-byte digest).
        w[0] = a;
        w[1] = b;
        w[2] = c;
        w[3] = d;
        w[4] = e;
        w[5] = f;
        w[6] = g;
        w[7] = h;
        w[8] = TL.Splat(0x80000000);
        var zero = TL.Splat(0);
        for (var t = 9; t < 15; t++)
        {
            w[t] = zero;
        }

        w[15] = TL.Splat(768);
        a = TL.Splat(key.Outer[0]);
        b = TL.Splat(key.Outer[1]);
        c = TL.Splat(key.Outer[2]);
        d = TL.Splat(key.Outer[3]);
        e = TL.Splat(key.Outer[4]);
        f = TL.Splat(key.Outer[5]);
        g = TL.Splat(key.Outer[6]);
        h = TL.Splat(key.Outer[7]);
        Compress<TL, TV>(ref a, ref b, ref c, ref d, ref e, ref f, ref g, ref h, w);

        // Only the first four digest words make the 128-bit pseudonym: lane j of a, b, c, d.
        w[0] = a;
        w[1] = b;
        w[2] = c;
        w[3] = d;
        for (var j = 0; j < lanes; j++)
        {
            destination[which[j]] = HmacSha256Key.First128(words[j], words[lanes + j], words[(2 * lanes) + j], words[(3 * lanes) + j]);
        }
    }

    /// <summary>
    /// Two 8x8 transposes of 32-bit words (message words 0..7, then 8..15) in 24 shuffles each:
    /// unpack 32-bit pairs, unpack 64-bit pairs (vector c then holds word c of rows 0..3 in its low
    /// 128 bits and word c + 4 in its high 128 bits), then join the 128-bit halves of rows 0..3 and 4..7.
    /// </summary>
    internal static void Transpose8(ReadOnlySpan<Vector256<uint>> rows, Span<Vector256<uint>> w)
    {
        _ = rows[15];
        _ = w[15];
        for (var half = 0; half < 2; half++)
        {
            var t0 = Avx2.UnpackLow(rows[half], rows[2 + half]).AsUInt64();
            var t1 = Avx2.UnpackHigh(rows[half], rows[2 + half]).AsUInt64();
            var t2 = Avx2.UnpackLow(rows[4 + half], rows[6 + half]).AsUInt64();
            var t3 = Avx2.UnpackHigh(rows[4 + half], rows[6 + half]).AsUInt64();
            var t4 = Avx2.UnpackLow(rows[8 + half], rows[10 + half]).AsUInt64();
            var t5 = Avx2.UnpackHigh(rows[8 + half], rows[10 + half]).AsUInt64();
            var t6 = Avx2.UnpackLow(rows[12 + half], rows[14 + half]).AsUInt64();
            var t7 = Avx2.UnpackHigh(rows[12 + half], rows[14 + half]).AsUInt64();
            var u0 = Avx2.UnpackLow(t0, t2).AsUInt32();
            var u1 = Avx2.UnpackHigh(t0, t2).AsUInt32();
            var u2 = Avx2.UnpackLow(t1, t3).AsUInt32();
            var u3 = Avx2.UnpackHigh(t1, t3).AsUInt32();
            var u4 = Avx2.UnpackLow(t4, t6).AsUInt32();
            var u5 = Avx2.UnpackHigh(t4, t6).AsUInt32();
            var u6 = Avx2.UnpackLow(t5, t7).AsUInt32();
            var u7 = Avx2.UnpackHigh(t5, t7).AsUInt32();
            var o = 8 * half;

            // 0x20 joins the low 128 bits of both sources, 0x31 the high ones.
            w[o] = Avx2.Permute2x128(u0, u4, 0x20);
            w[o + 1] = Avx2.Permute2x128(u1, u5, 0x20);
            w[o + 2] = Avx2.Permute2x128(u2, u6, 0x20);
            w[o + 3] = Avx2.Permute2x128(u3, u7, 0x20);
            w[o + 4] = Avx2.Permute2x128(u0, u4, 0x31);
            w[o + 5] = Avx2.Permute2x128(u1, u5, 0x31);
            w[o + 6] = Avx2.Permute2x128(u2, u6, 0x31);
            w[o + 7] = Avx2.Permute2x128(u3, u7, 0x31);
        }
    }

    // Byte positions 0..31 of a block half, and the in-lane byte order that reverses each 32-bit word (vpshufb).
    private static ReadOnlySpan<byte> Positions => [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31];

    private static ReadOnlySpan<byte> SwapWords => [3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12];

    /// <summary>
    /// The inner block of a message of at most 55 bytes as 16 big-endian words: message, 0x80,
    /// zeros, and the bit length of (64-byte ipad block + message) in the last word. Vector loads
    /// and masks instead of clear + copy + byte loop: when 64 bytes are readable from the start
    /// they are loaded whole and the bytes past the message masked off.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PadBlock(ReadOnlySpan<byte> text, int start, int length, out Vector256<uint> first8, out Vector256<uint> last8, Span<byte> copy)
    {
        // A longer message needs a second block: refuse rather than hash the wrong bytes.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, HmacSha256Key.MaxSingleBlock);
        var message = text.Slice(start, length);
        Vector256<byte> lo, hi;
        if (text.Length - start >= 64)
        {
            ref var first = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(text.Slice(start, 64));
            lo = Vector256.LoadUnsafe(ref first);
            hi = Vector256.LoadUnsafe(ref first, 32);
        }
        else
        {
            // Near the end of the text: copy into 64 bytes of scratch, so no byte past the text is read.
            copy.Clear();
            message.CopyTo(copy);
            lo = Vector256.Create<byte>(copy);
            hi = Vector256.Create<byte>(copy[32..]);
        }

        // Keep bytes before the end, 0x80 at the end, zeros after (positions < 128, so signed compares are exact).
        var end = Vector256.Create((sbyte)length);
        var marker = Vector256.Create((byte)0x80);
        var position = Vector256.Create(Positions).AsSByte();
        var position32 = position + Vector256.Create((sbyte)32);
        lo = Vector256.ConditionalSelect(Vector256.LessThan(position, end).AsByte(), lo, Vector256.Equals(position, end).AsByte() & marker);
        hi = Vector256.ConditionalSelect(Vector256.LessThan(position32, end).AsByte(), hi, Vector256.Equals(position32, end).AsByte() & marker);

        // Big-endian words; word 15 (bytes 60..63, zero since length <= 55) gets the bit length.
        var swap = Vector256.Create(SwapWords);
        first8 = Avx2.Shuffle(lo, swap).AsUInt32();
        last8 = Avx2.Shuffle(hi, swap).AsUInt32() | Vector256.Create(0u, 0, 0, 0, 0, 0, 0, (uint)(64 + length) * 8);
    }

    /// <summary>
    /// The padded inner block of each message as 16 big-endian words (two half rows per lane),
    /// transposed in registers so <c>w[t]</c> holds word t of every lane.
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void InnerBlocks<TL, TV>(ReadOnlySpan<byte> text, ReadOnlySpan<int> start, ReadOnlySpan<int> length, ReadOnlySpan<int> which, Span<TV> w)
        where TL : struct, ILanes<TV>
        where TV : struct
    {
        // Sized for the widest implementation (16 lanes); SkipLocalsInit because every slot read is written first.
        Span<Vector256<uint>> rows = stackalloc Vector256<uint>[2 * 16];
        Span<byte> copy = stackalloc byte[64];
        var lanes = TL.Count;
        for (var j = 0; j < lanes; j++)
        {
            var i = which[j];
            PadBlock(text, start[i], length[i], out rows[2 * j], out rows[(2 * j) + 1], copy);
        }

        TL.Transpose(rows[..(2 * lanes)], w);
    }

    /// <summary>One compression of every lane: (a..h) += rounds((a..h), w). <paramref name="w"/> (16 vectors) is overwritten by the schedule.</summary>
    internal static void Compress<TL, TV>(ref TV sa, ref TV sb, ref TV sc, ref TV sd, ref TV se, ref TV sf, ref TV sg, ref TV sh, Span<TV> w)
        where TL : struct, ILanes<TV>
        where TV : struct
    {
        TV a = sa, b = sb, c = sc, d = sd, e = se, f = sf, g = sg, h = sh;
        var k = Sha256Scalar.K;

        // Rounds 0..15 use the message words as they are; 16..63 extend the schedule in place.
        Rounds16<TL, TV>(ref a, ref b, ref c, ref d, ref e, ref f, ref g, ref h, w, k[..16]);
        Rounds16Scheduled<TL, TV>(ref a, ref b, ref c, ref d, ref e, ref f, ref g, ref h, w, k[16..32]);
        Rounds16Scheduled<TL, TV>(ref a, ref b, ref c, ref d, ref e, ref f, ref g, ref h, w, k[32..48]);
        Rounds16Scheduled<TL, TV>(ref a, ref b, ref c, ref d, ref e, ref f, ref g, ref h, w, k[48..64]);
        sa = TL.Add(sa, a);
        sb = TL.Add(sb, b);
        sc = TL.Add(sc, c);
        sd = TL.Add(sd, d);
        se = TL.Add(se, e);
        sf = TL.Add(sf, f);
        sg = TL.Add(sg, g);
        sh = TL.Add(sh, h);
    }

    // The rounds come in out-of-line blocks of 16: a method with more inlined rounds runs out of
    // the JIT's inlining budget, and the rest become calls with the working variables in memory
    // (measured 2-3x slower for the AVX2 lanes).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Rounds16<TL, TV>(ref TV sa, ref TV sb, ref TV sc, ref TV sd, ref TV se, ref TV sf, ref TV sg, ref TV sh, Span<TV> w, ReadOnlySpan<uint> k)
        where TL : struct, ILanes<TV>
        where TV : struct => Sixteen<TL, TV>(ref sa, ref sb, ref sc, ref sd, ref se, ref sf, ref sg, ref sh, w, k, schedule: false);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Rounds16Scheduled<TL, TV>(ref TV sa, ref TV sb, ref TV sc, ref TV sd, ref TV se, ref TV sf, ref TV sg, ref TV sh, Span<TV> w, ReadOnlySpan<uint> k)
        where TL : struct, ILanes<TV>
        where TV : struct => Sixteen<TL, TV>(ref sa, ref sb, ref sc, ref sd, ref se, ref sf, ref sg, ref sh, w, k, schedule: true);

    /// <summary>
    /// 16 rounds: every ring index is a constant (no index arithmetic, no bounds checks) and the
    /// working variables rotate by argument order instead of moves; with <paramref name="schedule"/>
    /// each round first extends the message schedule in place.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Sixteen<TL, TV>(ref TV sa, ref TV sb, ref TV sc, ref TV sd, ref TV se, ref TV sf, ref TV sg, ref TV sh, Span<TV> w, ReadOnlySpan<uint> k, bool schedule)
        where TL : struct, ILanes<TV>
        where TV : struct
    {
        _ = w[15];
        _ = k[15];
        TV a = sa, b = sb, c = sc, d = sd, e = se, f = sf, g = sg, h = sh;
        Round<TL, TV>(a, b, c, ref d, e, f, g, ref h, k[0], w, 0, schedule);
        Round<TL, TV>(h, a, b, ref c, d, e, f, ref g, k[1], w, 1, schedule);
        Round<TL, TV>(g, h, a, ref b, c, d, e, ref f, k[2], w, 2, schedule);
        Round<TL, TV>(f, g, h, ref a, b, c, d, ref e, k[3], w, 3, schedule);
        Round<TL, TV>(e, f, g, ref h, a, b, c, ref d, k[4], w, 4, schedule);
        Round<TL, TV>(d, e, f, ref g, h, a, b, ref c, k[5], w, 5, schedule);
        Round<TL, TV>(c, d, e, ref f, g, h, a, ref b, k[6], w, 6, schedule);
        Round<TL, TV>(b, c, d, ref e, f, g, h, ref a, k[7], w, 7, schedule);
        Round<TL, TV>(a, b, c, ref d, e, f, g, ref h, k[8], w, 8, schedule);
        Round<TL, TV>(h, a, b, ref c, d, e, f, ref g, k[9], w, 9, schedule);
        Round<TL, TV>(g, h, a, ref b, c, d, e, ref f, k[10], w, 10, schedule);
        Round<TL, TV>(f, g, h, ref a, b, c, d, ref e, k[11], w, 11, schedule);
        Round<TL, TV>(e, f, g, ref h, a, b, c, ref d, k[12], w, 12, schedule);
        Round<TL, TV>(d, e, f, ref g, h, a, b, ref c, k[13], w, 13, schedule);
        Round<TL, TV>(c, d, e, ref f, g, h, a, ref b, k[14], w, 14, schedule);
        Round<TL, TV>(b, c, d, ref e, f, g, h, ref a, k[15], w, 15, schedule);
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
    private static void Round<TL, TV>(TV a, TV b, TV c, ref TV d, TV e, TV f, TV g, ref TV h, uint k, Span<TV> w, int i, bool schedule)
        where TL : struct, ILanes<TV>
        where TV : struct
    {
        if (schedule)
        {
            // Slot i holds W[t-16]; the ring's other slots hold W[t-15..t-1].
            w[i] = TL.Schedule(w[i], w[(i + 1) & 15], w[(i + 9) & 15], w[(i + 14) & 15]);
        }

        var t1 = TL.T1(h, e, f, g, k, w[i]);
        d = TL.Add(d, t1);
        h = TL.Add(t1, TL.T2(a, b, c));
    }
}
