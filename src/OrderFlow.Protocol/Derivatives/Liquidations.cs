using System.Text.Json.Serialization;
using OrderFlow.Protocol.Metrics;

namespace OrderFlow.Protocol.Derivatives;

/// <summary>
/// One liquidation as Binance pushed it on <c>!forceOrder@arr</c>, every field of its order, with the notional this
/// service measures for it. A sample: the exchange pushes at most the latest liquidation per symbol per second.
/// <see cref="Side"/> is the liquidation order's side: <c>SELL</c> closes a long, <c>BUY</c> a short. What executed is
/// <see cref="FilledQuantity"/> (<c>z</c>) at <see cref="AveragePrice"/> (<c>ap</c>); <see cref="Quantity"/> and
/// <see cref="Price"/> are the order's. <see cref="Volume"/> and <see cref="Notional"/> are the executed part in the
/// answer's units: on USD-M z and z × ap; on COIN-M, where z counts contracts, z × contractSize / ap in the coin and
/// z × contractSize USD.
/// </summary>
public sealed record Liquidation(
    Symbol Symbol,
    string Side,
    string OrderType,
    string TimeInForce,
    decimal Quantity,
    decimal Price,
    decimal AveragePrice,
    string Status,
    decimal LastFilledQuantity,
    decimal FilledQuantity,
    DateTimeOffset TradeTime,
    DateTimeOffset EventTime,
    decimal Volume,
    decimal Notional) : IWithSymbol, IOrderFlowMessage
{
    /// <summary>Whose position was closed: a SELL order liquidates a long.</summary>
    [JsonIgnore]
    public LiquidatedSide Liquidated => Side == "SELL" ? LiquidatedSide.Long : LiquidatedSide.Short;
}

public enum LiquidatedSide
{
    /// <summary>A long position forced out (the liquidation order sells).</summary>
    Long,
    /// <summary>A short position forced out (the liquidation order buys).</summary>
    Short,
}

/// <summary>
/// One side's liquidations in a window or bar: <see cref="Count"/> those that executed something (z &gt; 0), their
/// executed <see cref="Volume"/> and <see cref="Notional"/>, and the largest by notional.
/// </summary>
public sealed record LiquidationTally(long Count, decimal Volume, decimal Notional, Liquidation? Largest);

/// <summary>
/// A futures symbol's liquidations over a window: longs and shorts forced out, the snapshots the exchange pushed
/// (every forceOrder event, executed or not), always <see cref="Sampled"/> (Binance pushes at most one a symbol a
/// second), and their own coverage: the share of the window the market's liquidation stream was connected, since no
/// sequence exists to find a hole by. A liquidation outage shows here, never in the trade tape's coverage.
/// </summary>
public sealed record WindowLiquidations(bool Sampled, long Snapshots, LiquidationTally Longs, LiquidationTally Shorts, WindowCoverage Coverage);

/// <summary>
/// A futures symbol's latest mark price as <c>!markPrice@arr@1s</c> gave it, valid at <see cref="At"/> (the exchange's
/// event time): <see cref="Basis"/> = mark − index. Not <see cref="Ready"/> once older than the configured staleness,
/// and <see cref="NotReadyBecause"/> says how old.
/// </summary>
public sealed record MarkPrice(decimal Mark, decimal Index, decimal Basis, decimal EstimatedSettlePrice, DateTimeOffset At, bool Ready, string? NotReadyBecause);

/// <summary>
/// A perpetual's open interest as Binance gave it: the <see cref="Quantity"/> open (USD-M: the base asset; COIN-M:
/// contracts) and, when the source states it, its <see cref="Value"/> (USD-M: the quote asset; COIN-M: the base coin),
/// at <see cref="At"/>. <see cref="Sampled"/>: polled now (<c>/openInterest</c>) rather than the exchange's own 5-minute
/// record (<c>openInterestHist</c>).
/// </summary>
public sealed record OpenInterest(decimal Quantity, decimal? Value, DateTimeOffset At, bool Sampled);

/// <summary>A perpetual's funding as of <see cref="At"/>: the current rate (signed; per funding interval) and the next funding time.</summary>
public sealed record Funding(decimal Rate, DateTimeOffset NextFundingTime, DateTimeOffset At);

/// <summary>
/// The sender receives each <see cref="Liquidation"/> of <paramref name="Symbols"/> (every futures symbol streamed, when
/// empty) as it arrives, wherever in the cluster the symbol streams; answered with <see cref="LiquidationsSubscribed"/>.
/// A new subscription replaces the sender's last.
/// </summary>
public sealed record SubscribeLiquidations(IReadOnlyList<Symbol> Symbols) : IOrderFlowMessage;

public sealed record LiquidationsSubscribed : IOrderFlowMessage
{
    public static readonly LiquidationsSubscribed Instance = new();
}

public sealed record UnsubscribeLiquidations : IOrderFlowMessage
{
    public static readonly UnsubscribeLiquidations Instance = new();
}

/// <summary>A market-wide stream (<c>!forceOrder@arr</c>) of one futures market: how each attempt ended, as a symbol's stream reports.</summary>
public interface IMarketStreamEvent : IOrderFlowMessage
{
    string Market { get; }

    string Stream { get; }

    int Attempt { get; }

    DateTimeOffset At { get; }
}

public sealed record MarketStreamConnected(string Market, string Stream, Uri Uri, int Attempt, TimeSpan Elapsed, DateTimeOffset At) : IMarketStreamEvent;

public sealed record MarketStreamFailed(string Market, string Stream, Streams.FailureKind Kind, string Reason, int Attempt, TimeSpan? RetryAfter, DateTimeOffset At)
    : IMarketStreamEvent;

public sealed record MarketStreamTimedOut(string Market, string Stream, Streams.TimeoutPhase Phase, TimeSpan After, int Attempt, DateTimeOffset At)
    : IMarketStreamEvent;
