using OrderFlow.Actors.Binance;
using OrderFlow.Actors.Metrics;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Derivatives;
using OrderFlow.Protocol.Metrics;

namespace OrderFlow.Actors.Derivatives;

/// <summary>
/// One futures symbol's liquidations over the rolling windows, exact. The exchange pushes at most one a symbol a
/// second, so each is kept as it came (its volume and notional measured once) until it is older than the longest
/// window, and a window adds up those whose trade time falls in it: longs forced out (SELL orders) and shorts (BUY),
/// each counted when it executed something (z &gt; 0), Σ volume, Σ notional, the largest by notional (ties: the
/// earlier), and every snapshot pushed.
/// </summary>
public sealed class RollingLiquidations(Symbol symbol, TimeSpan longestWindow)
{
    private readonly record struct Kept(ForceOrder Order, long Volume, Int128 Notional);

    private readonly Queue<Kept> _kept = new();
    private readonly long _keepMs = (long)longestWindow.TotalMilliseconds;

    private (long Count, Int128 Notional) _longsSinceStart, _shortsSinceStart;

    /// <summary>Executed liquidations since this started, per side (the counters a scrape reads).</summary>
    public (long Count, decimal Notional) SinceStart(LiquidatedSide side)
    {
        var (count, notional) = side == LiquidatedSide.Long ? _longsSinceStart : _shortsSinceStart;
        return (count, Exact.Notional(notional));
    }

    public void Add(in ForceOrder order, TradeUnits units)
    {
        var volume = units.Measure(order.Filled, order.AveragePrice, out var notional);
        _kept.Enqueue(new Kept(order, volume.Raw, notional));
        if (order.Filled.Raw > 0)
        {
            ref var total = ref order.ClosesLong ? ref _longsSinceStart : ref _shortsSinceStart;
            total = (total.Count + 1, total.Notional + notional);
        }
        while (_kept.Peek().Order.TradeTimeMs < order.TradeTimeMs - _keepMs) _kept.Dequeue();
    }

    /// <summary>The liquidations whose trade time is in [<paramref name="fromMs"/>, <paramref name="toMs"/>).</summary>
    public WindowLiquidations Window(long fromMs, long toMs, WindowCoverage coverage)
    {
        Tally longs = default, shorts = default;
        long snapshots = 0;
        foreach (var kept in _kept)
        {
            if (kept.Order.TradeTimeMs < fromMs || kept.Order.TradeTimeMs >= toMs) continue;
            snapshots++;
            if (kept.Order.Filled.Raw == 0) continue;
            if (kept.Order.ClosesLong) longs.Add(kept);
            else shorts.Add(kept);
        }
        return new WindowLiquidations(true, snapshots, longs.ToTally(symbol), shorts.ToTally(symbol), coverage);
    }

    private struct Tally
    {
        private long _count;
        private long _volume;
        private Int128 _notional;
        private Kept? _largest;

        public void Add(in Kept kept)
        {
            _count++;
            _volume += kept.Volume;
            _notional += kept.Notional;
            if (_largest is not { } largest || kept.Notional > largest.Notional) _largest = kept;
        }

        public readonly LiquidationTally ToTally(Symbol symbol) =>
            new(_count, Exact.Quantity(_volume), Exact.Notional(_notional), _largest is { } largest ? Describe(symbol, largest) : null);
    }

    private static Liquidation Describe(Symbol symbol, in Kept kept)
    {
        var order = kept.Order;
        return new Liquidation(symbol, order.Side, order.OrderType, order.TimeInForce, order.Quantity.ToDecimal(), order.Price.ToDecimal(),
            order.AveragePrice.ToDecimal(), order.Status, order.LastFilled.ToDecimal(), order.Filled.ToDecimal(),
            DateTimeOffset.FromUnixTimeMilliseconds(order.TradeTimeMs), DateTimeOffset.FromUnixTimeMilliseconds(order.EventTimeMs),
            Exact.Quantity(kept.Volume), Exact.Notional(kept.Notional));
    }

    /// <summary>One liquidation as the protocol gives it, measured in <paramref name="units"/> (the events and the store).</summary>
    public static Liquidation Describe(Symbol symbol, in ForceOrder order, TradeUnits units)
    {
        var volume = units.Measure(order.Filled, order.AveragePrice, out var notional);
        return Describe(symbol, new Kept(order, volume.Raw, notional));
    }
}
