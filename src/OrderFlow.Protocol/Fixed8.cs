using System.Globalization;

namespace OrderFlow.Protocol;

/// <summary>
/// An exact decimal with 8 fractional digits held as a scaled 64-bit integer: Binance prices and quantities have at
/// most 8, and summing them in double drifts. The range (±92 billion) covers any price, quantity or volume sum.
/// </summary>
public readonly record struct Fixed8(long Raw) : IComparable<Fixed8>
{
    public const int Decimals = 8;
    public const long Scale = 100_000_000;

    public static readonly Fixed8 Zero = new(0);

    public static Fixed8 operator +(Fixed8 a, Fixed8 b) => new(checked(a.Raw + b.Raw));
    public static Fixed8 operator -(Fixed8 a, Fixed8 b) => new(checked(a.Raw - b.Raw));
    public static bool operator <(Fixed8 a, Fixed8 b) => a.Raw < b.Raw;
    public static bool operator >(Fixed8 a, Fixed8 b) => a.Raw > b.Raw;
    public static bool operator <=(Fixed8 a, Fixed8 b) => a.Raw <= b.Raw;
    public static bool operator >=(Fixed8 a, Fixed8 b) => a.Raw >= b.Raw;

    public int CompareTo(Fixed8 other) => Raw.CompareTo(other.Raw);

    /// <summary>Exact: a long with scale 8 always fits a decimal.</summary>
    public decimal ToDecimal()
    {
        var magnitude = Raw == long.MinValue ? (ulong)long.MaxValue + 1 : (ulong)Math.Abs(Raw);
        return new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), 0, Raw < 0, Decimals);
    }

    /// <summary>Converts a decimal that has at most 8 fractional digits; anything else would silently round.</summary>
    public static Fixed8 FromDecimal(decimal value)
    {
        var scaled = value * Scale;
        if (scaled != decimal.Truncate(scaled))
            throw new ArgumentException($"{value} has more than {Decimals} fractional digits", nameof(value));
        return new Fixed8(decimal.ToInt64(scaled));
    }

    /// <summary>
    /// Parses an unsigned decimal string as Binance writes them ("91350.12000000"): digits, an optional point and at
    /// most 8 fractional digits. No sign, exponent, spaces or grouping; false on overflow.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8, out Fixed8 value)
    {
        value = Zero;
        if (utf8.IsEmpty) return false;

        // At most 11 whole digits fit once scaled (long.MaxValue / 10^8 ≈ 9.2·10^10).
        const int MaxWholeDigits = 11;
        var wholeDigits = AsciiDigits.RunLength(utf8);
        if (wholeDigits is 0 or > MaxWholeDigits) return false;
        var whole = AsciiDigits.Value(utf8[..wholeDigits]);
        if (whole > long.MaxValue / Scale) return false;

        long fraction = 0;
        if (wholeDigits < utf8.Length)
        {
            if (utf8[wholeDigits] != (byte)'.') return false;
            var digits = utf8[(wholeDigits + 1)..];
            if (digits.Length is 0 or > Decimals || AsciiDigits.RunLength(digits) != digits.Length) return false;
            fraction = AsciiDigits.Value(digits);
            for (var pad = digits.Length; pad < Decimals; pad++) fraction *= 10;
        }

        if (whole * Scale > long.MaxValue - fraction) return false;
        value = new Fixed8(whole * Scale + fraction);
        return true;
    }

    public static Fixed8 Parse(string text) =>
        TryParse(System.Text.Encoding.UTF8.GetBytes(text), out var value)
            ? value
            : throw new FormatException($"'{text}' is not an unsigned decimal with at most {Decimals} fractional digits");

    /// <summary>The shortest exact form: "0.123456", "91350".</summary>
    public override string ToString() => ToDecimal().ToString("0.########", CultureInfo.InvariantCulture);

    /// <summary>All 8 digits, as Binance writes them: "91350.00000000".</summary>
    public string ToWireString() => ToDecimal().ToString("0.00000000", CultureInfo.InvariantCulture);
}
