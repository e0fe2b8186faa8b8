using System.Collections.Concurrent;
using OrderFlow.Actors.Binance;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Metrics;
using OrderFlow.Protocol;

namespace OrderFlow.Actors.Derivatives;

/// <summary>
/// What a futures symbol's board takes from its market's market-wide streams: when they were connected, how the store
/// knows their coverage (<see cref="RecordedAs"/>), and (with a tape store) where the liquidations it took wait for the
/// symbol's recorder.
/// </summary>
/// <param name="FollowedFromMs">From when liquidations reach the board (null: its making; a replay: its range's start).</param>
public sealed record FuturesFeed(ConnectedSpans Connected, DerivativesSettings Settings, string RecordedAs, ConcurrentQueue<ForceOrder>? ToRecord = null,
    long? FollowedFromMs = null)
{
    /// <summary>
    /// A symbol's feed: none on spot, or with every derivative off; live, the market's shared coverage, and a queue for
    /// the recorder when <paramref name="recording"/>; in a replay from <paramref name="replayFromMs"/>, a coverage of its
    /// own filled from the store, liquidations only (no mark prices or open interest are recorded).
    /// </summary>
    public static FuturesFeed? For(Symbol symbol, OrderFlowSettings settings, MetricsBoards boards, bool recording, long? replayFromMs)
    {
        var derivatives = settings.DerivativesKept;
        if (symbol.Market == Symbol.SpotMarket || !derivatives.Any) return null;
        var recordedAs = MarketStreamActor.RecordedAs(symbol.Market, settings.MarketOf(symbol).RestUrl);
        return replayFromMs is { } fromMs
            ? new FuturesFeed(new ConnectedSpans($"{symbol.Market} {MarketStreamActor.LiquidationStream}"),
                derivatives with { MarkPrice = false, OpenInterest = false }, recordedAs, FollowedFromMs: fromMs)
            : new FuturesFeed(boards.MarketStreams(symbol.Market), derivatives, recordedAs,
                recording && derivatives.Liquidations ? new ConcurrentQueue<ForceOrder>() : null);
    }
}
