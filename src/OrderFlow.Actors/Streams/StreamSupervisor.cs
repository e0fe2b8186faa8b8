using Akka.Actor;
using Akka.Event;
using OrderFlow.Actors.Binance;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.History;
using OrderFlow.Actors.Metrics;
using OrderFlow.Actors.Sequencing;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Metrics;
using OrderFlow.Protocol.Streams;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Streams;

/// <summary>
/// Starts, per symbol, a StreamActor (<c>stream-btcusdt</c>) beside the TradeSequencer (<c>sequencer-btcusdt</c>) it
/// feeds, which feeds the TradeHistoryActor (<c>history-btcusdt</c>) and MetricsActor (<c>metrics-btcusdt</c>); adds
/// and removes symbols at runtime; routes per-symbol queries.
/// Symbols are checked against Binance's exchangeInfo first: an unknown one is reported once, as
/// <see cref="Failed"/> with <see cref="FailureKind.UnknownSymbol"/>, and not streamed (Binance would give it a silent
/// socket); when REST cannot be reached, that is said and the symbol streams anyway.
/// A stream that fails is stopped and started afresh after a cool-down that grows with each failure in a row and is
/// spread by jitter, so a symbol that fails forever retries forever at a capped pace and never storms. Sequencer,
/// history and metrics outlive their stream's restarts.
/// </summary>
public sealed class StreamSupervisor : ReceiveActor, IWithTimers, IWithUnboundedStash
{
    /// <summary>Sent by a StreamActor when data flows again: its symbol's cool-down starts over from the minimum.</summary>
    public sealed record StreamHealthy(Symbol Symbol) : IWithSymbol;

    /// <summary>Closes every stream with a close frame; answered with <see cref="AllStreamsClosed"/>. For shutdown.</summary>
    public sealed record CloseAllStreams
    {
        public static readonly CloseAllStreams Instance = new();
        private CloseAllStreams() { }
    }

    public sealed record AllStreamsClosed
    {
        public static readonly AllStreamsClosed Instance = new();
        private AllStreamsClosed() { }
    }

    private sealed record RestartStream(Symbol Symbol);

    private sealed record SymbolsChecked(IReadOnlyList<Symbol> Symbols, IReadOnlyDictionary<Symbol, Fixed8>? Listed, string? Problem);

    private sealed class SymbolActors(IActorRef history, IActorRef metrics)
    {
        /// <summary>Started once the symbol is known to be listed, so no REST weight goes to one that is not.</summary>
        public IActorRef? Sequencer { get; set; }
        public IActorRef History { get; } = history;
        public IActorRef Metrics { get; } = metrics;
        public IActorRef? Stream { get; set; }
        public bool Checking { get; set; } = true;
        public IActorRef? AddedBy { get; set; }
        public int EscalationsInRow { get; set; }
        public TimeSpan? RetryAfter { get; set; }

        // What the status query reports beyond the stream's own state; it outlives the stream's restarts.
        public DateTimeOffset Since { get; set; } = DateTimeOffset.UtcNow;
        public long Connects { get; set; }
        public IStreamLifecycleEvent? LastProblem { get; set; }
    }

    private sealed record PendingRemoval(Symbol Symbol, IActorRef ReplyTo, HashSet<IActorRef> Remaining);

    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan StatusTimeout = TimeSpan.FromSeconds(2);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly OrderFlowSettings _settings;
    private readonly ConnectionBudget _budget;
    private readonly BinanceRestClient _rest;
    private readonly MetricsBoards _boards;
    private readonly Dictionary<Symbol, SymbolActors> _symbols = new();
    // Symbols Binance does not list: not streamed, but reported by the status query until removed or added again.
    private readonly Dictionary<Symbol, Failed> _unknown = new();
    private readonly List<PendingRemoval> _removals = new();
    private readonly Random _random = new();
    private bool _closing;

    public StreamSupervisor(OrderFlowSettings settings, ConnectionBudget budget, BinanceRestClient rest, MetricsBoards boards)
    {
        _settings = settings;
        _budget = budget;
        _rest = rest;
        _boards = boards;

        Receive<AddSymbol>(OnAdd);
        Receive<RemoveSymbol>(OnRemove);
        Receive<GetStreamedSymbols>(_ => Sender.Tell(new StreamedSymbols(_symbols.Keys.Order().ToList())));
        Receive<GetStatus>(OnGetStatus);
        Receive<IStreamLifecycleEvent>(OnLifecycle);
        Receive<GetRecentTrades>(query => RouteTo(query, actors => actors.History));
        Receive<GetTradesFromId>(query => RouteTo(query, actors => actors.History));
        Receive<GetTradesSince>(query => RouteTo(query, actors => actors.History));
        Receive<GetMetrics>(query => RouteTo(query, actors => actors.Metrics));
        Receive<GetSequenceStats>(query => RouteTo(query, actors => actors.Sequencer));
        Receive<StreamHealthy>(OnHealthy);
        Receive<RestartStream>(OnRestart);
        Receive<SymbolsChecked>(OnChecked);
        Receive<Terminated>(OnTerminated);
        Receive<CloseAllStreams>(_ => OnCloseAll());
    }

    public ITimerScheduler Timers { get; set; } = null!;
    public IStash Stash { get; set; } = null!;

    public const string Name = "streams";

    public const string PipelineDispatcherId = "orderflow.pipeline-dispatcher";

    /// <summary>
    /// Every symbol's actors, and the socket readers they start, on threads of their own (one per core): on the .NET
    /// thread pool, a flood's bursts would queue ahead of the socket completions that carry the planners' queries in
    /// and the answers out. Deployed by path, so a host without it runs them on the default dispatcher.
    /// </summary>
    public const string DispatcherHocon = $$"""
        {{PipelineDispatcherId}} {
          type = Dispatcher
          executor = fork-join-executor
          fork-join-executor { parallelism-min = 2, parallelism-factor = 1.0, parallelism-max = 64 }
        }
        akka.actor.deployment { "/{{Name}}/*" { dispatcher = {{PipelineDispatcherId}} } }
        """;

    public static Props Props(OrderFlowSettings settings, ConnectionBudget budget, BinanceRestClient rest, MetricsBoards boards) =>
        Akka.Actor.Props.Create(() => new StreamSupervisor(settings, budget, rest, boards));

    public static string StreamName(Symbol symbol) => $"stream-{symbol.StreamName}";

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe<IStreamLifecycleEvent>(Self);
        foreach (var symbol in _settings.Symbols) Start(symbol);
        Check(_settings.Symbols);
    }

    protected override SupervisorStrategy SupervisorStrategy() => new PerChildStrategy(Decide);

    private Directive Decide(IActorRef child, Exception error)
    {
        var symbol = _symbols.FirstOrDefault(entry => Equals(entry.Value.Stream, child)).Key;
        if (symbol.Value is null)
        {
            // Sequencer, history or metrics: keep their data and carry on past the one message that failed.
            _log.Error("{Child} failed on one message and goes on: {Error}", child.Path.Name, error.Message);
            return Directive.Resume;
        }

        if (error is StreamGaveUpException gaveUp)
            _symbols[symbol].RetryAfter = gaveUp.RetryAfter;
        else
            _log.Error("💥 {Symbol} stream failed unexpectedly: {Error}", symbol, error.Message);
        // Stopped, not restarted at once: Terminated schedules a fresh stream after the cool-down.
        return Directive.Stop;
    }

    private void Start(Symbol symbol)
    {
        var name = symbol.StreamName;
        var history = Context.ActorOf(TradeHistoryActor.Props(symbol, _settings.History.Capacity), $"history-{name}");
        var board = new MetricsBoard(symbol, _settings.Metrics);
        _boards.Add(board);
        var metrics = Context.ActorOf(MetricsActor.Props(board, _settings.Stream.SummaryInterval), $"metrics-{name}");
        _symbols[symbol] = new SymbolActors(history, metrics);
    }

    private void Check(IReadOnlyList<Symbol> symbols) =>
        _rest.ListedAsync(symbols).PipeTo(Self,
            success: listed => new SymbolsChecked(symbols, listed, null),
            failure: error => new SymbolsChecked(symbols, null, error.Message));

    private void OnChecked(SymbolsChecked check)
    {
        if (check.Listed is null)
            _log.Warning("⚠️ Could not check {Symbols} against Binance's exchangeInfo ({Problem}); streaming anyway",
                string.Join(",", check.Symbols), check.Problem);

        foreach (var symbol in check.Symbols)
        {
            if (!_symbols.TryGetValue(symbol, out var actors) || !actors.Checking) continue;
            actors.Checking = false;
            var tickSize = Fixed8.Zero;
            if (check.Listed is null || check.Listed.TryGetValue(symbol, out tickSize))
            {
                if (tickSize > Fixed8.Zero) actors.Metrics.Tell(new SymbolListing(symbol, tickSize));
                actors.Sequencer = Context.ActorOf(TradeSequencer.Props(symbol, _settings.Backfill, _settings.History.WarmUp, _rest,
                    actors.History, actors.Metrics), $"sequencer-{symbol.StreamName}");
                actors.AddedBy?.Tell(new SymbolAdded(symbol));
                if (!_closing) StartStream(symbol);
                continue;
            }

            _log.Error("❌ {Symbol} is not a symbol Binance lists (exchangeInfo: Invalid symbol); it will not be streamed", symbol);
            var failed = new Failed(symbol, FailureKind.UnknownSymbol,
                $"unknown symbol: Binance's exchangeInfo does not list {symbol}", 0, null, DateTimeOffset.UtcNow);
            _unknown[symbol] = failed;
            Context.System.EventStream.Publish(failed);
            actors.AddedBy?.Tell(new SymbolUnknown(symbol));
            _symbols.Remove(symbol);
            _boards.Remove(symbol);
            Context.Stop(actors.History);
            Context.Stop(actors.Metrics);
        }
    }

    private void StartStream(Symbol symbol)
    {
        var actors = _symbols[symbol];
        actors.Stream = Context.Watch(Context.ActorOf(
            StreamActor.Props(symbol, _settings.Stream, _settings.Binance.WebSocketUrl, actors.Sequencer!, _budget),
            StreamName(symbol)));
    }

    private void OnAdd(AddSymbol command)
    {
        if (_removals.Any(removal => removal.Symbol == command.Symbol))
        {
            Stash.Stash(); // its old actors are still stopping: take this up when they are gone
            return;
        }
        if (_symbols.ContainsKey(command.Symbol))
        {
            Sender.Tell(new SymbolAlreadyStreaming(command.Symbol));
            return;
        }
        _unknown.Remove(command.Symbol); // asked again: checked again
        _log.Info("➕ Adding {Symbol}", command.Symbol);
        Start(command.Symbol);
        _symbols[command.Symbol].AddedBy = Sender; // answered once exchangeInfo has been asked
        Check([command.Symbol]);
    }

    private void OnRemove(RemoveSymbol command)
    {
        if (!_symbols.Remove(command.Symbol, out var actors))
        {
            Sender.Tell(_unknown.Remove(command.Symbol) ? new SymbolRemoved(command.Symbol) : new SymbolNotFound(command.Symbol));
            return;
        }
        _log.Info("➖ Removing {Symbol}", command.Symbol);
        _boards.Remove(command.Symbol);
        if (actors.Checking) actors.AddedBy?.Tell(new SymbolRemoved(command.Symbol));
        Timers.Cancel(RestartTimer(command.Symbol));
        var remaining = new[] { actors.Sequencer, actors.History, actors.Metrics }.OfType<IActorRef>().Select(Context.Watch).ToHashSet();
        foreach (var data in remaining) Context.Stop(data);
        if (actors.Stream is { } stream)
        {
            remaining.Add(stream);
            stream.Tell(StreamActor.Close.Instance);
        }
        _removals.Add(new PendingRemoval(command.Symbol, Sender, remaining));
    }

    /// <summary>Forwards to the symbol's actor, or answers <see cref="SymbolNotFound"/>: never silence.</summary>
    private void RouteTo(IWithSymbol query, Func<SymbolActors, IActorRef?> target)
    {
        if (_symbols.TryGetValue(query.Symbol, out var actors) && target(actors) is { } actor) actor.Forward(query);
        else Sender.Tell(new SymbolNotFound(query.Symbol));
    }

    private void OnLifecycle(IStreamLifecycleEvent e)
    {
        if (!_symbols.TryGetValue(e.Symbol, out var actors)) return;
        if (e is Connected) actors.Connects++;
        else actors.LastProblem = e;
    }

    private void OnGetStatus(GetStatus query)
    {
        if (query.Symbol is { } one && !_symbols.ContainsKey(one) && !_unknown.ContainsKey(one))
        {
            Sender.Tell(new SymbolNotFound(one));
            return;
        }
        IEnumerable<Symbol> wanted = query.Symbol is { } symbol ? [symbol] : _symbols.Keys.Concat(_unknown.Keys).Order();
        var statuses = wanted.Select(s => _unknown.TryGetValue(s, out var failed) ? Task.FromResult(Unlisted(failed)) : StatusOf(s)).ToList();
        Task.WhenAll(statuses).PipeTo(Sender, success: all => new StatusReport(all), failure: e => new QueryFailed(e.Message));
    }

    /// <summary>Asks the stream and the sequencer; whatever they do not answer in time is reported as unknown.</summary>
    private async Task<StreamStatus> StatusOf(Symbol symbol)
    {
        var actors = _symbols[symbol];
        // Read everything this actor owns now: the rest of this method runs after it has moved on.
        var (problem, connects, since, checking, stream, sequencer) =
            (actors.LastProblem, actors.Connects, actors.Since, actors.Checking, actors.Stream, actors.Sequencer);
        var state = stream is null
            ? new StreamActor.StateReport(checking ? StreamState.Connecting : StreamState.BackingOff, since, 0)
            : await AskOrDefault<StreamActor.StateReport>(stream, StreamActor.GetState.Instance).ConfigureAwait(false);
        var counters = sequencer is null ? null
            : await AskOrDefault<SequenceStats>(sequencer, new GetSequenceStats(symbol)).ConfigureAwait(false);
        return new StreamStatus(symbol,
            state?.State ?? StreamState.Connecting, state?.Since ?? since, state?.Attempt ?? 0,
            problem switch { Failed f => f.Reason, TimedOut t => $"timed out (phase: {t.Phase.ToWireName()})", _ => null },
            (problem as TimedOut)?.Phase, problem?.At,
            counters?.Received ?? 0, counters?.LastAggregateId, counters?.LastTradeTime, Math.Max(0, connects - 1),
            counters?.DuplicatesDropped ?? 0, counters?.GapsDetected ?? 0, counters?.TradesBackfilled ?? 0,
            counters?.GapsUnrecovered ?? 0, counters?.MalformedDropped ?? 0);
    }

    private static StreamStatus Unlisted(Failed failed) =>
        new(failed.Symbol, StreamState.Failed, failed.At, 0, failed.Reason, null, failed.At, 0, null, null, 0, 0, 0, 0, 0, 0);

    private static async Task<T?> AskOrDefault<T>(IActorRef actor, object question) where T : class
    {
        try { return await actor.Ask<T>(question, StatusTimeout).ConfigureAwait(false); }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException) { return null; }
    }

    private void OnHealthy(StreamHealthy healthy)
    {
        if (_symbols.TryGetValue(healthy.Symbol, out var actors))
        {
            actors.EscalationsInRow = 0;
            actors.RetryAfter = null;
        }
    }

    private void OnTerminated(Terminated terminated)
    {
        foreach (var removal in _removals.ToList())
        {
            if (!removal.Remaining.Remove(terminated.ActorRef) || removal.Remaining.Count > 0) continue;
            _removals.Remove(removal);
            removal.ReplyTo.Tell(new SymbolRemoved(removal.Symbol));
            Stash.UnstashAll();
        }

        var (symbol, actors) = _symbols.FirstOrDefault(entry => Equals(entry.Value.Stream, terminated.ActorRef));
        if (actors is null || _closing) return;

        actors.Stream = null;
        actors.Since = DateTimeOffset.UtcNow;
        actors.EscalationsInRow++;
        var coolDown = _settings.Stream.CoolDown.DelayFor(actors.EscalationsInRow, _random);
        if (actors.RetryAfter > coolDown) coolDown = actors.RetryAfter.Value;
        _log.Warning("🧊 {Symbol} stream stopped; a fresh one starts in {CoolDown} (cool-down {Escalation} in a row)",
            symbol, HumanFormat.Duration(coolDown), actors.EscalationsInRow);
        Timers.StartSingleTimer(RestartTimer(symbol), new RestartStream(symbol), coolDown);
    }

    private void OnRestart(RestartStream restart)
    {
        if (_closing || !_symbols.TryGetValue(restart.Symbol, out var actors) || actors.Stream is not null) return;
        StartStream(restart.Symbol);
    }

    private void OnCloseAll()
    {
        _closing = true;
        Timers.CancelAll();
        var closing = _symbols.Values
            .Select(actors => actors.Stream)
            .OfType<IActorRef>()
            .Select(stream => stream.GracefulStop(CloseTimeout, StreamActor.Close.Instance))
            .ToList();
        Task.WhenAll(closing).PipeTo(Sender,
            success: _ => AllStreamsClosed.Instance,
            failure: _ => AllStreamsClosed.Instance);
    }

    private static string RestartTimer(Symbol symbol) => $"restart-{symbol.StreamName}";

    /// <summary>A one-for-one strategy that decides knowing which child failed, and does its own logging.</summary>
    private sealed class PerChildStrategy(Func<IActorRef, Exception, Directive> decide)
        : OneForOneStrategy(-1, -1, _ => Directive.Stop, loggingEnabled: false)
    {
        protected override Directive Handle(IActorRef child, Exception exception) => decide(child, exception);
    }
}
