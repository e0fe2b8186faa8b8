using Akka.Actor;
using OrderFlow.Actors.Binance;
using OrderFlow.Protocol.Streams;

namespace OrderFlow.Actors.Connection;

/// <summary>
/// A connection's plumbing: opening, reading and closing it detached from the mailbox, and the messages its socket
/// work and timers send back, each naming the connection it is about, so that a late word from an old one is ignored.
/// </summary>
public sealed partial class StreamActor
{
    private interface IConnectionScoped
    {
        int Connection { get; }
    }

    private sealed record StartAttempt
    {
        public static readonly StartAttempt Instance = new();
    }

    private sealed record ConnectSucceeded(int Connection) : IConnectionScoped;

    private sealed record ConnectFailed(int Connection, Exception Cause) : IConnectionScoped;

    /// <summary>The frames of one burst off the socket.</summary>
    private sealed record MessagesArrived(int Connection, SocketBurst Burst) : IConnectionScoped;

    private sealed record ConnectionEnded(int Connection, ConnectionEnd End) : IConnectionScoped;

    private sealed record DeadlinePassed(int Connection, TimeoutPhase Phase) : IConnectionScoped;

    private sealed record CheckIdle(int Connection) : IConnectionScoped;

    private sealed record Rotate(int Connection) : IConnectionScoped;

    /// <summary>Opens the replacement connection for <paramref name="Connection"/>, now or again after a failed try.</summary>
    private sealed record HandOver(int Connection, string Why) : IConnectionScoped;

    private sealed record RetireTimedOut(int Connection) : IConnectionScoped;

    private sealed record LogSummary
    {
        public static readonly LogSummary Instance = new();
    }

    private sealed record CloseTimedOut
    {
        public static readonly CloseTimedOut Instance = new();
    }

    /// <summary>Opens a new connection under the connect deadline held by <paramref name="deadlineTimer"/>.</summary>
    private StreamConnection Open(string deadlineTimer)
    {
        var connection = new StreamConnection(++_lastConnectionNumber, new AggTradeSocket(_uri, _symbol, _socketOptions));
        var number = connection.Number;
        connection.Socket.ConnectAsync().PipeTo(Self,
            success: () => new ConnectSucceeded(number),
            failure: error => new ConnectFailed(number, error));
        Timers.StartSingleTimer(deadlineTimer, new DeadlinePassed(number, TimeoutPhase.Connect), _settings.ConnectTimeout);
        return connection;
    }

    /// <summary>Upgraded: reads it, under the first-message deadline held by <paramref name="deadlineTimer"/>.</summary>
    private void Listen(StreamConnection connection, string deadlineTimer)
    {
        connection.Heard();
        var (self, number, socket) = (Self, connection.Number, connection.Socket);
        // On this actor's dispatcher's threads: the pipeline's, in a host (see PipelineDispatcher).
        new DispatcherTaskScheduler(Context.Dispatcher).Run(() => socket.ReceiveAsync(burst => self.Tell(new MessagesArrived(number, burst)))).PipeTo(self,
            success: end => new ConnectionEnded(number, end),
            failure: error => new ConnectionEnded(number, new ConnectionEnd(ConnectionEndKind.Broken, error.Message)));
        Timers.StartSingleTimer(deadlineTimer, new DeadlinePassed(number, TimeoutPhase.FirstMessage), _settings.FirstMessageTimeout);
    }

    /// <summary>Closes the current connection with a close frame, within a grace; then stops.</summary>
    private void BeginClose()
    {
        Timers.CancelAll();
        AbandonReplacement();
        Retired();
        if (_current is not { IsOpen: true })
        {
            Context.Stop(Self);
            return;
        }
        _ = _current.Socket.CloseAsync();
        Timers.StartSingleTimer(DeadlineTimer, CloseTimedOut.Instance, CloseGrace);
        Closing();
    }

    private void Closing()
    {
        EnterState(StreamState.Stopped);
        Become(() =>
        {
            Receive<GetStreamState>(_ => ReportState());
            Receive<ConnectionEnded>(IsCurrent, _ =>
            {
                _log.ClosedCleanly();
                Context.Stop(Self);
            });
            Receive<CloseTimedOut>(_ =>
            {
                _log.ClosedWithoutCloseFrame();
                Context.Stop(Self);
            });
            Receive<CloseStream>(_ => { });
            Receive<MessagesArrived>(Forward);
            Receive<IConnectionScoped>(_ => { });
            Receive<LogSummary>(_ => { });
        });
    }
}
