using Akka.Actor;
using Akka.Event;
using OrderFlow.Actors.Binance;
using OrderFlow.Actors.Configuration;
using OrderFlow.Protocol;

namespace OrderFlow.Actors.Connection;

/// <summary>Sent to the pool at shutdown: every connection closes with a close frame; answered with <see cref="AllConnectionsClosed"/>.</summary>
public sealed record CloseAllConnections : ILocalMessage
{
    public static readonly CloseAllConnections Instance = new();
    private CloseAllConnections() { }
}

public sealed record AllConnectionsClosed : ILocalMessage
{
    public static readonly AllConnectionsClosed Instance = new();
    private AllConnectionsClosed() { }
}

/// <summary>One market's place in the pool: where its streams are and its limits, and the budget of socket attempts
/// the IP has there (each market is its own server, with its own limits and bans).</summary>
public sealed record MarketConnections(BinanceSettings Binance, ConnectionBudget Budget)
{
    /// <summary>Every market of <paramref name="settings"/>, each with a budget of its own (<paramref name="chosen"/> for orderflow.binance.market's, when given).</summary>
    public static IReadOnlyDictionary<string, MarketConnections> Of(OrderFlowSettings settings, ConnectionBudget? chosen = null) =>
        settings.Markets.ToDictionary(market => market.Key, market => new MarketConnections(market.Value,
            market.Key == settings.Binance.Market.Name && chosen is not null ? chosen : new ConnectionBudget(settings.Stream.ConnectionBudget)));
}

/// <summary>
/// The sockets to the exchange (<c>/user/connections</c>): puts each stream a symbol's actor asks for on a connection
/// to its market with room, opening a new one when none has any, so N symbols of a market use
/// ⌈N / streams-per-connection⌉ sockets, and every socket attempt is counted against the market's
/// <see cref="ConnectionBudget"/> for the IP. A connection that stops tells nobody more: the pool tells each stream it
/// carried, so that none waits on a socket that is gone.
/// </summary>
public sealed class ConnectionPool : ReceiveActor
{
    public const string Name = "connections";

    private sealed record Placement(IActorRef Connection, int Lease, IActorRef Stream);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly StreamSettings _settings;
    private readonly IReadOnlyDictionary<string, MarketConnections> _markets;
    private readonly Dictionary<Symbol, Placement> _placements = new();
    /// <summary>Streams placed on each live connection, in the order the connections opened.</summary>
    private readonly Dictionary<IActorRef, int> _load = new();
    private readonly Dictionary<IActorRef, string> _marketOf = new();
    /// <summary>Connections that take no new streams: emptied (they are stopping) or closing.</summary>
    private readonly HashSet<IActorRef> _full = new();
    private readonly ExchangeLimits _limits = ExchangeLimits.For(Context.System);
    private int _lastConnection;
    private IActorRef? _closeRequestedBy;

    public ConnectionPool(StreamSettings settings, IReadOnlyDictionary<string, MarketConnections> markets)
    {
        _settings = settings;
        _markets = markets;

        Receive<CarryStream>(Carry);
        Receive<DropStream>(Drop);
        Receive<Terminated>(terminated => OnConnectionStopped(terminated.ActorRef));
        // Its streams are about to hear why, and will ask again: nothing more goes to it.
        Receive<ConnectionEnding>(_ => Forget(Sender));
        Receive<CloseAllConnections>(_ => CloseAll());
    }

    public static Props Props(StreamSettings settings, IReadOnlyDictionary<string, MarketConnections> markets) =>
        Akka.Actor.Props.Create(() => new ConnectionPool(settings, markets));

    protected override SupervisorStrategy SupervisorStrategy() => new PerChildStrategy((child, error) =>
    {
        // Its streams hear of it on Terminated and ask again.
        _log.Error("💥 {Connection} failed unexpectedly and stops: {Error}", child.Path.Name, error.Message);
        return Directive.Stop;
    });

    private void Carry(CarryStream carry)
    {
        if (_closeRequestedBy is not null) return;
        // A stream asking again supersedes what it had.
        if (_placements.Remove(carry.Symbol, out var old)) Unload(old, carry.Symbol);

        var market = carry.Symbol.Market;
        var room = _markets[market].Binance.StreamsPerConnection;
        var connection = _load.FirstOrDefault(pair => pair.Value < room && _marketOf[pair.Key] == market && !_full.Contains(pair.Key)).Key
                         ?? OpenConnection(market);
        _load[connection]++;
        Publish(connection);
        _placements[carry.Symbol] = new Placement(connection, carry.Lease, Sender);
        connection.Tell(new AddStream(carry.Symbol, carry.Lease, Sender));
    }

    private void Drop(DropStream drop)
    {
        if (!_placements.TryGetValue(drop.Symbol, out var placement) || placement.Lease != drop.Lease) return;
        _placements.Remove(drop.Symbol);
        Unload(placement, drop.Symbol);
    }

    private void Unload(Placement placement, Symbol symbol)
    {
        placement.Connection.Tell(new RemoveStream(symbol, placement.Lease));
        if (_load.TryGetValue(placement.Connection, out var load))
        {
            _load[placement.Connection] = load - 1;
            Publish(placement.Connection);
            // A connection emptied closes itself: nothing new goes to it meanwhile.
            if (load == 1) _full.Add(placement.Connection);
        }
    }

    private IActorRef OpenConnection(string market)
    {
        var name = market == Symbol.SpotMarket ? $"connection-{++_lastConnection}" : $"{market}-connection-{++_lastConnection}";
        var (binance, budget) = _markets[market];
        var connection = Context.Watch(Context.ActorOf(ConnectionActor.Props(name, _settings, binance.WebSocketUrl,
            binance.StreamsPerConnection, binance.IncomingMessagesPerSecond, budget), name));
        _load[connection] = 0;
        _marketOf[connection] = market;
        return connection;
    }

    private void Publish(IActorRef connection) =>
        _limits.Carrying(connection.Path.Name, _marketOf[connection], _load[connection], _markets[_marketOf[connection]].Binance.StreamsPerConnection);

    /// <summary>A connection stopped: any stream still placed on it (it stopped without a word) hears so and asks again.</summary>
    private void OnConnectionStopped(IActorRef connection)
    {
        var ended = new ConnectionEnd(ConnectionEndKind.Broken, $"{connection.Path.Name} stopped");
        foreach (var placement in Forget(connection)) placement.Stream.Tell(new StreamEnded(placement.Lease, ended));
        if (_closeRequestedBy is not null && _load.Count == 0) _closeRequestedBy.Tell(AllConnectionsClosed.Instance);
    }

    private List<Placement> Forget(IActorRef connection)
    {
        _limits.Closed(connection.Path.Name);
        _load.Remove(connection);
        _marketOf.Remove(connection);
        _full.Remove(connection);
        var forgotten = _placements.Where(pair => Equals(pair.Value.Connection, connection)).ToList();
        foreach (var (symbol, _) in forgotten) _placements.Remove(symbol);
        return forgotten.Select(pair => pair.Value).ToList();
    }

    private void CloseAll()
    {
        _closeRequestedBy = Sender;
        if (_load.Count == 0)
        {
            Sender.Tell(AllConnectionsClosed.Instance);
            return;
        }
        foreach (var connection in _load.Keys) connection.Tell(CloseConnection.Instance);
    }
}
