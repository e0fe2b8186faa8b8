using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using Akka.Remote.Hosting;
using OrderFlow.Actors.Binance;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Connection;
using OrderFlow.Actors.Gateway;
using OrderFlow.Actors.Metrics;
using OrderFlow.Actors.Replay;
using OrderFlow.Actors.Store;
using OrderFlow.Actors.Symbols;
using OrderFlow.Protocol.Serialization;

namespace OrderFlow.Actors.Hosting;

/// <summary>
/// The one place the service's actors are created. The Akka.Hosting builder extensions are what a host calls; specs
/// and benchmarks, whose actor systems TestKit or the benchmark makes, call the <see cref="ActorSystem"/> extensions
/// underneath them, so what is tested and measured is what runs.
/// </summary>
public static class OrderFlowHostingExtensions
{
    private static readonly TimeSpan CloseSymbolsTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan FlushRecordingsTimeout = TimeSpan.FromSeconds(25);

    /// <summary>
    /// Starts <c>/user/symbols</c> with one actor per configured symbol on the pipeline dispatcher, registered as
    /// <see cref="SymbolSupervisor"/>; every socket closes with a close frame during coordinated shutdown.
    /// </summary>
    public static AkkaConfigurationBuilder WithOrderFlowSymbols(this AkkaConfigurationBuilder builder, OrderFlowSettings settings, ITapeStore? store = null) =>
        builder
            .AddHocon(PipelineDispatcher.Hocon, HoconAddMode.Prepend)
            .WithActors((system, registry) => registry.Register<SymbolSupervisor>(system.StartOrderFlowSymbols(settings, store: store)));

    /// <summary>
    /// Starts <c>/user/symbols</c> as <see cref="WithOrderFlowSymbols"/> does, but each symbol plays its recorded tape
    /// from the store at the plan's speed instead of streaming, and the metrics are read at the replay's clock.
    /// </summary>
    public static AkkaConfigurationBuilder WithOrderFlowReplay(this AkkaConfigurationBuilder builder, OrderFlowSettings settings, ReplayPlan plan) =>
        builder
            .AddHocon(PipelineDispatcher.Hocon, HoconAddMode.Prepend)
            .WithActors((system, registry) => registry.Register<SymbolSupervisor>(system.StartOrderFlowReplay(settings, plan)));

    /// <summary>The replay's <c>/user/symbols</c> (needs <see cref="PipelineDispatcher.Hocon"/>): no connections, nothing recorded.</summary>
    public static IActorRef StartOrderFlowReplay(this ActorSystem system, OrderFlowSettings settings, ReplayPlan plan)
    {
        var boards = MetricsBoards.For(system);
        boards.Clock = plan.Clock;
        var rest = settings.Markets.ToDictionary(market => market.Key, market => CreateRestClient(market.Value));
        return system.ActorOf(SymbolSupervisor.Props(settings, ActorRefs.Nobody, rest, boards, replay: plan), SymbolSupervisor.Name);
    }

    /// <summary>
    /// Starts the planners' gateway (<c>/user/orderflow</c>) in front of the symbols, and Akka.Remote bound to
    /// orderflow.remote.host/port with the protocol's serializer and strict serialization.
    /// </summary>
    public static AkkaConfigurationBuilder WithOrderFlowGateway(this AkkaConfigurationBuilder builder, OrderFlowSettings settings) =>
        builder
            .AddHocon(OrderFlowSerializer.Hocon, HoconAddMode.Prepend)
            // .NET maps SO_REUSEADDR to SO_REUSEPORT on Linux: with it on, a second host would share the port silently.
            .AddHocon("akka.remote.dot-netty.tcp.tcp-reuse-addr = off", HoconAddMode.Prepend)
            .WithRemoting(new RemoteOptions { HostName = settings.Remote.Host, Port = settings.Remote.AkkaPort })
            .WithActors((system, registry) =>
                registry.Register<OrderFlowGateway>(system.StartOrderFlowGateway(registry.Get<SymbolSupervisor>(), settings)));

    /// <summary>
    /// <c>/user/symbols</c> and <c>/user/connections</c>, the sockets they stream on, and the shutdown task that closes
    /// them with close frames (needs <see cref="PipelineDispatcher.Hocon"/>).
    /// </summary>
    /// <param name="budget">The chosen market's socket budget (a spec's, on its clock); each other market has its own.</param>
    /// <param name="store">Where every symbol records its trades and starts from (<see cref="TapeStores.OpenAsync"/>); null: none.</param>
    public static IActorRef StartOrderFlowSymbols(this ActorSystem system, OrderFlowSettings settings, ConnectionBudget? budget = null,
        ITapeStore? store = null)
    {
        var markets = MarketConnections.Of(settings, budget);
        var connections = system.ActorOf(ConnectionPool.Props(settings.Stream, markets), ConnectionPool.Name);
        var rest = settings.Markets.ToDictionary(market => market.Key, market => CreateRestClient(market.Value));
        foreach (var (market, client) in rest) ExchangeLimits.For(system).Register(market, markets[market].Budget, client.Budget);
        var symbols = system.ActorOf(SymbolSupervisor.Props(settings, connections, rest, MetricsBoards.For(system), store), SymbolSupervisor.Name);
        if (store is not null) system.ActorOf(TapeRetention.Props(store, settings.Store.Retention), TapeRetention.Name);
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceUnbind, "close-aggtrade-streams", async () =>
        {
            try
            {
                // The connections close first, each telling its streams how; then what the recorders hold goes to the
                // store (however long a slow store takes, within reason); then the symbols stop.
                await connections.Ask<AllConnectionsClosed>(CloseAllConnections.Instance, CloseSymbolsTimeout).ConfigureAwait(false);
                if (store is not null)
                    if (await symbols.Ask<object>(TradeRecorder.FlushRecording.Instance, FlushRecordingsTimeout).ConfigureAwait(false) is OrderFlow.Protocol.QueryFailed failed)
                        system.Log.Warning("💾 {Problem}", failed.Reason);
                await symbols.Ask<AllSymbolsClosed>(CloseAllSymbols.Instance, CloseSymbolsTimeout).ConfigureAwait(false);
            }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
            {
                // Already stopped, or the sockets did not close in time: shutdown goes on either way.
            }
            return Done.Instance;
        });
        return symbols;
    }

    /// <summary><c>/user/orderflow</c> on remoting's dispatcher (needs remoting and <see cref="OrderFlowSerializer.Hocon"/>).</summary>
    public static IActorRef StartOrderFlowGateway(this ActorSystem system, IActorRef symbols, OrderFlowSettings settings) =>
        system.ActorOf(OrderFlowGateway.Props(symbols, MetricsBoards.For(system),
                settings.Remote.QueryTimeout, settings.Remote.QueryTimeout + settings.Binance.RestTimeout)
            .WithDispatcher(OrderFlowGateway.RemotingDispatcherId), OrderFlowGateway.Name);

    /// <summary>One market's REST client for the whole service: one HTTP connection pool, one request-weight budget.</summary>
    public static BinanceRestClient CreateRestClient(BinanceSettings binance) =>
        new(new HttpClient(new SocketsHttpHandler { ConnectTimeout = binance.RestTimeout }) { Timeout = binance.RestTimeout },
            binance.RestUrl, binance.Market, new RequestWeightBudget(binance.RequestWeightPerMinute));
}
