using System.Diagnostics;
using OrderFlow.Actors.Binance;

namespace OrderFlow.Actors.Connection;

/// <summary>
/// One connection of a symbol's stream, whichever part it plays: the current one, the replacement that opens beside
/// it (make before break), or the old one closing after a switch. Its number tells its messages apart from every
/// other connection's; it keeps its own clock and trade count.
/// </summary>
internal sealed class StreamConnection(int number, AggTradeSocket socket) : IDisposable
{
    public int Number { get; } = number;

    public AggTradeSocket Socket { get; } = socket;

    /// <summary>When the attempt began (a <see cref="Stopwatch"/> timestamp).</summary>
    public long OpenedAt { get; } = Stopwatch.GetTimestamp();

    /// <summary>When the upgrade finished, or the last trade arrived: what the first-message, keep-alive and idle
    /// deadlines count from.</summary>
    public long LastHeardAt { get; private set; } = Stopwatch.GetTimestamp();

    /// <summary>Trades this connection has delivered.</summary>
    public long Trades { get; private set; }

    public bool IsOpen => Socket.IsOpen;

    public TimeSpan SinceOpened => Stopwatch.GetElapsedTime(OpenedAt);

    public TimeSpan SinceHeard => Stopwatch.GetElapsedTime(LastHeardAt);

    public void Heard() => LastHeardAt = Stopwatch.GetTimestamp();

    public void Delivered(int trades)
    {
        Heard();
        Trades += trades;
    }

    public void Dispose() => Socket.Dispose();
}
