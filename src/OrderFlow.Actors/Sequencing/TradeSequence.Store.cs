using Akka.Event;
using OrderFlow.Actors.Store;

namespace OrderFlow.Actors.Sequencing;

/// <summary>
/// Starting from the tape store: its recent tape starts the sequence (passed on, not recorded again), a hole in it is
/// fetched from REST by id, and REST is asked for everything after its last trade up to the live stream.
/// </summary>
public sealed partial class TradeSequence
{
    /// <summary>At start, with a tape store: live trades are held until its answer (<see cref="StartFromStore"/>).</summary>
    public void AwaitStore() => _filling = true;

    /// <summary>
    /// The store's recent tape: passed on as the start of the sequence, then REST is asked by id for everything after
    /// its last trade up to the live stream, however long the host was down. An empty one is a start without a store
    /// (the REST warm-up).
    /// </summary>
    public void StartFromStore(StoredTape stored)
    {
        _filling = false;
        if (stored.Trades.Count == 0)
        {
            Start();
            if (_warmUp is null && _held.Count > 0)
            {
                // No warm-up either: the first live trade held starts the tape, as it would have.
                var (id, first) = _held.First();
                _held.Remove(id);
                PassOnOne(first);
                ReleaseHeld();
            }
            return;
        }
        _log.Info("💾 {Symbol}: {Count} trades from the tape store (ids {FromId}..{ToId}); asking REST for what came after", _symbol,
            stored.Trades.Count, stored.Trades[0].AggregateId, stored.Trades[^1].AggregateId);
        StartTape(stored.CompleteFromMs);
        _outgoingFromStore = true;
        var next = 0;
        for (; next < stored.Trades.Count && (_lastId is not { } last || stored.Trades[next].AggregateId == last + 1); next++)
            PassOnOne(stored.Trades[next]);
        FlushOutgoing();
        _outgoingFromStore = false;
        if (next < stored.Trades.Count && stored.Trades.Count - next + _held.Count <= _settings.MaxHeld)
        {
            // A hole in the store (a crash between writes, a store that fell behind): REST has those ids, so they are
            // fetched, and the stored trades after the hole wait for them as live ones do.
            _log.Warning("💾 {Symbol}: ids {FromId}..{ToId} are missing from the tape store; fetching them from REST", _symbol,
                _lastId + 1, stored.Trades[next].AggregateId - 1);
            for (; next < stored.Trades.Count; next++) _held.TryAdd(stored.Trades[next].AggregateId, stored.Trades[next]);
        }
        _outgoingFromStore = true;
        for (; next < stored.Trades.Count; next++)
        {
            // Too many to hold while fetching: the hole is recorded, never passed over silently.
            if (stored.Trades[next].AggregateId != _lastId + 1)
                RecordUnrecovered(stored.Trades[next].AggregateId, stored.Trades[next].TradeTimeMs, "missing from the tape store");
            PassOnOne(stored.Trades[next]);
        }
        FlushOutgoing();
        _outgoingFromStore = false;
        _gapGivenUp = false;
        _warmingUp = true;
        _attempts = 0;
        _filling = true;
        RequestNextPage();
    }
}
