using System.Numerics;

namespace OrderFlow.Actors.Metrics;

/// <summary>Raw fixed-point integers to decimals, exactly while the digits fit a decimal's 96-bit mantissa.</summary>
internal static class Exact
{
    private static readonly Int128 DecimalMantissaLimit = (Int128)1 << 96;

    public static decimal Quantity(long raw8) => new OrderFlow.Protocol.Fixed8(raw8).ToDecimal();

    /// <summary>A notional (scale 10^-16). Beyond 7.9·10^12 in quote currency the last digits are rounded.</summary>
    public static decimal Notional(Int128 raw16)
    {
        if (Int128.Abs(raw16) < DecimalMantissaLimit) return (decimal)raw16 / 10_000_000_000_000_000m;
        return (decimal)(raw16 / 100_000_000) / 100_000_000m;
    }

    /// <summary>Decimals kept by every ratio (VWAP, σ, delta%, trades/s): exact to here, truncated towards zero.</summary>
    public const int RatioDecimals = 12;

    public static readonly BigInteger RatioScale = BigInteger.Pow(10, RatioDecimals);

    /// <summary>numerator / denominator, truncated to <see cref="RatioDecimals"/> decimals.</summary>
    public static decimal Ratio(BigInteger numerator, BigInteger denominator) => Scaled(numerator * RatioScale / denominator);

    /// <summary>A value held as an integer count of 10^-<see cref="RatioDecimals"/>.</summary>
    public static decimal Scaled(BigInteger units) => (decimal)units / 1_000_000_000_000m;

    /// <summary>⌊√n⌋ for n ≥ 0, by Newton's method on integers.</summary>
    public static BigInteger SquareRootFloor(BigInteger n)
    {
        if (n.Sign <= 0) return BigInteger.Zero;
        var x = BigInteger.One << (int)((n.GetBitLength() + 1) / 2);
        while (true)
        {
            var next = (x + n / x) >> 1;
            if (next >= x) return x;
            x = next;
        }
    }
}
