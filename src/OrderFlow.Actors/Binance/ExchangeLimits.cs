using System.Collections.Concurrent;
using Akka.Actor;
using OrderFlow.Actors.Connection;

namespace OrderFlow.Actors.Binance;

/// <summary>
/// Each market's limits, per IP, as they are being spent: its connection-attempt budget and its REST request weight
/// (an Akka extension, one set per actor system). The symbols' start registers them; telemetry reads them.
/// </summary>
public sealed class ExchangeLimits : IExtension
{
    public static ExchangeLimits For(ActorSystem system) => system.WithExtension<ExchangeLimits, Provider>();

    private readonly ConcurrentDictionary<string, (ConnectionBudget Connections, RequestWeightBudget Weight)> _markets = new();

    public void Register(string market, ConnectionBudget connections, RequestWeightBudget rest) => _markets[market] = (connections, rest);

    public IReadOnlyList<(string Market, ConnectionBudget Connections, RequestWeightBudget Weight)> Markets =>
        _markets.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => (pair.Key, pair.Value.Connections, pair.Value.Weight)).ToList();

    private sealed class Provider : ExtensionIdProvider<ExchangeLimits>
    {
        public override ExchangeLimits CreateExtension(ExtendedActorSystem system) => new();
    }
}
