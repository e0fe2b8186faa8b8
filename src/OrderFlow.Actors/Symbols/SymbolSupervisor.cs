using Akka.Actor;
using Akka.Event;
using OrderFlow.Actors.Binance;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Connection;
using OrderFlow.Actors.Metrics;
using OrderFlow.Actors.Replay;
using OrderFlow.Actors.Store;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Streams;

namespace OrderFlow.Actors.Symbols;

/// <summary>
/// The parent of every symbol's actor (<c>/user/symbols</c>): creates one per symbol by name
/// (<see cref="SymbolActor.NameOf"/>), routes each per-symbol message to it by name, adds and removes symbols at
/// runtime, and answers the questions about all of them (the streamed symbols, everyone's status). It asks each
/// market's exchangeInfo for many symbols in one call, at start and every exchange-info-refresh, and tells each
/// symbol's actor its verdict (listed or not, its status); patterns (<c>*USDT</c>, <c>usdm:*USDT</c>) are resolved
/// against their market's whole list, so a new listing that matches is added at the next refresh. A symbol Binance does not list is remembered here for the
/// status answer after its actor has stopped.
/// </summary>
public sealed class SymbolSupervisor : ReceiveActor, IWithUnboundedStash, IWithTimers
{
    public const string Name = "symbols";

    /// <summary>
    /// <paramref name="Market"/>'s exchangeInfo answer about <paramref name="Symbols"/> (all on that market), or about
    /// every symbol it lists when null.
    /// </summary>
    private sealed record ListingsChecked(string Market, IReadOnlyList<Symbol>? Symbols, IReadOnlyDictionary<Symbol, Listing>? Listed, string? Problem);

    private sealed record RefreshListings
    {
        public static readonly RefreshListings Instance = new();
    }

    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan PatternRetry = TimeSpan.FromSeconds(10);
    /// <summary>A symbol's actor answers its status within its own 2 s per question; this bounds the wait for all.</summary>
    private static readonly TimeSpan StatusTimeout = TimeSpan.FromSeconds(4.5);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly OrderFlowSettings _settings;
    private readonly IActorRef _connections;
    private readonly IReadOnlyDictionary<string, BinanceRestClient> _rest;
    private readonly MetricsBoards _boards;
    private readonly ITapeStore? _store;
    private readonly ReplayPlan? _replay;
    private int _replaying;
    private readonly Dictionary<Symbol, IActorRef> _symbols = new();
    // Symbols Binance does not list: not streamed, but reported by the status query until removed or added again.
    private readonly Dictionary<Symbol, Failed> _unlisted = new();
    private readonly Dictionary<IActorRef, (Symbol Symbol, IActorRef ReplyTo)> _removals = new();
    /// <summary>Removed on request: a pattern does not add them back.</summary>
    private readonly HashSet<Symbol> _removedByRequest = new();
    private bool _closing;

    public SymbolSupervisor(OrderFlowSettings settings, IActorRef connections, IReadOnlyDictionary<string, BinanceRestClient> rest, MetricsBoards boards,
        ITapeStore? store, ReplayPlan? replay = null)
    {
        _store = store;
        _replay = replay;
        _settings = settings;
        _connections = connections;
        _rest = rest;
        _boards = boards;

        Receive<ReplayFinished>(_ =>
        {
            if (--_replaying > 0 || _replay is null) return;
            _replay.Clock.Finish();
            _log.Info("🎬 Replay finished: {Symbols} symbol(s) played to {To:yyyy-MM-dd HH:mm:ss} UTC; answering queries as of then until stopped",
                _symbols.Count, DateTimeOffset.FromUnixTimeMilliseconds(_replay.Clock.ToMs));
        });
        Receive<AddSymbol>(command =>
        {
            if (_replay is null) OnAdd(command);
            else Sender.Tell(new QueryFailed($"{command.Symbol} was not added: a replay plays the symbols it started with"));
        });
        Receive<RemoveSymbol>(OnRemove);
        Receive<GetStreamedSymbols>(_ => Sender.Tell(new StreamedSymbols(_symbols.Keys.Order().ToList())));
        Receive<GetStatus>(OnGetStatus);
        Receive<ListingsChecked>(OnChecked);
        Receive<RefreshListings>(_ => Refresh());
        Receive<SymbolUnlisted>(unlisted =>
        {
            // From here on its questions are answered here; those already passed on, by it, before it closes.
            if (_symbols.Remove(unlisted.Symbol, out var actor)) actor.Tell(new CloseSymbol(unlisted.Symbol));
            _unlisted[unlisted.Symbol] = unlisted.Failure;
            unlisted.AddedBy?.Tell(new SymbolUnknown(unlisted.Symbol));
        });
        Receive<Terminated>(OnTerminated);
        Receive<CloseAllSymbols>(_ => OnCloseAll());
        // At shutdown, once the streams are closed: every symbol's recorder writes what it holds.
        Receive<TradeRecorder.FlushRecording>(flush => Task.WhenAll(_symbols.Values.Select(symbol =>
                symbol.Ask<TradeRecorder.RecordingFlushed>(flush, FlushTimeout)))
            .PipeTo(Sender, success: _ => TradeRecorder.RecordingFlushed.Instance,
                failure: e => new QueryFailed($"the tape store did not take every recording within {HumanFormat.Duration(FlushTimeout)}: {e.Message}")));
        // Every other per-symbol message (the trade, metrics and sequencing queries) is the symbol's actor's to answer.
        Receive<IWithSymbol>(message =>
        {
            if (_symbols.TryGetValue(message.Symbol, out var symbol)) symbol.Forward(message);
            else Sender.Tell(new SymbolNotFound(message.Symbol));
        });
    }

    public IStash Stash { get; set; } = null!;

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="rest">Each market's REST client, by name.</param>
    /// <param name="store">The tape store every symbol records to and starts from; null: none.</param>
    /// <param name="replay">Each symbol plays its recorded tape instead of streaming (<c>orderflow replay</c>).</param>
    public static Props Props(OrderFlowSettings settings, IActorRef connections, IReadOnlyDictionary<string, BinanceRestClient> rest, MetricsBoards boards,
        ITapeStore? store = null, ReplayPlan? replay = null) =>
        Akka.Actor.Props.Create(() => new SymbolSupervisor(settings, connections, rest, boards, store, replay));

    protected override void PreStart()
    {
        foreach (var symbol in _settings.Symbols) Start(symbol, addedBy: null);
        Refresh();
        _replaying = _symbols.Count;
        // A replay asks exchangeInfo once, for the tick sizes; the live host keeps asking (statuses, new listings).
        if (_replay is null) Timers.StartPeriodicTimer(nameof(RefreshListings), RefreshListings.Instance, _settings.Binance.ExchangeInfoRefresh);
    }

    protected override SupervisorStrategy SupervisorStrategy() => new PerChildStrategy((child, error) =>
    {
        // A symbol's actor keeps its children (and their data) past the one message that failed.
        _log.Error("{Child} failed on one message and goes on: {Error}", child.Path.Name, error.Message);
        return Directive.Resume;
    });

    private void Start(Symbol symbol, IActorRef? addedBy) =>
        _symbols[symbol] = Context.Watch(Context.ActorOf(SymbolActor.Props(symbol, _settings, _connections, _rest[symbol.Market], _boards, _store, addedBy, _replay),
            SymbolActor.NameOf(symbol)));

    /// <summary>One exchangeInfo call per market for all of <paramref name="symbols"/>; each symbol's actor hears its verdict.</summary>
    private void Check(IEnumerable<Symbol> symbols)
    {
        foreach (var onMarket in symbols.GroupBy(symbol => symbol.Market))
        {
            var (market, asked) = (onMarket.Key, onMarket.ToList());
            _rest[market].ListedAsync(asked).PipeTo(Self,
                success: listed => new ListingsChecked(market, asked, listed, null),
                failure: error => new ListingsChecked(market, asked, null, error.Message));
        }
    }

    /// <summary>
    /// Asks again about every symbol here: on a market with patterns to resolve, its whole list; on the others, the
    /// symbols by name.
    /// </summary>
    private void Refresh()
    {
        var resolved = _settings.SymbolPatterns.Select(pattern => pattern.Market).ToHashSet();
        foreach (var market in resolved)
            _rest[market].ListAllAsync().PipeTo(Self,
                success: listed => new ListingsChecked(market, null, listed, null),
                failure: error => new ListingsChecked(market, null, null, error.Message));
        Check(_symbols.Keys.Where(symbol => !resolved.Contains(symbol.Market)));
    }

    private void OnChecked(ListingsChecked check)
    {
        if (_closing) return;
        if (check.Listed is null && check.Symbols is null)
        {
            // Patterns resolve only against the list: until it comes, they match nothing. Asked again soon, not at the next refresh.
            _log.Warning("⚠️ Could not resolve {Patterns} against Binance's exchangeInfo ({Problem}); asking again in {Retry}",
                string.Join(",", _settings.SymbolPatterns.Where(pattern => pattern.Market == check.Market)), check.Problem, HumanFormat.Duration(PatternRetry));
            Timers.StartSingleTimer(nameof(PatternRetry), RefreshListings.Instance, PatternRetry);
        }
        else if (check.Listed is null)
            _log.Warning("⚠️ Could not check {Symbols} against Binance's exchangeInfo ({Problem}); streaming anyway, and asking again in {Refresh}",
                string.Join(",", check.Symbols!), check.Problem, HumanFormat.Duration(_settings.Binance.ExchangeInfoRefresh));
        else if (check.Symbols is null) AddNewMatches(check.Listed);
        foreach (var symbol in check.Symbols ?? _symbols.Keys.Where(symbol => symbol.Market == check.Market).ToList())
        {
            if (!_symbols.TryGetValue(symbol, out var actor)) continue;
            var found = check.Listed?.GetValueOrDefault(symbol);
            actor.Tell(new ListingChecked(symbol, check.Listed is null ? null : found is not null, found?.TickSize ?? Fixed8.Zero, found?.Status));
        }
    }

    /// <summary>Symbols the patterns match that are not here yet: a new listing, or every match at start.</summary>
    private void AddNewMatches(IReadOnlyDictionary<Symbol, Listing> listed)
    {
        var added = 0;
        foreach (var symbol in listed.Keys.Order())
        {
            if (_symbols.ContainsKey(symbol) || _removedByRequest.Contains(symbol) || !Context.Child(SymbolActor.NameOf(symbol)).IsNobody()) continue;
            if (_settings.SymbolPatterns.FirstOrDefault(p => p.Matches(symbol)) is not { } pattern) continue;
            _log.Debug("➕ {Symbol} matches {Pattern}", symbol, pattern.Text);
            Start(symbol, addedBy: null);
            added++;
        }
        if (added > 0)
            _log.Info("➕ {Added} symbol(s) match {Patterns}; {Streamed} in all", added, string.Join(",", _settings.SymbolPatterns), _symbols.Count);
    }

    private void OnAdd(AddSymbol command)
    {
        if (!Context.Child(SymbolActor.NameOf(command.Symbol)).IsNobody() && !_symbols.ContainsKey(command.Symbol))
        {
            Stash.Stash(); // its old actor is still stopping: take this up when it is gone
            return;
        }
        if (_closing)
        {
            Sender.Tell(new QueryFailed($"{command.Symbol} was not added: the host is shutting down"));
            return;
        }
        if (_symbols.ContainsKey(command.Symbol))
        {
            Sender.Tell(new SymbolAlreadyStreaming(command.Symbol));
            return;
        }
        if (!_rest.ContainsKey(command.Symbol.Market))
        {
            Sender.Tell(new QueryFailed($"{command.Symbol} was not added: '{command.Symbol.Market}' is not a market (use {string.Join(", ", _rest.Keys)})"));
            return;
        }
        _unlisted.Remove(command.Symbol); // asked again: checked again
        _removedByRequest.Remove(command.Symbol);
        _log.Info("➕ Adding {Symbol}", command.Symbol);
        Start(command.Symbol, addedBy: Sender); // answered once exchangeInfo has been asked
        Check([command.Symbol]);
    }

    private void OnRemove(RemoveSymbol command)
    {
        if (!_symbols.Remove(command.Symbol, out var actor))
        {
            Sender.Tell(_unlisted.Remove(command.Symbol) ? new SymbolRemoved(command.Symbol) : new SymbolNotFound(command.Symbol));
            return;
        }
        _log.Info("➖ Removing {Symbol}", command.Symbol);
        _removedByRequest.Add(command.Symbol);
        _removals[actor] = (command.Symbol, Sender);
        actor.Tell(new CloseSymbol(command.Symbol));
    }

    private void OnTerminated(Terminated terminated)
    {
        if (_removals.Remove(terminated.ActorRef, out var removal)) removal.ReplyTo.Tell(new SymbolRemoved(removal.Symbol));
        else if (_symbols.FirstOrDefault(entry => Equals(entry.Value, terminated.ActorRef)).Key is { Value: not null } stopped)
        {
            _symbols.Remove(stopped);
            // Neither removed, unlisted nor closing: not expected (failures resume), and never to pass without a word.
            if (!_closing) _log.Error("💥 {Symbol}'s actor stopped unexpectedly; it is no longer streamed (add it again to resume)", stopped);
        }
        Stash.UnstashAll();
    }

    private void OnGetStatus(GetStatus query)
    {
        if (query.Symbol is { } one)
        {
            if (_unlisted.TryGetValue(one, out var failed)) Sender.Tell(new StatusReport([SymbolActor.UnlistedStatus(failed)]));
            else if (_symbols.TryGetValue(one, out var actor)) actor.Forward(query);
            else Sender.Tell(new SymbolNotFound(one));
            return;
        }
        var unlisted = _unlisted.Values.Select(SymbolActor.UnlistedStatus).ToList();
        var asked = _symbols.Select(entry => entry.Value.Ask<StatusReport>(new GetStatus(entry.Key), StatusTimeout)).ToList();
        Task.WhenAll(asked).PipeTo(Sender,
            success: reports => new StatusReport(reports.SelectMany(r => r.Streams).Concat(unlisted).OrderBy(s => s.Symbol).ToList()),
            failure: e => new QueryFailed($"GetStatus: a symbol's actor did not answer within {HumanFormat.Duration(StatusTimeout)}: {e.Message}"));
    }

    private void OnCloseAll()
    {
        _closing = true;
        var closing = _symbols
            .Select(entry => entry.Value.GracefulStop(CloseTimeout, new CloseSymbol(entry.Key)))
            .ToList();
        Task.WhenAll(closing).PipeTo(Sender,
            success: _ => AllSymbolsClosed.Instance,
            failure: _ => AllSymbolsClosed.Instance);
    }
}
