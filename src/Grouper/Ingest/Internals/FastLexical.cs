using System.Buffers.Binary;
using System.Runtime.CompilerServices;
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

    private static bool IsPrintableAscii(ReadOnlySpan<byte> s)
    {
        foreach (var b in s)
        {
            if ((uint)(b - 0x20) >= 0x5F)
            {
                return false;
            }
        }

        return true;
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
