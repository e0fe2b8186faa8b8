using Akka.Actor;
using Akka.Event;
using OrderFlow.Actors.Binance;
using OrderFlow.Protocol;

namespace OrderFlow.Actors.Symbols;

/// <summary>
/// This node's word from Binance's exchangeInfo (<c>/user/listings</c>): each symbol's actor that starts here asks
/// for its verdict, the questions that arrive together go out as one call per market, and every
/// exchange-info-refresh the symbols still here are asked about again (a halt, a delisting, trading again). A symbol's
/// actor is forgotten when it stops.
/// </summary>
public sealed class ListingService : ReceiveActor, IWithTimers
{
    public const string Name = "listings";

    /// <summary>Asked by a symbol's actor as it starts; answered with <see cref="ListingChecked"/>, then at every refresh.</summary>
    public sealed record CheckListing(Symbol Symbol) : IWithSymbol, ILocalMessage;

    /// <summary><paramref name="Market"/>'s exchangeInfo answer about <paramref name="Symbols"/>, or why there is none.</summary>
    private sealed record Checked(string Market, IReadOnlyList<Symbol> Symbols, IReadOnlyDictionary<Symbol, Listing>? Listed, string? Problem) : ILocalMessage;

    private sealed record AskPending : ILocalMessage
    {
        public static readonly AskPending Instance = new();
    }

    private sealed record Refresh : ILocalMessage
    {
        public static readonly Refresh Instance = new();
    }

    /// <summary>How long questions gather before they go out together: a node taking over 300 symbols asks once per market.</summary>
    private static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(50);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IReadOnlyDictionary<string, BinanceRestClient> _rest;
    private readonly TimeSpan _refresh;
    private readonly Dictionary<Symbol, IActorRef> _symbols = new();
    private readonly HashSet<Symbol> _pending = new();

    public ListingService(IReadOnlyDictionary<string, BinanceRestClient> rest, TimeSpan refresh)
    {
        _rest = rest;
        _refresh = refresh;

        Receive<CheckListing>(check =>
        {
            if (_symbols.TryGetValue(check.Symbol, out var previous) && !Equals(previous, Sender)) Context.Unwatch(previous);
            _symbols[check.Symbol] = Context.Watch(Sender);
            _pending.Add(check.Symbol);
            if (!Timers.IsTimerActive(nameof(AskPending))) Timers.StartSingleTimer(nameof(AskPending), AskPending.Instance, Gather);
        });
        Receive<AskPending>(_ =>
        {
            Ask(_pending.ToList(), refreshing: false);
            _pending.Clear();
        });
        Receive<Refresh>(_ => Ask(_symbols.Keys.ToList(), refreshing: true));
        Receive<Checked>(OnChecked);
        Receive<Terminated>(terminated =>
        {
            foreach (var symbol in _symbols.Where(entry => Equals(entry.Value, terminated.ActorRef)).Select(entry => entry.Key).ToList())
                _symbols.Remove(symbol);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IReadOnlyDictionary<string, BinanceRestClient> rest, TimeSpan refresh) =>
        Akka.Actor.Props.Create(() => new ListingService(rest, refresh));

    protected override void PreStart() => Timers.StartPeriodicTimer(nameof(Refresh), Refresh.Instance, _refresh);

    private void Ask(IReadOnlyList<Symbol> symbols, bool refreshing)
    {
        foreach (var onMarket in symbols.GroupBy(symbol => symbol.Market))
        {
            var (market, asked) = (onMarket.Key, onMarket.ToList());
            if (!_rest.TryGetValue(market, out var rest)) continue; // not a market: the directory never starts one
            rest.ListedAsync(asked).PipeTo(Self,
                success: listed => new Checked(market, asked, listed, null),
                failure: error => new Checked(market, asked, null, error.Message));
        }
        if (refreshing) _log.Debug("🔎 Asking exchangeInfo again about {Count} symbol(s)", symbols.Count);
    }

    private void OnChecked(Checked check)
    {
        if (check.Listed is null)
            _log.Warning("⚠️ Could not check {Symbols} against Binance's exchangeInfo ({Problem}); streaming anyway, and asking again in {Refresh}",
                string.Join(",", check.Symbols), check.Problem, HumanFormat.Duration(_refresh));
        foreach (var symbol in check.Symbols)
        {
            if (!_symbols.TryGetValue(symbol, out var actor)) continue;
            var found = check.Listed?.GetValueOrDefault(symbol);
            actor.Tell(new ListingChecked(symbol, check.Listed is null ? null : found is not null, found));
        }
    }
}
