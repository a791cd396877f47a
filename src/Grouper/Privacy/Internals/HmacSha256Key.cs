namespace Grouper.Privacy.Internals;

/// <summary>
/// An HMAC-SHA256 key reduced to its two midstates (RFC 2104): the SHA-256 state after compressing
/// K0 ^ ipad and after K0 ^ opad, where K0 is the key (hashed first when longer than the 64-byte
/// block) padded with zeros to 64 bytes. With these, a MAC of a message of at most 55 bytes is
/// exactly two compressions: inner = compress(ipad state, padded message), outer = compress(opad
/// state, padded inner digest). Immutable, so one instance is shared by every thread.
/// </summary>
internal sealed class HmacSha256Key
{
    /// <summary>Bytes of the message that still fit the first inner block with 0x80 and the 8-byte length.</summary>
    public const int MaxSingleBlock = 55;

    public HmacSha256Key(ReadOnlySpan<byte> key)
    {
        Span<byte> k0 = stackalloc byte[64];
        k0.Clear();
        if (key.Length > 64)
        {
            Sha256Scalar.Hash(key, k0[..32]);
        }
        else
        {
            key.CopyTo(k0);
        }

        Span<byte> pad = stackalloc byte[64];
        Inner = Midstate(k0, pad, 0x36);
        Outer = Midstate(k0, pad, 0x5c);
        pad.Clear();
        k0.Clear();
    }

    /// <summary>State after compressing K0 ^ ipad (0x36 repeated).</summary>
    public readonly Sha256State Inner;

    /// <summary>State after compressing K0 ^ opad (0x5c repeated).</summary>
    public readonly Sha256State Outer;

    private static Sha256State Midstate(ReadOnlySpan<byte> k0, Span<byte> pad, byte xor)
    {
        for (var i = 0; i < 64; i++)
        {
            pad[i] = (byte)(k0[i] ^ xor);
        }

        var state = Sha256Scalar.InitialState();
        var w = default(Sha256Block);
        Sha256Scalar.Load(pad, ref w);
        Sha256Scalar.Compress(ref state, ref w);
        return state;
    }

    /// <summary>The full MAC of a message of any length, one message at a time (scalar), as the final outer state.</summary>
    public void Mac(ReadOnlySpan<byte> message, out Sha256State mac)
    {
        var inner = Inner;
        Sha256Scalar.Finish(ref inner, message, 64);
        mac = Outer;
        var w = OuterBlock(in inner);
        Sha256Scalar.Compress(ref mac, ref w);
    }

    /// <summary>The full 32-byte MAC (big-endian digest bytes).</summary>
    public void Mac(ReadOnlySpan<byte> message, Span<byte> destination)
    {
        Mac(message, out var mac);
        Sha256Scalar.Store(in mac, destination);
    }

    /// <summary>The first 128 bits of the MAC, big-endian (what a pseudonym keeps).</summary>
    public UInt128 Mac128(ReadOnlySpan<byte> message)
    {
        Mac(message, out var mac);
        return First128(mac[0], mac[1], mac[2], mac[3]);
    }

    /// <summary>The first 128 bits of a digest from its first four words: word 0 is the most significant.</summary>
    public static UInt128 First128(uint h0, uint h1, uint h2, uint h3) =>
        new(((ulong)h0 << 32) | h1, ((ulong)h2 << 32) | h3);

    /// <summary>
    /// The single outer block: the 32-byte inner digest, 0x80, zeros, and the bit length of the
    /// outer message (64-byte opad block + 32-byte digest = 96 bytes = 768 bits).
    /// </summary>
    private static Sha256Block OuterBlock(in Sha256State inner)
    {
        var w = default(Sha256Block);
        for (var i = 0; i < 8; i++)
        {
            w[i] = inner[i];
        }

        w[8] = 0x80000000;
        w[15] = 768;
        return w;
    }
}
