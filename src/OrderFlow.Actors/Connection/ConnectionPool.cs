using Akka.Actor;
using Akka.Event;
using OrderFlow.Actors.Binance;
using OrderFlow.Actors.Configuration;
using OrderFlow.Protocol;

namespace OrderFlow.Actors.Connection;

/// <summary>Sent to the pool at shutdown: every connection closes with a close frame; answered with <see cref="AllConnectionsClosed"/>.</summary>
public sealed record CloseAllConnections
{
    public static readonly CloseAllConnections Instance = new();
    private CloseAllConnections() { }
}

public sealed record AllConnectionsClosed
{
    public static readonly AllConnectionsClosed Instance = new();
    private AllConnectionsClosed() { }
}

/// <summary>
/// The sockets to the exchange (<c>/user/connections</c>): puts each stream a symbol's actor asks for on a connection
/// with room, opening a new one when none has any, so N symbols use ⌈N / streams-per-connection⌉ sockets, and every
/// socket attempt is counted against the one <see cref="ConnectionBudget"/> of the IP. A connection that stops tells
/// nobody more: the pool tells each stream it carried, so that none waits on a socket that is gone.
/// </summary>
public sealed class ConnectionPool : ReceiveActor
{
    public const string Name = "connections";

    private sealed record Placement(IActorRef Connection, int Lease, IActorRef Stream);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly StreamSettings _settings;
    private readonly BinanceSettings _binance;
    private readonly ConnectionBudget _budget;
    private readonly Dictionary<Symbol, Placement> _placements = new();
    /// <summary>Streams placed on each live connection, in the order the connections opened.</summary>
    private readonly Dictionary<IActorRef, int> _load = new();
    /// <summary>Connections that take no new streams: emptied (they are stopping) or closing.</summary>
    private readonly HashSet<IActorRef> _full = new();
    private int _lastConnection;
    private IActorRef? _closeRequestedBy;

    public ConnectionPool(StreamSettings settings, BinanceSettings binance, ConnectionBudget budget)
    {
        _settings = settings;
        _binance = binance;
        _budget = budget;

        Receive<CarryStream>(Carry);
        Receive<DropStream>(Drop);
        Receive<Terminated>(terminated => OnConnectionStopped(terminated.ActorRef));
        // Its streams are about to hear why, and will ask again: nothing more goes to it.
        Receive<ConnectionEnding>(_ => Forget(Sender));
        Receive<CloseAllConnections>(_ => CloseAll());
    }

    public static Props Props(StreamSettings settings, BinanceSettings binance, ConnectionBudget budget) =>
        Akka.Actor.Props.Create(() => new ConnectionPool(settings, binance, budget));

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

        var connection = _load.FirstOrDefault(pair => pair.Value < _binance.StreamsPerConnection && !_full.Contains(pair.Key)).Key
                         ?? OpenConnection();
        _load[connection]++;
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
            // A connection emptied closes itself: nothing new goes to it meanwhile.
            if (load == 1) _full.Add(placement.Connection);
        }
    }

    private IActorRef OpenConnection()
    {
        var name = $"connection-{++_lastConnection}";
        var connection = Context.Watch(Context.ActorOf(ConnectionActor.Props(name, _settings, _binance.WebSocketUrl,
            _binance.StreamsPerConnection, _binance.IncomingMessagesPerSecond, _budget), name));
        _load[connection] = 0;
        return connection;
    }

    /// <summary>A connection stopped: any stream still placed on it (it stopped without a word) hears so and asks again.</summary>
    private void OnConnectionStopped(IActorRef connection)
    {
        var ended = new ConnectionEnd(ConnectionEndKind.Broken, $"{connection.Path.Name} stopped");
        foreach (var placement in Forget(connection)) placement.Stream.Tell(new StreamEnded(placement.Lease, ended));
        if (_closeRequestedBy is not null && _load.Count == 0) _closeRequestedBy.Tell(AllConnectionsClosed.Instance);
    }

    private List<Placement> Forget(IActorRef connection)
    {
        _load.Remove(connection);
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
