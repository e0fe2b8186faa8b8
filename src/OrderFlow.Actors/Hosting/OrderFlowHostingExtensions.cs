using Akka;
using Akka.Actor;
using Akka.Hosting;
using OrderFlow.Actors.Binance;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Gateway;
using OrderFlow.Actors.Metrics;
using OrderFlow.Actors.Streams;
using Akka.Remote.Hosting;
using OrderFlow.Protocol.Serialization;

namespace OrderFlow.Actors.Hosting;

public static class OrderFlowHostingExtensions
{
    private static readonly TimeSpan CloseStreamsTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Starts the stream supervisor (<c>/user/streams</c>) with one stream per configured symbol, registered as
    /// <see cref="StreamSupervisor"/>, and closes every socket with a close frame during coordinated shutdown.
    /// </summary>
    public static AkkaConfigurationBuilder WithOrderFlowStreams(this AkkaConfigurationBuilder builder, OrderFlowSettings settings) =>
        builder
            .AddHocon(StreamSupervisor.DispatcherHocon, HoconAddMode.Prepend)
            .WithActors((system, registry) =>
        {
            var budget = new ConnectionBudget(settings.Stream.ConnectionBudget);
            var supervisor = system.ActorOf(StreamSupervisor.Props(settings, budget, CreateRestClient(settings.Binance), MetricsBoards.For(system)),
                StreamSupervisor.Name);
            registry.Register<StreamSupervisor>(supervisor);
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceUnbind, "close-aggtrade-streams", async () =>
            {
                await supervisor.Ask<StreamSupervisor.AllStreamsClosed>(StreamSupervisor.CloseAllStreams.Instance, CloseStreamsTimeout)
                    .ConfigureAwait(false);
                return Done.Instance;
            });
        });

    /// <summary>
    /// Starts the planners' gateway (<c>/user/orderflow</c>) in front of the stream supervisor, and Akka.Remote bound to
    /// orderflow.remote.host/port with the protocol's serializer and strict serialization.
    /// </summary>
    public static AkkaConfigurationBuilder WithOrderFlowGateway(this AkkaConfigurationBuilder builder, OrderFlowSettings settings) =>
        builder
            .AddHocon(OrderFlowSerializer.Hocon, HoconAddMode.Prepend)
            // .NET maps SO_REUSEADDR to SO_REUSEPORT on Linux: with it on, a second host would share the port silently.
            .AddHocon("akka.remote.dot-netty.tcp.tcp-reuse-addr = off", HoconAddMode.Prepend)
            .WithRemoting(new RemoteOptions { HostName = settings.Remote.Host, Port = settings.Remote.Port })
            .WithActors((system, registry) =>
            {
                var gateway = system.ActorOf(OrderFlowGateway.Props(registry.Get<StreamSupervisor>(), MetricsBoards.For(system),
                    settings.Remote.QueryTimeout, settings.Remote.QueryTimeout + settings.Binance.RestTimeout)
                    .WithDispatcher(OrderFlowGateway.RemotingDispatcherId), OrderFlowGateway.Name);
                registry.Register<OrderFlowGateway>(gateway);
            });

    /// <summary>One REST client for the whole service: one connection pool, one request-weight budget.</summary>
    public static BinanceRestClient CreateRestClient(BinanceSettings binance) =>
        new(new HttpClient(new SocketsHttpHandler { ConnectTimeout = binance.RestTimeout }) { Timeout = binance.RestTimeout },
            binance.RestUrl, new RequestWeightBudget(binance.RequestWeightPerMinute));
}
