using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Grouper.Internals;

namespace Grouper.Ingest.Internals;

/// <summary>
/// Faster forms of <see cref="Utf8Lexical"/> checks for the parser's hot path. Each accepts exactly
/// what its <see cref="Utf8Lexical"/> counterpart accepts (tests compare them on every input class).
/// </summary>
internal static class FastLexical
{
    // Cumulative days before each month, common and leap years.
    private static readonly int[] DaysBefore = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];
    private static readonly int[] DaysBeforeLeap = [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366];

    // Bytes 0-3 and 5-6 of "yyyy-MM-" are digits; 4 and 7 are '-'.
    private const ulong DigitMask = 0x00FF_FF00_FFFF_FFFFUL;
    private const ulong HighNibbles = 0xF0F0_F0F0_F0F0_F0F0UL & DigitMask;
    private const ulong Threes = 0x3030_3030_3030_3030UL & DigitMask;
    private const ulong Dashes = 0x2D00_002D_0000_0000UL;
    private const ulong DashMask = 0xFF00_00FF_0000_0000UL;

    /// <summary>
    /// As <see cref="Utf8Lexical.IsCleanText"/> but first tries the common case (printable ASCII
    /// within the limit) in one tight loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsCleanText(ReadOnlySpan<byte> s, int maxChars, out bool tooLong)
    {
        if (s.Length <= maxChars && IsPrintableAscii(s))
        {
            tooLong = false;
            return true;
        }

        return Utf8Lexical.IsCleanText(s, maxChars, out tooLong);
    }

    /// <summary>Every byte in 0x20..0x7E, eight bytes per step.</summary>
    internal static bool IsPrintableAscii(ReadOnlySpan<byte> s)
    {
        var i = 0;
        ulong bad = 0;
        for (; i + 8 <= s.Length; i += 8)
        {
            bad |= NotPrintable(BinaryPrimitives.ReadUInt64LittleEndian(s[i..]));
        }

        if (i < s.Length)
        {
            if (s.Length >= 8)
            {
                // The last eight bytes, overlapping bytes already checked.
                bad |= NotPrintable(BinaryPrimitives.ReadUInt64LittleEndian(s[^8..]));
            }
            else
            {
                for (; i < s.Length; i++)
                {
                    bad |= (uint)(s[i] - 0x20) >= 0x5F ? 1UL : 0UL;
                }
            }
        }

        return bad == 0;
    }

    /// <summary>
    /// Non-zero when a byte of <paramref name="x"/> is outside 0x20..0x7E: its own high bit, the
    /// borrow of subtracting 0x20 from a byte below 0x20, or the carry of adding 1 to 0x7F. A borrow
    /// or carry crossing into the next byte needs a byte that already fails, so the test is exact.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong NotPrintable(ulong x) =>
        (x | (x - 0x2020_2020_2020_2020UL) | (x + 0x0101_0101_0101_0101UL)) & 0x8080_8080_8080_8080UL;

    /// <summary>
    /// As <see cref="Utf8Lexical.TryParseMoney"/>, with the usual form (1 to 9 digits, a point, two
    /// digits) read in one loop without the general checks.
    /// </summary>
    public static bool TryParseMoney(ReadOnlySpan<byte> s, out long fen)
    {
        var n = s.Length;
        if ((uint)(n - 4) <= 8 && s[n - 3] == (byte)'.')
        {
            long yuan = 0;
            var ok = true;
            for (var i = 0; i < n - 3; i++)
            {
                var d = (uint)(s[i] - '0');
                ok &= d <= 9;
                yuan = (yuan * 10) + d;
            }

            var d1 = (uint)(s[n - 2] - '0');
            var d2 = (uint)(s[n - 1] - '0');
            if (ok && d1 <= 9 && d2 <= 9)
            {
                fen = (yuan * 100) + (d1 * 10) + d2;
                return true;
            }
        }

        return Utf8Lexical.TryParseMoney(s, out fen);
    }

    // Character classes of the code grammars: the simple forms are checked per position with one
    // table lookup and no branch, and packed as they are read.
    internal const byte Upper = 1;
    internal const byte Digit = 2;
    internal const byte Lower = 4;
    internal const byte Dot = 8;
    internal const byte Alnum = Upper | Digit | Lower;

    private static readonly byte[] Classes = BuildClasses();

    /// <summary>Expected class per position of the simple ICD-10 form <c>[A-Z][0-9]{2}(\.[0-9A-Za-z]*)?</c>; the last entry repeats.</summary>
    internal static ReadOnlySpan<byte> DxForm => [Upper, Digit, Digit, Dot, Alnum];

    /// <summary>Expected class per position of the ICD-9-CM-3 form <c>[0-9]{2}(\.[0-9A-Za-z]*)?</c>; the last entry repeats.</summary>
    internal static ReadOnlySpan<byte> ProcForm => [Digit, Digit, Dot, Alnum];

    private static byte[] BuildClasses()
    {
        var t = new byte[256];
        for (var c = 'A'; c <= 'Z'; c++)
        {
            t[c] = Upper;
        }

        for (var c = 'a'; c <= 'z'; c++)
        {
            t[c] = Lower;
        }

        for (var c = '0'; c <= '9'; c++)
        {
            t[c] = Digit;
        }

        t['.'] = Dot;
        return t;
    }

    /// <summary>
    /// True when <paramref name="s"/> is a code of the simple <paramref name="form"/> (no blanks, no
    /// dagger-asterisk pair, at most <see cref="Grouper.Core.Code.MaxPackedLength"/> characters, at
    /// least <paramref name="minLength"/>), with <paramref name="code"/> equal to
    /// <see cref="Grouper.Core.Code.FromUtf8"/>. False says only "not simple": the caller then uses
    /// <see cref="Utf8Lexical.IsDx"/> / <see cref="Utf8Lexical.IsProc"/>.
    /// </summary>
    public static bool TrySimpleCode(ReadOnlySpan<byte> s, ReadOnlySpan<byte> form, int minLength, out Grouper.Core.Code code)
    {
        var packed = ScanSimpleCode(s, 0, form, minLength, (byte)';', out var end);
        code = new Grouper.Core.Code(packed);
        return packed != UInt128.Zero && end == s.Length;
    }

    /// <summary>
    /// Reads the list item starting at <paramref name="start"/> up to the next <paramref name="separator"/>
    /// (or the end; <paramref name="end"/> is its index) and returns, as <see cref="TrySimpleCode"/>
    /// decides, its packed value when it is a simple code, else zero (no code packs to zero). One
    /// pass: check, pack and search together. The value is returned in registers: an out parameter
    /// read back as one 16-byte value stalls store forwarding.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static UInt128 ScanSimpleCode(ReadOnlySpan<byte> list, int start, ReadOnlySpan<byte> form, int minLength, byte separator, out int end)
    {
        ref var classes = ref MemoryMarshal.GetArrayDataReference(Classes);
        var prefix = form.Length - 1; // positions with their own class; the rest are alphanumeric
        var i = start;
        var n = list.Length;
        var bad = 0;
        UInt128 acc = 0;
        for (; i < n; i++)
        {
            var b = list[i];
            if (b == separator)
            {
                break;
            }

            var k = i - start;
            var expected = k < prefix ? form[k] : Alnum;
            bad |= (Unsafe.Add(ref classes, b) & expected) == 0 ? 1 : 0;
            acc = (acc << 7) | b;
        }

        end = i;
        var length = i - start;
        if (bad != 0 || length < minLength || length > Grouper.Core.Code.MaxPackedLength)
        {
            return UInt128.Zero;
        }

        // Character j ends at bits 125 - 7j .. 119 - 7j, as Code.FromUtf8 packs it.
        return acc << (126 - (7 * length));
    }

    /// <summary>As <see cref="Utf8Lexical.TryParseDate"/>: <c>yyyy-MM-dd</c>, a real calendar date, checked eight bytes at a time.</summary>
    public static bool TryParseDate(ReadOnlySpan<byte> s, out DateOnly date)
    {
        date = default;
        if (s.Length != 10)
        {
            return false;
        }

        var v = BinaryPrimitives.ReadUInt64LittleEndian(s);
        // A byte is a digit when its high nibble is 3 and adding 6 keeps it so (0x30..0x39). A carry
        // out of a byte needs a byte >= 0xFA, which already fails its own check.
        if ((v & DashMask) != Dashes || (v & HighNibbles) != Threes || ((v + 0x0606_0606_0606_0606UL) & HighNibbles) != Threes)
        {
            return false;
        }

        var d8 = s[8] - '0';
        var d9 = s[9] - '0';
        if ((uint)d8 > 9 || (uint)d9 > 9)
        {
            return false;
        }

        var year = ((int)(v & 0xF) * 1000) + ((int)((v >> 8) & 0xF) * 100) + ((int)((v >> 16) & 0xF) * 10) + (int)((v >> 24) & 0xF);
        var month = ((int)((v >> 40) & 0xF) * 10) + (int)((v >> 48) & 0xF);
        var day = (d8 * 10) + d9;
        if (year < 1 || (uint)(month - 1) > 11 || day < 1)
        {
            return false;
        }

        var leap = (year & 3) == 0 && (year % 100 != 0 || year % 400 == 0);
        var table = leap ? DaysBeforeLeap : DaysBefore;
        var before = table[month - 1];
        if (day > table[month] - before)
        {
            return false;
        }

        var y = year - 1;
        date = DateOnly.FromDayNumber((y * 365) + (y / 4) - (y / 100) + (y / 400) + before + day - 1);
        return true;
    }
}
