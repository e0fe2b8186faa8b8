namespace OrderFlow.Actors.Bars;

/// <summary>
/// A final bar as the tape store keeps it (its newest revision), so a restarted host answers the bars it had: the
/// figures, the footprint's step the series used, and from when its CVD was counted (a restart goes on counting it).
/// </summary>
public sealed record StoredBar(TimeSpan Interval, long FromMs, int Revision, bool Complete, BarFigures Figures, long Step, long CvdFromMs)
{
    public long ToMs => FromMs + (long)Interval.TotalMilliseconds;
}

/// <summary>The symbol's stored bars at start, newest <c>keep</c> per interval: told to metrics before the stored tape's trades.</summary>
public sealed record BarsFromStore(IReadOnlyList<StoredBar> Bars) : ILocalMessage;
