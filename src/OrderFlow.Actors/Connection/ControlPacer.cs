namespace OrderFlow.Actors.Connection;

/// <summary>
/// How often one connection may send a control request (SUBSCRIBE, UNSUBSCRIBE). Binance disconnects a connection
/// that sends more than its incoming-message limit in a second (5 on spot, 10 on futures), and pings and pongs count
/// too, so two a second are left to them: at most limit − 2 requests in any second, never fewer than one.
/// </summary>
public sealed class ControlPacer(int incomingMessagesPerSecond)
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);
    private const int LeftForPingsAndPongs = 2;

    private readonly Queue<TimeSpan> _sent = new();

    public int PerSecond { get; } = Math.Max(1, incomingMessagesPerSecond - LeftForPingsAndPongs);

    /// <summary>Takes a send at <paramref name="now"/> (any monotonic clock), or says how long until one is allowed.</summary>
    public bool TryTake(TimeSpan now, out TimeSpan wait)
    {
        while (_sent.Count > 0 && now - _sent.Peek() >= Window) _sent.Dequeue();
        if (_sent.Count < PerSecond)
        {
            _sent.Enqueue(now);
            wait = TimeSpan.Zero;
            return true;
        }
        wait = _sent.Peek() + Window - now;
        return false;
    }
}
