using System.Text.Json.Serialization;
using OrderFlow.Protocol.Derivatives;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Protocol.Metrics;

/// <summary>Asks a symbol's metrics for one rolling window (one of orderflow.metrics.windows).</summary>
public sealed record GetMetrics(Symbol Symbol, TimeSpan Window) : IWithSymbol, IOrderFlowQuery;

/// <summary>The answer when the window asked for is not one the service keeps.</summary>
public sealed record WindowNotTracked(Symbol Symbol, TimeSpan Window, IReadOnlyList<TimeSpan> Tracked) : IWithSymbol, IOrderFlowMessage;

/// <summary>
/// The order flow of one symbol over one rolling window, exact (see README, "What it computes"). The window is the
/// last <see cref="Window"/> of whole seconds counting the current one: trades from <see cref="From"/> up to
/// <see cref="To"/>. Price fields are null while the window holds no trade. <see cref="AsOfAggregateId"/> is the
/// last trade counted, so a figure can be checked against the tape up to it. On a futures symbol,
/// <see cref="Liquidations"/>, its <see cref="Mark"/> price (once one came) and <see cref="Funding"/> (a perpetual's);
/// all absent on spot, where there are none.
/// </summary>
public sealed record MetricsSnapshot(
    Symbol Symbol,
    TimeSpan Window,
    long? AsOfAggregateId,
    DateTimeOffset From,
    DateTimeOffset To,
    WindowCoverage Coverage,
    long TradeCount,
    decimal TradesPerSecond,
    decimal BuyVolume,
    decimal SellVolume,
    decimal BuyNotional,
    decimal SellNotional,
    decimal Delta,
    decimal? DeltaPercent,
    decimal? Open,
    decimal? High,
    decimal? Low,
    decimal? Last,
    VwapBands? Vwap,
    LargeTrades LargeTrades,
    VolumeProfile? Profile,
    CumulativeVolumeDelta Cvd,
    DataQuality Quality,
    VolumeUnits? Units = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] WindowLiquidations? Liquidations = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] MarkPrice? Mark = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Funding? Funding = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] OpenInterest? OpenInterest = null) : IWithSymbol, IOrderFlowMessage
{
    public bool Ready => Coverage.Ready;
}

/// <summary>
/// How much of the window the collected tape covers (0 to 1), and whether the figures can be trusted as the whole
/// window: ready only when it is fully covered and no unrecovered gap falls inside it. Otherwise
/// <see cref="NotReadyBecause"/> says what is missing.
/// </summary>
public sealed record WindowCoverage(bool Ready, decimal Fraction, string? NotReadyBecause);

/// <summary>VWAP = Σ(p·q) / Σq; σ = sqrt(Σ(q·p²)/Σq − VWAP²), both exact to 12 decimals (truncated); bands VWAP ± kσ.</summary>
public sealed record VwapBands(decimal Vwap, decimal StdDev)
{
    public decimal Upper(int k) => Vwap + k * StdDev;

    public decimal Lower(int k) => Vwap - k * StdDev;
}

/// <summary>Aggregates whose notional is at or above <see cref="Threshold"/> (quote currency), per aggressor side.</summary>
public sealed record LargeTrades(decimal Threshold, LargeTradeTally Buy, LargeTradeTally Sell, AggregateTrade? Largest);

public sealed record LargeTradeTally(long Count, decimal Volume, decimal Notional);

/// <summary>
/// Volume per price bin over the window. POC: the bin with the most volume (ties: nearest the last price, then the
/// lower). Value area: grown from the POC one bin at a time, comparing the next bin above with the next bin below
/// and adding the larger (ties: the lower), until it holds <see cref="ValueAreaPercent"/>% of the volume. Bins are
/// named by their lowest price.
/// </summary>
public sealed record VolumeProfile(
    decimal BinSize,
    decimal PointOfControl,
    decimal ValueAreaHigh,
    decimal ValueAreaLow,
    decimal ValueAreaVolume,
    decimal TotalVolume,
    int ValueAreaPercent,
    int Bins);

/// <summary>
/// Buy minus sell volume summed from <see cref="Anchor"/>. Complete only when the tape covers everything since the
/// anchor; otherwise it is the sum since <see cref="CountedFrom"/>.
/// </summary>
public sealed record CumulativeVolumeDelta(decimal Value, DateTimeOffset Anchor, DateTimeOffset? CountedFrom, bool Complete);

/// <summary>The sequencer's counters, the unrecovered gaps inside this window, and how long since the last trade.</summary>
public sealed record DataQuality(
    long GapsDetected,
    long GapsBackfilled,
    long GapsUnrecovered,
    long DuplicatesDropped,
    long MalformedDropped,
    int UnrecoveredGapsInWindow,
    decimal? SecondsSinceLastTrade);

/// <summary>
/// The sender receives a <see cref="MetricsSnapshot"/> of the window every <paramref name="Every"/>, until it
/// unsubscribes or stops. Acknowledged with the first snapshot (or answered like <see cref="GetMetrics"/>).
/// </summary>
public sealed record SubscribeMetrics(Symbol Symbol, TimeSpan Window, TimeSpan Every) : IWithSymbol, IOrderFlowMessage;

public sealed record UnsubscribeMetrics(Symbol Symbol, TimeSpan Window) : IWithSymbol, IOrderFlowMessage;
