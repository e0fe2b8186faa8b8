using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using OrderFlow.Actors.Binance;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Sequencing;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Streams;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Connection;

/// <summary>
/// Owns one symbol's aggTrade stream: its lifecycle, not a socket. Each attempt asks the connection pool to carry
/// the stream, and ends, within a deadline this actor holds, in <see cref="Connected"/>, <see cref="Failed"/> or
/// <see cref="TimedOut"/>, logged and told to the symbol's actor, whatever the socket under it does: a shared
/// connection that drops is a Failed for every symbol it carried, and a symbol subscribed but silent past its limit is
/// a TimedOut for that symbol alone. Trades go to the symbol's TradeSequencer. States: requesting → streaming →
/// (backing off → requesting)…; after max-attempts failures in a row it throws <see cref="StreamGaveUpException"/>
/// and its symbol's actor takes over. Planned reconnects (serverShutdown, the 24-hour cut) are the connection's, made
/// before they break; this actor reports them and streams on.
/// </summary>
public sealed class StreamActor : ReceiveActor, IWithTimers
{
    private const string DeadlineTimer = "deadline";
    private const string RetryTimer = "retry";
    private const string IdleTimer = "idle";
    private const string SummaryTimer = "summary";

    private sealed record StartAttempt : ILocalMessage
    {
        public static readonly StartAttempt Instance = new();
    }

    private sealed record DeadlinePassed(int Lease, TimeoutPhase Phase) : ILeaseScoped;

    private sealed record CheckIdle(int Lease) : ILeaseScoped;

    private sealed record LogSummary : ILocalMessage
    {
        public static readonly LogSummary Instance = new();
    }

    private readonly StreamLog _log;
    private readonly Symbol _symbol;
    private readonly StreamSettings _settings;
    private readonly IActorRef _connections;
    private readonly IActorRef _sequencer;
    private readonly TimeSpan? _idleTimeout;
    private readonly ReconnectPolicy _reconnect;

    /// <summary>The attempt under way; 0 between attempts, so that a late word about an old one is ignored.</summary>
    private int _lease;
    private int _lastLease;
    private Uri? _uri;
    private long _attemptStartedAt;
    private long _lastHeardAt;
    private long _tradesThisLease;
    private StreamState _state = StreamState.Connecting;
    private DateTimeOffset _stateSince = DateTimeOffset.UtcNow;
    private StreamStateReport? _reported;

    public StreamActor(Symbol symbol, StreamSettings settings, IActorRef connections, IActorRef sequencer)
    {
        _log = new StreamLog(Context.GetLogger(), symbol, settings);
        _symbol = symbol;
        _settings = settings;
        _connections = connections;
        _sequencer = sequencer;
        _idleTimeout = settings.IdleTimeoutFor(symbol);
        _reconnect = new ReconnectPolicy(settings, new Random());
        BackingOff();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(Symbol symbol, StreamSettings settings, IActorRef connections, IActorRef sequencer) =>
        Akka.Actor.Props.Create(() => new StreamActor(symbol, settings, connections, sequencer));

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer(SummaryTimer, LogSummary.Instance, _settings.SummaryInterval);
        Self.Tell(StartAttempt.Instance);
    }

    protected override void PostStop() => LetGo();

    // ---- states ----

    private void BackingOff()
    {
        EnterState(StreamState.BackingOff);
        Become(() =>
        {
            Receive<StartAttempt>(_ => BeginAttempt());
            CommonReceives();
        });
    }

    /// <summary>Asked the pool; waiting for the stream to be on (upgraded with it, or its SUBSCRIBE acknowledged).</summary>
    private void Requesting()
    {
        EnterState(StreamState.Connecting);
        Become(() =>
        {
            Receive<StreamWaiting>(IsCurrent, m =>
            {
                _log.Waiting(m.Why, m.Wait);
                // The attempt has not started: its deadline counts from when it may.
                Timers.StartSingleTimer(DeadlineTimer, new DeadlinePassed(_lease, TimeoutPhase.Connect), m.Wait + _settings.ConnectTimeout);
            });
            Receive<StreamAttempting>(IsCurrent, m =>
            {
                _uri = StreamEndpoints.Of(m.Uri, _symbol);
                _attemptStartedAt = Stopwatch.GetTimestamp();
                _log.Attempting(_uri, m.Connection, _reconnect.Attempt);
                Timers.StartSingleTimer(DeadlineTimer, new DeadlinePassed(_lease, TimeoutPhase.Connect), _settings.ConnectTimeout);
            });
            Receive<StreamSubscribed>(IsCurrent, m => OnConnected(StreamEndpoints.Of(m.Uri, _symbol), m.Delivering));
            // Data before the acknowledgement (they travel by different routes): the data proves it.
            Receive<StreamTrades>(IsCurrent, m =>
            {
                OnConnected(_uri!, delivering: true);
                OnTrades(m.Burst);
            });
            Receive<StreamRefused>(IsCurrent, m => OnConnectFailed(m.Failure));
            Receive<StreamEnded>(IsCurrent, m => OnConnectionEnded(m.End));
            Receive<DeadlinePassed>(IsCurrent, m => ReportTimeout(m.Phase, SinceAttemptStarted));
            CommonReceives();
        });
    }

    private void Streaming()
    {
        EnterState(StreamState.Connected);
        Become(() =>
        {
            Receive<StreamTrades>(IsCurrent, m => OnTrades(m.Burst));
            Receive<ConnectionDelivering>(IsCurrent, _ =>
            {
                if (_tradesThisLease == 0) Timers.Cancel(DeadlineTimer);
            });
            Receive<StreamEnded>(IsCurrent, m => OnConnectionEnded(m.End));
            Receive<DeadlinePassed>(IsCurrent, m => ReportTimeout(m.Phase, SinceHeard));
            Receive<CheckIdle>(IsCurrent, _ =>
            {
                if (_idleTimeout is { } idle && SinceHeard >= idle) ReportTimeout(TimeoutPhase.Idle, SinceHeard);
            });
            // Make before break, on the connection's side: said per symbol, and the stream goes on.
            Receive<ShutdownAnnounced>(IsCurrent, _ =>
            {
                _log.ServerShutdown();
                Publish(new Failed(_symbol, FailureKind.ServerShutdown, "the server announced a shutdown", _reconnect.Attempt, null, DateTimeOffset.UtcNow));
            });
            Receive<StreamSubscribed>(m => IsCurrent(m) && m.Replacement, m =>
            {
                var elapsed = SinceAttemptStarted;
                _uri = StreamEndpoints.Of(m.Uri, _symbol);
                _log.ReplacementConnected(_uri);
                _reconnect.SwitchedOver();
                Publish(new Connected(_symbol, _uri, 1, elapsed, DateTimeOffset.UtcNow));
            });
            Receive<StreamRefused>(m => IsCurrent(m) && m.Replacement, m =>
            {
                _log.ReplacementError(m.Failure.Message);
                Publish(new Failed(_symbol, m.Failure.Kind, m.Failure.Message, 1, m.Failure.RetryAfter, DateTimeOffset.UtcNow));
            });
            Receive<ReplacementTimedOut>(IsCurrent, m =>
            {
                _log.ReplacementTimedOut(m.After);
                Publish(new TimedOut(_symbol, TimeoutPhase.Connect, m.After, 1, DateTimeOffset.UtcNow));
            });
            CommonReceives();
        });
    }

    private void CommonReceives()
    {
        Receive<CloseStream>(_ =>
        {
            if (_lease != 0) _log.LetGo();
            LetGo();
            EnterState(StreamState.Stopped);
            Context.Stop(Self);
        });
        // The service is shutting down: the connection closed on request and says how; the symbol's actor stops this one next.
        Receive<StreamClosed>(IsCurrent, m =>
        {
            if (m.Cleanly) _log.ClosedCleanly();
            else _log.ClosedWithoutCloseFrame();
            Timers.CancelAll();
            _lease = 0;
            EnterState(StreamState.Stopped);
            Become(() =>
            {
                Receive<CloseStream>(_ => Context.Stop(Self));
                Receive<StreamTrades>(t => Forward(t.Burst));
                ReceiveAny(_ => { });
            });
        });
        Receive<LogSummary>(_ => _log.Summary());
        // Trades go on even from an attempt already given up: a trade is still a trade.
        Receive<StreamTrades>(m => Forward(m.Burst));
        Receive<ILeaseScoped>(_ => { });
    }

    private bool IsCurrent(ILeaseScoped message) => _lease != 0 && message.Lease == _lease;

    /// <summary>The symbol's actor is told every change (of state or attempt), for its status answer.</summary>
    private void EnterState(StreamState state)
    {
        if (state != _state) (_state, _stateSince) = (state, DateTimeOffset.UtcNow);
        var report = new StreamStateReport(_state, _stateSince, _reconnect.Attempt);
        if (report != _reported) Context.Parent.Tell(_reported = report);
    }

    private TimeSpan SinceAttemptStarted => Stopwatch.GetElapsedTime(_attemptStartedAt);

    private TimeSpan SinceHeard => Stopwatch.GetElapsedTime(_lastHeardAt);

    // ---- an attempt ----

    private void BeginAttempt()
    {
        _lease = ++_lastLease;
        _tradesThisLease = 0;
        _attemptStartedAt = Stopwatch.GetTimestamp();
        _reconnect.Attempting();
        _connections.Tell(new CarryStream(_symbol, _lease));
        Timers.StartSingleTimer(DeadlineTimer, new DeadlinePassed(_lease, TimeoutPhase.Connect), _settings.ConnectTimeout);
        Requesting();
    }

    /// <summary>
    /// The stream is on. Until its socket delivers a trade, of this symbol or another one it carries, the
    /// first-message deadline runs: a socket that upgrades and stays silent (an unknown symbol, a retired route) is a
    /// TimedOut for every stream on it. On a socket already delivering, a silent symbol is a quiet one; only its
    /// idle limit, when it has one, says otherwise.
    /// </summary>
    private void OnConnected(Uri uri, bool delivering)
    {
        var elapsed = SinceAttemptStarted;
        _uri = uri;
        _lastHeardAt = Stopwatch.GetTimestamp();
        _log.Connected(elapsed, _reconnect.Attempt);
        Publish(new Connected(_symbol, uri, _reconnect.Attempt, elapsed, DateTimeOffset.UtcNow));
        _sequencer.Tell(new StreamResumed(_symbol));
        if (delivering) Timers.Cancel(DeadlineTimer);
        else Timers.StartSingleTimer(DeadlineTimer, new DeadlinePassed(_lease, TimeoutPhase.FirstMessage), _settings.FirstMessageTimeout);
        if (_idleTimeout is { } idle) Timers.StartPeriodicTimer(IdleTimer, new CheckIdle(_lease), IdleCheckInterval(idle));
        Streaming();
    }

    private void OnConnectFailed(StreamConnectException failure)
    {
        _log.ConnectionError(failure.Message);
        Publish(new Failed(_symbol, failure.Kind, failure.Message, _reconnect.Attempt, failure.RetryAfter, DateTimeOffset.UtcNow));
        RetryAfterFailure(failure.Message, failure.RetryAfter);
    }

    private void ReportTimeout(TimeoutPhase phase, TimeSpan after)
    {
        _log.TimedOut(phase, after);
        Publish(new TimedOut(_symbol, phase, after, _reconnect.Attempt, DateTimeOffset.UtcNow));
        RetryAfterFailure($"timed out (phase: {phase.ToWireName()})", null);
    }

    // ---- streaming ----

    /// <summary>Takes this symbol's part of a burst: its trades, then its other frames, then the trades to the sequencer in one message.</summary>
    private void OnTrades(SocketBurst burst)
    {
        if (!burst.Trades.IsEmpty)
        {
            if (_tradesThisLease == 0)
            {
                // Data flows: the link is proven, so the failure run is over.
                Timers.Cancel(DeadlineTimer);
                _reconnect.DataFlows();
                Context.Parent.Tell(new StreamHealthy(_symbol));
            }
            _log.Trades(burst.Trades.Span, _tradesThisLease);
            _tradesThisLease += burst.Trades.Length;
            _lastHeardAt = Stopwatch.GetTimestamp();
        }
        foreach (var frame in burst.OtherFrames)
        {
            var problem = frame.Problem ?? "malformed";
            _sequencer.Tell(new MalformedFrameDropped(_symbol, problem));
            _log.Malformed(problem);
        }
        Forward(burst);
    }

    private void Forward(SocketBurst burst)
    {
        if (burst.Trades.IsEmpty) burst.Credit.Release();
        else _sequencer.Tell(new TradeBatch(_symbol, burst.Trades, burst.Credit));
    }

    private void OnConnectionEnded(ConnectionEnd end)
    {
        if (end.Kind == ConnectionEndKind.KeepAliveTimedOut)
        {
            ReportTimeout(TimeoutPhase.KeepAlive, SinceHeard);
            return;
        }
        _log.ConnectionError(end.Reason);
        var kind = end.Kind == ConnectionEndKind.ClosedByServer ? FailureKind.Closed : FailureKind.SocketError;
        Publish(new Failed(_symbol, kind, end.Reason, _reconnect.Attempt, null, DateTimeOffset.UtcNow));
        RetryAfterFailure(end.Reason, null);
    }

    // ---- after a failure ----

    private void RetryAfterFailure(string problem, TimeSpan? retryAfter)
    {
        _sequencer.Tell(new StreamInterrupted(_symbol, problem));
        LetGo();
        if (_reconnect.AfterFailure(retryAfter) is not { } delay)
        {
            _log.GaveUp(_reconnect.FailuresInRow);
            throw new StreamGaveUpException(_symbol, _reconnect.FailuresInRow, problem, retryAfter);
        }
        _log.Retrying(_reconnect.FailuresInRow + 1, delay);
        Timers.StartSingleTimer(RetryTimer, StartAttempt.Instance, delay);
        BackingOff();
    }

    /// <summary>Ends the attempt under way: the pool lets the stream go, and anything still said about it is ignored.</summary>
    private void LetGo()
    {
        Timers.Cancel(DeadlineTimer);
        Timers.Cancel(IdleTimer);
        if (_lease == 0) return;
        _connections.Tell(new DropStream(_symbol, _lease));
        _lease = 0;
    }

    /// <summary>To the symbol's actor, which records it for the status answer and publishes it.</summary>
    private void Publish(IStreamLifecycleEvent lifecycleEvent) => Context.Parent.Tell(lifecycleEvent);

    private static TimeSpan IdleCheckInterval(TimeSpan idle) =>
        TimeSpan.FromMilliseconds(Math.Clamp(idle.TotalMilliseconds / 10, 50, 5000));
}
