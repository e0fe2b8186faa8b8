using Akka.Actor;
using Akka.Event;
using OrderFlow.Actors.Binance;
using OrderFlow.Protocol;

namespace OrderFlow.Actors.Symbols;

/// <summary>
/// Resolves the configured patterns (<c>*USDT</c>, <c>usdm:*USDT</c>) against each market's whole exchangeInfo, once
/// for the cluster (a cluster singleton, on the oldest node), at start and every exchange-info-refresh, so a new
/// listing that matches is added then. Its node's <see cref="SymbolDirectory"/> adds the matches to the cluster's set,
/// leaving out what was removed.
/// </summary>
public sealed class PatternResolver : ReceiveActor, IWithTimers
{
    public const string Name = "pattern-resolver";

    /// <summary>Told to the directory: symbols the patterns match; those neither streamed nor removed are added.</summary>
    public sealed record PatternsMatched(IReadOnlyList<Symbol> Symbols, string Patterns) : ILocalMessage;

    private sealed record Listed(string Market, IReadOnlyList<Symbol>? Symbols, string? Problem) : ILocalMessage;

    private sealed record Resolve : ILocalMessage
    {
        public static readonly Resolve Instance = new();
    }

    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(10);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IReadOnlyList<SymbolPattern> _patterns;
    private readonly IReadOnlyDictionary<string, BinanceRestClient> _rest;
    private readonly ICanTell _directory;

    public PatternResolver(IReadOnlyList<SymbolPattern> patterns, IReadOnlyDictionary<string, BinanceRestClient> rest, ICanTell directory, TimeSpan refresh)
    {
        (_patterns, _rest, _directory) = (patterns, rest, directory);
        Receive<Resolve>(_ => Ask());
        Receive<Listed>(listed =>
        {
            var patterns = string.Join(",", _patterns.Where(pattern => pattern.Market == listed.Market));
            if (listed.Symbols is null)
            {
                // Until the list comes, the patterns match nothing: asked again soon, not at the next refresh.
                _log.Warning("⚠️ Could not resolve {Patterns} against Binance's exchangeInfo ({Problem}); asking again in {Retry}",
                    patterns, listed.Problem, HumanFormat.Duration(Retry));
                Timers.StartSingleTimer(nameof(Retry), Resolve.Instance, Retry);
                return;
            }
            var matched = listed.Symbols.Where(symbol => _patterns.Any(pattern => pattern.Matches(symbol))).Order().ToList();
            _directory.Tell(new PatternsMatched(matched, patterns), Self);
        });
        Timers.StartPeriodicTimer(nameof(Resolve), Resolve.Instance, TimeSpan.Zero, refresh);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IReadOnlyList<SymbolPattern> patterns, IReadOnlyDictionary<string, BinanceRestClient> rest, ICanTell directory,
        TimeSpan refresh) =>
        Akka.Actor.Props.Create(() => new PatternResolver(patterns, rest, directory, refresh));

    private void Ask()
    {
        foreach (var market in _patterns.Select(pattern => pattern.Market).Distinct())
            _rest[market].ListAllAsync().PipeTo(Self,
                success: listed => new Listed(market, listed.Keys.ToList(), null),
                failure: error => new Listed(market, null, error.Message));
    }
}
