using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using OrderFlow.Actors.Binance;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Connection;
using OrderFlow.Actors.Metrics;
using OrderFlow.Actors.Store;
using OrderFlow.Actors.Symbols;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Derivatives;
using OrderFlow.Protocol.Streams;

namespace OrderFlow.Actors.Derivatives;

/// <summary>
/// One futures market's market-wide streams, <c>!forceOrder@arr</c> (every symbol's liquidations) and
/// <c>!markPrice@arr@1s</c> (every symbol's mark price, index and funding), on one socket of its own beside the
/// aggTrade connections, so that its outages are its own (a liquidation outage is never a hole in a trade tape, nor
/// the other way round). Each attempt ends, within the connect deadline, in Connected, Failed (with the reason) or
/// TimedOut (connect, or keepalive on a half-open link), in the log and as a <see cref="IMarketStreamEvent"/> on the
/// event stream; then it retries under the stream backoff, then the cool-down, forever, each socket counted against
/// the market's connection budget. There is no first-message or idle deadline: a market can be without liquidations for
/// minutes (a stale mark price shows in the answers). Each event goes to its symbol's board if this node streams the
/// symbol, each liquidation out as a <see cref="Liquidation"/> too; while connected, <see cref="ConnectedSpans"/> says so.
/// </summary>
public sealed class MarketStreamActor : ReceiveActor, IWithTimers
{
    private static readonly TimeSpan HealthyAfter = TimeSpan.FromMinutes(1);

    private sealed record Attempt : ILocalMessage
    {
        public static readonly Attempt Now = new();
    }

    private sealed record Opened(int Socket, Exception? Error) : ILocalMessage;

    private sealed record ConnectDeadline(int Socket) : ILocalMessage;

    private sealed record Arrived(int Socket, MarketFrame Frame) : ILocalMessage;

    private sealed record Ended(int Socket, ConnectionEnd End) : ILocalMessage;

    private sealed record StillConnected : ILocalMessage
    {
        public static readonly StillConnected Now = new();
    }

    /// <summary>An open span is written to the store this often: a crash loses at most this much of it.</summary>
    private static readonly TimeSpan CoverageWrittenEvery = TimeSpan.FromSeconds(30);

    private sealed record CloseDeadline : ILocalMessage
    {
        public static readonly CloseDeadline Passed = new();
    }

    /// <summary>How long the server has to answer our close frame before the socket is just dropped.</summary>
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _market;
    private readonly string _streams;
    private readonly Uri _uri;
    private readonly StreamSettings _settings;
    private readonly ConnectionBudget _budget;
    private readonly MetricsBoards _boards;
    private readonly StreamCoverage _coverage;
    private readonly ReconnectPolicy _retry;
    // After max-attempts failures in a row, the cool-down's growing pauses, forever: nobody above restarts this stream.
    private readonly CoolDown _coolDown;
    private MarketStreamSocket? _socket;
    private int _socketNumber;
    private long _connectStarted;
    private long _connectedAt;
    private long _malformed;
    private IActorRef? _closeRequestedBy;

    public MarketStreamActor(string market, Uri webSocketBase, StreamSettings settings, DerivativesSettings derivatives, ConnectionBudget budget,
        MetricsBoards boards, ITapeStore? store, Uri restUrl)
    {
        _market = market;
        _streams = string.Join('/', new[] { derivatives.Liquidations ? LiquidationStream : null, derivatives.MarkPrice ? MarkPriceStream : null }.OfType<string>());
        // As Binance writes it: "!" and "@" stay as they are in the query, as in every combined URL.
        _uri = new Uri($"{webSocketBase.AbsoluteUri.TrimEnd('/')}/stream?streams={_streams}");
        _settings = settings;
        _budget = budget;
        _boards = boards;
        _coverage = new StreamCoverage(boards.MarketStreams(market), store, RecordedAs(market, restUrl), _log);
        _retry = new ReconnectPolicy(settings, new Random());
        _coolDown = new CoolDown(settings.CoolDown, new Random());
        Waiting();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="store">Where its coverage is recorded (the liquidations go with each symbol's tape); null: nowhere.</param>
    public static Props Props(string market, Uri webSocketBase, StreamSettings settings, DerivativesSettings derivatives, ConnectionBudget budget,
        MetricsBoards boards, ITapeStore? store, Uri restUrl) =>
        Akka.Actor.Props.Create(() => new MarketStreamActor(market, webSocketBase, settings, derivatives, budget, boards, store, restUrl));

    /// <summary>How the store knows the market's liquidation stream at its exchange: <c>usdm:!forceOrder@arr@fapi.binance.com</c>.</summary>
    public static string RecordedAs(string market, Uri restUrl) => $"{market}:{LiquidationStream}@{restUrl.Authority}";

    /// <summary>A futures market's liquidations, every symbol's, as Binance names the stream.</summary>
    public const string LiquidationStream = "!forceOrder@arr";

    /// <summary>A futures market's mark prices, index prices and funding, every symbol's, once a second.</summary>
    public const string MarkPriceStream = "!markPrice@arr@1s";

    /// <summary>Where each node's liquidations go out to every gateway (<see cref="Liquidation"/>).</summary>
    public const string Topic = "orderflow.liquidations";

    /// <summary>The actor's name for <paramref name="market"/>: <c>usdm-market-streams</c>.</summary>
    public static string NameFor(string market) => $"{market}-market-streams";

    protected override void PreStart() => Self.Tell(Attempt.Now);

    protected override void PostStop()
    {
        _coverage.Disconnected(NowMs);
        _socket?.Dispose();
    }

    private static long NowMs => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>What the socket carries, as its URL names it (the log's and the events' name for it).</summary>
    private string Stream => _streams;

    // ---- states ----

    /// <summary>No socket: the next attempt is due when its timer says so.</summary>
    private void Waiting()
    {
        Receive<Attempt>(_ => TryConnect());
        Receive<CloseAllConnections>(_ => Closed(Sender));
        Receive<ILocalMessage>(_ => { }); // a socket's leftovers
    }

    /// <summary>Shutting down: no more attempts; asked again (each shutdown phase asks), it says so at once.</summary>
    private void Closed(IActorRef asking)
    {
        Timers.CancelAll();
        _socket?.Abort();
        _coverage.Disconnected(NowMs);
        asking.Tell(AllConnectionsClosed.Instance);
        Become(() => Receive<CloseAllConnections>(_ => Sender.Tell(AllConnectionsClosed.Instance)));
    }

    private void Connecting()
    {
        Become(() =>
        {
            Receive<Opened>(opened => opened.Socket == _socketNumber, opened =>
            {
                if (opened.Error is null) OnConnected();
                else Failed(StreamConnectException.From(opened.Error));
            });
            Receive<ConnectDeadline>(deadline => deadline.Socket == _socketNumber, _ => TimedOut(TimeoutPhase.Connect, _settings.ConnectTimeout));
            Receive<CloseAllConnections>(_ => Closed(Sender));
            Receive<ILocalMessage>(_ => { });
        });
    }

    private void Streaming()
    {
        Become(() =>
        {
            Receive<Arrived>(arrived => arrived.Socket == _socketNumber, arrived => OnFrame(arrived.Frame));
            Receive<StillConnected>(_ => _coverage.StillConnected(NowMs));
            Receive<Ended>(ended => ended.Socket == _socketNumber, ended => OnEnded(ended.End));
            Receive<CloseDeadline>(_ => Closed(_closeRequestedBy!));
            Receive<CloseAllConnections>(close =>
            {
                _closeRequestedBy = Sender;
                // The receive loop ends when the server answers our close frame, or the grace ends first.
                _ = _socket!.CloseAsync();
                Timers.StartSingleTimer(CloseDeadline.Passed, CloseDeadline.Passed, CloseGrace);
            });
            Receive<ILocalMessage>(_ => { });
        });
    }

    // ---- attempts ----

    private void TryConnect()
    {
        if (!_budget.TryAcquire(out var wait, out var why))
        {
            _log.Warning("⏳ {Market} market streams ({Stream}) wait {Wait}: {Why}", _market, Stream, HumanFormat.Duration(wait), why);
            Timers.StartSingleTimer(Attempt.Now, Attempt.Now, wait);
            return;
        }
        _retry.Attempting();
        var number = ++_socketNumber;
        _socket?.Dispose();
        _socket = new MarketStreamSocket(_uri, new SocketOptions(_settings.KeepAliveInterval, _settings.KeepAliveTimeout, _settings.MaxFrameBytes));
        _log.Info("🔌 Attempting to connect to {Market} market streams ({Stream}), attempt {Attempt}: {Uri}", _market, Stream, _retry.Attempt, _uri);
        _connectStarted = Stopwatch.GetTimestamp();
        var self = Self;
        _socket.ConnectAsync().ContinueWith(task => self.Tell(new Opened(number, task.Exception?.GetBaseException())), TaskScheduler.Default);
        Timers.StartSingleTimer(nameof(ConnectDeadline), new ConnectDeadline(number), _settings.ConnectTimeout);
        Connecting();
    }

    private void OnConnected()
    {
        Timers.Cancel(nameof(ConnectDeadline));
        _connectedAt = Stopwatch.GetTimestamp();
        var elapsed = Stopwatch.GetElapsedTime(_connectStarted);
        _coverage.Connected(NowMs);
        Timers.StartPeriodicTimer(StillConnected.Now, StillConnected.Now, CoverageWrittenEvery);
        _log.Info("🐋 Connected to {Market} market streams ({Stream}) in {ElapsedMs} ms (attempt {Attempt})", _market, Stream,
            (long)elapsed.TotalMilliseconds, _retry.Attempt);
        Publish(new MarketStreamConnected(_market, Stream, _uri, _retry.Attempt, elapsed, DateTimeOffset.UtcNow));
        var (self, number, socket) = (Self, _socketNumber, _socket!);
        // The receive loop runs detached; each frame and the end come back as messages.
        Task.Run(async () => self.Tell(new Ended(number, await socket.ReceiveAsync(frame => self.Tell(new Arrived(number, frame))))));
        Streaming();
    }

    private void OnFrame(MarketFrame frame)
    {
        switch (frame.Kind)
        {
            case MarketFrameKind.ForceOrder:
                Healthy();
                Route(frame.Order);
                break;
            case MarketFrameKind.MarkPrices:
                Healthy();
                foreach (var mark in frame.Marks!)
                    if (Symbol.TryParse(_market, mark.Name, out var symbol, out _) && _boards.TryGet(symbol, out var board)) board.Set(mark);
                break;
            case MarketFrameKind.ServerShutdown:
                _log.Warning("🔁 {Market} market streams ({Stream}): the server announced a shutdown; reconnecting", _market, Stream);
                _socket!.Abort();
                Failed(new StreamConnectException(FailureKind.ServerShutdown, "the server announced a shutdown (serverShutdown)", null, null), immediately: true);
                break;
            case MarketFrameKind.Malformed:
                // Counted, and the first of each connection said: a flood of bad frames is not a flood of log lines.
                if (_malformed++ == 0) _log.Warning("⚠️ {Market} market streams ({Stream}): dropped a malformed frame ({Problem})", _market, Stream, frame.Problem);
                break;
        }
    }

    private void Route(in ForceOrder order)
    {
        if (!Symbol.TryParse(_market, order.Name, out var symbol, out _) || !_boards.TryGet(symbol, out var board)) return;
        board.Add(order);
        var liquidation = board.Describe(order);
        Publish(liquidation);
        DistributedPubSub.Get(Context.System).Mediator.Tell(new Publish(Topic, liquidation));
    }

    private void OnEnded(ConnectionEnd end)
    {
        if (_closeRequestedBy is { } asking)
        {
            Closed(asking);
            return;
        }
        // A market can be quiet for minutes: a socket that stayed up a while was healthy, frames or not.
        if (Stopwatch.GetElapsedTime(_connectedAt) >= HealthyAfter) Healthy();
        if (end.Kind == ConnectionEndKind.KeepAliveTimedOut) TimedOut(TimeoutPhase.KeepAlive, _settings.KeepAliveInterval + _settings.KeepAliveTimeout);
        else Failed(new StreamConnectException(end.Kind == ConnectionEndKind.ClosedByServer ? FailureKind.Closed : FailureKind.SocketError, end.Reason, null, null));
    }

    private void Failed(StreamConnectException failure, bool immediately = false)
    {
        Timers.Cancel(nameof(ConnectDeadline));
        _coverage.Disconnected(NowMs);
        var attempt = _retry.Attempt;
        var delay = immediately ? TimeSpan.Zero : NextDelay(failure.RetryAfter);
        _log.Error("❌ {Market} market streams ({Stream}) failed: {Reason}; next attempt in {Delay}", _market, Stream, failure.Message, HumanFormat.Duration(delay));
        Publish(new MarketStreamFailed(_market, Stream, failure.Kind, failure.Message, attempt, failure.RetryAfter, DateTimeOffset.UtcNow));
        Retry(delay);
    }

    private void TimedOut(TimeoutPhase phase, TimeSpan after)
    {
        _coverage.Disconnected(NowMs);
        _socket?.Abort();
        var attempt = _retry.Attempt;
        var delay = NextDelay(null);
        _log.Warning("⏱ {Market} market streams ({Stream}) timed out after {After} (phase: {Phase}); next attempt in {Delay}", _market, Stream,
            HumanFormat.Duration(after), phase.ToWireName(), HumanFormat.Duration(delay));
        Publish(new MarketStreamTimedOut(_market, Stream, phase, after, attempt, DateTimeOffset.UtcNow));
        Retry(delay);
    }

    private void Healthy()
    {
        _retry.DataFlows();
        _coolDown.Healthy();
    }

    private TimeSpan NextDelay(TimeSpan? retryAfter)
    {
        if (_retry.AfterFailure(retryAfter) is { } backoff) return backoff;
        _coolDown.ServerAsked(retryAfter);
        return _coolDown.Next();
    }

    private void Retry(TimeSpan delay)
    {
        _malformed = 0;
        Become(Waiting);
        Timers.StartSingleTimer(Attempt.Now, Attempt.Now, delay);
    }

    private void Publish(object message) => Context.System.EventStream.Publish(message);
}
