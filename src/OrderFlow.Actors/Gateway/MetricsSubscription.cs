using Akka.Actor;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Metrics;

namespace OrderFlow.Actors.Gateway;

/// <summary>
/// One subscriber's metrics at its interval: asks the gateway for the window's snapshot and passes the answer on (a
/// snapshot, <see cref="Protocol.Streams.SymbolNotFound"/>, <see cref="WindowNotTracked"/> or <see cref="QueryFailed"/>).
/// Stopped by the gateway when the subscriber unsubscribes or stops.
/// </summary>
public sealed class MetricsSubscription : ReceiveActor, IWithTimers
{
    private sealed record Tick : ILocalMessage
    {
        public static readonly Tick Instance = new();
    }

    private readonly SubscribeMetrics _subscription;

    public MetricsSubscription(SubscribeMetrics subscription, IActorRef subscriber, IActorRef gateway, TimeSpan timeout)
    {
        _subscription = subscription;
        var query = new GetMetrics(subscription.Symbol, subscription.Window);
        Receive<Tick>(_ => gateway.Ask<object>(query, timeout).PipeTo(subscriber,
            failure: error => new QueryFailed($"metrics for {subscription.Symbol} were not answered: {error.Message}")));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(SubscribeMetrics subscription, IActorRef subscriber, IActorRef gateway, TimeSpan timeout) =>
        Akka.Actor.Props.Create(() => new MetricsSubscription(subscription, subscriber, gateway, timeout));

    protected override void PreStart()
    {
        Self.Tell(Tick.Instance);
        Timers.StartPeriodicTimer("tick", Tick.Instance, _subscription.Every);
    }
}
