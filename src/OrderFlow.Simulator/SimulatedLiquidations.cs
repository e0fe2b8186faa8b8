using System.Globalization;
using System.Text;

namespace OrderFlow.Simulator;

/// <summary>One liquidation order as the exchange pushed it on <c>!forceOrder@arr</c>, and to how many connections.</summary>
public sealed record SentLiquidation(string Symbol, string Side, string OrderType, string TimeInForce, decimal Quantity, decimal Price,
    decimal AveragePrice, string Status, decimal LastFilled, decimal Filled, long TradeTimeMs, long EventTimeMs, int Listeners)
{
    /// <summary>The event as Binance writes it, wrapped as a combined stream's when <paramref name="combined"/>.</summary>
    public byte[] ToWire(bool combined)
    {
        var order = $$"""{"s":"{{Symbol}}","S":"{{Side}}","o":"{{OrderType}}","f":"{{TimeInForce}}","q":"{{Wire(Quantity)}}","p":"{{Wire(Price)}}","ap":"{{Wire(AveragePrice)}}","X":"{{Status}}","l":"{{Wire(LastFilled)}}","z":"{{Wire(Filled)}}","T":{{TradeTimeMs}}}""";
        var data = $$"""{"e":"forceOrder","E":{{EventTimeMs}},"o":{{order}}}""";
        return Encoding.UTF8.GetBytes(combined ? $$"""{"stream":"{{ExchangeSimulator.LiquidationStream}}","data":{{data}}}""" : data);
    }

    private static string Wire(decimal value) => value.ToString("0.########", CultureInfo.InvariantCulture);
}

/// <summary>
/// A futures exchange's liquidation tape, scripted by its seed: every round each trading symbol is liquidated with the
/// given chance, at most once (Binance pushes the latest liquidation per symbol per second), near its last price. Most
/// orders fill, some only in part (PARTIALLY_FILLED) and some expire with nothing or part filled, so that what executed
/// (z at ap) and what was ordered (q at p) differ. Every event sent is kept, with its listeners, for the specs' oracle.
/// </summary>
public sealed class SimulatedLiquidations(int seed, bool contracts)
{
    private readonly Random _random = new(seed);
    private readonly Lock _gate = new();
    private readonly List<SentLiquidation> _sent = new();

    /// <summary>Every liquidation pushed so far, in order.</summary>
    public IReadOnlyList<SentLiquidation> Sent
    {
        get { lock (_gate) return _sent.ToArray(); }
    }

    /// <summary>No liquidations while set: a spec holds them while it drops a connection, so none is lost in flight.</summary>
    public bool Paused
    {
        get => Volatile.Read(ref _paused);
        set => Volatile.Write(ref _paused, value);
    }

    private bool _paused;

    internal void Round(IEnumerable<SimulatedMarket> markets, IReadOnlyCollection<SimulatedConnection> listeners, double chance)
    {
        if (Paused) return;
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var market in markets)
        {
            if (market.Status != "TRADING") continue;
            SentLiquidation liquidation;
            lock (_gate)
            {
                if (_random.NextDouble() >= chance) continue;
                liquidation = Make(market, now, listeners.Count);
                _sent.Add(liquidation);
            }
            foreach (var listener in listeners) listener.Send(liquidation.ToWire(listener.Combined));
        }
    }

    private SentLiquidation Make(SimulatedMarket market, long now, int listeners)
    {
        var side = _random.Next(2) == 0 ? "SELL" : "BUY";
        var quantity = contracts ? _random.Next(1, 300) : _random.Next(1, 5_000) / 1_000m;
        var roll = _random.Next(10);
        var (status, filled) = roll switch
        {
            < 7 => ("FILLED", quantity),
            < 9 => ("PARTIALLY_FILLED", Part(quantity)),
            _ => ("EXPIRED", _random.Next(2) == 0 ? 0m : Part(quantity)),
        };
        var last = market.LastPrice;
        var averagePrice = filled == 0 ? 0m : Math.Max(market.TickSize, last + market.TickSize * _random.Next(-5, 6));
        // The order's limit is beyond the market, by up to 1%, on the side that closes the position.
        var beyond = decimal.Round(last * _random.Next(1, 100) / 10_000m / market.TickSize) * market.TickSize;
        var price = Math.Max(market.TickSize, side == "SELL" ? last - beyond : last + beyond);
        var lastFilled = filled == 0 ? 0m : filled == quantity ? Part(quantity) : filled;
        return new SentLiquidation(market.Symbol, side, "LIMIT", "IOC", quantity, price, averagePrice, status, lastFilled, filled, now,
            now + _random.Next(0, 5), listeners);
    }

    /// <summary>Some of <paramref name="quantity"/>, more than nothing, less than all when it can be.</summary>
    private decimal Part(decimal quantity)
    {
        var step = contracts ? 1m : 0.001m;
        var steps = (int)(quantity / step);
        return steps <= 1 ? quantity : _random.Next(1, steps) * step;
    }
}
