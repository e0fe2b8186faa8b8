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
/// Owns one symbol's aggTrade WebSocket. Every attempt ends, within a deadline this actor holds, in
/// <see cref="Connected"/>, <see cref="Failed"/> or <see cref="TimedOut"/>, logged and told to the symbol's actor.
/// Trades go to the symbol's TradeSequencer. The socket work runs detached and reports back as messages, so the
/// mailbox is never blocked and a hang always becomes a timeout. States: connecting → streaming → (backing off →
/// connecting)…; after max-attempts failures in a row it throws <see cref="StreamGaveUpException"/> and its symbol's
/// actor takes over. Planned reconnects (serverShutdown, the 24-hour cut) make before they break: streaming → handing over,
/// where a replacement connection opens beside the current one and takes over when it delivers its first trade; the
/// sequencer drops the overlap, so nothing is missed and nothing needs a backfill.
/// </summary>
public sealed class StreamActor : ReceiveActor, IWithTimers
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

    private const string DeadlineTimer = "deadline";
    private const string RetryTimer = "retry";
    private const string IdleTimer = "idle";
    private const string SummaryTimer = "summary";
    private const string RotateTimer = "rotate";
    private const string SuccessorDeadlineTimer = "successor-deadline";
    private const string RetireTimer = "retire";
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan MalformedWarningInterval = TimeSpan.FromSeconds(10);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Symbol _symbol;
    private readonly StreamSettings _settings;
    private readonly Uri _uri;
    private readonly IActorRef _sequencer;
    private readonly ConnectionBudget _budget;
    private readonly TimeSpan? _idleTimeout;
    private readonly Random _random = new();

    private AggTradeSocket? _socket;
    private int _connection;
    private int _lastConnectionId;
    private AggTradeSocket? _successor;
    private int _successorConnection;
    private long _successorStarted;
    private AggTradeSocket? _retiring;
    private int _retiringConnection;
    private int _failuresInRow;
    private int _attempt;
    private long _attemptStarted;
    private long _lastMessageAt;
    private long _tradesOnConnection;
    private long _tradesSinceSummary;
    private long _tradesTotal;
    private Fixed8 _lastPrice;
    private StreamState _state = StreamState.Connecting;
    private DateTimeOffset _stateSince = DateTimeOffset.UtcNow;
    private long _malformedTotal;
    private long _malformedSinceWarning;
    private long _lastMalformedWarningAt;

    public StreamActor(Symbol symbol, StreamSettings settings, Uri webSocketBase, IActorRef sequencer, ConnectionBudget budget)
    {
        _symbol = symbol;
        _settings = settings;
        _uri = StreamEndpoints.AggTrades(webSocketBase, symbol);
        _sequencer = sequencer;
        _budget = budget;
        _idleTimeout = settings.IdleTimeoutFor(symbol);
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
        AbandonConnection();
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
            Receive<ConnectFailed>(IsCurrent, m => OnConnectFailed(m.Cause));
            Receive<DeadlinePassed>(IsCurrent, m => OnDeadline(m.Phase));
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
                _log.Info("🔁 {Symbol}: the connection is {Age} old; opening its replacement before Binance's 24-hour cut",
                    _symbol, HumanFormat.Duration(_settings.MaxConnectionAge));
                BeginHandOver("the 24-hour cut");
            });
            Receive<HandOver>(IsCurrent, m => BeginHandOver(m.Why));
            StreamingReceives();
        });
    }

    /// <summary>Streaming on the current connection while its replacement connects beside it.</summary>
    private void HandingOver()
    {
        Become(() =>
        {
            Receive<ConnectSucceeded>(IsSuccessor, _ => OnSuccessorConnected());
            Receive<ConnectFailed>(IsSuccessor, m => OnSuccessorFailed(
                m.Cause as StreamConnectException ?? new StreamConnectException(FailureKind.SocketError, m.Cause.Message, null, m.Cause)));
            Receive<DeadlinePassed>(IsSuccessor, m => OnSuccessorTimedOut(m.Phase));
            Receive<MessagesArrived>(IsSuccessor, m =>
            {
                if (!m.Burst.Trades.IsEmpty) SwitchOver();
                OnMessages(m);
            });
            Receive<ConnectionEnded>(IsSuccessor, m => OnSuccessorFailed(
                new StreamConnectException(FailureKind.SocketError, m.End.Reason, null, null)));
            // The old connection ended first (a server that shut down as announced): the replacement takes over now.
            Receive<ConnectionEnded>(m => IsCurrent(m) && _successor is { IsOpen: true }, _ => SwitchOver());
            Receive<Rotate>(IsCurrent, _ => { });
            Receive<HandOver>(IsCurrent, _ => { });
            StreamingReceives();
        });
    }

    private void StreamingReceives()
    {
        Receive<MessagesArrived>(IsCurrent, OnMessages);
        Receive<ConnectionEnded>(IsCurrent, m => OnConnectionEnded(m.End));
        Receive<DeadlinePassed>(IsCurrent, m => OnDeadline(m.Phase));
        Receive<CheckIdle>(IsCurrent, _ => OnCheckIdle());
        CommonReceives();
    }

    private void Closing()
    {
        EnterState(StreamState.Stopped);
        Become(() =>
        {
            Receive<GetStreamState>(_ => ReportState());
            Receive<ConnectionEnded>(IsCurrent, _ =>
            {
                _log.Info("🔒 {Symbol} aggTrades stream closed cleanly", _symbol);
                Context.Stop(Self);
            });
            Receive<CloseTimedOut>(_ =>
            {
                _log.Warning("🔒 {Symbol} aggTrades stream closed without the server's close frame", _symbol);
                Context.Stop(Self);
            });
            Receive<CloseStream>(_ => { });
            Receive<MessagesArrived>(Forward);
            Receive<IConnectionScoped>(_ => { });
            Receive<LogSummary>(_ => { });
        });
    }

    private void CommonReceives()
    {
        Receive<GetStreamState>(_ => ReportState());
        Receive<CloseStream>(_ => BeginClose());
        Receive<LogSummary>(_ => OnSummary());
        Receive<ConnectionEnded>(m => m.Connection == _retiringConnection, _ => Retired());
        Receive<RetireTimedOut>(m => m.Connection == _retiringConnection, _ => Retired());
        Receive<MessagesArrived>(Forward);
        Receive<IConnectionScoped>(_ => { });
    }

    private bool IsCurrent(IConnectionScoped message) => message.Connection == _connection;

    private void EnterState(StreamState state)
    {
        if (state == _state) return;
        (_state, _stateSince) = (state, DateTimeOffset.UtcNow);
    }

    private void ReportState() => Sender.Tell(new StreamStateReport(_state, _stateSince, _attempt));

    private bool IsSuccessor(IConnectionScoped message) => _successor is not null && message.Connection == _successorConnection;

    // ---- an attempt ----

    private void BeginAttempt()
    {
        if (!_budget.TryAcquire(out var wait))
        {
            _log.Warning("⏳ Connection budget ({BudgetAttempts} attempts per {BudgetPeriod}) is spent; {Symbol} waits {Wait} for a free slot",
                _budget.Settings.Attempts, _budget.Settings.Per, _symbol, wait);
            Timers.StartSingleTimer(RetryTimer, StartAttempt.Instance, wait);
            return;
        }

        _attempt = _failuresInRow + 1;
        var connection = _connection = ++_lastConnectionId;
        _attemptStarted = Stopwatch.GetTimestamp();
        _tradesOnConnection = 0;
        _log.Info("🔌 Attempting to connect to {Symbol} aggTrades stream...", _symbol);
        _log.Info("URI: {Uri}", _uri);
        _log.Info("Connecting {Symbol} (attempt {Attempt}/{MaxAttempts})...", _symbol, _attempt, _settings.MaxAttempts);

        _socket = new AggTradeSocket(_uri, _symbol,
            new SocketOptions(_settings.KeepAliveInterval, _settings.KeepAliveTimeout, _settings.MaxFrameBytes));
        _socket.ConnectAsync().PipeTo(Self,
            success: () => new ConnectSucceeded(connection),
            failure: error => new ConnectFailed(connection, error));
        Timers.StartSingleTimer(DeadlineTimer, new DeadlinePassed(connection, TimeoutPhase.Connect), _settings.ConnectTimeout);
        Connecting();
    }

    private void OnConnected()
    {
        Timers.Cancel(DeadlineTimer);
        var elapsed = Stopwatch.GetElapsedTime(_attemptStarted);
        _lastMessageAt = Stopwatch.GetTimestamp();
        _log.Info("🐋 Connected to {Symbol} aggTrades stream in {ElapsedMs} ms (attempt {Attempt}/{MaxAttempts})",
            _symbol, (long)elapsed.TotalMilliseconds, _attempt, _settings.MaxAttempts);
        Publish(new Connected(_symbol, _uri, _attempt, elapsed, DateTimeOffset.UtcNow));

        StartReceiving(_socket!, _connection);
        Timers.StartSingleTimer(DeadlineTimer, new DeadlinePassed(_connection, TimeoutPhase.FirstMessage), _settings.FirstMessageTimeout);
        StartConnectionTimers();
        Streaming();
    }

    private void StartReceiving(AggTradeSocket socket, int connection)
    {
        var self = Self;
        // On this actor's dispatcher's threads: the pipeline's, in a host (see PipelineDispatcher).
        new DispatcherTaskScheduler(Context.Dispatcher).Run(() => socket.ReceiveAsync(burst => self.Tell(new MessagesArrived(connection, burst)))).PipeTo(self,
            success: end => new ConnectionEnded(connection, end),
            failure: error => new ConnectionEnded(connection, new ConnectionEnd(ConnectionEndKind.Broken, error.Message)));
    }

    /// <summary>The current connection's idle check and its planned replacement before the 24-hour cut.</summary>
    private void StartConnectionTimers()
    {
        if (_idleTimeout is { } idle)
            Timers.StartPeriodicTimer(IdleTimer, new CheckIdle(_connection), IdleCheckInterval(idle));
        Timers.StartSingleTimer(RotateTimer, new Rotate(_connection), _settings.MaxConnectionAge);
    }

    private void OnConnectFailed(Exception cause)
    {
        var failure = cause as StreamConnectException ??
                      new StreamConnectException(FailureKind.SocketError, cause.Message, null, cause);
        _log.Error("❌ Connection error for {Symbol}: {Reason}", _symbol, failure.Message);
        Publish(new Failed(_symbol, failure.Kind, failure.Message, _attempt, failure.RetryAfter, DateTimeOffset.UtcNow));
        RetryAfterFailure(failure.Message, failure.RetryAfter);
    }

    private void OnDeadline(TimeoutPhase phase)
    {
        var after = phase == TimeoutPhase.Connect
            ? Stopwatch.GetElapsedTime(_attemptStarted)
            : Stopwatch.GetElapsedTime(_lastMessageAt);
        ReportTimeout(phase, after);
    }

    private void OnCheckIdle()
    {
        var silence = Stopwatch.GetElapsedTime(_lastMessageAt);
        if (_idleTimeout is { } idle && silence >= idle) ReportTimeout(TimeoutPhase.Idle, silence);
    }

    private void ReportTimeout(TimeoutPhase phase, TimeSpan after)
    {
        _log.Warning("⏱ Connection timeout for {Symbol} after {After} (phase: {Phase})",
            _symbol, HumanFormat.Duration(after), phase.ToWireName());
        Publish(new TimedOut(_symbol, phase, after, _attempt, DateTimeOffset.UtcNow));
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
                _log.Warning("🔁 {Symbol}: the server announced a shutdown; opening a replacement connection", _symbol);
                Publish(new Failed(_symbol, FailureKind.ServerShutdown, "the server announced a shutdown", _attempt, null, DateTimeOffset.UtcNow));
                Self.Tell(new HandOver(_connection, "the server's shutdown"));
                break;
            case StreamMessageKind.ControlReply:
                _log.Debug("{Symbol}: control reply received", _symbol);
                break;
            default:
                OnMalformed(message.Problem ?? "malformed");
                break;
        }
    }

    /// <summary>A burst's trades, counted once for the burst; only the first few of a connection are logged one by one.</summary>
    private void OnTrades(ReadOnlySpan<AggregateTrade> trades)
    {
        _lastMessageAt = Stopwatch.GetTimestamp();
        if (_tradesOnConnection == 0)
        {
            // Data flows: the link is proven, so the failure run is over.
            Timers.Cancel(DeadlineTimer);
            _failuresInRow = 0;
            Context.Parent.Tell(new StreamHealthy(_symbol));
        }

        for (var i = 0; i < trades.Length && _tradesOnConnection + i < _settings.TradesLoggedPerConnection; i++)
        {
            var trade = trades[i];
            _log.Info("📊 Trade #{TradeNumber}: {Side} {Quantity} @ ${Price} (${Notional})",
                _tradesOnConnection + i + 1, trade.Side == AggressorSide.Buy ? "BUY" : "SELL", trade.Quantity,
                HumanFormat.Money(trade.Price.ToDecimal()), HumanFormat.Money(decimal.Round(trade.Notional, 2)));
        }

        _tradesOnConnection += trades.Length;
        _tradesSinceSummary += trades.Length;
        _tradesTotal += trades.Length;
        _lastPrice = trades[^1].Price;
    }

    /// <summary>Trades go on even from a connection already given up: a trade is still a trade.</summary>
    private void Forward(MessagesArrived arrived)
    {
        var burst = arrived.Burst;
        if (burst.Trades.IsEmpty) burst.Credit.Release();
        else _sequencer.Tell(new TradeBatch(_symbol, burst.Trades, burst.Credit));
    }

    private void OnMalformed(string problem)
    {
        _sequencer.Tell(new MalformedFrameDropped(_symbol, problem));
        _malformedTotal++;
        _malformedSinceWarning++;
        var now = Stopwatch.GetTimestamp();
        if (_lastMalformedWarningAt != 0 && Stopwatch.GetElapsedTime(_lastMalformedWarningAt, now) < MalformedWarningInterval) return;
        _log.Warning("🧪 {Symbol}: dropped {Dropped} malformed frame(s) ({MalformedTotal} since this stream started); latest: {Problem}",
            _symbol, _malformedSinceWarning, _malformedTotal, problem);
        _malformedSinceWarning = 0;
        _lastMalformedWarningAt = now;
    }

    private void OnConnectionEnded(ConnectionEnd end)
    {
        switch (end.Kind)
        {
            case ConnectionEndKind.KeepAliveTimedOut:
                ReportTimeout(TimeoutPhase.KeepAlive, Stopwatch.GetElapsedTime(_lastMessageAt));
                return;
            case ConnectionEndKind.ClosedByServer:
                _log.Error("❌ Connection error for {Symbol}: {Reason}", _symbol, end.Reason);
                Publish(new Failed(_symbol, FailureKind.Closed, end.Reason, _attempt, null, DateTimeOffset.UtcNow));
                break;
            default:
                _log.Error("❌ Connection error for {Symbol}: {Reason}", _symbol, end.Reason);
                Publish(new Failed(_symbol, FailureKind.SocketError, end.Reason, _attempt, null, DateTimeOffset.UtcNow));
                break;
        }
        RetryAfterFailure(end.Reason, null);
    }

    private void OnSummary()
    {
        if (_tradesSinceSummary > 0)
            _log.Info("📈 {Symbol}: {Trades} trades in the last {Interval}, last price ${Price}, {TradesTotal} since start",
                _symbol, _tradesSinceSummary, HumanFormat.Duration(_settings.SummaryInterval), HumanFormat.Money(_lastPrice.ToDecimal()), _tradesTotal);
        else
            _log.Info("💤 {Symbol}: no trades in the last {Interval}", _symbol, HumanFormat.Duration(_settings.SummaryInterval));
        _tradesSinceSummary = 0;
    }

    // ---- after a failure ----

    private void RetryAfterFailure(string problem, TimeSpan? retryAfter)
    {
        if (_socket is not null) _sequencer.Tell(new StreamInterrupted(_symbol, problem));
        AbandonConnection();
        _failuresInRow++;
        if (_failuresInRow >= _settings.MaxAttempts)
        {
            _log.Error("🧯 {Symbol}: {Attempts} connection attempts failed in a row; handing over to the supervisor",
                _symbol, _failuresInRow);
            throw new StreamGaveUpException(_symbol, _failuresInRow, problem, retryAfter);
        }

        var delay = _settings.Backoff.DelayFor(_failuresInRow, _random);
        if (retryAfter > delay) delay = retryAfter.Value;
        _log.Warning("⚠️ {Symbol} aggTrades connection closed, retrying ({Attempt}/{MaxAttempts}) in {Delay}...",
            _symbol, _failuresInRow + 1, _settings.MaxAttempts, HumanFormat.Duration(delay));
        Timers.StartSingleTimer(RetryTimer, StartAttempt.Instance, delay);
        BackingOff();
    }

    // ---- make before break ----

    private void BeginHandOver(string why)
    {
        if (!_budget.TryAcquire(out var wait))
        {
            _log.Warning("⏳ Connection budget is spent; {Symbol} opens its replacement connection in {Wait}", _symbol, wait);
            Timers.StartSingleTimer(RetryTimer, new HandOver(_connection, why), wait);
            return;
        }

        _successorConnection = ++_lastConnectionId;
        _successorStarted = Stopwatch.GetTimestamp();
        _log.Info("🔌 {Symbol}: opening a replacement connection ({Why}); the current one streams meanwhile", _symbol, why);
        _successor = new AggTradeSocket(_uri, _symbol,
            new SocketOptions(_settings.KeepAliveInterval, _settings.KeepAliveTimeout, _settings.MaxFrameBytes));
        var connection = _successorConnection;
        _successor.ConnectAsync().PipeTo(Self,
            success: () => new ConnectSucceeded(connection),
            failure: error => new ConnectFailed(connection, error));
        Timers.StartSingleTimer(SuccessorDeadlineTimer, new DeadlinePassed(connection, TimeoutPhase.Connect), _settings.ConnectTimeout);
        HandingOver();
    }

    private void OnSuccessorConnected()
    {
        var elapsed = Stopwatch.GetElapsedTime(_successorStarted);
        _log.Info("🐋 Connected to {Symbol} aggTrades stream in {ElapsedMs} ms (replacement; switching over at its first trade)",
            _symbol, (long)elapsed.TotalMilliseconds);
        Publish(new Connected(_symbol, _uri, 1, elapsed, DateTimeOffset.UtcNow));
        StartReceiving(_successor!, _successorConnection);
        Timers.StartSingleTimer(SuccessorDeadlineTimer, new DeadlinePassed(_successorConnection, TimeoutPhase.FirstMessage),
            _settings.FirstMessageTimeout);
    }

    private void OnSuccessorTimedOut(TimeoutPhase phase)
    {
        var after = Stopwatch.GetElapsedTime(_successorStarted);
        _log.Warning("⏱ Connection timeout for {Symbol} after {After} (phase: {Phase}, replacement connection)",
            _symbol, HumanFormat.Duration(after), phase.ToWireName());
        Publish(new TimedOut(_symbol, phase, after, 1, DateTimeOffset.UtcNow));
        RetryHandOverLater();
    }

    private void OnSuccessorFailed(StreamConnectException failure)
    {
        _log.Error("❌ Connection error for {Symbol}: {Reason} (replacement connection)", _symbol, failure.Message);
        Publish(new Failed(_symbol, failure.Kind, failure.Message, 1, failure.RetryAfter, DateTimeOffset.UtcNow));
        RetryHandOverLater(failure.RetryAfter);
    }

    /// <summary>The current connection still streams: try the replacement again after a backoff.</summary>
    private void RetryHandOverLater(TimeSpan? retryAfter = null)
    {
        AbandonSuccessor();
        var delay = _settings.Backoff.DelayFor(1, _random);
        if (retryAfter > delay) delay = retryAfter.Value;
        _log.Warning("⚠️ {Symbol}: keeping the current connection; the replacement is tried again in {Delay}", _symbol, HumanFormat.Duration(delay));
        Timers.StartSingleTimer(RetryTimer, new HandOver(_connection, "retrying the replacement"), delay);
        Streaming();
    }

    /// <summary>The replacement becomes the current connection; the old one is closed with a close frame.</summary>
    private void SwitchOver()
    {
        var overlap = Stopwatch.GetElapsedTime(_successorStarted);
        Retired();
        (_retiring, _retiringConnection) = (_socket, _connection);
        _ = _retiring?.CloseAsync();
        Timers.StartSingleTimer(RetireTimer, new RetireTimedOut(_retiringConnection), CloseGrace);

        Timers.Cancel(SuccessorDeadlineTimer);
        Timers.Cancel(DeadlineTimer);
        Timers.Cancel(IdleTimer);
        (_socket, _connection, _successor) = (_successor, _successorConnection, null);
        _lastMessageAt = Stopwatch.GetTimestamp();
        _tradesOnConnection = 0;
        _attempt = 1;
        StartConnectionTimers();
        _log.Info("🔀 {Symbol}: switched to the replacement connection {Overlap} after opening it; closing the old one",
            _symbol, HumanFormat.Duration(overlap));
        Streaming();
    }

    private void AbandonSuccessor()
    {
        Timers.Cancel(SuccessorDeadlineTimer);
        _successor?.Dispose();
        _successor = null;
    }

    /// <summary>The old connection of a hand-over has closed (or was given its grace): release it.</summary>
    private void Retired()
    {
        Timers.Cancel(RetireTimer);
        _retiring?.Dispose();
        _retiring = null;
        _retiringConnection = 0;
    }

    private void BeginClose()
    {
        Timers.CancelAll();
        AbandonSuccessor();
        Retired();
        if (_socket is not { IsOpen: true })
        {
            Context.Stop(Self);
            return;
        }
        _ = _socket.CloseAsync();
        Timers.StartSingleTimer(DeadlineTimer, CloseTimedOut.Instance, CloseGrace);
        Closing();
    }

    /// <summary>Drops the current socket; anything it still reports carries an old connection number and is ignored.</summary>
    private void AbandonConnection()
    {
        Timers.Cancel(DeadlineTimer);
        Timers.Cancel(IdleTimer);
        Timers.Cancel(RotateTimer);
        AbandonSuccessor();
        _socket?.Dispose();
        _socket = null;
        _connection = 0;
    }

    /// <summary>To the symbol's actor, which records it for the status answer and publishes it.</summary>
    private void Publish(IStreamLifecycleEvent lifecycleEvent) => Context.Parent.Tell(lifecycleEvent);

    private static TimeSpan IdleCheckInterval(TimeSpan idle) =>
        TimeSpan.FromMilliseconds(Math.Clamp(idle.TotalMilliseconds / 10, 50, 5000));
}
