using Akka.Actor;
using Akka.Event;
using OrderFlow.Actors.Binance;

namespace OrderFlow.Actors.Connection;

/// <summary>
/// A connection's socket plumbing: opening, reading and closing sockets detached from the mailbox, and the messages
/// their work and timers send back, each naming the socket it is about, so that a late word from an old one is ignored.
/// </summary>
public sealed partial class ConnectionActor
{
    private const string OpenTimer = "open";
    private const string ConnectDeadlineTimer = "connect-deadline";
    private const string ControlTimer = "control";
    private const string RotateTimer = "rotate";
    private const string HandOverTimer = "hand-over";
    private const string ReplacementDeadlineTimer = "replacement-deadline";
    private const string RetireTimer = "retire";
    private const string CloseTimer = "close";
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Each stream times its own attempt out at connect-timeout and lets go, and a connection left with no stream
    /// stops; this bound is only for an upgrade that outlives that, so that no socket waits forever.
    /// </summary>
    private TimeSpan ConnectBackstop => _settings.ConnectTimeout * 2;

    /// <summary>About one socket. Its work may still report after this actor has stopped (an aborted connect): that
    /// late word is no one's, and not worth a dead-letter line.</summary>
    private interface ISocketScoped : IDeadLetterSuppression, ILocalMessage
    {
        int Socket { get; }
    }

    private sealed record OpenNow : ILocalMessage
    {
        public static readonly OpenNow Instance = new();
    }

    private sealed record SendControl : ILocalMessage
    {
        public static readonly SendControl Instance = new();
    }

    private sealed record ConnectSucceeded(int Socket) : ISocketScoped;

    private sealed record ConnectFailed(int Socket, Exception Cause) : ISocketScoped;

    private sealed record ConnectDeadlinePassed(int Socket) : ISocketScoped;

    /// <summary>The connection's own frames of one burst (control replies, a shutdown notice, what names no symbol).</summary>
    private sealed record ConnectionFrames(int Socket, SocketBurst Burst) : ISocketScoped;

    /// <summary>The socket delivered its first trade (for a replacement: the moment to switch over).</summary>
    private sealed record Delivering(int Socket) : ISocketScoped;

    private sealed record ConnectionEnded(int Socket, ConnectionEnd End) : ISocketScoped;

    private sealed record Rotate(int Socket) : ISocketScoped;

    /// <summary>Opens the replacement for the current socket, now or again after a failed try.</summary>
    private sealed record HandOver(int Socket, string Why) : ISocketScoped;

    private sealed record RetireTimedOut(int Socket) : ISocketScoped;

    private sealed record CloseTimedOut : ILocalMessage
    {
        public static readonly CloseTimedOut Instance = new();
    }

    /// <summary>Opens a socket under the connect deadline held by <paramref name="deadlineTimer"/>.</summary>
    private StreamConnection OpenSocket(Uri uri, string deadlineTimer)
    {
        var socket = new StreamConnection(++_lastSocketNumber, new AggTradeSocket<StreamRoute>(uri, Routes(), _socketOptions), _incomingMessagesPerSecond);
        var number = socket.Number;
        socket.Socket.ConnectAsync().PipeTo(Self,
            success: () => new ConnectSucceeded(number),
            failure: error => new ConnectFailed(number, error));
        Timers.StartSingleTimer(deadlineTimer, new ConnectDeadlinePassed(number), ConnectBackstop);
        return socket;
    }

    /// <summary>Upgraded: reads it. Each symbol's part of a burst goes straight to its stream actor.</summary>
    private void Listen(StreamConnection socket)
    {
        var (self, number) = (Self, socket.Number);
        var delivering = false;
        void OnBurst(StreamRoute? route, SocketBurst burst)
        {
            if (route is null)
            {
                self.Tell(new ConnectionFrames(number, burst));
                return;
            }
            if (route.Stream is null)
            {
                // A symbol just let go: its last trades in flight are dropped quietly.
                burst.Credit.Release();
                return;
            }
            if (!delivering && !burst.Trades.IsEmpty)
            {
                delivering = true;
                self.Tell(new Delivering(number));
            }
            route.Stream.Tell(new StreamTrades(route.Lease, burst));
        }
        // On this actor's dispatcher's threads: the pipeline's, in a host (see PipelineDispatcher).
        var reading = socket.Socket;
        new DispatcherTaskScheduler(Context.Dispatcher).Run(() => reading.ReceiveAsync(OnBurst)).PipeTo(self,
            success: end => new ConnectionEnded(number, end),
            failure: error => new ConnectionEnded(number, new ConnectionEnd(ConnectionEndKind.Broken, error.Message)));
    }

    /// <summary>Closes the current socket with a close frame, within a grace; then stops.</summary>
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
        _log.Closing(CarriedCount);
        _ = _current.Socket.CloseAsync();
        Timers.StartSingleTimer(CloseTimer, CloseTimedOut.Instance, CloseGrace);
        Become(() =>
        {
            Receive<ConnectionEnded>(IsCurrent, _ =>
            {
                _log.ClosedCleanly();
                TellEach(route => new StreamClosed(route.Lease, Cleanly: true));
                Context.Stop(Self);
            });
            Receive<CloseTimedOut>(_ =>
            {
                _log.ClosedWithoutCloseFrame();
                TellEach(route => new StreamClosed(route.Lease, Cleanly: false));
                Context.Stop(Self);
            });
            Receive<ConnectionFrames>(m => m.Burst.Credit.Release());
            Receive<object>(_ => { });
        });
    }
}
