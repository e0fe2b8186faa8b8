using System.Text.Json.Serialization;
using OrderFlow.Protocol.Derivatives;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Protocol.Bars;

/// <summary>
/// Asks a symbol's time bars for one interval (one of orderflow.bars.intervals): the newest <see cref="Last"/>, or those
/// opening at or after <see cref="Since"/> (at most <see cref="Last"/> of them).
/// </summary>
public sealed record GetBars(Symbol Symbol, BarInterval Interval, int Last = 100, DateTimeOffset? Since = null) : IWithSymbol, IOrderFlowQuery;

/// <summary>The answer when the interval asked for is not one the service keeps.</summary>
public sealed record IntervalNotTracked(Symbol Symbol, BarInterval Interval, IReadOnlyList<BarInterval> Tracked) : IWithSymbol, IOrderFlowMessage;

/// <summary>A symbol's bars for one interval, oldest first. Volumes are in the base asset, notionals in the quote asset.</summary>
/// <param name="Units">What the volumes and notionals count (COIN-M: base coin and USD from contracts).</param>
public sealed record BarsSnapshot(Symbol Symbol, BarInterval Interval, IReadOnlyList<Bar> Bars, VolumeUnits? Units = null) : IWithSymbol, IOrderFlowMessage;

/// <summary>
/// One time bar, [<see cref="From"/>, <see cref="To"/>) by trade time, aligned to UTC (docs/order-flow.md, Bars).
/// <see cref="Final"/>: no later trade can join it (a trade at or after <see cref="To"/> was passed on, or the clock is
/// past its end on a live, quiet stream); a final bar that changes after (a backfill, a gap given up on) comes again
/// with <see cref="Revision"/> + 1. <see cref="Complete"/>: no unrecovered gap falls inside it. <see cref="Trades"/>
/// counts exchange trades (Σ last − first + 1, as klines do), <see cref="Aggregates"/> aggregate trades.
/// <see cref="DeltaMin"/> and <see cref="DeltaMax"/> are the running delta's extremes from 0 at the open;
/// <see cref="Cvd"/> is the CVD after the bar's last trade, counted since <see cref="CvdAnchor"/>.
/// On a futures symbol's time bar, its <see cref="Liquidations"/> (by trade time, with their own coverage), and the
/// <see cref="Mark"/> price and <see cref="Funding"/> at its close (the last update before its end); absent on spot.
/// </summary>
public sealed record Bar(
    DateTimeOffset From,
    DateTimeOffset To,
    bool Final,
    int Revision,
    bool Complete,
    decimal Open,
    decimal High,
    decimal Low,
    decimal Close,
    decimal BuyVolume,
    decimal SellVolume,
    decimal BuyNotional,
    decimal SellNotional,
    long Aggregates,
    long Trades,
    decimal Delta,
    decimal DeltaMin,
    decimal DeltaMax,
    decimal Cvd,
    DateTimeOffset CvdAnchor,
    decimal Vwap,
    long FirstAggregateId,
    long LastAggregateId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] WindowLiquidations? Liquidations = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] MarkPrice? Mark = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Funding? Funding = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] OpenInterest? OpenInterest = null);

/// <summary>Asks the footprint of a symbol's newest <see cref="Last"/> bars of one interval.</summary>
public sealed record GetFootprint(Symbol Symbol, BarInterval Interval, int Last = 1) : IWithSymbol, IOrderFlowQuery;

/// <summary>
/// Footprints, oldest first: volume per price level and aggressor side, level = floor(p / <see cref="Step"/>) · step,
/// with the imbalance rule they were read with. Kept for fewer bars than the bars themselves
/// (orderflow.bars.footprint-keep): an older bar is not listed.
/// </summary>
public sealed record FootprintSnapshot(Symbol Symbol, BarInterval Interval, decimal Step, ImbalanceSettings Imbalance, IReadOnlyList<FootprintBar> Bars,
    VolumeUnits? Units = null) : IWithSymbol, IOrderFlowMessage;

/// <summary>
/// A buy imbalance at P when buyVolume(P) · 100 ≥ <see cref="RatioPercent"/> · sellVolume(P − step), a sell imbalance
/// at P when sellVolume(P) · 100 ≥ ratioPercent · buyVolume(P + step); the dominant side at least
/// <see cref="MinVolume"/>; an empty compared side <see cref="Zero"/> (<c>skip</c>: no imbalance; <c>min-qty</c>: counted
/// as the lot step); <see cref="Stack"/> or more adjacent imbalances on one side are a stack.
/// </summary>
public sealed record ImbalanceSettings(int RatioPercent, decimal MinVolume, string Zero, int Stack);

/// <param name="Poc">The level with the most volume (a tie: nearest the close, then the lower).</param>
/// <param name="UnfinishedHigh">The top level has both buy and sell volume (an unfinished auction); likewise the bottom.</param>
public sealed record FootprintBar(
    DateTimeOffset From,
    bool Final,
    int Revision,
    decimal Poc,
    IReadOnlyList<FootprintLevel> Levels,
    IReadOnlyList<PriceRange> StackedBuy,
    IReadOnlyList<PriceRange> StackedSell,
    bool UnfinishedHigh,
    bool UnfinishedLow);

public sealed record FootprintLevel(decimal Price, decimal BuyVolume, decimal SellVolume, int BuyAggregates, int SellAggregates, bool BuyImbalance, bool SellImbalance);

public sealed record PriceRange(decimal Low, decimal High);

/// <summary>A bar that became final, or a final bar that changed (<see cref="Bar.Revision"/> + 1): pushed to subscribers.</summary>
public sealed record BarFinal(Symbol Symbol, BarInterval Interval, Bar Bar) : IWithSymbol, IOrderFlowMessage;

/// <summary>
/// Subscribes the sender to <see cref="BarFinal"/> events of <see cref="Symbols"/> (every symbol when empty), wherever in
/// the cluster they stream; answered with <see cref="BarsSubscribed"/>. A new subscription replaces the sender's last.
/// </summary>
public sealed record SubscribeBars(IReadOnlyList<Symbol> Symbols) : IOrderFlowMessage;

public sealed record BarsSubscribed : IOrderFlowMessage
{
    public static readonly BarsSubscribed Instance = new();
}

public sealed record UnsubscribeBars : IOrderFlowMessage
{
    public static readonly UnsubscribeBars Instance = new();
}
