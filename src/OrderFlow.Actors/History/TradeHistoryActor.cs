using System.Globalization;
using Akka.Actor;
using OrderFlow.Actors.Sequencing;
using OrderFlow.Actors.Store;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.History;

/// <summary>
/// Keeps one symbol's recent aggregate trades (a compact ring, see <see cref="TradeRing"/>) and answers queries by
/// count, aggregate id and time, saying when an answer lacks trades: before the tape started, dropped beyond the
/// capacity, or lost in an unrecovered gap. With a tape store, a query by id that reaches below what the ring holds
/// is answered from the store for that part (read detached, piped back), and says so.
/// </summary>
public sealed class TradeHistoryActor : ReceiveActor
{
    private readonly Symbol _symbol;
    private readonly TradeRing _trades;
    private readonly List<TapeHole> _holes = new();
    private long? _tapeFromMs;
    private readonly (ITapeStore Store, TapeId Tape)? _store;

    public TradeHistoryActor(Symbol symbol, int capacity, (ITapeStore Store, TapeId Tape)? store = null)
    {
        _symbol = symbol;
        _store = store;
        _trades = new TradeRing(capacity);
        Receive<TradeBatch>(batch =>
        {
            try
            {
                foreach (ref readonly var trade in batch.Trades.Span) _trades.Append(trade);
            }
            finally
            {
                batch.Credit?.Release();
            }
            if (_holes.Count > 0 && _trades.Oldest is { } oldest) _holes.RemoveAll(hole => hole.Ids.ToId < oldest.AggregateId);
        });
        Receive<TapeStarted>(started => _tapeFromMs ??= started.FromMs);
        Receive<TapeHole>(_holes.Add);
        Receive<ITapeEvent>(_ => { }); // interruptions matter to the live metrics, not to the trades held
        Receive<GetRecentTrades>(query => Answer(_trades.Last(query.Count), null, null));
        Receive<GetTradesFromId>(query =>
        {
            if (_store is { } store && (_trades.Oldest is not { } oldest || oldest.AggregateId > query.FromId)) FromStore(store, query);
            else Answer(_trades.FromId(query.FromId, query.MaxCount), query.FromId, null);
        });
        Receive<GetTradesSince>(query =>
            Answer(_trades.FromTime(query.Since.ToUnixTimeMilliseconds(), query.MaxCount), null, query.Since.ToUnixTimeMilliseconds()));
    }

    public static Props Props(Symbol symbol, int capacity, (ITapeStore Store, TapeId Tape)? store = null) =>
        Akka.Actor.Props.Create(() => new TradeHistoryActor(symbol, capacity, store));

    /// <summary>
    /// The store's trades from the asked id up to the ring's oldest, then the ring's (taken now, as they are now), so
    /// one answer spans both without a seam.
    /// </summary>
    private void FromStore((ITapeStore Store, TapeId Tape) store, GetTradesFromId query)
    {
        var held = _trades.Oldest is { } oldest ? _trades.FromId(oldest.AggregateId, query.MaxCount) : [];
        var total = _trades.Count;
        store.Store.ReadFromIdAsync(store.Tape, query.FromId, query.MaxCount).PipeTo(Sender, success: stored =>
        {
            var trades = stored.TakeWhile(t => held.Count == 0 || t.AggregateId < held[0].AggregateId).ToList();
            var fromMemory = trades.Count < query.MaxCount && held.Count > 0 && (trades.Count == 0 || trades[^1].AggregateId == held[0].AggregateId - 1);
            if (fromMemory) trades.AddRange(held.Take(query.MaxCount - trades.Count));
            var missing = trades.Count > 0 && trades[0].AggregateId > query.FromId ? $"aggregate ids below {trades[0].AggregateId} are not in the store" : null;
            return new TradesSnapshot(_symbol, trades, total, missing,
                fromMemory && trades.Count > held.Count ? TradeSources.StoreAndMemory : fromMemory ? TradeSources.Memory : TradeSources.Store);
        }, failure: e => new QueryFailed($"GetTradesFromId: the tape store could not be read: {e.Message}"));
    }

    private void Answer(IReadOnlyList<AggregateTrade> trades, long? fromId, long? sinceMs) =>
        Sender.Tell(new TradesSnapshot(_symbol, trades, _trades.Count, Missing(trades, fromId, sinceMs)));

    private string? Missing(IReadOnlyList<AggregateTrade> trades, long? fromId, long? sinceMs)
    {
        if (sinceMs is { } since && (_tapeFromMs is not { } tapeFrom || tapeFrom > since))
            return _tapeFromMs is { } from ? $"trades before {Clock(from)} were not collected" : "no trades collected yet";
        if (sinceMs is { } after && _trades.LastDropped is { } dropped && dropped.TradeTimeMs >= after)
            return $"trades up to {Clock(dropped.TradeTimeMs)} were dropped beyond the history's capacity";
        if (fromId is { } id && (_trades.Oldest is not { } oldest || oldest.AggregateId > id))
            return _trades.Oldest is { } first ? $"aggregate ids below {first.AggregateId} are not held" : "no trades held yet";
        if (trades.Count == 0) return null;
        var hole = _holes.FirstOrDefault(h => h.Ids.ToId >= trades[0].AggregateId && h.Ids.FromId <= trades[^1].AggregateId);
        return hole is null ? null : $"aggregate ids {hole.Ids.FromId}..{hole.Ids.ToId} are missing (an unrecovered gap)";
    }

    private static string Clock(long ms) =>
        DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-dd HH:mm:ss.fff 'UTC'", CultureInfo.InvariantCulture);
}
