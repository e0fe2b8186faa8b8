using OrderFlow.Actors.Binance;
using OrderFlow.Protocol;

namespace OrderFlow.Actors.Connection;

/// <summary>
/// What one connection carries and what it still has to ask the server for: the route of every stream it carries
/// (and of those let go, routed nowhere), and the SUBSCRIBE and UNSUBSCRIBE requests waiting to be sent, in order,
/// each with the next request id. The bookkeeping of <see cref="ConnectionActor"/>, as plain decisions.
/// </summary>
internal sealed class CarriedStreams
{
    private readonly Dictionary<Symbol, StreamRoute> _routes = new();
    private readonly List<StreamRoute> _toSubscribe = new();
    private readonly List<Symbol> _toUnsubscribe = new();
    private long _lastRequestId;

    /// <summary>The streams carried now (not those let go).</summary>
    public IEnumerable<StreamRoute> Carried => _routes.Values.Where(route => route.Stream is not null);

    public int Count => _routes.Values.Count(route => route.Stream is not null);

    /// <summary>Requests wait to be sent.</summary>
    public bool HasRequests => _toSubscribe.Count > 0 || _toUnsubscribe.Count > 0;

    /// <summary>The table the readers route by: every stream carried, and those let go, routed nowhere.</summary>
    public SymbolRoutes<StreamRoute> Routes() => new(_routes);

    /// <summary>Carries a stream (a stream asked for again replaces its old route); an UNSUBSCRIBE still waiting for it is moot.</summary>
    public StreamRoute Carry(AddStream add)
    {
        var route = new StreamRoute(add.Symbol, add.Stream, add.Lease);
        _routes[add.Symbol] = route;
        _toUnsubscribe.Remove(add.Symbol);
        return route;
    }

    /// <summary>Carries a stream on an open (or opening) socket: it waits for its SUBSCRIBE.</summary>
    public void CarryAndSubscribe(AddStream add) => _toSubscribe.Add(Carry(add));

    /// <summary>Lets a stream go if the removal is about the lease this connection holds; says whether it was carried.</summary>
    public bool LetGo(RemoveStream remove)
    {
        if (!_routes.TryGetValue(remove.Symbol, out var route) || route.Lease != remove.Lease || route.Stream is null) return false;
        _routes[remove.Symbol] = StreamRoute.LetGo(remove.Symbol);
        _toSubscribe.RemoveAll(pending => pending.Symbol == remove.Symbol);
        return true;
    }

    /// <summary>Lets a stream go on an open socket: the server is told with an UNSUBSCRIBE.</summary>
    public bool LetGoAndUnsubscribe(RemoveStream remove)
    {
        if (!LetGo(remove)) return false;
        _toUnsubscribe.Add(remove.Symbol);
        return true;
    }

    /// <summary>Before any socket opened: the stream is simply no longer there.</summary>
    public void Forget(Symbol symbol) => _routes.Remove(symbol);

    /// <summary>Whether <paramref name="route"/> is still the one carried for its symbol (not let go, nor asked for again since).</summary>
    public bool IsCurrent(StreamRoute route) => _routes.TryGetValue(route.Symbol, out var now) && ReferenceEquals(now, route);

    public bool WaitsForSubscribe(StreamRoute route) => _toSubscribe.Contains(route);

    /// <summary>
    /// The next request, SUBSCRIBE before UNSUBSCRIBE, of at most <paramref name="most"/> streams, with its id: the
    /// routes to subscribe (empty for an UNSUBSCRIBE) and the symbols it names.
    /// </summary>
    public (long Id, IReadOnlyList<StreamRoute> Subscribing, IReadOnlyList<Symbol> Unsubscribing) NextRequest(int most)
    {
        var id = ++_lastRequestId;
        if (_toSubscribe.Count > 0)
        {
            var routes = _toSubscribe.Take(most).ToList();
            _toSubscribe.RemoveRange(0, routes.Count);
            return (id, routes, []);
        }
        var symbols = _toUnsubscribe.Take(most).ToList();
        _toUnsubscribe.RemoveRange(0, symbols.Count);
        return (id, [], symbols);
    }

    /// <summary>
    /// A replacement socket opens with every carried stream in its URL: the SUBSCRIBEs still waiting ride there (and
    /// are returned), and the UNSUBSCRIBEs waiting are moot.
    /// </summary>
    public List<StreamRoute> TakeRequestsIntoUrl()
    {
        var riding = _toSubscribe.ToList();
        _toSubscribe.Clear();
        _toUnsubscribe.Clear();
        return riding;
    }

    /// <summary>The replacement did not open: what was to ride in its URL waits for its SUBSCRIBE again, first, if still carried.</summary>
    public void SubscribeFirst(IEnumerable<StreamRoute> routes) => _toSubscribe.InsertRange(0, routes.Where(IsCurrent));
}
