using System.Diagnostics;
using OrderFlow.Actors.Binance;

namespace OrderFlow.Actors.Connection;

/// <summary>
/// One socket of a connection actor, whichever part it plays: the current one, the replacement that opens beside it
/// (make before break), or the old one closing after a switch. Its number tells its messages apart from every other
/// socket's; it keeps its own clock, its own control-request pace and its requests awaiting an answer.
/// </summary>
internal sealed class StreamConnection(int number, AggTradeSocket<StreamRoute> socket, int incomingMessagesPerSecond) : IDisposable
{
    public int Number { get; } = number;

    public AggTradeSocket<StreamRoute> Socket { get; } = socket;

    public ControlPacer Pacer { get; } = new(incomingMessagesPerSecond);

    /// <summary>SUBSCRIBE requests sent and not yet answered, by id.</summary>
    public Dictionary<long, List<StreamRoute>> Subscribing { get; } = new();

    /// <summary>When the attempt began (a <see cref="Stopwatch"/> timestamp).</summary>
    public long OpenedAt { get; } = Stopwatch.GetTimestamp();

    public bool IsOpen => Socket.IsOpen;

    public TimeSpan SinceOpened => Stopwatch.GetElapsedTime(OpenedAt);

    public void Dispose() => Socket.Dispose();
}
