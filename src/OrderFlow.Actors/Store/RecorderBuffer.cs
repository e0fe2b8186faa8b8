using OrderFlow.Actors.Bars;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Store;

/// <summary>
/// What one symbol's recorder has not written yet, and what it is writing: trades in id order, holes, final bars and
/// liquidations. Bounded: past
/// <c>limit</c> trades (what the symbol's history holds, so nothing it dropped is still unwritten), the oldest are
/// let go and their ids become a hole, recorded with the next write, never skipped without a trace.
/// </summary>
public sealed class RecorderBuffer(TapeId tape, int limit, int maxPerWrite = 50_000)
{
    private readonly List<AggregateTrade> _pending = new();
    private readonly List<AggregateIdRange> _holes = new();
    private readonly List<StoredBar> _bars = new();
    private readonly List<Binance.ForceOrder> _liquidations = new();
    private TapeWrite? _writing;
    private Fixed8? _tickSize;
    private Fixed8? _contractSize;

    public int Pending => _pending.Count;

    public bool Writing => _writing is not null;

    /// <summary>Trades in the write under way.</summary>
    public int InFlight => _writing?.Trades.Count ?? 0;

    /// <summary>Ids given up on because the store fell too far behind, since start.</summary>
    public long Dropped { get; private set; }

    public void Add(ReadOnlySpan<AggregateTrade> trades)
    {
        foreach (var trade in trades) _pending.Add(trade);
        if (_pending.Count <= limit) return;
        var excess = _pending.Count - limit;
        AddHole(new AggregateIdRange(_pending[0].AggregateId, _pending[excess - 1].AggregateId));
        _pending.RemoveRange(0, excess);
        Dropped += excess;
    }

    /// <summary>The tick and COIN-M's contract size, when exchangeInfo gave them: go with the next write.</summary>
    public void SetListing(Binance.Listing listing)
    {
        if (listing.TickSize > Fixed8.Zero) _tickSize = listing.TickSize;
        if (listing.ContractSize > Fixed8.Zero) _contractSize = listing.ContractSize;
    }

    /// <summary>Final bars (a few a minute), written with the next write; a bar's newer revision replaces the older in the store.</summary>
    public void AddBars(IEnumerable<StoredBar> bars) => _bars.AddRange(bars);

    /// <summary>A liquidation the symbol's market pushed (at most one a second): written with the next write.</summary>
    public void AddLiquidation(in Binance.ForceOrder liquidation) => _liquidations.Add(liquidation);

    public void AddHole(AggregateIdRange ids)
    {
        if (_holes.Count > 0 && _holes[^1].ToId + 1 == ids.FromId) _holes[^1] = _holes[^1] with { ToId = ids.ToId };
        else _holes.Add(ids);
    }

    /// <summary>The next write (at most maxPerWrite trades, every hole and bar, a new tick size), or null when nothing waits or one is under way.</summary>
    public TapeWrite? TakeWrite()
    {
        if (_writing is not null || (_pending.Count == 0 && _holes.Count == 0 && _bars.Count == 0 && _liquidations.Count == 0 && _tickSize is null &&
                                     _contractSize is null)) return null;
        var count = Math.Min(_pending.Count, maxPerWrite);
        _writing = new TapeWrite(tape, _pending.GetRange(0, count), [.. _holes], _tickSize, _bars.Count == 0 ? null : [.. _bars], _contractSize,
            _liquidations.Count == 0 ? null : [.. _liquidations]);
        _pending.RemoveRange(0, count);
        _holes.Clear();
        _bars.Clear();
        _liquidations.Clear();
        (_tickSize, _contractSize) = (null, null);
        return _writing;
    }

    public void Written() => _writing = null;

    /// <summary>The write failed: its trades and holes wait again, ahead of what came since (and within the bound).</summary>
    public void WriteFailed()
    {
        if (_writing is not { } failed) return;
        _writing = null;
        _pending.InsertRange(0, failed.Trades);
        _holes.InsertRange(0, failed.Holes);
        _bars.InsertRange(0, failed.FinalBars);
        _liquidations.InsertRange(0, failed.Liquidated);
        _tickSize ??= failed.TickSize;
        _contractSize ??= failed.ContractSize;
        Add([]);
    }
}
