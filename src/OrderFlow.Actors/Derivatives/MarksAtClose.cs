using OrderFlow.Actors.Binance;
using OrderFlow.Actors.Metrics;

namespace OrderFlow.Actors.Derivatives;

/// <summary>
/// Each kept time bar's mark price at its close: the latest update timed inside the bar, per interval (the bar under
/// way: the latest so far). Kept for the newest <c>keep</c> bars of each interval: a few hundred updates a symbol.
/// </summary>
public sealed class MarksAtClose(IReadOnlyList<TimeSpan> intervals, int keep)
{
    private readonly (long Ms, SortedList<long, MarkPriceUpdate> ByOpen)[] _series =
        intervals.Select(interval => ((long)interval.TotalMilliseconds, new SortedList<long, MarkPriceUpdate>())).ToArray();

    public void Add(in MarkPriceUpdate update)
    {
        foreach (var (ms, byOpen) in _series)
        {
            var open = Floor.Divide(update.EventTimeMs, ms) * ms;
            if (byOpen.TryGetValue(open, out var kept) && kept.EventTimeMs > update.EventTimeMs) continue;
            byOpen[open] = update;
            while (byOpen.Count > keep) byOpen.RemoveAt(0);
        }
    }

    /// <summary>The mark at the close of the <paramref name="interval"/> bar opening at <paramref name="fromMs"/>, if one came inside it.</summary>
    public MarkPriceUpdate? At(TimeSpan interval, long fromMs)
    {
        foreach (var (ms, byOpen) in _series)
            if (ms == (long)interval.TotalMilliseconds) return byOpen.TryGetValue(fromMs, out var update) ? update : null;
        return null;
    }
}
