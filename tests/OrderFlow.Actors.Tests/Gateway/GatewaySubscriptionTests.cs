using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.TestKit.Xunit2;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Hosting;
using OrderFlow.Actors.Gateway;
using OrderFlow.Actors.Metrics;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Metrics;
using OrderFlow.Protocol.Streams;
using Xunit;

namespace OrderFlow.Actors.Tests.Gateway;

public sealed class GatewaySubscriptionTests() : TestKit("akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }\n" + ClusterHocon.For(ClusterSetup.Alone))
{
    private static readonly Symbol Btc = Symbol.Parse("BTCUSDT");

    [Fact]
    public void Ending_one_subscription_leaves_the_subscribers_other_ones_running()
    {
        var streams = CreateTestProbe();
        var gateway = Sys.ActorOf(OrderFlowGateway.Props(streams.Ref, MetricsBoards.For(Sys), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3)));
        var planner = CreateTestProbe();
        var window = TimeSpan.FromMinutes(1);
        var answer = new WindowNotTracked(Btc, window, [window]);

        gateway.Tell(SubscribeLifecycle.Instance, planner.Ref);
        planner.ExpectMsg<LifecycleSubscribed>();
        gateway.Tell(new SubscribeMetrics(Btc, window, TimeSpan.FromMilliseconds(100)), planner.Ref);
        streams.ExpectMsg<GetMetrics>();
        streams.Reply(answer);
        planner.ExpectMsg(answer);

        gateway.Tell(UnsubscribeLifecycle.Instance, planner.Ref);
        // The lifecycle events stop...
        var connected = new Connected(Btc, new Uri("ws://127.0.0.1/ws/btcusdt@aggTrade"), 1, TimeSpan.Zero, DateTimeOffset.UtcNow);
        DistributedPubSub.Get(Sys).Mediator.Tell(new Publish(OrderFlow.Actors.Symbols.SymbolActor.LifecycleTopic, connected));
        // ...and the metrics go on.
        streams.ExpectMsg<GetMetrics>();
        streams.Reply(answer);
        planner.ExpectMsg(answer);

        gateway.Tell(new UnsubscribeMetrics(Btc, window), planner.Ref);
        // The asks already under way (more than one when the machine is slow to stop the subscription), then none.
        streams.ReceiveWhile<GetMetrics>(Dilated(TimeSpan.FromSeconds(3)), TimeSpan.FromMilliseconds(300), m => (m as GetMetrics)!, int.MaxValue);
        streams.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
    }
}
