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
/// Owns one symbol's aggTrade WebSocket. Every attempt ends, within a deadline this actor holds, in
/// <see cref="Connected"/>, <see cref="Failed"/> or <see cref="TimedOut"/>, logged and told to the symbol's actor.
/// Trades go to the symbol's TradeSequencer. The socket work runs detached and reports back as messages, so the
/// mailbox is never blocked and a hang always becomes a timeout. States: connecting → streaming → (backing off →
/// connecting)…; after max-attempts failures in a row it throws <see cref="StreamGaveUpException"/> and its symbol's
/// actor takes over. Planned reconnects (serverShutdown, the 24-hour cut) make before they break: streaming → handing
/// over, where a replacement connection opens beside the current one and takes over when it delivers its first
/// trade; the sequencer drops the overlap, so nothing is missed and nothing needs a backfill.
/// </summary>
public sealed partial class StreamActor : ReceiveActor, IWithTimers
{
    private const string DeadlineTimer = "deadline";
    private const string RetryTimer = "retry";
    private const string IdleTimer = "idle";
    private const string SummaryTimer = "summary";
    private const string RotateTimer = "rotate";
    private const string ReplacementDeadlineTimer = "replacement-deadline";
    private const string RetireTimer = "retire";
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    private readonly StreamLog _log;
    private readonly Symbol _symbol;
    private readonly StreamSettings _settings;
    private readonly Uri _uri;
    private readonly SocketOptions _socketOptions;
    private readonly IActorRef _sequencer;
    private readonly ConnectionBudget _budget;
    private readonly TimeSpan? _idleTimeout;
    private readonly ReconnectPolicy _reconnect;

    private StreamConnection? _current;
    private StreamConnection? _replacement;
    private StreamConnection? _retiring;
    private int _lastConnectionNumber;
    private StreamState _state = StreamState.Connecting;
    private DateTimeOffset _stateSince = DateTimeOffset.UtcNow;

    public StreamActor(Symbol symbol, StreamSettings settings, Uri webSocketBase, IActorRef sequencer, ConnectionBudget budget)
    {
        _log = new StreamLog(Context.GetLogger(), symbol, settings);
        _symbol = symbol;
        _settings = settings;
        _uri = StreamEndpoints.AggTrades(webSocketBase, symbol);
        _socketOptions = new SocketOptions(settings.KeepAliveInterval, settings.KeepAliveTimeout, settings.MaxFrameBytes);
        _sequencer = sequencer;
        _budget = budget;
        _idleTimeout = settings.IdleTimeoutFor(symbol);
        _reconnect = new ReconnectPolicy(settings, new Random());
        BackingOff();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(Symbol symbol, StreamSettings settings, Uri webSocketBase, IActorRef sequencer, ConnectionBudget budget) =>
        Akka.Actor.Props.Create(() => new StreamActor(symbol, settings, webSocketBase, sequencer, budget));

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer(SummaryTimer, LogSummary.Instance, _settings.SummaryInterval);
        Self.Tell(StartAttempt.Instance);
    }

    protected override void PostStop()
    {
        AbandonCurrent();
        Retired();
    }

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

    private void Connecting()
    {
        EnterState(StreamState.Connecting);
        Become(() =>
        {
            Receive<ConnectSucceeded>(IsCurrent, _ => OnConnected());
            Receive<ConnectFailed>(IsCurrent, m => OnConnectFailed(StreamConnectException.From(m.Cause)));
            Receive<DeadlinePassed>(IsCurrent, m => ReportTimeout(m.Phase, m.Phase == TimeoutPhase.Connect ? _current!.SinceOpened : _current!.SinceHeard));
            CommonReceives();
        });
    }

    private void Streaming()
    {
        EnterState(StreamState.Connected);
        Become(() =>
        {
            Receive<Rotate>(IsCurrent, _ =>
            {
                _log.Rotating();
                BeginHandOver("the 24-hour cut");
            });
            Receive<HandOver>(IsCurrent, m => BeginHandOver(m.Why));
            StreamingReceives();
        });
    }

    private void StreamingReceives()
    {
        Receive<MessagesArrived>(IsCurrent, OnMessages);
        Receive<ConnectionEnded>(IsCurrent, m => OnConnectionEnded(m.End));
        Receive<DeadlinePassed>(IsCurrent, m => ReportTimeout(m.Phase, _current!.SinceHeard));
        Receive<CheckIdle>(IsCurrent, _ =>
        {
            if (_idleTimeout is { } idle && _current!.SinceHeard >= idle) ReportTimeout(TimeoutPhase.Idle, _current.SinceHeard);
        });
        CommonReceives();
    }

    private void CommonReceives()
    {
        Receive<GetStreamState>(_ => ReportState());
        Receive<CloseStream>(_ => BeginClose());
        Receive<LogSummary>(_ => _log.Summary());
        Receive<ConnectionEnded>(IsRetiring, _ => Retired());
        Receive<RetireTimedOut>(IsRetiring, _ => Retired());
        Receive<MessagesArrived>(Forward);
        Receive<IConnectionScoped>(_ => { });
    }

    private bool IsCurrent(IConnectionScoped message) => message.Connection == _current?.Number;

    private bool IsReplacement(IConnectionScoped message) => message.Connection == _replacement?.Number;

    private bool IsRetiring(IConnectionScoped message) => message.Connection == _retiring?.Number;

    private void EnterState(StreamState state)
    {
        if (state == _state) return;
        (_state, _stateSince) = (state, DateTimeOffset.UtcNow);
    }

    private void ReportState() => Sender.Tell(new StreamStateReport(_state, _stateSince, _reconnect.Attempt));

    /// <summary>The current connection's idle check and its planned replacement before the 24-hour cut.</summary>
    private void StartCurrentConnectionTimers()
    {
        if (_idleTimeout is { } idle)
            Timers.StartPeriodicTimer(IdleTimer, new CheckIdle(_current!.Number), IdleCheckInterval(idle));
        Timers.StartSingleTimer(RotateTimer, new Rotate(_current!.Number), _settings.MaxConnectionAge);
    }

    // ---- an attempt ----

    private void BeginAttempt()
    {
        if (!_budget.TryAcquire(out var wait))
        {
            _log.BudgetSpent(_budget.Settings, wait);
            Timers.StartSingleTimer(RetryTimer, StartAttempt.Instance, wait);
            return;
        }
        _reconnect.Attempting();
        _log.Attempting(_uri, _reconnect.Attempt);
        _current = Open(DeadlineTimer);
        Connecting();
    }

    private void OnConnected()
    {
        Timers.Cancel(DeadlineTimer);
        var elapsed = _current!.SinceOpened;
        _log.Connected(elapsed, _reconnect.Attempt);
        Publish(new Connected(_symbol, _uri, _reconnect.Attempt, elapsed, DateTimeOffset.UtcNow));
        Listen(_current, DeadlineTimer);
        StartCurrentConnectionTimers();
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

    /// <summary>Takes a burst: its trades, then its other frames, then the trades to the sequencer in one message.</summary>
    private void OnMessages(MessagesArrived arrived)
    {
        if (!arrived.Burst.Trades.IsEmpty) OnTrades(arrived.Burst.Trades.Span);
        foreach (var frame in arrived.Burst.OtherFrames) OnOtherFrame(frame);
        Forward(arrived);
    }

    private void OnOtherFrame(StreamMessage message)
    {
        switch (message.Kind)
        {
            case StreamMessageKind.ServerShutdown:
                _log.ServerShutdown();
                Publish(new Failed(_symbol, FailureKind.ServerShutdown, "the server announced a shutdown", _reconnect.Attempt, null, DateTimeOffset.UtcNow));
                Self.Tell(new HandOver(_current!.Number, "the server's shutdown"));
                break;
            case StreamMessageKind.ControlReply:
                _log.ControlReply();
                break;
            default:
                var problem = message.Problem ?? "malformed";
                _sequencer.Tell(new MalformedFrameDropped(_symbol, problem));
                _log.Malformed(problem);
                break;
        }
    }

    private void OnTrades(ReadOnlySpan<AggregateTrade> trades)
    {
        var connection = _current!;
        if (connection.Trades == 0)
        {
            // Data flows: the link is proven, so the failure run is over.
            Timers.Cancel(DeadlineTimer);
            _reconnect.DataFlows();
            Context.Parent.Tell(new StreamHealthy(_symbol));
        }
        _log.Trades(trades, connection.Trades);
        connection.Delivered(trades.Length);
    }

    /// <summary>Trades go on even from a connection already given up: a trade is still a trade.</summary>
    private void Forward(MessagesArrived arrived)
    {
        var burst = arrived.Burst;
        if (burst.Trades.IsEmpty) burst.Credit.Release();
        else _sequencer.Tell(new TradeBatch(_symbol, burst.Trades, burst.Credit));
    }

    private void OnConnectionEnded(ConnectionEnd end)
    {
        if (end.Kind == ConnectionEndKind.KeepAliveTimedOut)
        {
            ReportTimeout(TimeoutPhase.KeepAlive, _current!.SinceHeard);
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
        if (_current is not null) _sequencer.Tell(new StreamInterrupted(_symbol, problem));
        AbandonCurrent();
        if (_reconnect.AfterFailure(retryAfter) is not { } delay)
        {
            _log.GaveUp(_reconnect.FailuresInRow);
            throw new StreamGaveUpException(_symbol, _reconnect.FailuresInRow, problem, retryAfter);
        }
        _log.Retrying(_reconnect.FailuresInRow + 1, delay);
        Timers.StartSingleTimer(RetryTimer, StartAttempt.Instance, delay);
        BackingOff();
    }

    /// <summary>Drops the current connection; anything it still reports carries an old number and is ignored.</summary>
    private void AbandonCurrent()
    {
        Timers.Cancel(DeadlineTimer);
        Timers.Cancel(IdleTimer);
        Timers.Cancel(RotateTimer);
        AbandonReplacement();
        _current?.Dispose();
        _current = null;
    }

    /// <summary>To the symbol's actor, which records it for the status answer and publishes it.</summary>
    private void Publish(IStreamLifecycleEvent lifecycleEvent) => Context.Parent.Tell(lifecycleEvent);

    private static TimeSpan IdleCheckInterval(TimeSpan idle) =>
        TimeSpan.FromMilliseconds(Math.Clamp(idle.TotalMilliseconds / 10, 50, 5000));
}
