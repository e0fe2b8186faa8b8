using System.Globalization;
using Akka.Actor;
using Akka.Configuration;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Metrics;
using OrderFlow.Protocol.Serialization;
using OrderFlow.Protocol.Streams;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Client;

/// <summary>
/// A planner's typed view of a running OrderFlow host, over Akka.Remote: <c>await OrderFlowClient.ConnectAsync()</c>,
/// then ask, and subscribe to lifecycle events and metrics snapshots. (A one-shot process that only asks is quicker
/// with <see cref="OrderFlowHttpClient"/>: it starts no actor system.)
/// </summary>
public sealed class OrderFlowClient : OrderFlowQueryClient
{
    public const string DefaultAddress = "127.0.0.1:4053";

    private readonly ActorSystem _system;
    private readonly IActorRef _gateway;
    private IActorRef? _listener;

    private OrderFlowClient(ActorSystem system, IActorRef gateway, string address, TimeSpan timeout) : base(address, timeout)
    {
        _system = system;
        _gateway = gateway;
    }

    /// <summary>Connected, Failed and TimedOut as they happen, once <see cref="SubscribeLifecycleAsync"/> was called.</summary>
    public event Action<IStreamLifecycleEvent>? Lifecycle;

    /// <summary>The host went away (stopped, or the network between dropped): no more events will come.</summary>
    public event Action? Disconnected;

    /// <summary>Snapshots of the windows subscribed with <see cref="SubscribeMetrics"/>, at their interval.</summary>
    public event Action<MetricsSnapshot>? Metrics;

    /// <summary>A subscribed window could not be answered (the reason, e.g. the symbol was removed).</summary>
    public event Action<string>? MetricsProblem;

    /// <summary>Reaches the host at <paramref name="address"/> (HOST:PORT), or throws <see cref="OrderFlowUnreachableException"/>.</summary>
    /// <param name="remoting">HOCON over the client's own, such as the host's TLS settings
    /// (<c>akka.remote.dot-netty.tcp { enable-ssl = true, ssl { … } }</c>): a host with TLS answers only a client with it.</param>
    public static async Task<OrderFlowClient> ConnectAsync(string address = DefaultAddress, TimeSpan? timeout = null, Config? remoting = null)
    {
        var wait = timeout ?? TimeSpan.FromSeconds(5);
        var (host, port) = ParseAddress(address, DefaultAddress);
        var system = ActorSystem.Create("orderflow-client", remoting is null ? ClientConfig() : remoting.WithFallback(ClientConfig()));
        try
        {
            // akka.tcp, or akka.ssl.tcp with TLS: the client's own transport says which the host speaks.
            var protocol = ((ExtendedActorSystem)system).Provider.DefaultAddress.Protocol;
            var path = $"{protocol}://orderflow@{host}:{port.ToString(CultureInfo.InvariantCulture)}/user/orderflow";
            var identity = await system.ActorSelection(path).Ask<ActorIdentity>(new Identify(address), wait).ConfigureAwait(false);
            // Nothing listening, or something that is not an OrderFlow host, answers the same way: no gateway there.
            if (identity.Subject is not { } gateway) throw Unreachable(address, "");
            return new OrderFlowClient(system, gateway, address, wait);
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            await system.Terminate().ConfigureAwait(false);
            throw Unreachable(address, $" within {wait.TotalSeconds:0.#}s", e);
        }
        catch
        {
            await system.Terminate().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Starts delivering lifecycle events to <see cref="Lifecycle"/>.</summary>
    public async Task SubscribeLifecycleAsync()
    {
        await ListenerRef().Ask<LifecycleSubscribed>(SubscribeLifecycle.Instance, Timeout).ConfigureAwait(false);
    }

    /// <summary>Delivers the window's snapshot to <see cref="Metrics"/> every <paramref name="every"/> (at least 100 ms).</summary>
    public void SubscribeMetrics(Symbol symbol, TimeSpan window, TimeSpan every) =>
        _gateway.Tell(new SubscribeMetrics(symbol, window, every), ListenerRef());

    public void UnsubscribeMetrics(Symbol symbol, TimeSpan window) => _gateway.Tell(new UnsubscribeMetrics(symbol, window), ListenerRef());

    private IActorRef ListenerRef() =>
        _listener ??= _system.ActorOf(Props.Create(() => new Listener(this, _gateway)), "listener");

    public override async ValueTask DisposeAsync() => await _system.Terminate().ConfigureAwait(false);

    protected override async Task<object> SendAsync(IOrderFlowQuery query)
    {
        try
        {
            return await _gateway.Ask<object>(query, Timeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            throw NoAnswer(query, e);
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
          }
        }
        """ + "\n" + OrderFlowSerializer.Hocon);

    /// <summary>
    /// The subscriber the host sends to: lifecycle events and metrics snapshots. It watches the gateway, so a host
    /// that goes away is noticed, and the host watches it, so a client that goes away is forgotten.
    /// </summary>
    private sealed class Listener : ReceiveActor
    {
        private IActorRef? _asker;

        public Listener(OrderFlowClient client, IActorRef gateway)
        {
            Context.Watch(gateway);
            // This actor is the subscriber: the host sends the events here, and its acknowledgement goes to the asker.
            Receive<SubscribeLifecycle>(subscribe =>
            {
                _asker = Sender;
                gateway.Tell(subscribe);
            });
            Receive<LifecycleSubscribed>(subscribed => _asker?.Tell(subscribed));
            Receive<IStreamLifecycleEvent>(e => client.Lifecycle?.Invoke(e));
            Receive<MetricsSnapshot>(snapshot => client.Metrics?.Invoke(snapshot));
            Receive<SymbolNotFound>(notFound => client.MetricsProblem?.Invoke($"{notFound.Symbol} is not streamed"));
            Receive<WindowNotTracked>(window => client.MetricsProblem?.Invoke($"the host keeps no {window.Window} window"));
            Receive<QueryFailed>(failed => client.MetricsProblem?.Invoke(failed.Reason));
            Receive<Terminated>(_ => client.Disconnected?.Invoke());
        }
    }
}
