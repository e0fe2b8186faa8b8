using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Simulator;

/// <summary>
/// One symbol's tape: trades with aggregate ids rising by one, generated whether anyone listens or not (so a client
/// that is disconnected really misses trades), kept for the REST routes and sent to every live connection.
/// </summary>
public sealed class SimulatedMarket
{
    private readonly Lock _gate = new();
    private readonly List<AggregateTrade> _trades = new();
    private readonly List<SimulatedConnection> _listeners = new();
    private readonly Random _random;
    private readonly long _tick;
    private readonly int _tradesKept;
    private long _dropped;
    private long _nextId = 1;
    private long _nextTradeId = 1;
    private long _price;

    internal SimulatedMarket(SimulatedSymbol symbol, int seed, int tradesKept)
    {
        Symbol = symbol.Name;
        TickSize = symbol.TickSize;
        _tick = Fixed8.FromDecimal(symbol.TickSize).Raw;
        _price = Fixed8.FromDecimal(symbol.StartPrice).Raw;
        _random = new Random(seed);
        _tradesKept = tradesKept;
    }

    public string Symbol { get; }

    public decimal TickSize { get; }

    /// <summary>The last aggregate id generated (0 before the first).</summary>
    public long LastAggregateId
    {
        get { lock (_gate) return _nextId - 1; }
    }

    /// <summary>Generates and publishes <paramref name="count"/> trades now.</summary>
    public IReadOnlyList<AggregateTrade> Publish(int count)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var made = new AggregateTrade[count];
        SimulatedConnection[] listeners;
        lock (_gate)
        {
            for (var i = 0; i < count; i++) made[i] = Next(now);
            _trades.AddRange(made);
            if (_trades.Count > _tradesKept)
            {
                var excess = _trades.Count - _tradesKept;
                _trades.RemoveRange(0, excess);
                _dropped += excess;
            }
            listeners = _listeners.ToArray();
        }

        foreach (var trade in made)
        {
            var frame = WireFormat.AggTradeEvent(Symbol, trade, now);
            byte[]? wrapped = null;
            foreach (var listener in listeners) listener.Send(listener.Combined ? wrapped ??= WireFormat.Combined(Symbol, frame) : frame);
        }
        return made;
    }

    /// <summary>Every trade kept, in order.</summary>
    public IReadOnlyList<AggregateTrade> Trades
    {
        get { lock (_gate) return _trades.ToArray(); }
    }

    /// <summary>Trades with id ≥ fromId (or, without it, in the time range), at most <paramref name="limit"/>.</summary>
    public IReadOnlyList<AggregateTrade> Query(long? fromId, long? startTimeMs, long? endTimeMs, int limit)
    {
        lock (_gate)
        {
            IEnumerable<AggregateTrade> selected = _trades;
            if (fromId is { } id) selected = _trades.Skip((int)Math.Clamp(id - 1 - _dropped, 0, _trades.Count));
            if (startTimeMs is { } start) selected = selected.Where(t => t.TradeTimeMs >= start);
            if (endTimeMs is { } end) selected = selected.Where(t => t.TradeTimeMs <= end);
            if (fromId is null && startTimeMs is null && endTimeMs is null) selected = _trades.Skip(Math.Max(0, _trades.Count - limit));
            return selected.Take(limit).ToArray();
        }
    }

    internal void Listen(SimulatedConnection connection)
    {
        lock (_gate) _listeners.Add(connection);
    }

    internal void Unlisten(SimulatedConnection connection)
    {
        lock (_gate) _listeners.Remove(connection);
    }

    private AggregateTrade Next(long now)
    {
        _price = Math.Max(_tick, _price + _tick * _random.Next(-3, 4));
        var quantity = Fixed8.FromDecimal(_random.Next(1, 200_000) / 100_000m);
        var fills = _random.Next(1, 4);
        var trade = new AggregateTrade(_nextId++, new Fixed8(_price), quantity, _nextTradeId, _nextTradeId + fills - 1, now,
            _random.Next(2) == 0 ? AggressorSide.Buy : AggressorSide.Sell);
        _nextTradeId += fills;
        return trade;
    }
}
