namespace OrderFlow.Actors.Replay;

/// <summary>
/// A replay's time, which the metrics boards are read at. At a speed (1x, 10x) it runs from the replay's start at that
/// multiple of the wall clock; at <c>max</c> it is the latest trade replayed, so the windows advance by trade time.
/// Either way it stops at the replay's end, and stays there once every symbol is done.
/// </summary>
public sealed class ReplayClock : TimeProvider
{
    private readonly TimeProvider _wall;
    private readonly long _startedAt;
    private long _latestTradeMs;
    private long _finishedAtMs;

    public ReplayClock(long fromMs, long toMs, double? speed, TimeProvider? wall = null)
    {
        (FromMs, ToMs, Speed, _wall) = (fromMs, toMs, speed, wall ?? System);
        _startedAt = _wall.GetTimestamp();
        _latestTradeMs = fromMs;
    }

    /// <summary>Null: as fast as the store reads.</summary>
    public double? Speed { get; }

    public long FromMs { get; }

    public long ToMs { get; }

    public long NowMs => Volatile.Read(ref _finishedAtMs) is var finished and > 0 ? finished
        : Speed is { } factor ? Math.Min(ToMs, FromMs + (long)(_wall.GetElapsedTime(_startedAt).TotalMilliseconds * factor))
        : Volatile.Read(ref _latestTradeMs);

    public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(NowMs);

    /// <summary>A trade at <paramref name="tradeMs"/> was replayed (at <c>max</c>, the clock moves to it).</summary>
    public void Replayed(long tradeMs)
    {
        long seen;
        while ((seen = Volatile.Read(ref _latestTradeMs)) < tradeMs && Interlocked.CompareExchange(ref _latestTradeMs, tradeMs, seen) != seen) { }
    }

    /// <summary>Every symbol is done: the clock stands at the replay's end (just before it: the end is exclusive).</summary>
    public void Finish() => Volatile.Write(ref _finishedAtMs, ToMs - 1);
}
