using System.Numerics;
using OrderFlow.Protocol.Metrics;
using OrderFlow.Protocol.Trades;
using Xunit;

namespace OrderFlow.Actors.Tests.Metrics;

/// <summary>
/// The metrics recomputed from raw trades the plain way, written independently of the service: decimal sums over a
/// filtered list, a sorted dictionary for the profile. Ratios are compared as exact rationals truncated to 12 decimals
/// (decimal division rounds in the 28th digit differently depending on how its operands are scaled), and σ leaves
/// decimal altogether: Σq·p² needs up to 40 digits, so it is the exact rational Σq·(p·S − A)² / S³ in BigInteger.
/// </summary>
public sealed record FlowOracle(
    long FromMs, long ToMs, long TradeCount, decimal TradesPerSecond,
    decimal BuyVolume, decimal SellVolume, decimal BuyNotional, decimal SellNotional, decimal Delta, decimal? DeltaPercent,
    decimal? Open, decimal? High, decimal? Low, decimal? Last, decimal? Vwap, decimal? StdDev,
    long LargeBuyCount, decimal LargeBuyVolume, decimal LargeBuyNotional,
    long LargeSellCount, decimal LargeSellVolume, decimal LargeSellNotional, long? LargestId,
    decimal? Poc, decimal? Vah, decimal? Val, decimal? ValueAreaVolume, int? Bins,
    decimal Cvd, long CvdAnchorMs)
{
    public static FlowOracle Compute(IReadOnlyList<AggregateTrade> tape, TimeSpan window, long asOfMs, decimal largeThreshold,
        decimal bin, int valueAreaPercent, TimeSpan cvdDailyAt)
    {
        var toMs = ((long)Math.Floor(asOfMs / 1000m) + 1) * 1000;
        var fromMs = toMs - (long)window.TotalMilliseconds;
        var trades = tape.Where(t => t.TradeTimeMs >= fromMs && t.TradeTimeMs < toMs).ToList();

        decimal P(AggregateTrade t) => t.Price.ToDecimal();
        decimal Q(AggregateTrade t) => t.Quantity.ToDecimal();
        var buys = trades.Where(t => t.Side == AggressorSide.Buy).ToList();
        var sells = trades.Where(t => t.Side == AggressorSide.Sell).ToList();
        var buyVolume = buys.Sum(Q);
        var sellVolume = sells.Sum(Q);
        var volume = buyVolume + sellVolume;
        var any = trades.Count > 0;

        var largeBuys = buys.Where(t => P(t) * Q(t) >= largeThreshold).ToList();
        var largeSells = sells.Where(t => P(t) * Q(t) >= largeThreshold).ToList();
        var largest = largeBuys.Concat(largeSells).OrderByDescending(t => P(t) * Q(t)).ThenBy(t => t.AggregateId).FirstOrDefault();

        var day = TimeSpan.FromDays(1).TotalMilliseconds;
        var dayStart = (long)(Math.Floor((asOfMs - (decimal)cvdDailyAt.TotalMilliseconds) / (decimal)day) * (decimal)day) + (long)cvdDailyAt.TotalMilliseconds;
        var cvd = tape.Where(t => t.TradeTimeMs >= dayStart && t.TradeTimeMs <= asOfMs)
            .Sum(t => t.Side == AggressorSide.Buy ? Q(t) : -Q(t));

        var (poc, vah, val, areaVolume, bins) = any ? Profile(trades, bin, valueAreaPercent) : (null, null, null, null, null);

        return new FlowOracle(fromMs, toMs, trades.Count, Truncated(trades.Count, (decimal)window.TotalSeconds),
            buyVolume, sellVolume, buys.Sum(t => P(t) * Q(t)), sells.Sum(t => P(t) * Q(t)),
            buyVolume - sellVolume, any ? Truncated(buyVolume - sellVolume, volume) : null,
            any ? P(trades.MinBy(t => t.AggregateId)) : null, any ? trades.Max(P) : null, any ? trades.Min(P) : null,
            any ? P(trades.MaxBy(t => t.AggregateId)) : null,
            any ? Truncated(trades.Sum(t => P(t) * Q(t)), volume) : null,
            any ? StandardDeviation(trades) : null,
            largeBuys.Count, largeBuys.Sum(Q), largeBuys.Sum(t => P(t) * Q(t)),
            largeSells.Count, largeSells.Sum(Q), largeSells.Sum(t => P(t) * Q(t)), largest == default ? null : largest.AggregateId,
            poc, vah, val, areaVolume, bins, cvd, dayStart);
    }

    private static decimal StandardDeviation(List<AggregateTrade> trades)
    {
        BigInteger s = trades.Aggregate(BigInteger.Zero, (sum, t) => sum + t.Quantity.Raw);
        BigInteger a = trades.Aggregate(BigInteger.Zero, (sum, t) => sum + (BigInteger)t.Quantity.Raw * t.Price.Raw);
        var spread = trades.Aggregate(BigInteger.Zero, (sum, t) =>
        {
            var deviation = (BigInteger)t.Price.Raw * s - a;
            return sum + t.Quantity.Raw * deviation * deviation;
        });
        var variance = spread * BigInteger.Pow(10, 8) / (s * s * s);
        // Largest r with r² ≤ variance, by bisection.
        BigInteger lo = 0, hi = variance + 1;
        while (hi - lo > 1)
        {
            var mid = (lo + hi) / 2;
            if (mid * mid <= variance) lo = mid;
            else hi = mid;
        }
        return (decimal)lo / 1_000_000_000_000m;
    }

    /// <summary>numerator / denominator to 12 decimals, truncated, computed on exact integers.</summary>
    private static decimal Truncated(decimal numerator, decimal denominator)
    {
        static BigInteger Scaled(decimal value) // value · 10^16, exactly (sums here have at most 16 decimals)
        {
            var bits = decimal.GetBits(value);
            var mantissa = new BigInteger((uint)bits[0]) + (new BigInteger((uint)bits[1]) << 32) + (new BigInteger((uint)bits[2]) << 64);
            var scale = (bits[3] >> 16) & 0xFF;
            return (value < 0 ? -mantissa : mantissa) * BigInteger.Pow(10, 16 - scale);
        }
        var units = Scaled(numerator) * BigInteger.Pow(10, 12) / Scaled(denominator);
        return (decimal)units / 1_000_000_000_000m;
    }

    private static (decimal?, decimal?, decimal?, decimal?, int?) Profile(List<AggregateTrade> trades, decimal bin, int valueAreaPercent)
    {
        var volumes = new SortedDictionary<long, decimal>();
        foreach (var t in trades)
        {
            var index = (long)Math.Floor(t.Price.ToDecimal() / bin);
            volumes[index] = volumes.GetValueOrDefault(index) + t.Quantity.ToDecimal();
        }
        var total = volumes.Values.Sum();
        var lastIndex = (long)Math.Floor(trades.MaxBy(t => t.AggregateId).Price.ToDecimal() / bin);
        var poc = volumes.OrderByDescending(v => v.Value).ThenBy(v => Math.Abs(v.Key - lastIndex)).ThenBy(v => v.Key).First().Key;

        decimal VolumeAt(long index) => volumes.GetValueOrDefault(index);
        var (low, high, area) = (poc, poc, VolumeAt(poc));
        var (min, max) = (volumes.Keys.First(), volumes.Keys.Last());
        while (area < total * valueAreaPercent / 100m)
        {
            decimal? above = high < max ? VolumeAt(high + 1) : null;
            decimal? below = low > min ? VolumeAt(low - 1) : null;
            if (below is null || (above is not null && above > below)) area += VolumeAt(++high);
            else area += VolumeAt(--low);
        }
        return (poc * bin, high * bin, low * bin, area, (int)(max - min + 1));
    }

    /// <summary>Every figure of <paramref name="actual"/> equals the oracle's, to the last digit.</summary>
    public void AssertMatches(MetricsSnapshot actual)
    {
        var at = $"window {actual.Window} to {actual.To:O}";
        Assert.True(FromMs == actual.From.ToUnixTimeMilliseconds() && ToMs == actual.To.ToUnixTimeMilliseconds(), at);
        Assert.Equal((at, TradeCount, TradesPerSecond), (at, actual.TradeCount, actual.TradesPerSecond));
        Assert.Equal((at, BuyVolume, SellVolume, BuyNotional, SellNotional),
            (at, actual.BuyVolume, actual.SellVolume, actual.BuyNotional, actual.SellNotional));
        Assert.Equal((at, Delta, DeltaPercent), (at, actual.Delta, actual.DeltaPercent));
        Assert.Equal((at, Open, High, Low, Last), (at, actual.Open, actual.High, actual.Low, actual.Last));
        Assert.Equal((at, Vwap, StdDev), (at, actual.Vwap?.Vwap, actual.Vwap?.StdDev));
        var large = actual.LargeTrades;
        Assert.Equal((at, LargeBuyCount, LargeBuyVolume, LargeBuyNotional),
            (at, large.Buy.Count, large.Buy.Volume, large.Buy.Notional));
        Assert.Equal((at, LargeSellCount, LargeSellVolume, LargeSellNotional),
            (at, large.Sell.Count, large.Sell.Volume, large.Sell.Notional));
        Assert.Equal((at, LargestId), (at, large.Largest?.AggregateId));
        Assert.Equal((at, Poc, Vah, Val, ValueAreaVolume, Bins),
            (at, actual.Profile?.PointOfControl, actual.Profile?.ValueAreaHigh, actual.Profile?.ValueAreaLow, actual.Profile?.ValueAreaVolume,
                actual.Profile?.Bins));
        Assert.Equal((at, Cvd, CvdAnchorMs), (at, actual.Cvd.Value, actual.Cvd.Anchor.ToUnixTimeMilliseconds()));
    }
}
