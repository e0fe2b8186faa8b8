using OrderFlow.Actors.Sequencing;
using OrderFlow.Protocol.Bars;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Bars;

/// <summary>
/// One symbol's tick bars (N aggregate trades each) or volume bars (each ended by the trade that carries its volume to
/// at least V; a trade is never split), counted afresh each UTC day from its first aggregate, so a replay of the day's
/// tape rebuilds the same bars (docs/order-flow.md, Bars). A tick bar holds the day's ids [first + k·N,
/// first + (k+1)·N), whatever gaps fall inside. A bar opens at its first trade's time and ends at its last's. It is
/// final once full (its own last trade closes it), once a trade of a later day passes, or, on a quiet symbol, once the
/// clock is past the end of its day plus the grace; a trade that reaches it after the clock closed it re-issues it.
/// A day whose start the tape did not see (it started later, or a gap was given up on inside a volume bar's day)
/// cannot be counted as the exchange's day is: its bars are not complete.
/// </summary>
public sealed class CountedBarSeries(BarInterval interval, int keep, int keepFootprint) : IBarSeries
{
    private const long DayMs = 86_400_000;

    private readonly List<KeptBar> _bars = new();
    private long _day = long.MinValue;
    private long _dayFirstId;
    private bool _dayWhole;
    private AggregateIdRange? _lastHole;

    public BarInterval Interval => interval;

    public IReadOnlyList<KeptBar> Bars => _bars;

    public List<KeptBar> Finalised { get; } = new();

    /// <summary>Where the tape starts: a day it starts after cannot be counted from its first aggregate.</summary>
    public long TapeFromMs { get; private set; } = long.MinValue;

    public void TapeStarted(long fromMs) => TapeFromMs = fromMs;

    /// <summary>After a restart: the stored bars hold every trade up to this id; those trades are not counted again.</summary>
    public long RestoredThroughId { get; private set; } = long.MinValue;

    /// <summary>
    /// The stored bars, oldest first, as they were; counting goes on after the newest (its day, its alignment, whether
    /// the day was whole). A trade after them that does not follow on is a hole, as one given up on.
    /// </summary>
    public void Restore(IEnumerable<StoredBar> stored)
    {
        foreach (var bar in stored)
            _bars.Add(new KeptBar(bar.FromMs, bar.ToMs)
            {
                Figures = bar.Figures, Final = true, Revision = bar.Revision, Complete = bar.Complete, FromStore = true, CountFromId = bar.CountFromId,
            });
        if (_bars.Count == 0) return;
        if (_bars.Count > keep) _bars.RemoveRange(0, _bars.Count - keep);
        var newest = _bars[^1];
        (_day, _dayFirstId, _dayWhole, RestoredThroughId) = (DayOf(newest.FromMs), newest.CountFromId, newest.Complete, newest.Figures.LastAggregateId);
    }

    public void Add(in AggregateTrade trade, Int128 notional, long stepRaw, long cvd, long cvdAnchorMs)
    {
        if (RestoredThroughId != long.MinValue)
        {
            if (trade.AggregateId <= RestoredThroughId) return;
            if (trade.AggregateId > RestoredThroughId + 1) Missing(new AggregateIdRange(RestoredThroughId + 1, trade.AggregateId - 1));
            RestoredThroughId = long.MinValue;
        }
        var day = DayOf(trade.TradeTimeMs);
        if (day < _day) return; // an earlier day: cannot happen in id order, and never counted twice
        var latest = _bars.Count == 0 ? null : _bars[^1];
        if (day > _day)
        {
            // Whole when the tape began by the day's start, or began with the exchange's very first aggregate.
            (_day, _dayFirstId, _dayWhole) = (day, trade.AggregateId, TapeFromMs <= day || trade.AggregateId == 1 && _bars.Count == 0);
            latest = Open(latest, trade);
        }
        else if (latest is null || Full(latest) || interval.Closer == BarCloser.Ticks && trade.AggregateId >= latest.CountFromId + interval.Size)
        {
            latest = Open(latest, trade);
        }
        latest.Figures.Add(trade, notional, cvd, cvdAnchorMs);
        latest.ToMs = trade.TradeTimeMs;
        latest.Footprint?.Add(trade, stepRaw);
        if (latest.Final)
        {
            latest.Revision++;
            Finalised.Add(latest);
        }
        else if (Full(latest))
        {
            Finalise(latest);
        }
    }

    /// <summary>On a quiet symbol: the day's last bar is final once the clock is past the day's end plus <paramref name="grace"/>.</summary>
    public void Tick(long nowMs, long grace)
    {
        if (_bars.Count > 0 && _bars[^1] is { Final: false } latest && nowMs >= _day + DayMs + grace) Finalise(latest);
    }

    /// <summary>
    /// Aggregates missing for good: the tick bars whose ids they fall among are not complete; a volume bar's boundaries
    /// after them are not the exchange's, so the rest of the day's volume bars are not complete either.
    /// </summary>
    public void Hole(TapeHole hole) => Missing(hole.Ids);

    private void Missing(AggregateIdRange ids)
    {
        foreach (var bar in _bars)
        {
            var touched = interval.Closer == BarCloser.Ticks
                ? bar.CountFromId <= ids.ToId && bar.CountFromId + interval.Size > ids.FromId
                : bar.Figures.LastAggregateId >= ids.FromId - 1;
            if (!touched || !bar.Complete) continue;
            bar.Complete = false;
            if (!bar.Final) continue;
            bar.Revision++;
            Finalised.Add(bar);
        }
        if (interval.Closer == BarCloser.Volume) _dayWhole = false;
        _lastHole = ids;
    }

    private static long DayOf(long ms) => ms - (((ms % DayMs) + DayMs) % DayMs);

    private KeptBar Open(KeptBar? latest, in AggregateTrade trade)
    {
        if (latest is { Final: false }) Finalise(latest);
        latest?.Footprint?.Compact();
        var countFrom = interval.Closer == BarCloser.Ticks ? trade.AggregateId - (trade.AggregateId - _dayFirstId) % interval.Size : trade.AggregateId;
        var bar = new KeptBar(trade.TradeTimeMs, trade.TradeTimeMs)
        {
            CountFromId = countFrom,
            Footprint = keepFootprint > 0 ? new FootprintLadder() : null,
            // A tick bar opened past a hole may still hold its ids (an earlier hole lies below the latest: it is enough to ask).
            Complete = _dayWhole && !(interval.Closer == BarCloser.Ticks && _lastHole is { } hole && hole.ToId >= countFrom),
        };
        _bars.Add(bar);
        if (_bars.Count > keep) _bars.RemoveRange(0, _bars.Count - keep);
        if (_bars.Count > keepFootprint) _bars[^(keepFootprint + 1)].Footprint = null;
        return bar;
    }

    private bool Full(KeptBar bar) => interval.Closer == BarCloser.Ticks
        ? bar.Figures.LastAggregateId >= bar.CountFromId + interval.Size - 1
        : bar.Figures.BuyVolume + bar.Figures.SellVolume >= interval.Size;

    private void Finalise(KeptBar bar)
    {
        bar.Final = true;
        Finalised.Add(bar);
    }
}
