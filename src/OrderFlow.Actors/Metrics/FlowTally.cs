using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Metrics;

/// <summary>
/// Exact sums over a set of trades, in raw fixed-point units: quantities at 10^-8, notionals (p·q) at 10^-16, q·p² at
/// 10^-24. One tally per second of trades, and one more to add up a window's seconds: adding a trade and merging a
/// tally are both O(1) and allocate nothing.
/// </summary>
public struct FlowTally
{
    public long Count;
    public long BuyQuantity;
    public long SellQuantity;
    public Int128 BuyNotional;
    public Int128 SellNotional;
    public WideSum QuantityPriceSquared;
    public long OpenId;
    public long OpenPrice;
    public long LastId;
    public long LastPrice;
    public long High;
    public long Low;
    public LargeTally LargeBuy;
    public LargeTally LargeSell;
    public AggregateTrade Largest;
    public Int128 LargestNotional;

    public readonly long Volume => BuyQuantity + SellQuantity;

    public readonly Int128 Notional => BuyNotional + SellNotional;

    public void Add(in AggregateTrade trade, Int128 largeThreshold)
    {
        var price = trade.Price.Raw;
        var quantity = trade.Quantity.Raw;
        var notional = (Int128)price * quantity;
        if (trade.Side == AggressorSide.Buy)
        {
            BuyQuantity += quantity;
            BuyNotional += notional;
        }
        else
        {
            SellQuantity += quantity;
            SellNotional += notional;
        }
        QuantityPriceSquared.AddQuantityTimesPriceSquared((ulong)quantity, (ulong)price);

        if (Count++ == 0 || trade.AggregateId < OpenId) (OpenId, OpenPrice) = (trade.AggregateId, price);
        if (Count == 1 || trade.AggregateId > LastId) (LastId, LastPrice) = (trade.AggregateId, price);
        if (Count == 1 || price > High) High = price;
        if (Count == 1 || price < Low) Low = price;

        if (notional < largeThreshold) return;
        if (trade.Side == AggressorSide.Buy) LargeBuy.Add(quantity, notional);
        else LargeSell.Add(quantity, notional);
        if (notional > LargestNotional || (notional == LargestNotional && trade.AggregateId < Largest.AggregateId))
            (Largest, LargestNotional) = (trade, notional);
    }

    public void Merge(in FlowTally other)
    {
        if (other.Count == 0) return;
        var first = Count == 0;
        Count += other.Count;
        BuyQuantity += other.BuyQuantity;
        SellQuantity += other.SellQuantity;
        BuyNotional += other.BuyNotional;
        SellNotional += other.SellNotional;
        QuantityPriceSquared.Add(other.QuantityPriceSquared);
        if (first || other.OpenId < OpenId) (OpenId, OpenPrice) = (other.OpenId, other.OpenPrice);
        if (first || other.LastId > LastId) (LastId, LastPrice) = (other.LastId, other.LastPrice);
        if (first || other.High > High) High = other.High;
        if (first || other.Low < Low) Low = other.Low;
        LargeBuy.Merge(other.LargeBuy);
        LargeSell.Merge(other.LargeSell);
        if (other.LargestNotional > LargestNotional ||
            (other.LargestNotional == LargestNotional && other.LargestNotional > 0 && other.Largest.AggregateId < Largest.AggregateId))
            (Largest, LargestNotional) = (other.Largest, other.LargestNotional);
    }
}

/// <summary>Count, volume (10^-8) and notional (10^-16) of the large trades on one side.</summary>
public struct LargeTally
{
    public long Count;
    public long Quantity;
    public Int128 Notional;

    public void Add(long quantity, Int128 notional)
    {
        Count++;
        Quantity += quantity;
        Notional += notional;
    }

    public void Merge(in LargeTally other)
    {
        Count += other.Count;
        Quantity += other.Quantity;
        Notional += other.Notional;
    }
}
