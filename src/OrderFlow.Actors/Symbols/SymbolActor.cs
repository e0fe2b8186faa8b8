using Akka.Actor;
using Akka.Event;
using OrderFlow.Actors.Binance;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Connection;
using OrderFlow.Actors.History;
using OrderFlow.Actors.Metrics;
using OrderFlow.Actors.Sequencing;
using OrderFlow.Actors.Replay;
using OrderFlow.Actors.Store;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Metrics;
using OrderFlow.Protocol.Streams;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Symbols;

/// <summary>
/// Everything about one symbol (<c>symbol-btcusdt</c>): its history and metrics from the start; once exchangeInfo
/// says the symbol is listed, its sequencer and its stream. It reports its stream's Connected, Failed and TimedOut
/// (recorded for the status answer, then published on the event stream), restarts the stream after a
/// <see cref="CoolDown"/> when it gives up, answers the per-symbol queries, and closes cleanly on request. Sequencer,
/// history and metrics outlive the stream's restarts. The unit that a shard region will host one day: every message
/// it takes names its symbol (<see cref="IWithSymbol"/>).
/// </summary>
public sealed class SymbolActor : ReceiveActor, IWithTimers
{
    private sealed record RestartStream
    {
        public static readonly RestartStream Instance = new();
    }

    private const string RestartTimer = "restart";
    private static readonly TimeSpan StatusTimeout = TimeSpan.FromSeconds(2);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Symbol _symbol;
    private readonly OrderFlowSettings _settings;
    private readonly IActorRef _connections;
    private readonly BinanceRestClient _rest;
    private readonly MetricsBoards _boards;
    private readonly ITapeStore? _store;
    private readonly ReplayPlan? _replay;
    private readonly MetricsBoard _board;
    private readonly CoolDown _coolDown;
    private IActorRef _history = ActorRefs.Nobody;
    private IActorRef _metrics = ActorRefs.Nobody;
    /// <summary>Started once the symbol is known to be listed, so no REST weight goes to one that is not.</summary>
    private IActorRef? _sequencer;
    private IActorRef? _recorder;
    private IActorRef? _stream;
    private IActorRef? _addedBy;
    private bool _checking = true;
    private bool _closing;
    /// <summary>Listed but not trading (exchangeInfo's status, such as BREAK): no stream until it is TRADING again.</summary>
    private string? _notTrading;

    // What the status answer reports beyond the stream's own state; it outlives the stream's restarts.
    private DateTimeOffset _since = DateTimeOffset.UtcNow;
    private long _connects;
    private IStreamLifecycleEvent? _lastProblem;

    public SymbolActor(Symbol symbol, OrderFlowSettings settings, IActorRef connections, BinanceRestClient rest, MetricsBoards boards,
        ITapeStore? store, IActorRef? addedBy, ReplayPlan? replay = null)
    {
        _replay = replay;
        // A replay reads the store; it records nothing.
        _store = replay is null ? store : null;
        _symbol = symbol;
        _settings = settings;
        _connections = connections;
        _rest = rest;
        _boards = boards;
        _addedBy = addedBy;
        _board = new MetricsBoard(symbol, settings.Metrics);
        _coolDown = new CoolDown(settings.Stream.CoolDown, new Random());

        Receive<ListingChecked>(OnListingChecked);
        Receive<IStreamLifecycleEvent>(OnLifecycle);
        Receive<StreamHealthy>(_ => _coolDown.Healthy());
        Receive<Terminated>(terminated => Equals(terminated.ActorRef, _stream), _ => OnStreamStopped());
        Receive<RestartStream>(_ =>
        {
            if (!_closing && _stream is null && _notTrading is null) StartStream();
        });
        Receive<GetRecentTrades>(query => _history.Forward(query));
        Receive<GetTradesFromId>(query => _history.Forward(query));
        Receive<GetTradesSince>(query => _history.Forward(query));
        // The same read the gateway makes: from the board, never behind a flood in the metrics actor's mailbox.
        Receive<GetMetrics>(query => Sender.Tell(_board.Read(query.Window, _boards.NowMs)));
        Receive<GetSequenceStats>(query =>
        {
            if (_sequencer is null) Sender.Tell(new SymbolNotFound(_symbol));
            else _sequencer.Forward(query);
        });
        Receive<GetStatus>(_ => StatusAsync().PipeTo(Sender, success: status => new StatusReport([status]), failure: e => new QueryFailed(e.Message)));
        Receive<CloseSymbol>(_ => Close());
        Receive<TradeRecorder.FlushRecording>(flush =>
        {
            if (_recorder is null) Sender.Tell(TradeRecorder.RecordingFlushed.Instance);
            else _recorder.Forward(flush);
        });
        // Over once the metrics have applied its last trade: queries after "Replay finished" see the whole replay.
        Receive<ReplayTickSize>(tick => StartReplay(_replay!, tick.TickSize));
        Receive<ReplayFinished>(finished =>
        {
            if (finished.LastId is { } last && (_board.LastAggregateId ?? 0) < last)
                Timers.StartSingleTimer(nameof(ReplayFinished), finished, TimeSpan.FromMilliseconds(20));
            else Context.Parent.Tell(finished);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>This symbol's tape in the store: its trades as its market's exchange numbers them.</summary>
    private TapeId Tape => TapeId.Of(_symbol, _settings.MarketOf(_symbol).RestUrl);

    /// <summary>With a store, the sequencer starts from it: enough of the tape for the longest window and the warm-up, as much as history holds.</summary>
    private TapeAtStart? TapeAtStart() => _store is null ? null
        : new TapeAtStart(_store, Tape, new[] { _settings.History.WarmUp ?? TimeSpan.Zero }.Concat(_settings.Metrics.Windows).Max(), _settings.History.Capacity);

    /// <summary>The actor's name: <c>symbol-btcusdt</c>, <c>symbol-usdm%3Abtcusdt</c>; what is not ASCII is percent-encoded, as actor paths require.</summary>
    public static string NameOf(Symbol symbol) => $"symbol-{Uri.EscapeDataString(symbol.Value.ToLowerInvariant())}";

    /// <param name="replay">Play the symbol's recorded tape from the store instead of streaming it (<c>orderflow replay</c>).</param>
    public static Props Props(Symbol symbol, OrderFlowSettings settings, IActorRef connections, BinanceRestClient rest, MetricsBoards boards,
        ITapeStore? store = null, IActorRef? addedBy = null, ReplayPlan? replay = null) =>
        Akka.Actor.Props.Create(() => new SymbolActor(symbol, settings, connections, rest, boards, store, addedBy, replay));

    protected override void PreStart()
    {
        _history = Context.ActorOf(TradeHistoryActor.Props(_symbol, _settings.History.Capacity, _store is null ? null : (_store, Tape)), "history");
        _metrics = Context.ActorOf(MetricsActor.Props(_board, _settings.Stream.SummaryInterval, () => _boards.Clock.GetUtcNow()), "metrics");
        _boards.Add(_board);
    }

    protected override void PostStop() => _boards.Remove(_symbol, _board);

    protected override SupervisorStrategy SupervisorStrategy() => new PerChildStrategy(Decide);

    private Directive Decide(IActorRef child, Exception error)
    {
        if (!Equals(child, _stream))
        {
            // Sequencer, history or metrics: keep their data and carry on past the one message that failed.
            _log.Error("{Child} of {Symbol} failed on one message and goes on: {Error}", child.Path.Name, _symbol, error.Message);
            return Directive.Resume;
        }
        if (error is StreamGaveUpException gaveUp) _coolDown.ServerAsked(gaveUp.RetryAfter);
        else _log.Error("💥 {Symbol} stream failed unexpectedly: {Error}", _symbol, error.Message);
        // Stopped, not restarted at once: Terminated schedules a fresh stream after the cool-down.
        return Directive.Stop;
    }

    /// <summary>exchangeInfo's word, at start and at every refresh: listed or not, and whether it trades.</summary>
    private void OnListingChecked(ListingChecked check)
    {
        if (_closing) return;
        var first = _checking;
        _checking = false;
        if (_replay is { } plan)
        {
            // Listed or not, what the store holds is played, binned by the tick size the live run recorded with it
            // (exchangeInfo's is today's, and absent offline).
            if (!first) return;
            var listed = check.TickSize > Fixed8.Zero ? check.TickSize : (Fixed8?)null;
            plan.Store.ReadTickSizeAsync(Tape).PipeTo(Self, success: stored => new ReplayTickSize(stored ?? listed), failure: _ => new ReplayTickSize(listed));
            return;
        }
        if (check.Listed is false)
        {
            Unlisted();
            return;
        }
        if (check.Listed is null && !first) return; // a refresh that could not ask: nothing new

        if (first)
        {
            _recorder = _store is null ? null
                : Context.ActorOf(TradeRecorder.Props(Tape, _store, _settings.History.Capacity, _settings.Store.FlushInterval), "recorder");
            if (check.TickSize > Fixed8.Zero)
            {
                _metrics.Tell(new SymbolListing(_symbol, check.TickSize));
                _recorder?.Tell(new SymbolListing(_symbol, check.TickSize));
            }
            _sequencer = Context.ActorOf(TradeSequencer.Props(_symbol, _settings.Backfill, _settings.History.WarmUp, _rest, _history, _metrics,
                TapeAtStart(), _recorder), "sequencer");
        }
        if (check.Status is null || check.Status == Listing.Trading) Trading(first);
        else NotTrading(check.Status, first);
    }

    private void StartReplay(ReplayPlan plan, Fixed8? tickSize)
    {
        if (tickSize is { } tick) _metrics.Tell(new SymbolListing(_symbol, tick));
        else _log.Warning("🎬 {Symbol}: no tick size stored with the tape nor listed by exchangeInfo; the volume profile bins by the grid its prices fall on", _symbol);
        _sequencer = Context.ActorOf(TradeSequencer.Props(_symbol, _settings.Backfill, null, _rest, _history, _metrics), "sequencer");
        _stream = Context.ActorOf(ReplayActor.Props(Tape, plan, _sequencer), "replay");
    }

    private void Trading(bool first)
    {
        if (_notTrading is { } was)
        {
            _log.Info("▶️ {Symbol}: Binance lists it as TRADING again (it was {Status}); streaming", _symbol, was);
            (_notTrading, _since) = (null, DateTimeOffset.UtcNow);
        }
        if (first) Answer(new SymbolAdded(_symbol));
        if (_stream is null && !Timers.IsTimerActive(RestartTimer)) StartStream();
    }

    /// <summary>Listed and silent (BREAK, HALT, CANCEL_ONLY…): said once per status, never streamed as if connected.</summary>
    private void NotTrading(string status, bool first)
    {
        if (_notTrading == status) return;
        (_notTrading, _since) = (status, DateTimeOffset.UtcNow);
        _log.Warning("⏸ {Symbol} is listed with status {Status}, not TRADING: nothing is streamed until it trades again (checked every {Refresh})",
            _symbol, status, HumanFormat.Duration(_settings.Binance.ExchangeInfoRefresh));
        OnLifecycle(new Failed(_symbol, FailureKind.NotTrading, $"Binance lists {_symbol} with status {status}: not trading", 0, null,
            DateTimeOffset.UtcNow));
        if (first) Answer(new SymbolNotTrading(_symbol, status));
        Timers.Cancel(RestartTimer);
        _stream?.Tell(CloseStream.Instance);
    }

    private void Answer(object answer)
    {
        _addedBy?.Tell(answer);
        _addedBy = null;
    }

    /// <summary>
    /// Binance does not list the symbol: said once, and nothing is streamed. The parent answers whoever added it and
    /// stops this actor with a <see cref="CloseSymbol"/>; the questions it had already passed on before that are
    /// answered here, in order, as about a symbol not streamed.
    /// </summary>
    private void Unlisted()
    {
        _log.Error("❌ {Symbol} is not a symbol Binance lists (exchangeInfo: Invalid symbol); it will not be streamed", _symbol);
        var failed = new Failed(_symbol, FailureKind.UnknownSymbol,
            $"unknown symbol: Binance's exchangeInfo does not list {_symbol}", 0, null, DateTimeOffset.UtcNow);
        _boards.Remove(_symbol, _board);
        Context.System.EventStream.Publish(failed);
        Context.Parent.Tell(new SymbolUnlisted(failed, _addedBy));
        Become(() =>
        {
            Receive<CloseSymbol>(_ => Context.Stop(Self));
            Receive<GetStatus>(_ => Sender.Tell(new StatusReport([UnlistedStatus(failed)])));
            Receive<IWithSymbol>(message => Sender.Tell(new SymbolNotFound(message.Symbol)));
        });
    }

    /// <summary>What the status answer says of a symbol Binance does not list.</summary>
    public static StreamStatus UnlistedStatus(Failed failed) =>
        new(failed.Symbol, StreamState.Failed, failed.At, 0, failed.Reason, null, failed.At, 0, null, null, 0, 0, 0, 0, 0, 0);

    private void StartStream() =>
        _stream = Context.Watch(Context.ActorOf(
            StreamActor.Props(_symbol, _settings.Stream, _connections, _sequencer!), "stream"));

    private void OnLifecycle(IStreamLifecycleEvent e)
    {
        if (e is Connected) _connects++;
        else _lastProblem = e;
        Context.System.EventStream.Publish(e);
    }

    private void OnStreamStopped()
    {
        _stream = null;
        if (_closing)
        {
            Context.Stop(Self);
            return;
        }
        if (_notTrading is not null) return; // closed for it: the next refresh that says TRADING starts it
        _since = DateTimeOffset.UtcNow;
        var coolDown = _coolDown.Next();
        _log.Warning("🧊 {Symbol} stream stopped; a fresh one starts in {CoolDown} (cool-down {Escalation} in a row)",
            _symbol, HumanFormat.Duration(coolDown), _coolDown.EscalationsInRow);
        Timers.StartSingleTimer(RestartTimer, RestartStream.Instance, coolDown);
    }

    /// <summary>The stream closes with a close frame; then this actor stops, and its children with it.</summary>
    private void Close()
    {
        if (_closing) return;
        _closing = true;
        Timers.CancelAll();
        _boards.Remove(_symbol, _board);
        if (_checking) _addedBy?.Tell(new SymbolRemoved(_symbol));
        if (_stream is { } stream) stream.Tell(CloseStream.Instance);
        else Context.Stop(Self);
    }

    /// <summary>Asks the stream and the sequencer; whatever they do not answer in time is reported as unknown.</summary>
    private async Task<StreamStatus> StatusAsync()
    {
        // Read everything this actor owns now: the rest of this method runs after it has moved on.
        var (symbol, problem, connects, since, checking, stream, sequencer, recorder, notTrading) =
            (_symbol, _lastProblem, _connects, _since, _checking, _stream, _sequencer, _recorder, _notTrading);
        var state = notTrading is not null ? new StreamStateReport(StreamState.NotTrading, since, 0)
            : stream is null
            ? new StreamStateReport(checking ? StreamState.Connecting : StreamState.BackingOff, since, 0)
            : await AskOrDefault<StreamStateReport>(stream, GetStreamState.Instance).ConfigureAwait(false);
        var counters = sequencer is null ? null
            : await AskOrDefault<SequenceStats>(sequencer, new GetSequenceStats(symbol)).ConfigureAwait(false);
        var recording = recorder is null ? null
            : await AskOrDefault<TapeStoreStatus>(recorder, TradeRecorder.GetRecorderState.Instance).ConfigureAwait(false);
        return new StreamStatus(symbol,
            state?.State ?? StreamState.Connecting, state?.Since ?? since, state?.Attempt ?? 0,
            problem switch { Failed f => f.Reason, TimedOut t => $"timed out (phase: {t.Phase.ToWireName()})", _ => null },
            (problem as TimedOut)?.Phase, problem?.At,
            counters?.Received ?? 0, counters?.LastAggregateId, counters?.LastTradeTime, Math.Max(0, connects - 1),
            counters?.DuplicatesDropped ?? 0, counters?.GapsDetected ?? 0, counters?.TradesBackfilled ?? 0,
            counters?.GapsUnrecovered ?? 0, counters?.MalformedDropped ?? 0, recording);
    }

    private static async Task<T?> AskOrDefault<T>(IActorRef actor, object question) where T : class
    {
        try { return await actor.Ask<T>(question, StatusTimeout).ConfigureAwait(false); }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException) { return null; }
    }
}
