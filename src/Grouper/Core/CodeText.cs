using System.Runtime.CompilerServices;

namespace Grouper.Core;

/// <summary>
/// The ASCII text of packed <see cref="Code"/>s, written without a string and without 128-bit
/// shifts: <see cref="Code.CopyTo"/> and the cases.parquet code lists both write through it.
/// </summary>
internal static class CodeText
{
    /// <summary>Bytes <see cref="Write"/> may touch past the start of its destination (it stores whole 8-byte words).</summary>
    public const int MaxWrite = Code.MaxPackedLength;

    /// <summary>
    /// Writes the characters of <paramref name="code"/> (a packed code: not <see cref="Code.IsOverflow"/>)
    /// at <paramref name="destination"/> and returns how many; it writes zeros after them up to
    /// <see cref="MaxWrite"/> bytes from the start, so the caller leaves that much room.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Write(Code code, ref byte destination)
    {
        // Characters 0..8 are bits 125..63 and 9..17 bits 62..0 (Code.cs): as two 63-bit words,
        // character k of a word in its bits 62−7k..56−7k, unused characters zero. Both words are
        // always written: characters past the end are zero, so the length is the non-zero count
        // of both, with no branch on it (code lengths vary row to row, a branch would mispredict).
        var hi = (ulong)(code.Value >> 64);
        var lo = (ulong)code.Value;
        var first = (hi << 1) | (lo >> 63);
        var second = lo & 0x7FFF_FFFF_FFFF_FFFFUL;
        return Word(first, ref destination) + Word(second, ref Unsafe.Add(ref destination, 9));
    }

    /// <summary>The up to 9 characters of one 63-bit word (8 as one little-endian store, then the ninth) and how many are not zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Word(ulong w, ref byte destination)
    {
        var bytes = Spread(w >> 7, System.Runtime.Intrinsics.X86.Bmi2.X64.IsSupported);
        Unsafe.WriteUnaligned(ref destination, bytes);
        var ninth = (byte)(w & 0x7F);
        Unsafe.Add(ref destination, 8) = ninth;

        // The zero bytes are the trailing ones: the count is where they start, plus the ninth.
        return 8 - (System.Numerics.BitOperations.LeadingZeroCount(bytes) >> 3) + (ninth != 0 ? 1 : 0);
    }

    /// <summary>
    /// The eight 7-bit characters of <paramref name="packed"/> (the first in bits 55..49) one per
    /// byte, the first in the lowest byte: one bit deposit and a byte swap where BMI2 is there.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Spread(ulong packed, bool pdep)
    {
        if (pdep && System.Runtime.Intrinsics.X86.Bmi2.X64.IsSupported)
        {
            return System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(System.Runtime.Intrinsics.X86.Bmi2.X64.ParallelBitDeposit(packed, 0x7F7F_7F7F_7F7F_7F7FUL));
        }

        ulong bytes = 0;
        for (var k = 0; k < 8; k++)
        {
            bytes |= ((packed >> (49 - (7 * k))) & 0x7F) << (8 * k);
        }

        return bytes;
    }
}
