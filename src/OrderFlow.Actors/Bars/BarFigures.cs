using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Bars;

/// <summary>
/// One bar's figures, exact: prices and volumes at 10^-8 (<see cref="Fixed8"/>'s raw), notionals at 10^-16. Trades
/// arrive in aggregate-id order (the sequencer's), so the first is the open and the last the close.
/// </summary>
public struct BarFigures
{
    public long Open, High, Low, Close;
    public long BuyVolume, SellVolume;
    public Int128 BuyNotional, SellNotional;
    public long Aggregates, Trades;
    /// <summary>The running delta from the bar's open, and its lowest and highest value (so min ≤ 0 ≤ max).</summary>
    public long Delta, DeltaMin, DeltaMax;
    public long FirstAggregateId, LastAggregateId;
    /// <summary>The CVD after the bar's last trade, and when that CVD started counting.</summary>
    public long Cvd, CvdAnchorMs;

    public readonly bool IsEmpty => Aggregates == 0;

    /// <summary>The trade as <see cref="Metrics.TradeUnits"/> measured it: its quantity the volume, with its notional at 10^-16.</summary>
    public void Add(in AggregateTrade trade, Int128 notional, long cvd, long cvdAnchorMs)
    {
        var price = trade.Price.Raw;
        var quantity = trade.Quantity.Raw;
        if (Aggregates == 0)
        {
            (Open, High, Low, FirstAggregateId) = (price, price, price, trade.AggregateId);
        }
        else
        {
            if (price > High) High = price;
            if (price < Low) Low = price;
        }
        Close = price;
        LastAggregateId = trade.AggregateId;
        Aggregates++;
        Trades += trade.LastTradeId - trade.FirstTradeId + 1;
        if (trade.Side == AggressorSide.Buy)
        {
            BuyVolume += quantity;
            BuyNotional += notional;
            Delta += quantity;
            if (Delta > DeltaMax) DeltaMax = Delta;
        }
        else
        {
            SellVolume += quantity;
            SellNotional += notional;
            Delta -= quantity;
            if (Delta < DeltaMin) DeltaMin = Delta;
        }
        (Cvd, CvdAnchorMs) = (cvd, cvdAnchorMs);
    }
}
