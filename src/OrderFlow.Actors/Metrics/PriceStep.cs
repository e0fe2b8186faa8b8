namespace OrderFlow.Actors.Metrics;

/// <summary>
/// The price step volume is grouped by (the profile's bins, the footprint's levels): the tick × a configured number of
/// ticks, or with 0 configured the smallest multiple of the tick at or above a tenth of a basis point of the first
/// price (BTC at 91,350 with tick 0.01: 0.92; ETH at 3,120: 0.04). Chosen once, so a series is binned alike throughout;
/// what it is stays stated with the data.
/// </summary>
public static class PriceStep
{
    /// <param name="tick">The symbol's tick at 10^-8 (positive).</param>
    /// <param name="price">The first price at 10^-8.</param>
    public static long Choose(long tick, long price, int ticksPerStep)
    {
        if (ticksPerStep > 0) return tick * ticksPerStep;
        var tenthOfBasisPoint = price / 100_000;
        return Math.Max(tick, (tenthOfBasisPoint + tick - 1) / tick * tick);
    }
}
