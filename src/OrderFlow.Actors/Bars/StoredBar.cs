using OrderFlow.Protocol.Bars;

namespace OrderFlow.Actors.Bars;

/// <summary>
/// A final bar as it is announced, and as the tape store keeps it (its newest revision), so a restarted host answers the bars it had: the
/// figures, the footprint's step the series used, and from when its CVD was counted (a restart goes on counting it).
/// </summary>
public sealed record StoredBar(BarInterval Interval, long FromMs, int Revision, bool Complete, BarFigures Figures, long Step, long CvdFromMs)
{
    /// <summary>A time bar's end; a tick or volume bar's last trade time (whoever builds one says).</summary>
    public long ToMs { get; init; } = Interval.Span is { } span ? FromMs + (long)span.TotalMilliseconds : FromMs;

    /// <summary>A tick bar's first id by count; a volume bar's first id; a time bar's open time.</summary>
    public long CountFromId { get; init; } = Interval.Span is null ? Figures.FirstAggregateId : FromMs;
}

/// <summary>The symbol's stored bars at start, newest <c>keep</c> per interval: told to metrics before the stored tape's trades.</summary>
public sealed record BarsFromStore(IReadOnlyList<StoredBar> Bars) : ILocalMessage;
