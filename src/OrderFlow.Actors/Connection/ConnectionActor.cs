using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using OrderFlow.Actors.Binance;
using OrderFlow.Actors.Configuration;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Streams;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Connection;

/// <summary>
/// Owns one WebSocket carrying the aggTrade streams of up to <c>streams-per-connection</c> symbols. It gathers the
/// streams asked for in its first moments and opens with them in the URL; later ones ride on the open socket with
/// SUBSCRIBE and leave with UNSUBSCRIBE, paced under the exchange's incoming-message limit (<see cref="ControlPacer"/>).
/// Each frame goes straight from the reader to its symbol's stream actor, which owns that symbol's lifecycle (its
/// deadlines, retries and reports); this actor tells each one what happened to the socket under it. One socket life:
/// when the socket ends unplanned, every stream hears why and this actor stops; the stream actors ask again and the
/// pool packs them onto fresh connections. Planned ends (serverShutdown, the 24-hour cut) make before they break: a
/// replacement opens beside the current socket carrying the same streams, takes over at its first trade, and the
/// sequencers drop the overlap.
/// </summary>
public sealed partial class ConnectionActor : ReceiveActor, IWithTimers
{
    /// <summary>Streams asked for within this of the first one share the URL: a mass reconnect opens few sockets.</summary>
    internal static readonly TimeSpan GatherWindow = TimeSpan.FromMilliseconds(250);

    /// <summary>Streams named in one SUBSCRIBE or UNSUBSCRIBE request.</summary>
    internal const int StreamsPerRequest = 200;

    private readonly ConnectionLog _log;
    private readonly string _name;
    private readonly StreamSettings _settings;
    private readonly Uri _webSocketBase;
    private readonly int _capacity;
    private readonly int _incomingMessagesPerSecond;
    private readonly SocketOptions _socketOptions;
    private readonly ConnectionBudget _budget;

    /// <summary>Every stream this connection answers for, by symbol; a symbol let go keeps a route without a stream.</summary>
    private readonly CarriedStreams _streams = new();

    private StreamConnection? _current;
    private StreamConnection? _replacement;
    private StreamConnection? _retiring;
    private int _lastSocketNumber;
    /// <summary>The current socket has delivered trades: its link is proven.</summary>
    private bool _delivering;

    public ConnectionActor(string name, StreamSettings settings, Uri webSocketBase, int capacity, int incomingMessagesPerSecond, ConnectionBudget budget)
    {
        _log = new ConnectionLog(Context.GetLogger(), name);
        _name = name;
        _settings = settings;
        _webSocketBase = webSocketBase;
        _capacity = capacity;
        _incomingMessagesPerSecond = incomingMessagesPerSecond;
        _socketOptions = new SocketOptions(settings.KeepAliveInterval, settings.KeepAliveTimeout, settings.MaxFrameBytes);
        _budget = budget;
        Gathering();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string name, StreamSettings settings, Uri webSocketBase, int capacity, int incomingMessagesPerSecond, ConnectionBudget budget) =>
        Akka.Actor.Props.Create(() => new ConnectionActor(name, settings, webSocketBase, capacity, incomingMessagesPerSecond, budget));

    protected override void PreStart() => Timers.StartSingleTimer(OpenTimer, OpenNow.Instance, GatherWindow);

    protected override void PostStop()
    {
        _current?.Dispose();
        _replacement?.Dispose();
        _retiring?.Dispose();
    }

    private IEnumerable<StreamRoute> Carried => _streams.Carried;

    private int CarriedCount => _streams.Count;

    // ---- states ----

    /// <summary>Collecting the first streams; opens when the window closes or the connection is full.</summary>
    private void Gathering()
    {
        Receive<AddStream>(add =>
        {
            Carry(add);
            if (CarriedCount >= _capacity) Self.Tell(OpenNow.Instance);
        });
        Receive<RemoveStream>(remove =>
        {
            _streams.Forget(remove.Symbol);
            StopWhenEmpty();
        });
        Receive<OpenNow>(_ => TryOpen());
        Receive<CloseConnection>(_ => Context.Stop(Self));
        Receive<ISocketScoped>(_ => { });
    }

    private void Connecting()
    {
        Become(() =>
        {
            Receive<AddStream>(add => Carry(add, subscribe: true));
            Receive<RemoveStream>(remove =>
            {
                LetGo(remove, unsubscribe: false);
                StopWhenEmpty();
            });
            Receive<ConnectSucceeded>(IsCurrent, _ => OnConnected());
            Receive<ConnectFailed>(IsCurrent, m => OnConnectFailed(StreamConnectException.From(m.Cause)));
            Receive<ConnectDeadlinePassed>(IsCurrent, _ => End(new ConnectionEnd(ConnectionEndKind.Broken,
                $"the upgrade did not finish within {HumanFormat.Duration(ConnectBackstop)}")));
            Receive<CloseConnection>(_ => Context.Stop(Self));
            Receive<ISocketScoped>(_ => { });
        });
    }

    private void Open()
    {
        Become(() =>
        {
            Receive<AddStream>(add =>
            {
                Carry(add, subscribe: true);
                SendControlRequests();
            });
            Receive<RemoveStream>(remove =>
            {
                LetGo(remove, unsubscribe: true);
                if (CarriedCount == 0) BeginClose();
                else SendControlRequests();
            });
            Receive<SendControl>(_ => SendControlRequests());
            Receive<Rotate>(IsCurrent, _ =>
            {
                _log.Rotating(_settings.MaxConnectionAge);
                BeginHandOver("the 24-hour cut");
            });
            Receive<HandOver>(IsCurrent, m => BeginHandOver(m.Why));
            OpenReceives();
        });
    }

    /// <summary>What an open connection does in every state: read its frames, see its end, close on request.</summary>
    private void OpenReceives()
    {
        Receive<ConnectionFrames>(IsCurrent, m => OnConnectionFrames(m.Burst));
        Receive<Delivering>(IsCurrent, _ =>
        {
            _delivering = true;
            TellEach(route => new ConnectionDelivering(route.Lease));
        });
        Receive<ConnectionEnded>(IsCurrent, m => End(m.End));
        Receive<CloseConnection>(_ => BeginClose());
        Receive<ConnectionEnded>(IsRetiring, _ => Retired());
        Receive<RetireTimedOut>(IsRetiring, _ => Retired());
        Receive<ConnectionFrames>(m => m.Burst.Credit.Release());
        Receive<ISocketScoped>(_ => { });
    }

    private bool IsCurrent(ISocketScoped message) => message.Socket == _current?.Number;

    private bool IsReplacement(ISocketScoped message) => message.Socket == _replacement?.Number;

    private bool IsRetiring(ISocketScoped message) => message.Socket == _retiring?.Number;

    // ---- the streams carried ----

    /// <summary>Carries a stream (on an open or opening socket, <paramref name="subscribe"/>: it waits for its SUBSCRIBE).</summary>
    private void Carry(AddStream add, bool subscribe = false)
    {
        if (subscribe) _streams.CarryAndSubscribe(add);
        else _streams.Carry(add);
        PublishRoutes();
    }

    /// <summary>Lets a stream go if the removal is about the lease this connection holds (with an UNSUBSCRIBE on an open socket).</summary>
    private void LetGo(RemoveStream remove, bool unsubscribe)
    {
        if (unsubscribe ? _streams.LetGoAndUnsubscribe(remove) : _streams.LetGo(remove)) PublishRoutes();
    }

    /// <summary>The table the readers route by: every stream carried, and those let go, routed nowhere.</summary>
    private SymbolRoutes<StreamRoute> Routes() => _streams.Routes();

    /// <summary>The reader (or readers, during a hand-over) route by the new table from their next frame.</summary>
    private void PublishRoutes()
    {
        var routes = Routes();
        if (_current is not null) _current.Socket.Routes = routes;
        if (_replacement is not null) _replacement.Socket.Routes = routes;
    }

    private void StopWhenEmpty()
    {
        if (CarriedCount > 0) return;
        _log.Empty();
        Context.Stop(Self);
    }

    private void TellEach(Func<StreamRoute, object> message)
    {
        foreach (var route in Carried) route.Stream!.Tell(message(route));
    }

    // ---- opening ----

    private void TryOpen()
    {
        if (!_budget.TryAcquire(out var wait, out var why))
        {
            _log.Waiting(why, wait, CarriedCount);
            TellEach(route => new StreamWaiting(route.Lease, wait, why));
            Timers.StartSingleTimer(OpenTimer, OpenNow.Instance, wait);
            return;
        }
        Timers.Cancel(OpenTimer);
        var symbols = Carried.Select(route => route.Symbol).ToArray();
        var uri = StreamEndpoints.Carrying(_webSocketBase, symbols);
        _log.Opening(symbols.Length, uri);
        TellEach(route => new StreamAttempting(route.Lease, uri, _name));
        _current = OpenSocket(uri, ConnectDeadlineTimer);
        Connecting();
    }

    private void OnConnected()
    {
        Timers.Cancel(ConnectDeadlineTimer);
        var uri = _current!.Socket.Uri;
        _log.Connected(_current.SinceOpened, CarriedCount);
        foreach (var route in Carried.Where(route => !_streams.WaitsForSubscribe(route)))
            route.Stream!.Tell(new StreamSubscribed(route.Lease, uri, Replacement: false));
        Listen(_current);
        Timers.StartSingleTimer(RotateTimer, new Rotate(_current.Number), _settings.MaxConnectionAge);
        Open();
        SendControlRequests();
    }

    private void OnConnectFailed(StreamConnectException failure)
    {
        HoldEveryConnectionIfAsked(failure);
        _log.Failed(failure.Message);
        Context.Parent.Tell(ConnectionEnding.Instance);
        TellEach(route => new StreamRefused(route.Lease, failure, Replacement: false));
        Context.Stop(Self);
    }

    /// <summary>A 429 or 418 is about the IP, not this connection: every connection attempt waits its Retry-After.</summary>
    private void HoldEveryConnectionIfAsked(StreamConnectException failure)
    {
        if (failure.Kind != FailureKind.HttpStatus || failure.RetryAfter is not { } retryAfter) return;
        _budget.HoldFor(retryAfter, failure.Message);
        _log.HoldingEveryConnection(retryAfter, failure.Message);
    }

    /// <summary>The socket ended unplanned: every stream hears why, and this connection is over.</summary>
    private void End(ConnectionEnd end)
    {
        _log.Ended(end.Reason, CarriedCount);
        Context.Parent.Tell(ConnectionEnding.Instance);
        TellEach(route => new StreamEnded(route.Lease, end));
        Context.Stop(Self);
    }

    // ---- control requests ----

    /// <summary>Sends what waits, SUBSCRIBE before UNSUBSCRIBE, as fast as the pace allows; the rest on a timer.</summary>
    private void SendControlRequests()
    {
        var socket = _current!;
        while (_streams.HasRequests)
        {
            if (!socket.Pacer.TryTake(Stopwatch.GetElapsedTime(0), out var wait))
            {
                Timers.StartSingleTimer(ControlTimer, SendControl.Instance, wait);
                return;
            }
            var (id, subscribing, unsubscribing) = _streams.NextRequest(StreamsPerRequest);
            if (subscribing.Count > 0)
            {
                socket.Subscribing[id] = subscribing.ToList();
                foreach (var route in subscribing) route.Stream!.Tell(new StreamAttempting(route.Lease, socket.Socket.Uri, _name));
                Send(socket, ControlRequest.Subscribe(id, subscribing.Select(route => route.Symbol)));
            }
            else Send(socket, ControlRequest.Unsubscribe(id, unsubscribing));
        }
    }

    private void Send(StreamConnection socket, string request)
    {
        _log.Sending(request);
        // A send that fails means the socket is going; its reader reports how it ended.
        socket.Socket.SendTextAsync(request).ContinueWith(t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
    }

    /// <summary>The connection's own frames: answers to its requests, a shutdown notice, what names no symbol.</summary>
    private void OnConnectionFrames(SocketBurst burst)
    {
        foreach (var frame in burst.OtherFrames)
        {
            switch (frame.Kind)
            {
                case StreamMessageKind.ControlReply:
                    OnControlReply(_current!, frame);
                    break;
                case StreamMessageKind.ServerShutdown:
                    _log.ServerShutdown(CarriedCount);
                    TellEach(route => new ShutdownAnnounced(route.Lease));
                    Self.Tell(new HandOver(_current!.Number, "the server's shutdown"));
                    break;
                default:
                    OnUnroutedFrame(frame);
                    break;
            }
        }
        burst.Credit.Release();
    }

    private void OnControlReply(StreamConnection socket, StreamMessage reply)
    {
        if (!socket.Subscribing.Remove(reply.RequestId, out var routes)) return;
        foreach (var route in routes)
        {
            // A stream let go (or asked for again) since the request went out is not answered for.
            if (!_streams.IsCurrent(route)) continue;
            if (reply.Problem is null)
                route.Stream!.Tell(new StreamSubscribed(route.Lease, socket.Socket.Uri, Replacement: false, _delivering));
            else
                route.Stream!.Tell(new StreamRefused(route.Lease,
                    new StreamConnectException(FailureKind.SocketError, $"SUBSCRIBE refused: {reply.Problem}", null, null), Replacement: false));
        }
        if (reply.Problem is not null) _log.RequestRefused(reply.RequestId, reply.Problem);
    }

    /// <summary>A malformed frame naming no symbol: on a connection of one stream it is that stream's; else the connection's own.</summary>
    private void OnUnroutedFrame(StreamMessage frame)
    {
        var carried = Carried.Take(2).ToArray();
        if (carried.Length == 1)
            carried[0].Stream!.Tell(new StreamTrades(carried[0].Lease, new SocketBurst(ReadOnlyMemory<AggregateTrade>.Empty, [frame], new BurstCredit(() => { }))));
        else
            _log.Malformed(frame.Problem ?? "malformed");
    }
}
