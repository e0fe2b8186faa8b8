using System.Numerics;
using OrderFlow.Actors.Metrics;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Bars;

namespace OrderFlow.Actors.Bars;

/// <summary>A symbol's kept bars as the protocol answers them: exact decimals, VWAP truncated at 12 decimals as the windows'.</summary>
public static class BarReading
{
    /// <summary>The most bars one answer holds.</summary>
    public const int MostBars = 10_000;

    public static IOrderFlowMessage Bars(Symbol symbol, SymbolBars bars, GetBars query)
    {
        if (bars.Series(query.Interval) is not { } series) return new IntervalNotTracked(symbol, query.Interval, bars.Intervals);
        var kept = series.Bars.AsEnumerable();
        if (query.Since is { } since) kept = kept.Where(bar => bar.FromMs >= since.ToUnixTimeMilliseconds()).Take(Math.Clamp(query.Last, 1, MostBars));
        else kept = kept.TakeLast(Math.Clamp(query.Last, 1, MostBars));
        return new BarsSnapshot(symbol, query.Interval, kept.Select(Bar).ToList());
    }

    public static IOrderFlowMessage Footprint(Symbol symbol, SymbolBars bars, ImbalanceRule rule, GetFootprint query)
    {
        if (bars.Series(query.Interval) is not { } series) return new IntervalNotTracked(symbol, query.Interval, bars.Intervals);
        var kept = series.Bars.Where(bar => bar.Footprint is not null).TakeLast(Math.Clamp(query.Last, 1, MostBars));
        return new FootprintSnapshot(symbol, query.Interval, Exact.Quantity(bars.Step == 0 ? 1 : bars.Step),
            new ImbalanceSettings(rule.RatioPercent, Exact.Quantity(rule.MinVolume), rule.Zero == ZeroSide.Skip ? "skip" : "min-qty", rule.Stack),
            kept.Select(bar => FootprintBar(bar, bars.FootprintOf(series, bar)!, rule)).ToList());
    }

    public static Bar Bar(KeptBar bar) => Bar(bar.FromMs, bar.ToMs, bar.Final, bar.Revision, bar.Complete, bar.Figures);

    public static Bar Bar(StoredBar bar) => Bar(bar.FromMs, bar.ToMs, true, bar.Revision, bar.Complete, bar.Figures);

    private static Bar Bar(long fromMs, long toMs, bool final, int revision, bool complete, in BarFigures f)
    {
        var volume = f.BuyVolume + f.SellVolume;
        return new Bar(DateTimeOffset.FromUnixTimeMilliseconds(fromMs), DateTimeOffset.FromUnixTimeMilliseconds(toMs), final, revision,
            complete, Exact.Quantity(f.Open), Exact.Quantity(f.High), Exact.Quantity(f.Low), Exact.Quantity(f.Close),
            Exact.Quantity(f.BuyVolume), Exact.Quantity(f.SellVolume), Exact.Notional(f.BuyNotional), Exact.Notional(f.SellNotional),
            f.Aggregates, f.Trades, Exact.Quantity(f.Delta), Exact.Quantity(f.DeltaMin), Exact.Quantity(f.DeltaMax),
            Exact.Quantity(f.Cvd), DateTimeOffset.FromUnixTimeMilliseconds(f.CvdAnchorMs),
            volume == 0 ? 0m : Exact.Ratio((BigInteger)(f.BuyNotional + f.SellNotional), (BigInteger)volume * Fixed8.Scale),
            f.FirstAggregateId, f.LastAggregateId);
    }

    private static FootprintBar FootprintBar(KeptBar bar, FootprintLadder footprint, ImbalanceRule rule)
    {
        var reading = FootprintReading.Of(footprint, rule, bar.Figures.Close);
        return new FootprintBar(DateTimeOffset.FromUnixTimeMilliseconds(bar.FromMs), bar.Final, bar.Revision, Exact.Quantity(reading.Poc ?? 0),
            reading.Levels.Select(level => new FootprintLevel(Exact.Quantity(level.Price), Exact.Quantity(level.Cell.Buy), Exact.Quantity(level.Cell.Sell),
                level.Cell.BuyCount, level.Cell.SellCount, level.BuyImbalance, level.SellImbalance)).ToList(),
            reading.StackedBuy.Select(Range).ToList(), reading.StackedSell.Select(Range).ToList(), reading.UnfinishedHigh, reading.UnfinishedLow);
    }

    private static PriceRange Range((long Low, long High) range) => new(Exact.Quantity(range.Low), Exact.Quantity(range.High));
}
