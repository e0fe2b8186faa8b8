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
/// then ask. Every call ends within its timeout, in an answer or an <see cref="OrderFlowClientException"/> that says
/// what to check.
/// </summary>
public sealed class OrderFlowClient : IAsyncDisposable
{
    public const string DefaultAddress = "127.0.0.1:4053";

    private readonly ActorSystem _system;
    private readonly IActorRef _gateway;
    private readonly TimeSpan _timeout;
    private IActorRef? _listener;

    private OrderFlowClient(ActorSystem system, IActorRef gateway, string address, TimeSpan timeout)
    {
        _system = system;
        _gateway = gateway;
        Address = address;
        _timeout = timeout;
    }

    /// <summary>The host's HOST:PORT.</summary>
    public string Address { get; }

    /// <summary>Connected, Failed and TimedOut as they happen, once <see cref="SubscribeLifecycleAsync"/> was called.</summary>
    public event Action<IStreamLifecycleEvent>? Lifecycle;

    /// <summary>The host went away (stopped, or the network between dropped): no more events will come.</summary>
    public event Action? Disconnected;

    /// <summary>Snapshots of the windows subscribed with <see cref="SubscribeMetricsAsync"/>, at their interval.</summary>
    public event Action<MetricsSnapshot>? Metrics;

    /// <summary>A subscribed window could not be answered (the reason, e.g. the symbol was removed).</summary>
    public event Action<string>? MetricsProblem;

    /// <summary>Reaches the host at <paramref name="address"/> (HOST:PORT), or throws <see cref="OrderFlowUnreachableException"/>.</summary>
    public static async Task<OrderFlowClient> ConnectAsync(string address = DefaultAddress, TimeSpan? timeout = null)
    {
        var wait = timeout ?? TimeSpan.FromSeconds(5);
        var (host, port) = ParseAddress(address);
        var system = ActorSystem.Create("orderflow-client", ClientConfig());
        try
        {
            var path = $"akka.tcp://orderflow@{host}:{port.ToString(CultureInfo.InvariantCulture)}/user/orderflow";
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

    public Task<StatusReport> GetStatusAsync(Symbol? symbol = null) => AskAsync<StatusReport>(new GetStatus(symbol));

    public Task<TradesSnapshot> GetLastTradesAsync(Symbol symbol, int count) => AskAsync<TradesSnapshot>(new GetRecentTrades(symbol, count));

    public Task<TradesSnapshot> GetTradesFromIdAsync(Symbol symbol, long fromId, int maxCount = 100_000) =>
        AskAsync<TradesSnapshot>(new GetTradesFromId(symbol, fromId, maxCount));

    public Task<TradesSnapshot> GetTradesSinceAsync(Symbol symbol, DateTimeOffset since, int maxCount = 100_000) =>
        AskAsync<TradesSnapshot>(new GetTradesSince(symbol, since, maxCount));

    public Task<MetricsSnapshot> GetMetricsAsync(Symbol symbol, TimeSpan window) => AskAsync<MetricsSnapshot>(new GetMetrics(symbol, window));

    /// <summary>Starts streaming a symbol: true when added, false when it was already streamed.</summary>
    public async Task<bool> AddSymbolAsync(Symbol symbol) => await AskAsync<object>(new AddSymbol(symbol)).ConfigureAwait(false) switch
    {
        SymbolAdded => true,
        SymbolAlreadyStreaming => false,
        SymbolUnknown => throw new OrderFlowNotFoundException($"Binance does not list {symbol}: it will not be streamed"),
        SymbolRemoved => throw new OrderFlowClientException($"{symbol} was removed while it was being added"),
        var other => throw Unexpected(other),
    };

    public async Task RemoveSymbolAsync(Symbol symbol) => await AskAsync<SymbolRemoved>(new RemoveSymbol(symbol)).ConfigureAwait(false);

    /// <summary>
    /// Waits until the window is ready (covered, no unrecovered gap) and returns it; throws
    /// <see cref="OrderFlowNotReadyException"/>, saying what is missing, if it is not within <paramref name="timeout"/>.
    /// </summary>
    public async Task<MetricsSnapshot> WaitUntilReadyAsync(Symbol symbol, TimeSpan window, TimeSpan timeout, CancellationToken cancel = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        deadline.CancelAfter(timeout);
        MetricsSnapshot? last = null;
        try
        {
            while (true)
            {
                last = await GetMetricsAsync(symbol, window).ConfigureAwait(false);
                if (last.Ready) return last;
                await Task.Delay(TimeSpan.FromMilliseconds(250), deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            throw new OrderFlowNotReadyException(
                $"{symbol}'s {window} window was not ready within {timeout.TotalSeconds:0.#}s: {last?.Coverage.NotReadyBecause ?? "no answer yet"}");
        }
    }

    /// <summary>Starts delivering lifecycle events to <see cref="Lifecycle"/>.</summary>
    public async Task SubscribeLifecycleAsync()
    {
        await ListenerRef().Ask<LifecycleSubscribed>(SubscribeLifecycle.Instance, _timeout).ConfigureAwait(false);
    }

    /// <summary>Delivers the window's snapshot to <see cref="Metrics"/> every <paramref name="every"/> (at least 100 ms).</summary>
    public void SubscribeMetrics(Symbol symbol, TimeSpan window, TimeSpan every) =>
        _gateway.Tell(new SubscribeMetrics(symbol, window, every), ListenerRef());

    public void UnsubscribeMetrics(Symbol symbol, TimeSpan window) => _gateway.Tell(new UnsubscribeMetrics(symbol, window), ListenerRef());

    private IActorRef ListenerRef() =>
        _listener ??= _system.ActorOf(Props.Create(() => new Listener(this, _gateway)), "listener");

    public async ValueTask DisposeAsync() => await _system.Terminate().ConfigureAwait(false);

    private async Task<T> AskAsync<T>(object query)
    {
        object answer;
        try
        {
            answer = await _gateway.Ask<object>(query, _timeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            throw new OrderFlowUnreachableException($"the host at {Address} did not answer {query.GetType().Name} within " +
                $"{_timeout.TotalSeconds:0.#}s: is it still running?", e);
        }
        return answer switch
        {
            T expected => expected,
            SymbolNotFound notFound => throw new OrderFlowNotFoundException($"{notFound.Symbol} is not streamed by the host at {Address}"),
            WindowNotTracked window => throw new OrderFlowNotFoundException(
                $"the host keeps no {window.Window} window; it keeps {string.Join(", ", window.Tracked)}"),
            QueryFailed failed => throw new OrderFlowClientException($"the host could not answer: {failed.Reason}"),
            _ => throw Unexpected(answer),
        };
    }

    private static OrderFlowUnreachableException Unreachable(string address, string within, Exception? cause = null) =>
        new($"no OrderFlow host answered at {address}{within}. Start one with `orderflow run` (it listens on {DefaultAddress} " +
            "unless orderflow.remote.host/port or --remote-port say otherwise)", cause);

    private static OrderFlowClientException Unexpected(object answer) => new($"the host answered with an unexpected {answer.GetType().Name}");

    private static (string Host, int Port) ParseAddress(string address) =>
        TryParseAddress(address, out var host, out var port) ? (host, port)
            : throw new OrderFlowClientException($"'{address}' is not HOST:PORT, such as {DefaultAddress}");

    public static bool TryParseAddress(string address, out string host, out int port)
    {
        var colon = address.LastIndexOf(':');
        host = colon > 0 ? address[..colon] : "";
        port = 0;
        return colon > 0 && int.TryParse(address[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) &&
               port is >= 1 and <= 65_535 && Uri.CheckHostName(host) != UriHostNameType.Unknown;
    }

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
