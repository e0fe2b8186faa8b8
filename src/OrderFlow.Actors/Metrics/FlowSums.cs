using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Metrics;

/// <summary>
/// The exact sums over a set of trades, in raw fixed-point units: quantities at 10^-8, notionals (p·q) at 10^-16, q·p²
/// at 10^-24. Sums can be added and taken away again, so a window keeps its running total as seconds join and leave
/// it. Adding a trade, adding and subtracting are O(1) and allocate nothing.
/// </summary>
public struct FlowSums
{
    public long Count;
    public long BuyQuantity;
    public long SellQuantity;
    public Int128 BuyNotional;
    public Int128 SellNotional;
    public WideSum QuantityPriceSquared;
    public LargeTally LargeBuy;
    public LargeTally LargeSell;

    public readonly long Volume => BuyQuantity + SellQuantity;

    public readonly Int128 Notional => BuyNotional + SellNotional;

    /// <summary>Adds the trade, whose notional (p·q, raw) the caller has computed once for these sums and the extremes.</summary>
    public void Add(in AggregateTrade trade, Int128 notional, bool large)
    {
        var quantity = trade.Quantity.Raw;
        Count++;
        if (trade.Side == AggressorSide.Buy)
        {
            BuyQuantity += quantity;
            BuyNotional += notional;
            if (large) LargeBuy.Add(quantity, notional);
        }
        else
        {
            SellQuantity += quantity;
            SellNotional += notional;
            if (large) LargeSell.Add(quantity, notional);
        }
        QuantityPriceSquared.AddQuantityTimesPriceSquared((ulong)quantity, (ulong)trade.Price.Raw);
    }

    public void Add(in FlowSums other)
    {
        Count += other.Count;
        BuyQuantity += other.BuyQuantity;
        SellQuantity += other.SellQuantity;
        BuyNotional += other.BuyNotional;
        SellNotional += other.SellNotional;
        QuantityPriceSquared.Add(other.QuantityPriceSquared);
        LargeBuy.Add(other.LargeBuy);
        LargeSell.Add(other.LargeSell);
    }

    /// <summary>Takes away sums that were added before.</summary>
    public void Subtract(in FlowSums other)
    {
        Count -= other.Count;
        BuyQuantity -= other.BuyQuantity;
        SellQuantity -= other.SellQuantity;
        BuyNotional -= other.BuyNotional;
        SellNotional -= other.SellNotional;
        QuantityPriceSquared.Subtract(other.QuantityPriceSquared);
        LargeBuy.Subtract(other.LargeBuy);
        LargeSell.Subtract(other.LargeSell);
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

    public void Add(in LargeTally other)
    {
        Count += other.Count;
        Quantity += other.Quantity;
        Notional += other.Notional;
    }

    public void Subtract(in LargeTally other)
    {
        Count -= other.Count;
        Quantity -= other.Quantity;
        Notional -= other.Notional;
    }
}
