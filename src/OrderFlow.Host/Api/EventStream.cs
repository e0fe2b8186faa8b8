using System.Net.ServerSentEvents;
using System.Text;
using System.Threading.Channels;
using Akka.Actor;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Bars;
using OrderFlow.Protocol.Derivatives;
using OrderFlow.Protocol.Metrics;
using OrderFlow.Protocol.Serialization;
using OrderFlow.Protocol.Streams;

namespace OrderFlow.Host.Api;

/// <summary>
/// One client of <c>GET /v1/events</c>: a subscriber to the gateway (lifecycle events, final bars, liquidations, and each symbol's window at the
/// chosen interval) whose messages become server-sent events. It stops when the client goes; the gateway watches it
/// and forgets its subscriptions. A client too slow to read loses its oldest metrics events, never the service's
/// memory: the queue holds <see cref="Queued"/>.
/// </summary>
public sealed class EventStream : ReceiveActor
{
    public const int Queued = 4_096;

    /// <summary>Each event's type, as an EventSource listens for it.</summary>
    public static class Types
    {
        public const string Connected = "connected";
        public const string Failed = "failed";
        public const string TimedOut = "timedOut";
        public const string Metrics = "metrics";
        public const string Bar = "bar";
        public const string Liquidation = "liquidation";
        public const string Problem = "problem";
    }

    private readonly IActorRef _gateway;
    private readonly IReadOnlyList<Symbol> _symbols;
    private readonly TimeSpan _window;
    private readonly TimeSpan _every;
    private readonly ChannelWriter<SseItem<string>> _events;

    public EventStream(IActorRef gateway, IReadOnlyList<Symbol> symbols, TimeSpan window, TimeSpan every, ChannelWriter<SseItem<string>> events)
    {
        (_gateway, _symbols, _window, _every, _events) = (gateway, symbols, window, every, events);
        Receive<LifecycleSubscribed>(_ => { });
        Receive<BarsSubscribed>(_ => { });
        Receive<BarFinal>(bar => Send(Types.Bar, bar));
        Receive<LiquidationsSubscribed>(_ => { });
        Receive<Liquidation>(liquidation => Send(Types.Liquidation, liquidation));
        Receive<Connected>(e => Send(Types.Connected, e));
        Receive<Failed>(e => Send(Types.Failed, e));
        Receive<TimedOut>(e => Send(Types.TimedOut, e));
        Receive<MetricsSnapshot>(snapshot => Send(Types.Metrics, snapshot));
        Receive<SymbolNotFound>(notFound => Send(Types.Problem, new QueryFailed($"{notFound.Symbol} is no longer streamed")));
        Receive<QueryFailed>(failed => Send(Types.Problem, failed));
    }

    public static Props Props(IActorRef gateway, IReadOnlyList<Symbol> symbols, TimeSpan window, TimeSpan every, ChannelWriter<SseItem<string>> events) =>
        Akka.Actor.Props.Create(() => new EventStream(gateway, symbols, window, every, events));

    /// <summary>A queue for one client: bounded, the oldest event dropped first when the client does not keep up.</summary>
    public static Channel<SseItem<string>> Queue() => Channel.CreateBounded<SseItem<string>>(
        new BoundedChannelOptions(Queued) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = true });

    protected override void PreStart()
    {
        _gateway.Tell(SubscribeLifecycle.Instance);
        _gateway.Tell(new SubscribeBars(_symbols));
        _gateway.Tell(new SubscribeLiquidations(_symbols));
        foreach (var symbol in _symbols) _gateway.Tell(new SubscribeMetrics(symbol, _window, _every));
    }

    protected override void PostStop() => _events.TryComplete();

    private void Send(string type, object message) => _events.TryWrite(new SseItem<string>(Encoding.UTF8.GetString(ProtocolJson.ToUtf8(message)), type));
}
