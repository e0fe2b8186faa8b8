using Akka;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.Singleton;
using Akka.Event;
using Akka.Hosting;
using Akka.Remote.Hosting;
using OrderFlow.Actors.Binance;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Connection;
using OrderFlow.Actors.Derivatives;
using OrderFlow.Actors.Gateway;
using OrderFlow.Actors.Membership;
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
    private static readonly TimeSpan CloseConnectionsTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Akka.Remote bound to orderflow.remote.host/akka-port with the protocol's serializer and strict serialization,
    /// and Akka.Cluster over it: every host is a cluster node, alone (joining itself) or with the seeds'.
    /// </summary>
    public static AkkaConfigurationBuilder WithOrderFlowCluster(this AkkaConfigurationBuilder builder, OrderFlowSettings settings) =>
        builder
            .AddHocon(OrderFlowSerializer.Hocon, HoconAddMode.Prepend)
            // .NET maps SO_REUSEADDR to SO_REUSEPORT on Linux: with it on, a second host would share the port silently.
            .AddHocon("akka.remote.dot-netty.tcp.tcp-reuse-addr = off", HoconAddMode.Prepend)
            .WithRemoting(new RemoteOptions { HostName = settings.Remote.Host, Port = settings.Remote.AkkaPort })
            // Akka's cluster, sharding, singleton and DData defaults under ours; the join is StartOrderFlowSymbols' (itself, or the seeds).
            // The roles are ClusterHocon's, quoted (an egress group's role holds an address: egress:10.0.0.1).
            .WithClustering(new ClusterOptions())
            .AddHocon(ClusterHocon.For(settings.Cluster), HoconAddMode.Prepend);

    /// <summary>
    /// The symbols, each a shard region's entity on the pipeline dispatcher, behind <c>/user/symbols</c>
    /// (registered as <see cref="SymbolDirectory"/>); every socket closes with a close frame during coordinated shutdown.
    /// </summary>
    public static AkkaConfigurationBuilder WithOrderFlowSymbols(this AkkaConfigurationBuilder builder, OrderFlowSettings settings, ITapeStore? store = null) =>
        builder
            .AddHocon(PipelineDispatcher.Hocon, HoconAddMode.Prepend)
            .WithActors((system, registry) => registry.Register<SymbolDirectory>(system.StartOrderFlowSymbols(settings, store: store)));

    /// <summary>
    /// The symbols as <see cref="WithOrderFlowSymbols"/> starts them, but each plays its recorded tape from the store
    /// at the plan's speed instead of streaming, and the metrics are read at the replay's clock.
    /// </summary>
    public static AkkaConfigurationBuilder WithOrderFlowReplay(this AkkaConfigurationBuilder builder, OrderFlowSettings settings, ReplayPlan plan) =>
        builder
            .AddHocon(PipelineDispatcher.Hocon, HoconAddMode.Prepend)
            .WithActors((system, registry) => registry.Register<SymbolDirectory>(system.StartOrderFlowReplay(settings, plan)));

    /// <summary>The replay's symbols (needs <see cref="PipelineDispatcher.Hocon"/> and the cluster): no connections, nothing recorded.</summary>
    public static IActorRef StartOrderFlowReplay(this ActorSystem system, OrderFlowSettings settings, ReplayPlan plan)
    {
        var boards = MetricsBoards.For(system);
        boards.Clock = plan.Clock;
        var rest = settings.Markets.ToDictionary(market => market.Key, market => CreateRestClient(market.Value));
        return system.StartSymbols(settings, ActorRefs.Nobody, rest, store: null, plan);
    }

    /// <summary>Starts the planners' gateway (<c>/user/orderflow</c>) in front of the symbols (needs <see cref="WithOrderFlowCluster"/>).</summary>
    public static AkkaConfigurationBuilder WithOrderFlowGateway(this AkkaConfigurationBuilder builder, OrderFlowSettings settings) =>
        builder.WithActors((system, registry) =>
            registry.Register<OrderFlowGateway>(system.StartOrderFlowGateway(registry.Get<SymbolDirectory>(), settings)));

    /// <summary>
    /// <c>/user/connections</c> and the symbols that stream on them (a shard region's entities, behind
    /// <c>/user/symbols</c>), and the shutdown tasks that hand the symbols over and close the sockets with close frames
    /// (needs <see cref="PipelineDispatcher.Hocon"/> and the cluster's HOCON, <see cref="ClusterHocon"/>).
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
        system.ActorOf(EgressGroup.Props(settings.Cluster.Egress, ExchangeLimits.For(system)), EgressGroup.Name);
        system.ActorOf(NodeSetupActor.Props(NodeSetupActor.Of(store, settings.Cluster)), NodeSetupActor.Name);
        var symbols = system.StartSymbols(settings, connections, rest, store, replay: null);
        var marketStreams = system.StartMarketStreams(settings, markets, store);
        system.StartOpenInterest(settings, rest);
        if (store is not null)
            system.ActorOf(ClusterSingletonManager.Props(TapeRetention.Props(store, settings.Store.Retention), PoisonPill.Instance,
                ClusterSingletonManagerSettings.Create(system)), TapeRetention.Name);
        var shutdown = CoordinatedShutdown.Get(system);
        // Alone, nobody takes the symbols over: the sockets close first, with close frames, each telling its streams how;
        // then the region's hand-off flushes every recording and stops the symbols, as a single host always has.
        shutdown.AddTask(CoordinatedShutdown.PhaseServiceUnbind, "close-aggtrade-streams-alone", () =>
            Cluster.Get(system).State.Members.Count(member => member.Status is MemberStatus.Up or MemberStatus.WeaklyUp) <= 1
                ? CloseConnectionsAsync(system, [connections, .. marketStreams])
                : Task.FromResult(Done.Instance));
        // With others, the region hands the symbols over first (each lets its stream go and flushes its recording),
        // the node leaves, and only then do the sockets that are left close.
        shutdown.AddTask(CoordinatedShutdown.PhaseClusterExitingDone, "close-aggtrade-connections",
            () => CloseConnectionsAsync(system, [connections, .. marketStreams]));
        return symbols;
    }

    /// <summary>
    /// Each futures market this host streams symbols of (named or by pattern) gets its market-wide streams
    /// (liquidations, mark prices), unless orderflow.derivatives turns both off; every node runs its own, for the
    /// symbols it streams.
    /// </summary>
    private static IReadOnlyList<IActorRef> StartMarketStreams(this ActorSystem system, OrderFlowSettings settings,
        IReadOnlyDictionary<string, MarketConnections> markets, ITapeStore? store)
    {
        if (!settings.DerivativesKept.Streams) return [];
        return FuturesMarkets(settings).Select(market => system.ActorOf(MarketStreamActor.Props(market, markets[market].Binance.WebSocketUrl, settings.Stream,
            settings.DerivativesKept, markets[market].Budget, MetricsBoards.For(system), store, markets[market].Binance.RestUrl),
            MarketStreamActor.NameFor(market))).ToList();
    }

    /// <summary>Each futures market this host streams symbols of gets its open interest read, unless orderflow.derivatives.open-interest is off.</summary>
    private static void StartOpenInterest(this ActorSystem system, OrderFlowSettings settings, IReadOnlyDictionary<string, BinanceRestClient> rest)
    {
        if (!settings.DerivativesKept.OpenInterest) return;
        foreach (var market in FuturesMarkets(settings))
            system.ActorOf(OpenInterestActor.Props(market, rest[market], MetricsBoards.For(system), settings.DerivativesKept), OpenInterestActor.NameFor(market));
    }

    /// <summary>The futures markets of the configured symbols and patterns.</summary>
    private static IEnumerable<string> FuturesMarkets(OrderFlowSettings settings) =>
        settings.Symbols.Select(symbol => symbol.Market).Concat(settings.SymbolPatterns.Select(pattern => pattern.Market))
            .Where(market => market != Protocol.Symbol.SpotMarket).Distinct().Order();

    /// <summary>Asks each of <paramref name="owners"/> (the pool, the market-wide streams) to close its sockets with close frames.</summary>
    private static async Task<Done> CloseConnectionsAsync(ActorSystem system, IReadOnlyList<IActorRef> owners)
    {
        try
        {
            await Task.WhenAll(owners.Select(owner => owner.Ask<AllConnectionsClosed>(CloseAllConnections.Instance, CloseConnectionsTimeout))).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            system.Log.Warning("🔌 The connections did not all close within {Timeout}; shutting down anyway", HumanFormat.Duration(CloseConnectionsTimeout));
        }
        return Done.Instance;
    }

    /// <summary>
    /// Joins the cluster (itself when alone, else the seeds), starts this node's listing service, the shard region
    /// that hosts every symbol's actor, and <c>/user/symbols</c> in front of it.
    /// </summary>
    private static IActorRef StartSymbols(this ActorSystem system, OrderFlowSettings settings, IActorRef connections,
        IReadOnlyDictionary<string, BinanceRestClient> rest, ITapeStore? store, ReplayPlan? replay)
    {
        var cluster = Cluster.Get(system);
        if (settings.Cluster.Enabled) cluster.JoinSeedNodes(settings.Cluster.SeedNodes.Select(Address.Parse));
        else cluster.Join(cluster.SelfAddress);

        var boards = MetricsBoards.For(system);
        var listings = system.ActorOf(ListingService.Props(rest, settings.Binance.ExchangeInfoRefresh), ListingService.Name);
        var directory = system.ActorSelection($"/user/{SymbolDirectory.Name}");
        var shards = new SymbolShards(settings.Cluster.Shards);
        var sharding = ClusterSharding.Get(system);
        var shardingSettings = ClusterShardingSettings.Create(system);
        var onPipeline = system.Dispatchers.HasDispatcher(PipelineDispatcher.Id);
        var region = sharding.Start(SymbolShards.TypeName, entityId =>
            {
                var symbol = SymbolShards.SymbolOf(entityId);
                var props = SymbolActor.Props(symbol, settings, connections, rest[symbol.Market], boards, store, directory, listings, replay);
                return onPipeline ? props.WithDispatcher(PipelineDispatcher.Id) : props;
            }, shardingSettings, shards, sharding.DefaultShardAllocationStrategy(shardingSettings), new CloseSymbol(default));
        system.ActorOf(ClusterWatch.Props(settings.Cluster, region), ClusterWatch.Name);
        system.Log.Info("🧩 Symbols are spread over {Shards} shards (orderflow.cluster.shards; fixed for the cluster's life)", shards.Shards);
        var symbols = system.ActorOf(SymbolDirectory.Props(settings, rest, region, replay is null ? store : null, replay), SymbolDirectory.Name);
        if (settings.SymbolPatterns.Count > 0 && replay is null)
            system.ActorOf(ClusterSingletonManager.Props(
                PatternResolver.Props(settings.SymbolPatterns, rest, directory, settings.Binance.ExchangeInfoRefresh), PoisonPill.Instance,
                ClusterSingletonManagerSettings.Create(system)), PatternResolver.Name);
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
