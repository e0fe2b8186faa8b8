using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.History;

/// <summary>The most recent trades up to a capacity, oldest dropped first. Grows by doubling, so a quiet symbol
/// does not reserve the full capacity up front.</summary>
public sealed class TradeRing(int capacity)
{
    private AggregateTrade[] _items = new AggregateTrade[Math.Min(capacity, 1024)];
    private int _start;

    public int Count { get; private set; }

    public void Append(in AggregateTrade trade)
    {
        if (Count == _items.Length && _items.Length < capacity) Grow();
        if (Count < _items.Length)
        {
            _items[(_start + Count++) % _items.Length] = trade;
            return;
        }
        _items[_start] = trade;
        _start = (_start + 1) % _items.Length;
    }

    public AggregateTrade this[int index] => _items[(_start + index) % _items.Length];

    public IReadOnlyList<AggregateTrade> Last(int count)
    {
        var take = Math.Clamp(count, 0, Count);
        var result = new AggregateTrade[take];
        for (var i = 0; i < take; i++) result[i] = this[Count - take + i];
        return result;
    }

    public IReadOnlyList<AggregateTrade> FromId(long fromId, int maxCount)
    {
        var result = new List<AggregateTrade>();
        for (var i = 0; i < Count && result.Count < maxCount; i++)
        {
            var trade = this[i];
            if (trade.AggregateId >= fromId) result.Add(trade);
        }
        return result;
    }

    private void Grow()
    {
        var grown = new AggregateTrade[Math.Min(capacity, _items.Length * 2)];
        for (var i = 0; i < Count; i++) grown[i] = this[i];
        _items = grown;
        _start = 0;
    }
}
