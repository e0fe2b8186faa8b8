using OrderFlow.Actors.Metrics;
using OrderFlow.Actors.Sequencing;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Bars;

/// <summary>
/// A symbol's bars, one <see cref="BarSeries"/> per configured interval, and the footprint's step
/// (<see cref="PriceStep"/>: the tick × the configured ticks per level, or with none configured a tenth of a basis point
/// of the first price, rounded up to the tick), fixed once chosen so every bar of the series is binned alike. Until the
/// tick size is known the step is 10^-8. Only the shortest interval's footprint takes trades one by one: a longer bar
/// made of whole shorter ones (5m of 1m, aligned to UTC) gets each finished shorter footprint added in, so a trade costs
/// one footprint level however many intervals are kept (on a volatile tape, nearly a level a trade). The bars that
/// became final (or were re-issued) since the last <see cref="TakeFinalised"/> wait there for whoever announces them.
/// </summary>
public sealed class SymbolBars(IReadOnlyList<TimeSpan> intervals, int keep, int keepFootprint, int ticksPerLevel)
{
    // Shortest first: the first takes every trade's footprint level, the ones it divides are handed its footprints.
    private readonly BarSeries[] _series = intervals.Order().Select(interval => new BarSeries(interval, keep, keepFootprint)).ToArray();
    private bool[]? _handedOn;
    private long _tick;
    private long _step;

    public IReadOnlyList<TimeSpan> Intervals => intervals;

    /// <summary>The footprint's step at 10^-8 (0 until chosen).</summary>
    public long Step => _step;

    public void SetTickSize(Fixed8 tick)
    {
        if (_tick == 0 && tick.Raw > 0) _tick = tick.Raw;
    }

    public BarSeries? Series(TimeSpan interval) => Array.Find(_series, series => series.Interval == interval);

    /// <summary>A trade whose quantity is the base asset: its notional is p × q.</summary>
    public void Add(in AggregateTrade trade, long cvd, long cvdAnchorMs) => Add(trade, (Int128)trade.Price.Raw * trade.Quantity.Raw, cvd, cvdAnchorMs);

    /// <summary>A trade as <see cref="Metrics.TradeUnits"/> measured it: its quantity the volume, with its notional at 10^-16.</summary>
    public void Add(in AggregateTrade trade, Int128 notional, long cvd, long cvdAnchorMs)
    {
        if (_series.Length == 0) return;
        if (_step == 0 && _tick > 0) _step = PriceStep.Choose(_tick, trade.Price.Raw, ticksPerLevel);
        var step = _step == 0 ? 1 : _step;
        var handedOn = _handedOn ??= _series.Select((series, i) => i > 0 && series.Interval.Ticks % _series[0].Interval.Ticks == 0).ToArray();
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
    public FootprintLadder? FootprintOf(BarSeries series, KeptBar bar)
    {
        if (bar.Footprint is not { } own || series == _series[0] || _handedOn is not { } handedOn || !handedOn[Array.IndexOf(_series, series)]) return bar.Footprint;
        var shortest = _series[0].Bars;
        return shortest.Count > 0 && shortest[^1] is { FromStore: false, Footprint: { } open } latest && latest.FromMs >= bar.FromMs && latest.FromMs < bar.ToMs
            ? FootprintLadder.Sum(own, open)
            : own;
    }

    /// <summary>The tape starts at <paramref name="fromMs"/> (the store's, REST's warm-up, or the first live trade): bars opening before are not complete.</summary>
    public void TapeStarted(long fromMs)
    {
        foreach (var series in _series) series.TapeStarted(fromMs);
    }

    /// <summary>The stored bars at start, and the footprint's step they were binned with.</summary>
    public void Restore(IReadOnlyList<StoredBar> stored)
    {
        if (stored.Count == 0) return;
        if (_step == 0) _step = stored.MaxBy(bar => bar.FromMs)!.Step;
        foreach (var series in _series) series.Restore(stored.Where(bar => bar.Interval == series.Interval).OrderBy(bar => bar.FromMs));
    }

    public void Tick(long nowMs, long graceMs)
    {
        foreach (var series in _series) series.Tick(nowMs, graceMs);
    }

    public void Hole(TapeHole hole)
    {
        foreach (var series in _series) series.Hole(hole.AfterMs, hole.BeforeMs);
    }

    /// <summary>The bars finalised or re-issued since the last call, oldest first per interval; empty without allocating when none.</summary>
    public IReadOnlyList<(TimeSpan Interval, KeptBar Bar)> TakeFinalised()
    {
        if (Array.TrueForAll(_series, series => series.Finalised.Count == 0)) return [];
        var taken = new List<(TimeSpan, KeptBar)>();
        foreach (var series in _series)
        {
            taken.AddRange(series.Finalised.Select(bar => (series.Interval, bar)));
            series.Finalised.Clear();
        }
        return taken;
    }

}
