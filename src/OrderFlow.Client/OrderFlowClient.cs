using System.Globalization;
using Akka.Actor;
using Akka.Configuration;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Bars;
using OrderFlow.Protocol.Metrics;
using OrderFlow.Protocol.Serialization;
using OrderFlow.Protocol.Streams;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Client;

/// <summary>
/// A planner's typed view of a running OrderFlow host, over Akka.Remote: <c>await OrderFlowClient.ConnectAsync()</c>,
/// then ask, and subscribe to lifecycle events and metrics snapshots. Given several nodes of a cluster
/// (<c>"10.0.0.1:4053,10.0.0.2:4053"</c>), it asks one, and when that one goes away or stops answering it moves to the
/// next that answers, asking again and subscribing again there. (A one-shot process that only asks is quicker with
/// <see cref="OrderFlowHttpClient"/>: it starts no actor system.)
/// </summary>
public sealed class OrderFlowClient : OrderFlowQueryClient
{
    public const string DefaultAddress = "127.0.0.1:4053";

    private readonly ActorSystem _system;
    private readonly IReadOnlyList<string> _addresses;
    private readonly Lock _gatewayGate = new();
    private (IActorRef Gateway, int Index) _current;
    private IActorRef? _listener;

    private OrderFlowClient(ActorSystem system, IReadOnlyList<string> addresses, IActorRef gateway, int index, TimeSpan timeout)
        : base(string.Join(",", addresses), timeout)
    {
        _system = system;
        _addresses = addresses;
        _current = (gateway, index);
    }

    /// <summary>The node asked now (HOST:PORT): the first that answered, or the one moved to after it went away.</summary>
    public string Node
    {
        get
        {
            lock (_gatewayGate) return _addresses[_current.Index];
        }
    }

    /// <summary>This client moved to another node (HOST:PORT), its subscriptions with it.</summary>
    public event Action<string>? MovedTo;

    /// <summary>Connected, Failed and TimedOut as they happen, once <see cref="SubscribeLifecycleAsync"/> was called.</summary>
    public event Action<IStreamLifecycleEvent>? Lifecycle;

    /// <summary>The host went away (stopped, or the network between dropped), and no other node given answered: no more events will come.</summary>
    public event Action? Disconnected;

    /// <summary>Each bar as it becomes final (again, with a new revision, if it changes), once <see cref="SubscribeBarsAsync"/> was called.</summary>
    public event Action<BarFinal>? Bars;

    /// <summary>Snapshots of the windows subscribed with <see cref="SubscribeMetrics"/>, at their interval.</summary>
    public event Action<MetricsSnapshot>? Metrics;

    /// <summary>A subscribed window could not be answered (the reason, e.g. the symbol was removed).</summary>
    public event Action<string>? MetricsProblem;

    /// <summary>Reaches the host at <paramref name="address"/> (HOST:PORT, or several comma-separated: the first that answers), or throws <see cref="OrderFlowUnreachableException"/>.</summary>
    /// <param name="remoting">HOCON over the client's own, such as the host's TLS settings
    /// (<c>akka.remote.dot-netty.tcp { enable-ssl = true, ssl { … } }</c>): a host with TLS answers only a client with it.</param>
    public static async Task<OrderFlowClient> ConnectAsync(string address = DefaultAddress, TimeSpan? timeout = null, Config? remoting = null)
    {
        var wait = timeout ?? TimeSpan.FromSeconds(5);
        var addresses = address.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var each in addresses) ParseAddress(each, DefaultAddress);
        if (addresses.Length == 0) throw new OrderFlowClientException($"no address given, such as {DefaultAddress}");
        var system = ActorSystem.Create("orderflow-client", remoting is null ? ClientConfig() : remoting.WithFallback(ClientConfig()));
        try
        {
            var (gateway, index) = await FindGatewayAsync(system, addresses, 0, wait).ConfigureAwait(false);
            if (gateway is null) throw Unreachable(address, addresses.Length > 1 ? $" (none of its {addresses.Length} nodes) within {wait.TotalSeconds:0.#}s" : $" within {wait.TotalSeconds:0.#}s");
            return new OrderFlowClient(system, addresses, gateway, index, wait);
        }
        catch
        {
            await system.Terminate().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The first node, from <paramref name="start"/> round the list, whose gateway answers; null when none does.</summary>
    private static async Task<(IActorRef? Gateway, int Index)> FindGatewayAsync(ActorSystem system, IReadOnlyList<string> addresses, int start, TimeSpan wait)
    {
        // akka.tcp, or akka.ssl.tcp with TLS: the client's own transport says which the host speaks.
        var protocol = ((ExtendedActorSystem)system).Provider.DefaultAddress.Protocol;
        for (var i = 0; i < addresses.Count; i++)
        {
            var index = (start + i) % addresses.Count;
            var (host, port) = ParseAddress(addresses[index], DefaultAddress);
            var path = $"{protocol}://orderflow@{host}:{port.ToString(CultureInfo.InvariantCulture)}/user/orderflow";
            try
            {
                // Nothing listening, or something that is not an OrderFlow host, answers the same way: no gateway there.
                if ((await system.ActorSelection(path).Ask<ActorIdentity>(new Identify(index), wait).ConfigureAwait(false)).Subject is { } gateway)
                    return (gateway, index);
            }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException) { }
        }
        return (null, -1);
    }

    /// <summary>Moves to the next node that answers, after <paramref name="gone"/>; false when there is no other, or none answers.</summary>
    private async Task<bool> MoveOnAsync(IActorRef gone)
    {
        int index;
        lock (_gatewayGate)
        {
            if (!Equals(_current.Gateway, gone)) return true; // moved already
            index = _current.Index;
        }
        if (_addresses.Count == 1) return false;
        var (gateway, found) = await FindGatewayAsync(_system, _addresses, index + 1, Timeout).ConfigureAwait(false);
        if (gateway is null || found == index) return false;
        lock (_gatewayGate) _current = (gateway, found);
        _listener?.Tell(new Listener.Moved(gateway));
        MovedTo?.Invoke(_addresses[found]);
        return true;
    }

    private IActorRef Gateway
    {
        get
        {
            lock (_gatewayGate) return _current.Gateway;
        }
    }

    /// <summary>Starts delivering lifecycle events to <see cref="Lifecycle"/>.</summary>
    public async Task SubscribeLifecycleAsync()
    {
        await ListenerRef().Ask<LifecycleSubscribed>(SubscribeLifecycle.Instance, Timeout).ConfigureAwait(false);
    }

    /// <summary>Starts delivering final bars of <paramref name="symbols"/> (every symbol when none) to <see cref="Bars"/>.</summary>
    public async Task SubscribeBarsAsync(params Symbol[] symbols)
    {
        await ListenerRef().Ask<BarsSubscribed>(new SubscribeBars(symbols), Timeout).ConfigureAwait(false);
    }

    /// <summary>Delivers the window's snapshot to <see cref="Metrics"/> every <paramref name="every"/> (at least 100 ms).</summary>
    public void SubscribeMetrics(Symbol symbol, TimeSpan window, TimeSpan every) => ListenerRef().Tell(new SubscribeMetrics(symbol, window, every));

    public void UnsubscribeMetrics(Symbol symbol, TimeSpan window) => ListenerRef().Tell(new UnsubscribeMetrics(symbol, window));

    private IActorRef ListenerRef()
    {
        lock (_gatewayGate) return _listener ??= _system.ActorOf(Props.Create(() => new Listener(this, _current.Gateway)), "listener");
    }

    public override async ValueTask DisposeAsync() => await _system.Terminate().ConfigureAwait(false);

    protected override async Task<object> SendAsync(IOrderFlowQuery query)
    {
        var gateway = Gateway;
        try
        {
            return await gateway.Ask<object>(query, Timeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            // Another node answers for every symbol: asked once more there.
            if (!await MoveOnAsync(gateway).ConfigureAwait(false)) throw NoAnswer(query, e);
            try { return await Gateway.Ask<object>(query, Timeout).ConfigureAwait(false); }
            catch (Exception again) when (again is AskTimeoutException or TaskCanceledException) { throw NoAnswer(query, again); }
        }
    }

    private static OrderFlowUnreachableException Unreachable(string address, string within, Exception? cause = null) =>
        Unreachable(address, within, DefaultAddress, "orderflow.remote.host/akka-port or --akka-port", cause);

    private static Config ClientConfig() => ConfigurationFactory.ParseString("""
        # Problems reach the caller as exceptions; the client's own actor system stays quiet (stdout may be JSON).
        akka {
          loglevel = OFF
          stdout-loglevel = OFF
          actor.provider = remote
          remote {
            dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            log-remote-lifecycle-events = off
            # A node that dies (kill -9, a lost machine) is noticed in about 5 s, not Akka's 10+: the client moves on.
            watch-failure-detector.acceptable-heartbeat-pause = 4s
          }
        }
        """ + "\n" + OrderFlowSerializer.Hocon);

    /// <summary>
    /// The subscriber the host sends to: lifecycle events and metrics snapshots. It watches the gateway, so a host
    /// that goes away is noticed (and the client moves to another node, where it subscribes again), and the host
    /// watches it, so a client that goes away is forgotten.
    /// </summary>
    private sealed class Listener : ReceiveActor
    {
        /// <summary>The client moved to <paramref name="Gateway"/>.</summary>
        public sealed record Moved(IActorRef Gateway);

        private sealed record MoveTried(bool Moved);

        private readonly Dictionary<(Symbol, TimeSpan), SubscribeMetrics> _metrics = new();
        private IActorRef? _asker;
        private bool _lifecycle;
        private SubscribeBars? _bars;

        public Listener(OrderFlowClient client, IActorRef gateway)
        {
            Context.Watch(gateway);
            // This actor is the subscriber: the host sends the events here, and its acknowledgement goes to the asker.
            Receive<SubscribeLifecycle>(subscribe =>
            {
                (_asker, _lifecycle) = (Sender, true);
                gateway.Tell(subscribe);
            });
            Receive<SubscribeMetrics>(subscribe =>
            {
                _metrics[(subscribe.Symbol, subscribe.Window)] = subscribe;
                gateway.Tell(subscribe);
            });
            Receive<UnsubscribeMetrics>(unsubscribe =>
            {
                _metrics.Remove((unsubscribe.Symbol, unsubscribe.Window));
                gateway.Tell(unsubscribe);
            });
            Receive<SubscribeBars>(subscribe =>
            {
                (_asker, _bars) = (Sender, subscribe);
                gateway.Tell(subscribe);
            });
            Receive<LifecycleSubscribed>(subscribed => _asker?.Tell(subscribed));
            Receive<BarsSubscribed>(subscribed => _asker?.Tell(subscribed));
            Receive<BarFinal>(bar => client.Bars?.Invoke(bar));
            Receive<IStreamLifecycleEvent>(e => client.Lifecycle?.Invoke(e));
            Receive<MetricsSnapshot>(snapshot => client.Metrics?.Invoke(snapshot));
            Receive<SymbolNotFound>(notFound => client.MetricsProblem?.Invoke($"{notFound.Symbol} is not streamed"));
            Receive<WindowNotTracked>(window => client.MetricsProblem?.Invoke($"the host keeps no {window.Window} window"));
            Receive<QueryFailed>(failed => client.MetricsProblem?.Invoke(failed.Reason));
            Receive<Terminated>(terminated => Equals(terminated.ActorRef, gateway), terminated =>
                client.MoveOnAsync(terminated.ActorRef).PipeTo(Self, success: moved => new MoveTried(moved), failure: _ => new MoveTried(false)));
            Receive<MoveTried>(tried =>
            {
                if (!tried.Moved) client.Disconnected?.Invoke();
            });
            Receive<Moved>(moved =>
            {
                // Everything subscribed goes with it.
                Context.Unwatch(gateway);
                gateway = moved.Gateway;
                Context.Watch(gateway);
                if (_lifecycle) gateway.Tell(SubscribeLifecycle.Instance);
                if (_bars is not null) gateway.Tell(_bars);
                foreach (var subscribe in _metrics.Values) gateway.Tell(subscribe);
            });
        }
    }
}
