using System.Buffers.Binary;

namespace OrderFlow.Protocol;

/// <summary>
/// Runs of ASCII digits read eight at a time (SWAR: the eight bytes as one 64-bit word, combined in three
/// multiplications), for the hot path: an aggTrade frame holds some 60 digits, and a byte at a time they were most of
/// its parse.
/// </summary>
public static class AsciiDigits
{
    /// <summary>The length of the run of digits that starts <paramref name="text"/>.</summary>
    public static int RunLength(ReadOnlySpan<byte> text)
    {
        var end = text.IndexOfAnyExceptInRange((byte)'0', (byte)'9');
        return end < 0 ? text.Length : end;
    }

    /// <summary>The value of <paramref name="digits"/>, all of them digits, at most 18 (so it cannot overflow).</summary>
    public static long Value(ReadOnlySpan<byte> digits)
    {
        long value = 0;
        var head = digits.Length & 7;
        for (var i = 0; i < head; i++) value = value * 10 + (digits[i] - (byte)'0');
        for (var i = head; i < digits.Length; i += 8) value = value * 100_000_000 + Eight(digits.Slice(i, 8));
        return value;
    }

    /// <summary>Eight digits' value: pairs, then fours, then the eight, each step one multiply-add on the whole word.</summary>
    private static long Eight(ReadOnlySpan<byte> eight)
    {
        var word = BinaryPrimitives.ReadUInt64LittleEndian(eight) - 0x3030303030303030UL;
        word = word * 10 + (word >> 8);
        word = ((word & 0x000000FF000000FFUL) * (100 + (1_000_000UL << 32)) + ((word >> 16) & 0x000000FF000000FFUL) * (1 + (10_000UL << 32))) >> 32;
        return (long)word;
    }
}
