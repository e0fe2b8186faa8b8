using OrderFlow.Actors.Metrics;
using OrderFlow.Actors.Sequencing;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Bars;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Bars;

/// <summary>
/// A symbol's bars: one <see cref="BarSeries"/> per time interval, one <see cref="CountedBarSeries"/> per tick or volume
/// bar size, and the footprint's step (<see cref="PriceStep"/>: the tick × the configured ticks per level, or with none
/// configured a tenth of a basis point of the first price, rounded up to the tick), fixed once chosen so every bar is
/// binned alike. Until the tick size is known the step is 10^-8. Only the shortest time interval's footprint takes
/// trades one by one: a longer bar made of whole shorter ones (5m of 1m, aligned to UTC) gets each finished shorter
/// footprint added in, so a trade costs one footprint level however many intervals are kept (on a volatile tape, nearly
/// a level a trade). The bars that became final (or were re-issued) since the last <see cref="TakeFinalised"/> wait
/// there for whoever announces them.
/// </summary>
public sealed class SymbolBars(IReadOnlyList<BarInterval> intervals, int keep, int keepFootprint, int ticksPerLevel)
{
    // Shortest first: the first takes every trade's footprint level, the ones it divides are handed its footprints.
    private readonly BarSeries[] _series = intervals.Where(interval => interval.Span is not null).Order()
        .Select(interval => new BarSeries(interval.Span!.Value, keep, keepFootprint)).ToArray();
    private readonly CountedBarSeries[] _counted = intervals.Where(interval => interval.Span is null).Order()
        .Select(interval => new CountedBarSeries(interval, keep, keepFootprint)).ToArray();
    private bool[]? _handedOn;
    private long _tick;
    private long _step;

    public IReadOnlyList<BarInterval> Intervals { get; } = intervals.Order().ToList();

    /// <summary>The footprint's step at 10^-8 (0 until chosen).</summary>
    public long Step => _step;

    private IEnumerable<IBarSeries> All => _series.Concat<IBarSeries>(_counted);

    public void SetTickSize(Fixed8 tick)
    {
        if (_tick == 0 && tick.Raw > 0) _tick = tick.Raw;
    }

    public IBarSeries? Series(BarInterval interval) => All.FirstOrDefault(series => series.Interval == interval);

    /// <summary>A trade whose quantity is the base asset: its notional is p × q.</summary>
    public void Add(in AggregateTrade trade, long cvd, long cvdAnchorMs) => Add(trade, (Int128)trade.Price.Raw * trade.Quantity.Raw, cvd, cvdAnchorMs);

    /// <summary>A trade as <see cref="Metrics.TradeUnits"/> measured it: its quantity the volume, with its notional at 10^-16.</summary>
    public void Add(in AggregateTrade trade, Int128 notional, long cvd, long cvdAnchorMs)
    {
        if (_series.Length == 0 && _counted.Length == 0) return;
        if (_step == 0 && _tick > 0) _step = PriceStep.Choose(_tick, trade.Price.Raw, ticksPerLevel);
        var step = _step == 0 ? 1 : _step;
        foreach (var counted in _counted) counted.Add(trade, notional, step, cvd, cvdAnchorMs);
        if (_series.Length == 0) return;
        var handedOn = _handedOn ??= _series.Select((series, i) => i > 0 && series.Span.Ticks % _series[0].Span.Ticks == 0).ToArray();
        var shortest = _series[0];
        // A trade the shortest series holds in a stored bar is never handed on from it: the longer ones take it themselves.
        var own = trade.AggregateId <= shortest.RestoredThroughId;
        if (shortest.Add(trade, notional, step, cvd, cvdAnchorMs) is { } ended)
            for (var i = 1; i < _series.Length; i++)
                if (handedOn[i]) _series[i].BarAt(ended.FromMs)?.Footprint?.Merge(ended.Footprint);
        for (var i = 1; i < _series.Length; i++) _series[i].Add(trade, notional, step, cvd, cvdAnchorMs, footprint: !handedOn[i] || own);
    }

    /// <summary>
    /// A bar's footprint as it stands: a longer bar's own, plus the shortest series' bar under way inside it (handed on
    /// only once it ends).
    /// </summary>
    public FootprintLadder? FootprintOf(IBarSeries series, KeptBar bar)
    {
        if (bar.Footprint is not { } own || series is not BarSeries time || time == _series[0] || _handedOn is not { } handedOn ||
            !handedOn[Array.IndexOf(_series, time)]) return bar.Footprint;
        var shortest = _series[0].Bars;
        return shortest.Count > 0 && shortest[^1] is { FromStore: false, Footprint: { } open } latest && latest.FromMs >= bar.FromMs && latest.FromMs < bar.ToMs
            ? FootprintLadder.Sum(own, open)
            : own;
    }

    /// <summary>The tape starts at <paramref name="fromMs"/> (the store's, REST's warm-up, or the first live trade): bars opening before are not complete.</summary>
    public void TapeStarted(long fromMs)
    {
        foreach (var series in All) series.TapeStarted(fromMs);
    }

    /// <summary>The stored bars at start, and the footprint's step they were binned with.</summary>
    public void Restore(IReadOnlyList<StoredBar> stored)
    {
        if (stored.Count == 0) return;
        if (_step == 0) _step = stored.MaxBy(bar => bar.FromMs)!.Step;
        foreach (var series in _series) series.Restore(stored.Where(bar => bar.Interval == series.Interval).OrderBy(bar => bar.FromMs));
        foreach (var series in _counted) series.Restore(stored.Where(bar => bar.Interval == series.Interval).OrderBy(bar => bar.CountFromId));
    }

    public void Tick(long nowMs, long graceMs)
    {
        foreach (var series in All) series.Tick(nowMs, graceMs);
    }

    public void Hole(TapeHole hole)
    {
        foreach (var series in All) series.Hole(hole);
    }

    /// <summary>The bars finalised or re-issued since the last call, oldest first per interval; empty without allocating when none.</summary>
    public IReadOnlyList<(BarInterval Interval, KeptBar Bar)> TakeFinalised()
    {
        if (Array.TrueForAll(_series, series => series.Finalised.Count == 0) && Array.TrueForAll(_counted, series => series.Finalised.Count == 0)) return [];
        var taken = new List<(BarInterval, KeptBar)>();
        foreach (var series in All)
        {
            taken.AddRange(series.Finalised.Select(bar => (series.Interval, bar)));
            series.Finalised.Clear();
        }
        return taken;
    }

}
