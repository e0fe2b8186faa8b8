using Akka;
using Akka.Actor;
using Akka.Hosting;
using OrderFlow.Actors.Binance;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Streams;

namespace OrderFlow.Actors.Hosting;

public static class OrderFlowHostingExtensions
{
    private static readonly TimeSpan CloseStreamsTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Starts the stream supervisor (<c>/user/streams</c>) with one stream per configured symbol, registered as
    /// <see cref="StreamSupervisor"/>, and closes every socket with a close frame during coordinated shutdown.
    /// </summary>
    public static AkkaConfigurationBuilder WithOrderFlowStreams(this AkkaConfigurationBuilder builder, OrderFlowSettings settings) =>
        builder.WithActors((system, registry) =>
        {
            var budget = new ConnectionBudget(settings.Stream.ConnectionBudget);
            var supervisor = system.ActorOf(StreamSupervisor.Props(settings, budget, CreateRestClient(settings.Binance)), "streams");
            registry.Register<StreamSupervisor>(supervisor);
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceUnbind, "close-aggtrade-streams", async () =>
            {
                await supervisor.Ask<StreamSupervisor.AllStreamsClosed>(StreamSupervisor.CloseAllStreams.Instance, CloseStreamsTimeout)
                    .ConfigureAwait(false);
                return Done.Instance;
            });
        });

    /// <summary>One REST client for the whole service: one connection pool, one request-weight budget.</summary>
    public static BinanceRestClient CreateRestClient(BinanceSettings binance) =>
        new(new HttpClient(new SocketsHttpHandler { ConnectTimeout = binance.RestTimeout }) { Timeout = binance.RestTimeout },
            binance.RestUrl, new RequestWeightBudget(binance.RequestWeightPerMinute));
}
