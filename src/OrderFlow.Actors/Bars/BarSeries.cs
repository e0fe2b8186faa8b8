using OrderFlow.Actors.Sequencing;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Bars;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Bars;

/// <summary>A bar as the series keeps it: its figures, its footprint while kept, and where it stands.</summary>
public sealed class KeptBar(long fromMs, long toMs)
{
    public long FromMs { get; } = fromMs;
    /// <summary>A time bar's end (exclusive); a tick or volume bar's last trade time, so far.</summary>
    public long ToMs { get; set; } = toMs;
    /// <summary>What keys it in its series: a time bar's open time; a tick bar's first id by count (the day's first id + k·N;
    /// that aggregate may be missing); a volume bar's first id.</summary>
    public long CountFromId { get; init; } = fromMs;
    public BarFigures Figures;
    public FootprintLadder? Footprint;
    public bool Final { get; set; }
    public int Revision { get; set; }
    public bool Complete { get; set; } = true;
    /// <summary>Came back from the tape store at start (its footprint, if any, rebuilt from the stored trades).</summary>
    public bool FromStore { get; init; }
}

/// <summary>One series of a symbol's bars, as its readers and its owner see it, whatever ends its bars.</summary>
public interface IBarSeries
{
    BarInterval Interval { get; }

    /// <summary>The kept bars, oldest first.</summary>
    IReadOnlyList<KeptBar> Bars { get; }

    /// <summary>The bars that became final, or came again with a new revision, since the owner last took them.</summary>
    List<KeptBar> Finalised { get; }

    void TapeStarted(long fromMs);

    /// <summary>On a quiet symbol, the clock finalises what no trade will.</summary>
    void Tick(long nowMs, long grace);

    /// <summary>Aggregates missing for good: the bars they fall in are not complete.</summary>
    void Hole(TapeHole hole);
}

/// <summary>
/// One interval's time bars for one symbol, aligned to UTC, the newest <c>keep</c> of them (the footprint for the
/// newest <c>keepFootprint</c>). A bar is final once a trade at or after its end has been passed on (trade time never
/// falls as the aggregate id rises, and the sequencer passes nothing on behind a gap), or, on a quiet symbol, once the
/// clock is past its end plus a grace while the stream is live. A trade that reaches a bar already final (a backfill
/// after the clock closed it) re-issues it with its revision + 1. Each bar that becomes final, or is re-issued, is
/// kept in <see cref="Finalised"/> until taken.
/// </summary>
public sealed class BarSeries(TimeSpan interval, int keep, int keepFootprint) : IBarSeries
{
    private readonly long _intervalMs = (long)interval.TotalMilliseconds;
    private readonly List<KeptBar> _bars = new();
    /// <summary>After a restart: the stored bars hold every trade up to this id; those trades only rebuild their footprints.</summary>
    public long RestoredThroughId { get; private set; } = long.MinValue;

    private bool _rebuildingFootprints;

    public BarInterval Interval => interval;

    public TimeSpan Span => interval;

    public IReadOnlyList<KeptBar> Bars => _bars;

    /// <summary>The bars that became final, or came again with a new revision, since the owner last took them.</summary>
    public List<KeptBar> Finalised { get; } = new();

    /// <summary>Where the tape starts: a bar opening before it lacks the trades before, and is not complete.</summary>
    public long TapeFromMs { get; private set; } = long.MinValue;

    /// <summary>
    /// The stored bars, oldest first, as they were (final, revision, complete). The newest <c>keepFootprint</c> get a
    /// footprint again from the stored tape's trades, unless the tape starts after they open (<see cref="TapeStarted"/>).
    /// </summary>
    public void Restore(IEnumerable<StoredBar> stored)
    {
        foreach (var bar in stored)
        {
            _bars.Add(new KeptBar(bar.FromMs, bar.ToMs)
            {
                Figures = bar.Figures, Final = true, Revision = bar.Revision, Complete = bar.Complete, FromStore = true,
            });
            RestoredThroughId = Math.Max(RestoredThroughId, bar.Figures.LastAggregateId);
            _rebuildingFootprints = true;
        }
        Trim();
        for (var i = Math.Max(0, _bars.Count - keepFootprint); i < _bars.Count; i++) _bars[i].Footprint = new FootprintLadder();
    }

    public void TapeStarted(long fromMs)
    {
        TapeFromMs = fromMs;
        foreach (var bar in _bars)
            if (bar.FromMs < fromMs && bar.Final && bar.Footprint is { IsEmpty: true }) bar.Footprint = null;
    }

    /// <param name="footprint">
    /// Whether the trade goes into the bar's footprint here; false when a shorter series hands its finished footprints
    /// on (<see cref="SymbolBars"/>), so a trade costs one footprint level however many intervals are kept.
    /// </param>
    /// <returns>The open time and footprint of the bar that ended because this trade began a later one (not one from the store), else null.</returns>
    public (long FromMs, FootprintLadder Footprint)? Add(in AggregateTrade trade, Int128 notional, long stepRaw, long cvd, long cvdAnchorMs, bool footprint = true)
    {
        if (trade.AggregateId <= RestoredThroughId)
        {
            if (footprint) FindBar(Floor(trade.TradeTimeMs))?.Footprint?.Add(trade, stepRaw);
            return null;
        }
        if (_rebuildingFootprints)
        {
            // Past the stored bars: their footprints are whole again.
            _rebuildingFootprints = false;
            foreach (var bar in _bars) bar.Footprint?.Compact();
        }
        var fromMs = Floor(trade.TradeTimeMs);
        var latest = _bars.Count == 0 ? null : _bars[^1];
        (long, FootprintLadder)? ended = null;
        if (latest is null || fromMs > latest.FromMs)
        {
            if (latest is { FromStore: false, Footprint: { } done }) ended = (latest.FromMs, done);
            if (latest is { Final: false }) Finalise(latest);
            latest?.Footprint?.Compact();
            latest = new KeptBar(fromMs, fromMs + _intervalMs)
            {
                Footprint = keepFootprint > 0 ? new FootprintLadder() : null,
                Complete = fromMs >= TapeFromMs,
            };
            _bars.Add(latest);
            Trim();
        }
        else if (fromMs < latest.FromMs) return null; // behind the newest bar: cannot happen in id order, and never counted twice
        latest.Figures.Add(trade, notional, cvd, cvdAnchorMs);
        if (footprint) latest.Footprint?.Add(trade, stepRaw);
        if (latest.Final)
        {
            latest.Revision++;
            Finalised.Add(latest);
        }
        return ended;
    }

    /// <summary>On a quiet symbol: the newest bar is final once the clock is past its end plus <paramref name="grace"/>.</summary>
    public void Tick(long nowMs, long grace)
    {
        if (_bars.Count > 0 && _bars[^1] is { Final: false } latest && nowMs >= latest.ToMs + grace) Finalise(latest);
    }

    /// <summary>A gap given up on between two trade times: the bars it falls in are not complete.</summary>
    public void Hole(TapeHole hole)
    {
        foreach (var bar in _bars)
        {
            if (bar.ToMs <= hole.AfterMs || bar.FromMs > hole.BeforeMs || !bar.Complete) continue;
            bar.Complete = false;
            if (!bar.Final) continue;
            bar.Revision++;
            Finalised.Add(bar);
        }
    }

    /// <summary>The kept bar holding trade time <paramref name="timeMs"/>, if any.</summary>
    public KeptBar? BarAt(long timeMs) => FindBar(Floor(timeMs));

    private KeptBar? FindBar(long fromMs)
    {
        for (var i = _bars.Count - 1; i >= 0; i--)
            if (_bars[i].FromMs <= fromMs) return _bars[i].FromMs == fromMs ? _bars[i] : null;
        return null;
    }

    private void Finalise(KeptBar bar)
    {
        bar.Final = true;
        Finalised.Add(bar);
    }

    private void Trim()
    {
        if (_bars.Count > keep) _bars.RemoveRange(0, _bars.Count - keep);
        if (_bars.Count > keepFootprint) _bars[^(keepFootprint + 1)].Footprint = null;
    }

    private long Floor(long ms) => ms - (((ms % _intervalMs) + _intervalMs) % _intervalMs);
}
