using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Bars;

/// <summary>Buy and sell volume (and aggregates) at one price level of a bar, at 10^-8.</summary>
public struct LevelCell
{
    public long Buy, Sell;
    public int BuyCount, SellCount;

    public readonly long Total => Buy + Sell;
}

/// <summary>
/// A bar's footprint: volume per price level and aggressor side, level = floor(p / step) · step. The step is the
/// symbol's tick size × the configured ticks per level (10^-8, each price its own level, while the tick size is not
/// known); a ladder keeps the step its first trade was binned with, so a series never changes step mid-bar.
/// </summary>
public sealed class FootprintLadder
{
    private readonly Dictionary<long, LevelCell> _levels = new();

    /// <summary>The step its levels are multiples of, at 10^-8 (0 until its first trade).</summary>
    public long Step { get; private set; }

    public IReadOnlyDictionary<long, LevelCell> Levels => _levels;

    public void Add(in AggregateTrade trade, long step)
    {
        if (Step == 0) Step = step > 0 ? step : 1;
        var price = trade.Price.Raw;
        var level = price - (((price % Step) + Step) % Step);
        ref var cell = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_levels, level, out _);
        if (trade.Side == AggressorSide.Buy)
        {
            cell.Buy += trade.Quantity.Raw;
            cell.BuyCount++;
        }
        else
        {
            cell.Sell += trade.Quantity.Raw;
            cell.SellCount++;
        }
    }
}
