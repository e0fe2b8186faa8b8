using OrderFlow.Actors.Sequencing;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Bars;

/// <summary>
/// A symbol's bars, one <see cref="BarSeries"/> per configured interval, and the footprint's step: the tick size ×
/// the configured ticks per level, or with none configured the smallest multiple of the tick at or above a tenth of a basis
/// point of the first price (BTC at 91,000 with tick 0.01: 0.91), fixed once chosen so every bar of the series is
/// binned alike. Until the tick size is known the step is 10^-8. The bars that became final (or were re-issued)
/// since the last <see cref="TakeFinalised"/> wait there for whoever announces them.
/// </summary>
public sealed class SymbolBars(IReadOnlyList<TimeSpan> intervals, int keep, int keepFootprint, int ticksPerLevel)
{
    private readonly BarSeries[] _series = intervals.Select(interval => new BarSeries(interval, keep, keepFootprint)).ToArray();
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
        if (_step == 0 && _tick > 0) _step = ChooseStep(trade.Price.Raw);
        foreach (var series in _series) series.Add(trade, notional, _step == 0 ? 1 : _step, cvd, cvdAnchorMs);
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

    private long ChooseStep(long price)
    {
        if (ticksPerLevel > 0) return _tick * ticksPerLevel;
        var tenthOfBasisPoint = price / 100_000;
        return Math.Max(_tick, (tenthOfBasisPoint + _tick - 1) / _tick * _tick);
    }
}
