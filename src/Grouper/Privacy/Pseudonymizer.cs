using System.Runtime.Intrinsics;
using System.Text;
using Grouper.Core;
using Grouper.Privacy.Internals;

namespace Grouper.Privacy;

/// <summary>
/// Replaces person identifiers by a keyed hash: HMAC-SHA256(secret key, UTF-8 person_id), first 128
/// bits, written as 32 lowercase hex characters. Stable across runs with the same key (so
/// year-to-date state keyed by it still works), not reversible without the key.
/// </summary>
public sealed class Pseudonymizer
{
    /// <summary>Environment variable holding the key (hex, base64 or plain text of at least 16 bytes).</summary>
    public const string KeyVariable = "GROUPER_PSEUDONYM_KEY";

    /// <summary>Environment variable naming a file that holds the key.</summary>
    public const string KeyFileVariable = "GROUPER_PSEUDONYM_KEY_FILE";

    // The key as its two HMAC midstates: computed once here so a short id costs two SHA-256
    // compressions and no key schedule. Immutable, shared by every thread.
    private readonly HmacSha256Key _mac;

    public Pseudonymizer(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length < 16)
        {
            throw new ArgumentException("a pseudonymization key needs at least 16 bytes", nameof(key));
        }

        _mac = new HmacSha256Key(key);
    }

    /// <summary>
    /// The keyed hash of a person id (allocation-free, thread-safe): HMAC-SHA256 in managed code
    /// from the precomputed key midstates, which is faster than the OS library for ids this short
    /// (its cost is the call, not the hashing: see bench/results/PseudonymBenchmarks.md). For many
    /// ids at once use <see cref="ComputeMany(ReadOnlySpan{byte}, ReadOnlySpan{int}, ReadOnlySpan{int}, Span{UInt128})"/>.
    /// </summary>
    public UInt128 Compute(ReadOnlySpan<byte> personId) => _mac.Mac128(personId);

    /// <summary>
    /// The keyed hashes of many person ids at once (批量假名化): message i is
    /// <c>text.Slice(start[i], length[i])</c> and <c>destination[i]</c> receives exactly what
    /// <see cref="Compute"/> returns for it. Ids of at most 55 bytes (one SHA-256 block) are hashed
    /// 8 or 16 at a time in SIMD lanes; longer ids and the last few of a batch go one at a time.
    /// Allocation-free and thread-safe (scratch on the stack).
    /// </summary>
    public void ComputeMany(ReadOnlySpan<byte> text, ReadOnlySpan<int> start, ReadOnlySpan<int> length, Span<UInt128> destination) =>
        ComputeMany(text, start, length, destination, BestPath);

    /// <summary>The widest multi-buffer path this machine runs in hardware.</summary>
    internal static readonly HmacPath BestPath =
        Avx512Lanes.IsSupported ? HmacPath.Lanes16Avx512
        : Avx512VLLanes.IsSupported ? HmacPath.Lanes8Avx512
        : Avx2Lanes.IsSupported ? HmacPath.Lanes8Avx2
        : HmacPath.Scalar;

    /// <summary>The 8-lane path used for a 16-lane batch's tail of 8 to 15 ids.</summary>
    private static readonly HmacPath s_best8 =
        Avx512VLLanes.IsSupported ? HmacPath.Lanes8Avx512
        : Avx2Lanes.IsSupported ? HmacPath.Lanes8Avx2
        : HmacPath.Scalar;

    internal static bool IsSupported(HmacPath path) => path switch
    {
        HmacPath.Scalar => true,
        HmacPath.Lanes8Avx2 => Avx2Lanes.IsSupported,
        HmacPath.Lanes8Avx512 => Avx512VLLanes.IsSupported,
        HmacPath.Lanes16Avx512 => Avx512Lanes.IsSupported,
        _ => false,
    };

    private static int LaneCount(HmacPath path) => path switch
    {
        HmacPath.Lanes8Avx2 or HmacPath.Lanes8Avx512 => 8,
        HmacPath.Lanes16Avx512 => 16,
        _ => 1,
    };

    /// <summary><see cref="ComputeMany(ReadOnlySpan{byte}, ReadOnlySpan{int}, ReadOnlySpan{int}, Span{UInt128})"/> forced onto one path (tests and benchmarks).</summary>
    internal void ComputeMany(ReadOnlySpan<byte> text, ReadOnlySpan<int> start, ReadOnlySpan<int> length, Span<UInt128> destination, HmacPath path)
    {
        var count = start.Length;
        if (length.Length != count)
        {
            throw new ArgumentException("start and length must have the same count", nameof(length));
        }

        if (destination.Length < count)
        {
            throw new ArgumentException("destination is shorter than start", nameof(destination));
        }

        if (!IsSupported(path))
        {
            throw new PlatformNotSupportedException(path + " is not supported on this machine");
        }

        // Indices of the single-block ids waiting for a full vector.
        var lanes = LaneCount(path);
        Span<int> pending = stackalloc int[16];
        var waiting = 0;
        for (var i = 0; i < count; i++)
        {
            var n = length[i];
            if (lanes == 1 || n > HmacSha256Key.MaxSingleBlock)
            {
                destination[i] = _mac.Mac128(text.Slice(start[i], n));
                continue;
            }

            // Checked here, not in the lanes: an out-of-range slice throws like Compute would.
            _ = text.Slice(start[i], n);
            pending[waiting++] = i;
            if (waiting == lanes)
            {
                RunLanes(path, text, start, length, pending[..lanes], destination);
                waiting = 0;
            }
        }

        // The tail: a 16-lane batch still fills one 8-lane vector when it can; the rest one by one.
        var done = 0;
        if (lanes == 16 && waiting >= 8 && s_best8 != HmacPath.Scalar)
        {
            RunLanes(s_best8, text, start, length, pending[..8], destination);
            done = 8;
        }

        for (var j = done; j < waiting; j++)
        {
            var i = pending[j];
            destination[i] = _mac.Mac128(text.Slice(start[i], length[i]));
        }
    }

    private void RunLanes(HmacPath path, ReadOnlySpan<byte> text, ReadOnlySpan<int> start, ReadOnlySpan<int> length, ReadOnlySpan<int> which, Span<UInt128> destination)
    {
        switch (path)
        {
            case HmacPath.Lanes8Avx2:
                Sha256Lanes.Mac128<Avx2Lanes, Vector256<uint>>(_mac, text, start, length, which, destination);
                break;
            case HmacPath.Lanes8Avx512:
                Sha256Lanes.Mac128<Avx512VLLanes, Vector256<uint>>(_mac, text, start, length, which, destination);
                break;
            case HmacPath.Lanes16Avx512:
                Sha256Lanes.Mac128<Avx512Lanes, Vector512<uint>>(_mac, text, start, length, which, destination);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(path));
        }
    }

    /// <summary>
    /// Internal grouping key for a person when no key is configured (identifiers kept): a fast
    /// non-cryptographic 128-bit hash of the id, used only to link a person's cases inside Grouper
    /// and never written out.
    /// </summary>
    public static UInt128 Unkeyed(ReadOnlySpan<byte> personId)
    {
        ulong h1 = 0x9E3779B97F4A7C15UL ^ (ulong)personId.Length;
        ulong h2 = 0xC2B2AE3D27D4EB4FUL;
        var i = 0;
        for (; i + 8 <= personId.Length; i += 8)
        {
            var k = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(personId[i..]);
            h1 = Mix(h1 ^ k);
            h2 = Mix(h2 + k + 0x165667B19E3779F9UL);
        }

        ulong tail = 0;
        for (var j = 0; i < personId.Length; i++, j += 8)
        {
            tail |= (ulong)personId[i] << j;
        }

        h1 = Mix(h1 ^ tail ^ 0xFF51AFD7ED558CCDUL);
        h2 = Mix(h2 + tail + h1);
        return new UInt128(h1, h2);
    }

    private static ulong Mix(ulong x)
    {
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdUL;
        x ^= x >> 33;
        x *= 0xc4ceb9fe1a85ec53UL;
        x ^= x >> 33;
        return x;
    }

    public static string Format(UInt128 pseudonym) => string.Create(32, pseudonym, static (span, p) => Format(p, span));

    /// <summary>Writes the 32 lower-case hex digits of <paramref name="pseudonym"/> (as <c>ToString("x32")</c>) into <paramref name="destination"/>.</summary>
    public static void Format(UInt128 pseudonym, Span<char> destination)
    {
        var hi = (ulong)(pseudonym >> 64);
        var lo = (ulong)pseudonym;
        for (var i = 15; i >= 0; i--)
        {
            destination[i] = "0123456789abcdef"[(int)(hi & 0xF)];
            destination[16 + i] = "0123456789abcdef"[(int)(lo & 0xF)];
            hi >>= 4;
            lo >>= 4;
        }
    }

    /// <summary>Writes the same 32 lower-case hex digits as ASCII bytes (UTF-8 output columns; once per case, so vectorised).</summary>
    public static void Format(UInt128 pseudonym, Span<byte> destination)
    {
        if (System.Runtime.Intrinsics.X86.Ssse3.IsSupported && destination.Length >= 32)
        {
            // Bytes most significant first, each byte's high nibble then low nibble, one table shuffle per half.
            var v = System.Runtime.Intrinsics.Vector128.Create((ulong)pseudonym, (ulong)(pseudonym >> 64)).AsByte();
            v = System.Runtime.Intrinsics.X86.Ssse3.Shuffle(v, System.Runtime.Intrinsics.Vector128.Create((byte)15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0));
            var digits = System.Runtime.Intrinsics.Vector128.Create("0123456789abcdef"u8);
            var nibble = System.Runtime.Intrinsics.Vector128.Create((byte)0x0F);
            var high = System.Runtime.Intrinsics.X86.Ssse3.Shuffle(digits, System.Runtime.Intrinsics.Vector128.ShiftRightLogical(v.AsUInt16(), 4).AsByte() & nibble);
            var low = System.Runtime.Intrinsics.X86.Ssse3.Shuffle(digits, v & nibble);
            ref var dst = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(destination);
            System.Runtime.Intrinsics.Vector128.StoreUnsafe(System.Runtime.Intrinsics.X86.Sse2.UnpackLow(high, low), ref dst);
            System.Runtime.Intrinsics.Vector128.StoreUnsafe(System.Runtime.Intrinsics.X86.Sse2.UnpackHigh(high, low), ref dst, 16);
            return;
        }

        FormatScalar(pseudonym, destination);
    }

    /// <summary><see cref="Format(UInt128, Span{byte})"/> one digit at a time (no SSSE3; tests compare the two).</summary>
    internal static void FormatScalar(UInt128 pseudonym, Span<byte> destination)
    {
        var hi = (ulong)(pseudonym >> 64);
        var lo = (ulong)pseudonym;
        for (var i = 15; i >= 0; i--)
        {
            destination[i] = "0123456789abcdef"u8[(int)(hi & 0xF)];
            destination[16 + i] = "0123456789abcdef"u8[(int)(lo & 0xF)];
            hi >>= 4;
            lo >>= 4;
        }
    }

    /// <summary>
    /// The configured key: the file named by <paramref name="keyFile"/> (a setting, never the key
    /// itself on a command line), else <see cref="KeyFileVariable"/>, else <see cref="KeyVariable"/>.
    /// Null when none is configured.
    /// </summary>
    public static Pseudonymizer? FromConfiguration(string? keyFile, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        keyFile ??= environment(KeyFileVariable);
        string? text;
        string source;
        if (!string.IsNullOrEmpty(keyFile))
        {
            if (!File.Exists(keyFile))
            {
                throw new InputException(keyFile, "pseudonymization key file not found");
            }

            text = File.ReadAllText(keyFile).Trim();
            source = keyFile;
        }
        else
        {
            text = environment(KeyVariable);
            source = "environment variable " + KeyVariable;
        }

        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var key = Decode(text);
        if (key.Length < 16)
        {
            // The message never contains the key.
            throw new InputException(source, "the pseudonymization key is shorter than 16 bytes; use at least 32 random hex digits");
        }

        return new Pseudonymizer(key);
    }

    private static byte[] Decode(string text)
    {
        if (text.Length % 2 == 0 && text.All(Uri.IsHexDigit))
        {
            return Convert.FromHexString(text);
        }

        var buffer = new byte[text.Length];
        if (Convert.TryFromBase64String(text, buffer, out var n) && n >= 16)
        {
            return buffer[..n];
        }

        return Encoding.UTF8.GetBytes(text);
    }
}
