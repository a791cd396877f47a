using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;

namespace Grouper.Core;

/// <summary>
/// A diagnosis (ICD-10 医保版 2.0) or procedure (ICD-9-CM-3 医保版 2.0) code packed into 128 bits,
/// so that codes compare, hash and look up as integers and never exist as strings on the hot path.
/// </summary>
/// <remarks>
/// Layout: up to 18 ASCII characters at 7 bits each, the first character in the highest bits
/// (bits 125..119), unused positions zero. Integer order therefore equals ordinal string order,
/// and a prefix of n characters is the value with the low 126 − 7n bits cleared (see
/// <see cref="Prefix"/>). The longest code in the CHS-DRG 2.0 tables has 18 characters
/// (<c>A01.000x005+J17.0*</c>). A well-formed code longer than that cannot be in any catalog; it is
/// kept losslessly by interning its text in a process-wide table and setting bit 127.
/// </remarks>
public readonly struct Code : IEquatable<Code>, IComparable<Code>
{
    public const int MaxPackedLength = 18;
    private const int BitsPerChar = 7;
    private const int TopShift = 119; // 126 - 7

    private static readonly ConcurrentDictionary<string, int> OverflowIds = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<int, string> OverflowTexts = new();

    public readonly UInt128 Value;

    public Code(UInt128 value) => Value = value;

    public static Code Empty => default;

    public bool IsEmpty => Value == UInt128.Zero;

    /// <summary>True when the code was too long to pack and is held in the overflow table.</summary>
    public bool IsOverflow => (Value >> 127) != UInt128.Zero;

    /// <summary>Number of characters (for packed codes).</summary>
    public int Length
    {
        get
        {
            if (IsOverflow)
            {
                return ToString().Length;
            }

            var n = 0;
            for (var i = 0; i < MaxPackedLength; i++)
            {
                if (CharAt(i) == 0)
                {
                    break;
                }

                n++;
            }

            return n;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte CharAt(int index) => (byte)((Value >> (TopShift - (BitsPerChar * index))) & 0x7F);

    /// <summary>Packs ASCII bytes. The caller has checked the code form (no byte above 0x7F, no NUL).</summary>
    public static Code FromUtf8(ReadOnlySpan<byte> ascii)
    {
        if (ascii.Length > MaxPackedLength)
        {
            return FromOverflow(Encoding.ASCII.GetString(ascii));
        }

        // Characters 0..8 fill bits 125..63 (the upper 63 bits below bit 126), characters 9..17
        // bits 62..0: two 64-bit halves are cheaper to build than shifting a UInt128.
        ulong hi = 0;
        ulong lo = 0;
        var n = ascii.Length;
        var first = n < 9 ? n : 9;
        for (var i = 0; i < first; i++)
        {
            hi = (hi << 7) | (ascii[i] & 0x7Fu);
        }

        hi <<= 7 * (9 - first);
        for (var i = 9; i < n; i++)
        {
            lo = (lo << 7) | (ascii[i] & 0x7Fu);
        }

        if (n > 9)
        {
            lo <<= 7 * (18 - n);
        }

        // hi holds 63 bits destined for bits 125..63; lo 63 bits for bits 62..0.
        return new Code(new UInt128(hi >> 1, (hi << 63) | lo));
    }

    public static Code Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxPackedLength)
        {
            return FromOverflow(text);
        }

        Span<byte> buf = stackalloc byte[MaxPackedLength];
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '\0' or > (char)0x7F)
            {
                throw new FormatException($"code '{text}' contains a character outside ASCII");
            }

            buf[i] = (byte)c;
        }

        return FromUtf8(buf[..text.Length]);
    }

    private static Code FromOverflow(string text)
    {
        var id = OverflowIds.GetOrAdd(text, static t =>
        {
            lock (OverflowTexts)
            {
                var next = OverflowTexts.Count + 1;
                OverflowTexts[next] = t;
                return next;
            }
        });
        return new Code((UInt128.One << 127) | (uint)id);
    }

    /// <summary>The first <paramref name="length"/> characters (the whole code when shorter).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Code Prefix(int length)
    {
        if (length >= MaxPackedLength)
        {
            return this;
        }

        if (IsOverflow)
        {
            return Parse(ToString()[..Math.Min(length, ToString().Length)]);
        }

        var keep = BitsPerChar * length;
        var mask = keep == 0 ? UInt128.Zero : ~UInt128.Zero << (126 - keep);
        return new Code(Value & mask);
    }

    /// <summary>Writes the code's ASCII bytes; returns the number written.</summary>
    public int CopyTo(Span<byte> destination)
    {
        if (IsOverflow)
        {
            return Encoding.ASCII.GetBytes(ToString(), destination);
        }

        // CodeText writes whole words (zeros after the text): it writes into a buffer of its own so
        // that only the code's bytes reach the caller's destination.
        Span<byte> text = stackalloc byte[CodeText.MaxWrite];
        var n = CodeText.Write(this, ref System.Runtime.InteropServices.MemoryMarshal.GetReference(text));
        text[..n].CopyTo(destination);
        return n;
    }

    public override string ToString()
    {
        if (IsOverflow)
        {
            return OverflowTexts.TryGetValue((int)(Value & uint.MaxValue), out var s) ? s : "?";
        }

        Span<byte> buf = stackalloc byte[MaxPackedLength];
        var n = CopyTo(buf);
        return Encoding.ASCII.GetString(buf[..n]);
    }

    public bool Equals(Code other) => Value == other.Value;

    public override bool Equals(object? obj) => obj is Code c && Equals(c);

    public override int GetHashCode() => Value.GetHashCode();

    public int CompareTo(Code other) => Value.CompareTo(other.Value);

    public static bool operator ==(Code left, Code right) => left.Equals(right);

    public static bool operator !=(Code left, Code right) => !left.Equals(right);

    public static bool operator <(Code left, Code right) => left.Value < right.Value;

    public static bool operator >(Code left, Code right) => left.Value > right.Value;

    public static bool operator <=(Code left, Code right) => left.Value <= right.Value;

    public static bool operator >=(Code left, Code right) => left.Value >= right.Value;
}
