using System.Collections.Concurrent;
using Akka.Actor;
using OrderFlow.Actors.Connection;

namespace OrderFlow.Actors.Binance;

/// <summary>
/// Each market's limits, per IP, as they are being spent: its connection-attempt budget and its REST request weight;
/// and each connection's streams against the most one may carry (an Akka extension, one set per actor system). The
/// symbols' start registers the budgets, the connection pool its connections; telemetry reads them.
/// </summary>
public sealed class ExchangeLimits : IExtension
{
    public static ExchangeLimits For(ActorSystem system) => system.WithExtension<ExchangeLimits, Provider>();

    private readonly ConcurrentDictionary<string, (ConnectionBudget Connections, RequestWeightBudget Weight)> _markets = new();
    private readonly ConcurrentDictionary<string, (string Market, int Streams, int Room)> _connections = new();

    public void Register(string market, ConnectionBudget connections, RequestWeightBudget rest) => _markets[market] = (connections, rest);

    public IReadOnlyList<(string Market, ConnectionBudget Connections, RequestWeightBudget Weight)> Markets =>
        _markets.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => (pair.Key, pair.Value.Connections, pair.Value.Weight)).ToList();

    /// <summary>A connection carries <paramref name="streams"/> of the <paramref name="room"/> its market allows on one.</summary>
    public void Carrying(string connection, string market, int streams, int room) => _connections[connection] = (market, streams, room);

    public void Closed(string connection) => _connections.TryRemove(connection, out _);

    public IReadOnlyList<(string Connection, string Market, int Streams, int Room)> Connections =>
        _connections.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => (pair.Key, pair.Value.Market, pair.Value.Streams, pair.Value.Room)).ToList();

    private sealed class Provider : ExtensionIdProvider<ExchangeLimits>
    {
        public override ExchangeLimits CreateExtension(ExtendedActorSystem system) => new();
    }
}
