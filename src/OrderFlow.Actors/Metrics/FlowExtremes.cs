using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Metrics;

/// <summary>
/// What a set of trades cannot give back once merged: the first and last trade (by aggregate id), the high and low,
/// and the largest large trade. A window finds them by merging its seconds' extremes; merging is O(1).
/// </summary>
public struct FlowExtremes
{
    public bool Any;
    public long OpenId;
    public long OpenPrice;
    public long LastId;
    public long LastPrice;
    public long High;
    public long Low;
    public Int128 LargestNotional;
    public AggregateTrade Largest;

    /// <summary>Adds the trade; <paramref name="large"/> says whether its notional reaches the large-trade threshold.</summary>
    public void Add(in AggregateTrade trade, Int128 notional, bool large)
    {
        var price = trade.Price.Raw;
        if (!Any || trade.AggregateId < OpenId) (OpenId, OpenPrice) = (trade.AggregateId, price);
        if (!Any || trade.AggregateId > LastId) (LastId, LastPrice) = (trade.AggregateId, price);
        if (!Any || price > High) High = price;
        if (!Any || price < Low) Low = price;
        Any = true;
        if (large && (notional > LargestNotional || (notional == LargestNotional && trade.AggregateId < Largest.AggregateId)))
            (Largest, LargestNotional) = (trade, notional);
    }

    public void Merge(in FlowExtremes other)
    {
        if (!other.Any) return;
        if (!Any || other.OpenId < OpenId) (OpenId, OpenPrice) = (other.OpenId, other.OpenPrice);
        if (!Any || other.LastId > LastId) (LastId, LastPrice) = (other.LastId, other.LastPrice);
        if (!Any || other.High > High) High = other.High;
        if (!Any || other.Low < Low) Low = other.Low;
        Any = true;
        if (other.LargestNotional > LargestNotional ||
            (other.LargestNotional == LargestNotional && other.LargestNotional > 0 && other.Largest.AggregateId < Largest.AggregateId))
            (Largest, LargestNotional) = (other.Largest, other.LargestNotional);
    }
}
