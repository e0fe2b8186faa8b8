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
/// capacity, or lost in an unrecovered gap. With a tape store, a query by id or time that reaches below what the ring
/// holds is answered from the store for that part (read detached, piped back), and says so.
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
            if (_store is { } store && (_trades.Oldest is not { } oldest || oldest.AggregateId > query.FromId))
                FromStore(nameof(GetTradesFromId), before => ReadFromIdAsync(store, query.FromId, before, query.MaxCount), query.FromId, query.MaxCount);
            else Answer(_trades.FromId(query.FromId, query.MaxCount), query.FromId, null);
        });
        Receive<GetTradesSince>(query =>
        {
            var since = query.Since.ToUnixTimeMilliseconds();
            // The ring's oldest at the asked millisecond may have stored trades beside it, made the same millisecond.
            if (_store is { } store && (_trades.Oldest is not { } oldest || oldest.TradeTimeMs >= since))
                FromStore(nameof(GetTradesSince), before => ReadSinceAsync(store, since, before, query.MaxCount), null, query.MaxCount);
            else Answer(_trades.FromTime(since, query.MaxCount), null, since);
        });
    }

    public static Props Props(Symbol symbol, int capacity, (ITapeStore Store, TapeId Tape)? store = null) =>
        Akka.Actor.Props.Create(() => new TradeHistoryActor(symbol, capacity, store));

    /// <summary>
    /// The store's trades below the ring's oldest (read detached), then the ring's from there (taken now, as they are
    /// now), so one answer spans both without a seam. <paramref name="read"/> is given the id the ring starts at.
    /// </summary>
    private void FromStore(string query, Func<long?, Task<List<AggregateTrade>>> read, long? fromId, int max)
    {
        var held = _trades.Oldest is { } oldest ? _trades.FromId(oldest.AggregateId, max) : [];
        var total = _trades.Count;
        read(held.Count > 0 ? held[0].AggregateId : null).PipeTo(Sender, success: trades =>
        {
            var stored = trades.Count;
            var fromMemory = stored < max && held.Count > 0;
            var seam = fromMemory && stored > 0 && trades[^1].AggregateId + 1 < held[0].AggregateId
                ? $"aggregate ids {trades[^1].AggregateId + 1}..{held[0].AggregateId - 1} are neither in the store nor held" : null;
            if (fromMemory) trades.AddRange(held.Take(max - stored));
            var missing = fromId is { } id && trades.Count > 0 && trades[0].AggregateId > id ? $"aggregate ids below {trades[0].AggregateId} are not in the store" : seam;
            return new TradesSnapshot(_symbol, trades, total, missing,
                stored == 0 ? TradeSources.Memory : trades.Count > stored ? TradeSources.StoreAndMemory : TradeSources.Store);
        }, failure: e => new QueryFailed($"{query}: the tape store could not be read: {e.Message}"));
    }

    private static async Task<List<AggregateTrade>> ReadFromIdAsync((ITapeStore Store, TapeId Tape) store, long fromId, long? beforeId, int max) =>
        (await store.Store.ReadFromIdAsync(store.Tape, fromId, max).ConfigureAwait(false)).TakeWhile(t => beforeId is null || t.AggregateId < beforeId).ToList();

    private static async Task<List<AggregateTrade>> ReadSinceAsync((ITapeStore Store, TapeId Tape) store, long sinceMs, long? beforeId, int max)
    {
        var trades = new List<AggregateTrade>();
        await foreach (var trade in store.Store.ReadBetweenAsync(store.Tape, sinceMs, long.MaxValue).ConfigureAwait(false))
        {
            if (trades.Count == max || trade.AggregateId >= beforeId) break;
            trades.Add(trade);
        }
        return trades;
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
