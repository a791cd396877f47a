using System.Runtime.CompilerServices;

namespace Grouper.Tests.Ingest;

/// <summary>Frozen copy of Utf8Lexical before the fast parser: lexical forms of records.md, parsed straight from UTF-8 bytes without allocation.</summary>
internal static class ReferenceLexical
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsUpper(byte b) => (uint)(b - 'A') <= 'Z' - 'A';

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsAlnum(byte b) => IsDigit(b) || IsUpper(b) || (uint)(b - 'a') <= 'z' - 'a';

    public static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> s)
    {
        var start = 0;
        while (start < s.Length && (s[start] == (byte)' ' || s[start] == (byte)'\t'))
        {
            start++;
        }

        var end = s.Length;
        while (end > start && (s[end - 1] == (byte)' ' || s[end - 1] == (byte)'\t'))
        {
            end--;
        }

        return s[start..end];
    }

    /// <summary><c>^[0-9]+$</c> within [min, max]. Leading zeros are allowed.</summary>
    public static bool TryParseInt(ReadOnlySpan<byte> s, int min, int max, out int value)
    {
        value = 0;
        if (s.IsEmpty)
        {
            return false;
        }

        long v = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var b = s[i];
            if (!IsDigit(b))
            {
                return false;
            }

            v = (v * 10) + (b - '0');
            if (v > max)
            {
                return false;
            }
        }

        if (v < min)
        {
            return false;
        }

        value = (int)v;
        return true;
    }

    /// <summary>Money in yuan, <c>^[0-9]{1,9}(\.[0-9]{1,2})?$</c>, as integer fen.</summary>
    public static bool TryParseMoney(ReadOnlySpan<byte> s, out long fen)
    {
        fen = 0;
        var i = 0;
        long yuan = 0;
        while (i < s.Length && IsDigit(s[i]))
        {
            yuan = (yuan * 10) + (s[i] - '0');
            i++;
        }

        if (i is 0 or > 9)
        {
            return false;
        }

        long cents = 0;
        if (i < s.Length)
        {
            if (s[i] != (byte)'.')
            {
                return false;
            }

            var decimals = s.Length - i - 1;
            if (decimals is < 1 or > 2)
            {
                return false;
            }

            for (var j = i + 1; j < s.Length; j++)
            {
                if (!IsDigit(s[j]))
                {
                    return false;
                }

                cents = (cents * 10) + (s[j] - '0');
            }

            if (decimals == 1)
            {
                cents *= 10;
            }
        }

        fen = (yuan * 100) + cents;
        return true;
    }

    /// <summary><c>yyyy-MM-dd</c>, a real calendar date.</summary>
    public static bool TryParseDate(ReadOnlySpan<byte> s, out DateOnly date)
    {
        date = default;
        if (s.Length != 10 || s[4] != (byte)'-' || s[7] != (byte)'-')
        {
            return false;
        }

        if (!IsDigit(s[0]) || !IsDigit(s[1]) || !IsDigit(s[2]) || !IsDigit(s[3]) || !IsDigit(s[5]) || !IsDigit(s[6]) || !IsDigit(s[8]) || !IsDigit(s[9]))
        {
            return false;
        }

        var year = ((s[0] - '0') * 1000) + ((s[1] - '0') * 100) + ((s[2] - '0') * 10) + (s[3] - '0');
        var month = ((s[5] - '0') * 10) + (s[6] - '0');
        var day = ((s[8] - '0') * 10) + (s[9] - '0');
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        date = new DateOnly(year, month, day);
        return true;
    }

    /// <summary>ICD-10 医保版 2.0 form: <c>^[A-Z][0-9]{2}(\.[0-9A-Za-z]*)?(\+[A-Z][0-9]{2}(\.[0-9A-Za-z]*)?\*)?$</c>.</summary>
    public static bool IsDx(ReadOnlySpan<byte> s)
    {
        var i = MatchDxCore(s, 0);
        if (i < 0)
        {
            return false;
        }

        if (i == s.Length)
        {
            return true;
        }

        if (s[i] != (byte)'+')
        {
            return false;
        }

        var j = MatchDxCore(s, i + 1);
        return j >= 0 && j == s.Length - 1 && s[j] == (byte)'*';
    }

    private static int MatchDxCore(ReadOnlySpan<byte> s, int i)
    {
        if (s.Length < i + 3 || !IsUpper(s[i]) || !IsDigit(s[i + 1]) || !IsDigit(s[i + 2]))
        {
            return -1;
        }

        i += 3;
        if (i < s.Length && s[i] == (byte)'.')
        {
            i++;
            while (i < s.Length && IsAlnum(s[i]))
            {
                i++;
            }
        }

        return i;
    }

    /// <summary>ICD-9-CM-3 医保版 2.0 form: <c>^[0-9]{2}(\.[0-9A-Za-z]*)?$</c>.</summary>
    public static bool IsProc(ReadOnlySpan<byte> s)
    {
        if (s.Length < 2 || !IsDigit(s[0]) || !IsDigit(s[1]))
        {
            return false;
        }

        if (s.Length == 2)
        {
            return true;
        }

        if (s[2] != (byte)'.')
        {
            return false;
        }

        for (var i = 3; i < s.Length; i++)
        {
            if (!IsAlnum(s[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Text of at most <paramref name="maxChars"/> characters, valid UTF-8, no control characters
    /// (C0, DEL, C1). Returns false with <paramref name="tooLong"/> telling which rule failed.
    /// </summary>
    public static bool IsCleanText(ReadOnlySpan<byte> s, int maxChars, out bool tooLong)
    {
        tooLong = false;
        var chars = 0;
        var i = 0;
        while (i < s.Length)
        {
            var b = s[i];
            if (b < 0x80)
            {
                if (b < 0x20 || b == 0x7F)
                {
                    return false;
                }

                i++;
            }
            else
            {
                if (System.Text.Rune.DecodeFromUtf8(s[i..], out var rune, out var used) != System.Buffers.OperationStatus.Done)
                {
                    return false;
                }

                if (rune.Value is >= 0x80 and <= 0x9F)
                {
                    return false;
                }

                i += used;
            }

            chars++;
        }

        if (chars > maxChars)
        {
            tooLong = true;
            return false;
        }

        return true;
    }
}
