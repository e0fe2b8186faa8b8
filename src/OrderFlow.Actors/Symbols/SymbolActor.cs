using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using OrderFlow.Actors.Bars;
using OrderFlow.Actors.Binance;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Connection;
using OrderFlow.Actors.History;
using OrderFlow.Actors.Derivatives;
using OrderFlow.Actors.Metrics;
using OrderFlow.Actors.Sequencing;
using OrderFlow.Actors.Replay;
using OrderFlow.Actors.Store;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Bars;
using OrderFlow.Protocol.Metrics;
using OrderFlow.Protocol.Streams;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Symbols;

/// <summary>
/// Everything about one symbol, a shard region's entity on whichever node the cluster chose: its history and
/// metrics from the start; once its node's <see cref="SymbolDirectory"/> says the cluster streams it and its node's
/// <see cref="ListingService"/> says the symbol is listed, its sequencer and its stream. It reports its stream's Connected, Failed and TimedOut (recorded for the status answer, then published
/// on the event stream), restarts the stream after a <see cref="CoolDown"/> when it gives up, answers the per-symbol
/// queries, and closes on request or hand-off: the stream let go, the recording flushed, then it stops. It leaves the
/// cluster's memory by passivating (removed, unlisted), never by stopping, which the cluster would undo.
/// </summary>
public sealed class SymbolActor : ReceiveActor, IWithTimers
{
    private sealed record RestartStream : ILocalMessage
    {
        public static readonly RestartStream Instance = new();
    }

    private sealed record Closed : ILocalMessage
    {
        public static readonly Closed Instance = new();
    }

    private const string RestartTimer = "restart";
    /// <summary>Runs until the directory says whether the cluster streams the symbol: its word can be lost while its node starts.</summary>
    private const string AskDirectoryTimer = "ask-directory";
    private static readonly TimeSpan AskDirectoryInterval = TimeSpan.FromSeconds(2);
    /// <summary>What the recorder holds goes to the store within this as the actor closes: well inside a hand-off's deadline.</summary>
    public static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(5);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Symbol _symbol;
    private readonly OrderFlowSettings _settings;
    private readonly IActorRef _connections;
    private readonly BinanceRestClient _rest;
    private readonly MetricsBoards _boards;
    private readonly ITapeStore? _store;
    private readonly ReplayPlan? _replay;
    private readonly ICanTell _directory;
    private readonly IActorRef _listings;
    private readonly string _node = Akka.Cluster.Cluster.Get(Context.System).SelfAddress.ToString();
    private readonly MetricsBoard _board;
    private readonly SymbolLifecycle _lifecycle;
    private IActorRef _history = ActorRefs.Nobody;
    private IActorRef _metrics = ActorRefs.Nobody;
    /// <summary>Started once the symbol is known to be listed, so no REST weight goes to one that is not.</summary>
    private IActorRef? _sequencer;
    private IActorRef? _recorder;
    private IActorRef? _stream;
    private IActorRef? _removedBy;
    /// <summary>Who added it, answered once exchangeInfo's first word is in.</summary>
    private IActorRef? _addedBy;

    // The status answer's parts, as the children last told them (each tells its own when it changes).
    private StreamStateReport? _streamState;
    private SequenceStats? _counters;
    private TapeStoreStatus? _recording;

    public SymbolActor(Symbol symbol, OrderFlowSettings settings, IActorRef connections, BinanceRestClient rest, MetricsBoards boards,
        ITapeStore? store, ICanTell directory, IActorRef listings, ReplayPlan? replay = null)
    {
        _directory = directory;
        _listings = listings;
        _replay = replay;
        // A replay reads the store; it records nothing.
        _store = replay is null ? store : null;
        _symbol = symbol;
        _settings = settings;
        _connections = connections;
        _rest = rest;
        _boards = boards;
        _board = new MetricsBoard(symbol, settings.Metrics, FuturesFeed.For(symbol, settings, boards, recording: _store is not null, replay?.Clock.FromMs));
        _lifecycle = new SymbolLifecycle(symbol, new CoolDown(settings.Stream.CoolDown, new Random()), TimeProvider.System);

        Receive<ListingChecked>(OnListingChecked);
        Receive<IStreamLifecycleEvent>(OnLifecycle);
        Receive<StreamHealthy>(_ => _lifecycle.StreamHealthy());
        Receive<Terminated>(terminated => Equals(terminated.ActorRef, _stream), _ => OnStreamStopped());
        Receive<RestartStream>(_ =>
        {
            if (_lifecycle.MayStream && _stream is null) StartStream();
        });
        Receive<StreamStateReport>(report => Equals(Sender, _stream), report => _streamState = report);
        Receive<SequenceStats>(counters => _counters = counters);
        Receive<TradeRecorder.RecordingState>(recording => _recording = recording.Status);
        Receive<GetRecentTrades>(query => _history.Forward(query));
        Receive<GetTradesFromId>(query => _history.Forward(query));
        Receive<GetTradesSince>(query => _history.Forward(query));
        // The same read the gateway makes: from the board, never behind a flood in the metrics actor's mailbox.
        Receive<GetMetrics>(query => Sender.Tell(_board.Read(query.Window, _boards.NowMs)));
        Receive<GetBars>(query => Sender.Tell(_board.ReadBars(query)));
        Receive<GetFootprint>(query => Sender.Tell(_board.ReadFootprint(query)));
        Receive<MetricsActor.BarsFinal>(final =>
        {
            // Kept with the tape (a restart answers them again) and announced cluster-wide.
            _recorder?.Tell(new TradeRecorder.RecordBars(final.Bars));
            var mediator = DistributedPubSub.Get(Context.System).Mediator;
            foreach (var bar in final.Bars)
                mediator.Tell(new Publish(BarsTopic, new BarFinal(_symbol, bar.Interval, _board.WithContext(BarReading.Bar(bar), bar.Interval))));
        });
        Receive<GetSequenceStats>(query =>
        {
            if (_sequencer is null) Sender.Tell(new SymbolNotFound(_symbol));
            else _sequencer.Forward(query);
        });
        Receive<GetStatus>(_ => Sender.Tell(new StatusReport([Status()])));
        Receive<CloseSymbol>(_ => Close());
        Receive<Closed>(_ => Context.Stop(Self));
        Receive<RemoveSymbol>(_ =>
        {
            _removedBy = Sender;
            Leave();
        });
        Receive<SymbolStarted>(started => _directory.Tell(started, Self));
        Receive<SymbolWanted>(_ =>
        {
            if (!_lifecycle.Wanted()) return; // answered already
            Timers.Cancel(AskDirectoryTimer);
            // With others, where a symbol runs (at start, after a failover, a hand-over or a rebalance) is said once.
            if (Akka.Cluster.Cluster.Get(Context.System).State.Members.Count(member => member.Status == Akka.Cluster.MemberStatus.Up) > 1)
                _log.Info("🧩 {Symbol} runs on {Node} from now on (shard {Shard})", _symbol, _node, Context.Parent.Path.Name);
            _listings.Tell(new ListingService.CheckListing(_symbol));
        });
        Receive<SymbolNotWanted>(_ =>
        {
            Timers.Cancel(AskDirectoryTimer);
            Leave();
        });
        Receive<AddSymbol>(_ =>
        {
            _addedBy = Sender;
            if (_lifecycle.AnswerToAdd() is { } answer) Answer(answer);
        });
        Receive<TradeRecorder.FlushRecording>(flush =>
        {
            if (_recorder is null) Sender.Tell(TradeRecorder.RecordingFlushed.Instance);
            else _recorder.Forward(flush);
        });
        // Over once the metrics have applied its last trade: queries after "Replay finished" see the whole replay.
        Receive<ReplayListing>(listing => StartReplay(_replay!, listing.Listing));
        Receive<ReplayFinished>(finished =>
        {
            if (finished.LastId is { } last && (_board.LastAggregateId ?? 0) < last)
                Timers.StartSingleTimer(nameof(ReplayFinished), finished, TimeSpan.FromMilliseconds(20));
            else _directory.Tell(finished, Self);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>This symbol's tape in the store: its trades as its market's exchange numbers them.</summary>
    private TapeId Tape => TapeId.Of(_symbol, _settings.MarketOf(_symbol).RestUrl);

    /// <summary>
    /// With a store, the sequencer starts from it: enough of the tape for the longest window and the warm-up, as much as
    /// history holds, and the bars it kept.
    /// </summary>
    private TapeAtStart? TapeAtStart() => _store is null ? null
        : new TapeAtStart(_store, Tape, new[] { _settings.History.WarmUp ?? TimeSpan.Zero }.Concat(_settings.Metrics.Windows).Max(), _settings.History.Capacity,
            _settings.Metrics.BarsKept.IntervalsFor(_symbol), _settings.Metrics.BarsKept.Keep);

    /// <param name="directory">Its node's <see cref="SymbolDirectory"/>.</param>
    /// <param name="listings">Its node's <see cref="ListingService"/>.</param>
    /// <param name="replay">Play the symbol's recorded tape from the store instead of streaming it (<c>orderflow replay</c>).</param>
    public static Props Props(Symbol symbol, OrderFlowSettings settings, IActorRef connections, BinanceRestClient rest, MetricsBoards boards,
        ITapeStore? store, ICanTell directory, IActorRef listings, ReplayPlan? replay = null) =>
        Akka.Actor.Props.Create(() => new SymbolActor(symbol, settings, connections, rest, boards, store, directory, listings, replay));

    protected override void PreStart()
    {
        _history = ActorOf(TradeHistoryActor.Props(_symbol, _settings.History.Capacity, _store is null ? null : (_store, Tape)), "history");
        _metrics = ActorOf(MetricsActor.Props(_board, _settings.Stream.SummaryInterval, () => _boards.Clock.GetUtcNow()), "metrics");
        _boards.Add(_board);
        // The cluster's word first: a shard that remembered a removed symbol starts its actor, which must not stream.
        _directory.Tell(new SymbolStarted(_symbol), Self);
        Timers.StartPeriodicTimer(AskDirectoryTimer, new SymbolStarted(_symbol), AskDirectoryInterval);
    }

    protected override void PostStop()
    {
        _boards.Remove(_symbol, _board);
        _removedBy?.Tell(new SymbolRemoved(_symbol));
    }

    /// <summary>A child on the pipeline's threads when the host has them (as the symbol's actor itself is).</summary>
    private IActorRef ActorOf(Props props, string name) =>
        Context.ActorOf(Context.System.Dispatchers.HasDispatcher(Hosting.PipelineDispatcher.Id) ? props.WithDispatcher(Hosting.PipelineDispatcher.Id) : props, name);

    /// <summary>Out of the cluster's memory for good (removed, unlisted): the shard stops it with a <see cref="CloseSymbol"/>.</summary>
    private void Leave() => Context.Parent.Tell(new Akka.Cluster.Sharding.Passivate(new CloseSymbol(_symbol)));

    protected override SupervisorStrategy SupervisorStrategy() => new PerChildStrategy(Decide);

    private Directive Decide(IActorRef child, Exception error)
    {
        if (!Equals(child, _stream))
        {
            // Sequencer, history or metrics: keep their data and carry on past the one message that failed.
            _log.Error("{Child} of {Symbol} failed on one message and goes on: {Error}", child.Path.Name, _symbol, error.Message);
            return Directive.Resume;
        }
        if (error is StreamGaveUpException gaveUp) _lifecycle.ServerAsked(gaveUp.RetryAfter);
        else _log.Error("💥 {Symbol} stream failed unexpectedly: {Error}", _symbol, error.Message);
        // Stopped, not restarted at once: Terminated schedules a fresh stream after the cool-down.
        return Directive.Stop;
    }

    /// <summary>exchangeInfo's word, at start and at every refresh: listed or not, and whether it trades.</summary>
    private void OnListingChecked(ListingChecked check)
    {
        var decision = _lifecycle.Listing(check.Listed, check.Status, replay: _replay is not null);
        switch (decision.Step)
        {
            case ListingStep.Nothing:
                return;
            case ListingStep.Replay:
                // Listed or not, what the store holds is played, binned by the tick size the live run recorded with it
                // (exchangeInfo's is today's, and absent offline).
                var listed = check.Found ?? Listing.Unknown;
                _replay!.Store.ReadListingAsync(Tape).PipeTo(Self,
                    success: stored => new ReplayListing(listed with
                    {
                        TickSize = stored.TickSize ?? listed.TickSize, ContractSize = stored.ContractSize ?? listed.ContractSize,
                    }),
                    failure: _ => new ReplayListing(listed));
                return;
            case ListingStep.Unlisted:
                Unlisted();
                return;
        }
        if (decision.First) StartPipeline(check.Found ?? Listing.Unknown);
        else if (check.Found is { } found) TellListing(found); // a tick or contract size exchangeInfo could not give at start
        if (decision.Step == ListingStep.StopTrading)
        {
            StopTrading(check.Status!);
            return;
        }
        if (decision.Step == ListingStep.TradeAgain)
            _log.Info("▶️ {Symbol}: Binance lists it as TRADING again (it was {Status}); streaming", _symbol, decision.WasStatus);
        if (_stream is null && !Timers.IsTimerActive(RestartTimer)) StartStream();
    }

    /// <summary>The sequencer (reading the store first when there is one) and the recorder: started once the symbol is known to be listed.</summary>
    private void StartPipeline(Listing listing)
    {
        _recorder = _store is null ? null
            : ActorOf(TradeRecorder.Props(Tape, _store, _settings.History.Capacity, _settings.Store.FlushInterval, _board.Futures?.ToRecord), "recorder");
        if (_symbol.Market == "coinm" && listing.ContractSize == Fixed8.Zero)
            _log.Warning("⚠️ {Symbol}: exchangeInfo gave no contractSize; until it does, quantities are counted as the base coin and notionals as price × contracts", _symbol);
        TellListing(listing);
        if (_store is not null && _board.Futures is { Settings.Liquidations: true } futures)
            StoredLiquidations.Restore(_store, Tape, _board, futures, _settings.Metrics.LookBack, _log);
        _sequencer = ActorOf(TradeSequencer.Props(_symbol, _settings.Backfill, _settings.History.WarmUp, _rest, _history, _metrics,
            TapeAtStart(), _recorder), "sequencer");
        Answer(_lifecycle.AnswerToAdd()!);
    }

    private void TellListing(Listing listing)
    {
        _metrics.Tell(new SymbolListing(_symbol, listing));
        _recorder?.Tell(new SymbolListing(_symbol, listing));
    }

    private void StartReplay(ReplayPlan plan, Listing listing)
    {
        if (listing.TickSize > Fixed8.Zero) _metrics.Tell(new SymbolListing(_symbol, listing));
        else _log.Warning("🎬 {Symbol}: no tick size stored with the tape nor listed by exchangeInfo; the volume profile bins by the grid its prices fall on", _symbol);
        _sequencer = ActorOf(TradeSequencer.Props(_symbol, _settings.Backfill, null, _rest, _history, _metrics), "sequencer");
        var liquidations = _board.Futures is { Settings.Liquidations: true } futures
            ? new ReplayedLiquidations(_board, futures.Connected, futures.RecordedAs)
            : null;
        _stream = ActorOf(ReplayActor.Props(Tape, plan, _sequencer, liquidations), "replay");
    }

    /// <summary>Listed and silent (BREAK, HALT, CANCEL_ONLY…): said once per status, never streamed as if connected.</summary>
    private void StopTrading(string status)
    {
        _log.Warning("⏸ {Symbol} is listed with status {Status}, not TRADING: nothing is streamed until it trades again (checked every {Refresh})",
            _symbol, status, HumanFormat.Duration(_settings.Binance.ExchangeInfoRefresh));
        OnLifecycle(new Failed(_symbol, FailureKind.NotTrading, $"Binance lists {_symbol} with status {status}: not trading", 0, null,
            DateTimeOffset.UtcNow));
        Timers.Cancel(RestartTimer);
        _stream?.Tell(CloseStream.Instance);
    }

    private void Answer(object answer)
    {
        _addedBy?.Tell(answer);
        _addedBy = null;
    }

    /// <summary>
    /// Binance does not list the symbol: said once, and nothing is streamed. The symbol leaves the cluster's set and
    /// this actor passivates; the questions that reach it meanwhile are answered as about a symbol not streamed.
    /// </summary>
    private void Unlisted()
    {
        _log.Error("❌ {Symbol} is not a symbol Binance lists (exchangeInfo: Invalid symbol); it will not be streamed", _symbol);
        var failed = new Failed(_symbol, FailureKind.UnknownSymbol,
            $"unknown symbol: Binance's exchangeInfo does not list {_symbol}", 0, null, DateTimeOffset.UtcNow);
        _boards.Remove(_symbol, _board);
        Publish(failed);
        _directory.Tell(new SymbolUnlisted(failed), Self);
        Answer(new SymbolUnknown(_symbol));
        Leave();
        Become(() =>
        {
            Receive<CloseSymbol>(_ => Context.Stop(Self));
            Receive<GetStatus>(_ => Sender.Tell(new SymbolNotFound(_symbol)));
            Receive<IWithSymbol>(message => Sender.Tell(new SymbolNotFound(message.Symbol)));
        });
    }

    /// <summary>On this node's event stream, and to every node's gateway (<see cref="LifecycleTopic"/>).</summary>
    private void Publish(IStreamLifecycleEvent e)
    {
        Context.System.EventStream.Publish(e);
        DistributedPubSub.Get(Context.System).Mediator.Tell(new Publish(LifecycleTopic, e));
    }

    /// <summary>Where every symbol's Connected, Failed and TimedOut go, cluster-wide.</summary>
    public const string LifecycleTopic = "orderflow-lifecycle";

    /// <summary>Where every symbol's final bars go, cluster-wide.</summary>
    public const string BarsTopic = "orderflow-bars";

    private void StartStream() =>
        _stream = Context.Watch(ActorOf(StreamActor.Props(_symbol, _settings.Stream, _connections, _sequencer!), "stream"));

    private void OnLifecycle(IStreamLifecycleEvent e)
    {
        _lifecycle.Record(e);
        Publish(e);
    }

    private void OnStreamStopped()
    {
        (_stream, _streamState) = (null, null);
        if (_lifecycle.Phase == SymbolPhase.Closing)
        {
            FlushThenStop();
            return;
        }
        // Not trading: closed for it, and the next refresh that says TRADING starts it.
        if (_lifecycle.StreamStopped() is not { } coolDown) return;
        _log.Warning("🧊 {Symbol} stream stopped; a fresh one starts in {CoolDown} (cool-down {Escalation} in a row)",
            _symbol, HumanFormat.Duration(coolDown), _lifecycle.CoolDownsInRow);
        Timers.StartSingleTimer(RestartTimer, RestartStream.Instance, coolDown);
    }

    /// <summary>The stream lets go of its connection, the recorder writes what it holds; then this actor stops, and its children with it.</summary>
    private void Close()
    {
        if (!_lifecycle.Close()) return;
        Timers.CancelAll();
        _boards.Remove(_symbol, _board);
        if (_stream is { } stream) stream.Tell(CloseStream.Instance);
        else FlushThenStop();
    }

    private void FlushThenStop()
    {
        if (_recorder is null)
        {
            Context.Stop(Self);
            return;
        }
        var (symbol, log) = (_symbol, _log);
        _recorder.Ask<TradeRecorder.RecordingFlushed>(TradeRecorder.FlushRecording.Instance, FlushTimeout).PipeTo(Self,
            success: _ => Closed.Instance,
            failure: e =>
            {
                log.Warning("💾 {Symbol}: the tape store did not take the last trades within {Timeout} ({Problem}); a restart fetches them from REST",
                    symbol, HumanFormat.Duration(FlushTimeout), e.Message);
                return Closed.Instance;
            });
    }

    /// <summary>From what the children last told: no question waits on a busy child.</summary>
    private StreamStatus Status()
    {
        var state = _lifecycle.Phase == SymbolPhase.NotTrading ? new StreamStateReport(StreamState.NotTrading, _lifecycle.Since, 0)
            : _stream is null ? new StreamStateReport(_lifecycle.StateWithoutStream, _lifecycle.Since, 0)
            : _streamState ?? new StreamStateReport(StreamState.Connecting, _lifecycle.Since, 0);
        var (problem, counters) = (_lifecycle.LastProblem, _counters);
        return new StreamStatus(_symbol, state.State, state.Since, state.Attempt,
            problem switch { Failed f => f.Reason, TimedOut t => $"timed out (phase: {t.Phase.ToWireName()})", _ => null },
            (problem as TimedOut)?.Phase, problem?.At,
            counters?.Received ?? 0, counters?.LastAggregateId, counters?.LastTradeTime, Math.Max(0, _lifecycle.Connects - 1),
            counters?.DuplicatesDropped ?? 0, counters?.GapsDetected ?? 0, counters?.TradesBackfilled ?? 0,
            counters?.GapsUnrecovered ?? 0, counters?.MalformedDropped ?? 0, _recording, _node);
    }
}
