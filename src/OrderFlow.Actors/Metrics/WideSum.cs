using System.Numerics;

namespace OrderFlow.Actors.Metrics;

/// <summary>
/// An unsigned 256-bit running sum (and difference) of q·p² (quantity times price squared, raw fixed-point units), exact and without
/// allocation. One hour of trades overflows 128 bits here: a single 1 BTC trade at 100,000 is already 10^34 raw.
/// </summary>
public struct WideSum
{
    private UInt128 _low;
    private UInt128 _high;

    public void AddQuantityTimesPriceSquared(ulong quantity, ulong price)
    {
        var qp = (UInt128)quantity * price;
        var partLow = (UInt128)(ulong)qp * price;
        var partHigh = (UInt128)(ulong)(qp >> 64) * price;
        // product = partLow + partHigh·2^64, spread over a low and a high 128-bit word.
        var low = partLow + (partHigh << 64);
        var high = (partHigh >> 64) + (low < partLow ? UInt128.One : UInt128.Zero);
        Add(low, high);
    }

    public void Add(in WideSum other) => Add(other._low, other._high);

    /// <summary>Takes away a sum that was added before (so the result is never negative).</summary>
    public void Subtract(in WideSum other)
    {
        var borrow = _low < other._low ? UInt128.One : UInt128.Zero;
        _low -= other._low;
        _high -= other._high + borrow;
    }

    public readonly BigInteger ToBigInteger() => ((BigInteger)_high << 128) + (BigInteger)_low;

    private void Add(UInt128 low, UInt128 high)
    {
        var sum = _low + low;
        _high += high + (sum < low ? UInt128.One : UInt128.Zero);
        _low = sum;
    }
}
