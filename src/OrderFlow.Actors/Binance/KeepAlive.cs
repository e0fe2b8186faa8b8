namespace OrderFlow.Actors.Binance;

/// <summary>
/// Turns the configured keep-alive (quiet interval, detection budget) into ClientWebSocket settings that keep the
/// promise "a half-open link is detected within interval + timeout".
/// </summary>
/// <remarks>
/// .NET's ClientWebSocket pings only after <c>KeepAliveInterval</c> with no data received, and both sends the ping and
/// checks for the missing pong on a heartbeat every min(interval, pong wait) / 4. Its worst case is therefore
/// interval + pong wait + 2 heartbeats, which with the wait set to the whole timeout overshoots the budget by up to
/// half the shorter of the two (5 s at 15 s / 10 s). The pong wait is shortened so that the worst case equals it.
/// </remarks>
public static class KeepAlive
{
    /// <summary>The pong wait to give ClientWebSocket so that detection takes at most interval + timeout.</summary>
    public static TimeSpan PongWait(TimeSpan interval, TimeSpan timeout)
    {
        // Solve wait + 2·min(interval, wait)/4 = timeout, in whole milliseconds as .NET counts, rounding down.
        long intervalMs = Milliseconds(interval), timeoutMs = Milliseconds(timeout);
        var waitMs = 2 * timeoutMs <= 3 * intervalMs ? 2 * timeoutMs / 3 : timeoutMs - (intervalMs + 1) / 2;
        return TimeSpan.FromMilliseconds(Math.Max(waitMs, 1));
    }

    /// <summary>The longest .NET can take to notice a half-open link with these settings (its own arithmetic).</summary>
    public static TimeSpan WorstCaseDetection(TimeSpan interval, TimeSpan pongWait)
    {
        long intervalMs = Milliseconds(interval), waitMs = Milliseconds(pongWait);
        var heartbeatMs = Math.Max(Math.Min(intervalMs, waitMs) / 4, 1);
        return TimeSpan.FromMilliseconds(intervalMs + waitMs + 2 * heartbeatMs);
    }

    private static long Milliseconds(TimeSpan span) => Math.Clamp((long)span.TotalMilliseconds, 1, int.MaxValue);
}
