using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.Event;
using OrderFlow.Actors.Binance;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Hosting;
using OrderFlow.Actors.Membership;
using OrderFlow.Actors.Store;
using OrderFlow.Actors.Tests.Support;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Cluster;
using OrderFlow.Protocol.Serialization;
using OrderFlow.Protocol.Streams;
using OrderFlow.Protocol.Trades;
using OrderFlow.Simulator;
using Xunit;
using Xunit.Abstractions;

namespace OrderFlow.Actors.Tests.Clustering;

/// <summary>
/// Three cluster nodes in this process (three actor systems on loopback, each with its own connections and symbols'
/// actors), one tape store they share, and an exchange on loopback. A node is crashed by terminating its actor system
/// without leaving: its peers see its sockets drop and hear nothing more, as after a kill -9.
/// </summary>
public sealed class ClusterSpecs(ITestOutputHelper output) : StreamSpec(output)
{
    private static readonly Symbol[] Universe = SimulatorOptions.Universe(6, 120).Select(s => Symbol.Parse(s.Name)).ToArray();

    private readonly string _data = System.IO.Directory.CreateTempSubdirectory("orderflow-cluster-").FullName;
    private readonly List<ActorSystem> _nodes = new();
    private readonly List<ITapeStore> _stores = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _unsendable = new();

    protected override SimulatorOptions ExchangeOptions => new() { Symbols = SimulatorOptions.Universe(6, 120) };

    public override async Task DisposeAsync()
    {
        await Task.WhenAll(_nodes.Select(node => node.Terminate()));
        foreach (var store in _stores) await store.DisposeAsync();
        await base.DisposeAsync();
        System.IO.Directory.Delete(_data, recursive: true);
        // Every message was serialized and read back (CrossNodeGuard): one that could not be was dropped, which between
        // two nodes would have been a question without an answer.
        Assert.True(_unsendable.IsEmpty, string.Join("\n", _unsendable));
    }

    [Fact]
    public async Task Symbols_spread_over_three_nodes_and_a_crashed_nodes_symbols_stream_again_on_the_others_with_history_whole()
    {
        var (oldest, second, third) = await StartThreeNodesAsync();
        var directory = Directory(second);

        // Spread: every symbol streams, and every node runs some.
        var spread = await AwaitStatusAsync(directory, status =>
            status.All(s => s.State == StreamState.Connected) && status.Select(s => s.Node).Distinct().Count() == 3, TimeSpan.FromSeconds(40));
        var victim = Address(oldest);
        var moved = spread.Where(s => s.Node == victim).Select(s => s.Symbol).ToList();
        Assert.NotEmpty(moved);

        // The cluster as any node describes it: three members up, the oldest named, each running the symbols status shows there.
        var cluster = await Directory(third).Ask<ClusterState>(GetClusterState.Instance, Dilated(TimeSpan.FromSeconds(10)));
        Assert.Equal(Address(third), cluster.Node);
        Assert.Equal(victim, cluster.Oldest);
        Assert.Equal(new[] { oldest, second, third }.Select(Address).Order(StringComparer.Ordinal), cluster.Members.Select(m => m.Node));
        Assert.All(cluster.Members, m => Assert.True(m is { Status: "Up", Reachable: true, Shards: > 0 }, m.ToString()));
        Assert.All(cluster.Members, m => Assert.Equal(spread.Count(s => s.Node == m.Node), m.Symbols));

        // The oldest (which also runs the shards' coordinator) crashes without a word to the others.
        var crashed = Stopwatch.StartNew();
        await oldest.Terminate();

        // A status asked meanwhile is answered within its deadline, the crashed node's symbols shown as moving from it.
        var asked = Stopwatch.StartNew();
        var partial = (await directory.Ask<StatusReport>(new GetStatus(null), Dilated(TimeSpan.FromSeconds(10)))).Streams;
        Output.WriteLine($"status while a member is unreachable: {asked.ElapsedMilliseconds} ms");
        Assert.Equal(Universe.Order(), partial.Select(s => s.Symbol));
        Assert.All(partial.Where(s => moved.Contains(s.Symbol)), s => Assert.True(s.State == StreamState.Moving && s.Node == victim || s.Node != victim,
            $"{s.Symbol} is {s.State} on {s.Node}"));

        // Described as unreachable, then gone.
        await AwaitAssertAsync(async () =>
        {
            var described = await Directory(second).Ask<ClusterState>(GetClusterState.Instance, Dilated(TimeSpan.FromSeconds(10)));
            Assert.True(described.Members.SingleOrDefault(m => m.Node == victim) is null or { Reachable: false } or { Status: "Down" },
                string.Join("; ", described.Members));
            Assert.NotEqual(victim, described.Oldest);
        }, Dilated(TimeSpan.FromSeconds(30)), TimeSpan.FromMilliseconds(250));

        var after = await AwaitStatusAsync(directory, status =>
            status.All(s => s.State == StreamState.Connected && s.Node != victim), TimeSpan.FromSeconds(60));
        Output.WriteLine($"every symbol streaming on the survivors {crashed.ElapsedMilliseconds} ms after the crash");
        Assert.All(after, s => Assert.Contains(s.Node, new[] { Address(second), Address(third) }));

        // Each symbol's history, from the exchange's first trade on, is the exchange's: the tape across the failover
        // came back from the shared store and REST, nothing lost or twice.
        foreach (var symbol in Universe)
        {
            var last = Exchange.Market(symbol.Name).LastAggregateId;
            var held = await HeldThroughAsync(directory, last, symbol);
            Assert.Equal(1, held[0].AggregateId);
            AssertIsTheExchangeSequence(symbol, held);
        }
    }

    [Fact]
    public async Task Add_and_remove_on_any_node_act_cluster_wide_and_a_removed_symbol_does_not_come_back()
    {
        var (oldest, second, third) = await StartThreeNodesAsync(Universe.Take(2));
        var added = Universe[4];

        Assert.Equal(new SymbolAdded(added), await Directory(third).Ask<object>(new AddSymbol(added), Dilated(TimeSpan.FromSeconds(10))));
        await AwaitAssertAsync(async () =>
        {
            var status = await Directory(oldest).Ask<StatusReport>(new GetStatus(added), Dilated(TimeSpan.FromSeconds(5)));
            Assert.Equal(StreamState.Connected, Assert.Single(status.Streams).State);
        }, Dilated(TimeSpan.FromSeconds(30)));
        Assert.Contains(added, (await Directory(second).Ask<StreamedSymbols>(GetStreamedSymbols.Instance)).Symbols);

        Assert.Equal(new SymbolRemoved(added), await Directory(oldest).Ask<object>(new RemoveSymbol(added), Dilated(TimeSpan.FromSeconds(10))));
        await AwaitAssertAsync(() => Assert.Equal(0, Exchange.OpenConnections(added.Name)), Dilated(TimeSpan.FromSeconds(15)));
        foreach (var node in new[] { oldest, second, third })
        {
            await AwaitAssertAsync(async () =>
                Assert.DoesNotContain(added, (await Directory(node).Ask<StreamedSymbols>(GetStreamedSymbols.Instance)).Symbols), Dilated(TimeSpan.FromSeconds(10)));
            Assert.Equal(new SymbolNotFound(added), await Directory(node).Ask<object>(new GetRecentTrades(added, 1), Dilated(TimeSpan.FromSeconds(10))));
        }

        // A node that joins configured with it does not bring it back: the cluster removed it. Every node's lifecycle
        // events are watched, the late one's from before its symbols start: a stream of it anywhere would say so.
        var lifecycle = CreateTestProbe();
        foreach (var node in new[] { oldest, second, third }) node.EventStream.Subscribe(lifecycle.Ref, typeof(IStreamLifecycleEvent));
        var late = await StartNodeAsync(NodeSettings(string.Join(",", Universe.Take(2).Append(added)), Seeds(oldest)),
            node => node.EventStream.Subscribe(lifecycle.Ref, typeof(IStreamLifecycleEvent)));
        await AwaitAssertAsync(() => Assert.Equal(4, Cluster.Get(oldest).State.Members.Count(m => m.Status == MemberStatus.Up)), Dilated(TimeSpan.FromSeconds(20)));
        var heard = lifecycle.ReceiveWhile(Dilated(TimeSpan.FromSeconds(3)), message => message as IStreamLifecycleEvent);
        Assert.DoesNotContain(heard, e => e!.Symbol == added);
        Assert.Equal(new SymbolNotFound(added), await Directory(late).Ask<object>(new GetStatus(added), Dilated(TimeSpan.FromSeconds(10))));
        // A shard that remembered it may start its actor for a moment before the directory's word stops it (see the issue
        // note): no connection carries it once that is done.
        await AwaitAssertAsync(() => Assert.Equal(0, Exchange.OpenConnections(added.Name)), Dilated(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Nodes_of_one_egress_group_share_its_limits_and_a_Retry_After_told_to_one_holds_them_all()
    {
        // Three nodes on one machine: one egress group (the host's address) by default.
        var (oldest, second, third) = await StartThreeNodesAsync(Universe.Take(1));
        await AwaitAssertAsync(() => Assert.All(new[] { oldest, second, third }, node =>
        {
            var (_, connections, rest) = ExchangeLimits.For(node).Markets[0];
            Assert.Equal(rest.GroupPerMinute / 3, rest.PerMinute);
            Assert.Equal(Math.Max(1, connections.Settings.Attempts / 3), connections.Attempts);
        }), Dilated(TimeSpan.FromSeconds(10)));

        // Binance answers one node's request with a 429 and Retry-After: every node of the group holds.
        var (_, secondConnections, secondRest) = ExchangeLimits.For(second).Markets[0];
        secondRest.HoldFor(TimeSpan.FromSeconds(40));
        secondConnections.HoldFor(TimeSpan.FromSeconds(40), "HTTP 429 on the upgrade");
        await AwaitAssertAsync(() => Assert.All(new[] { oldest, third }, node =>
        {
            var (_, connections, rest) = ExchangeLimits.For(node).Markets[0];
            Assert.Equal(secondRest.HeldUntil, rest.HeldUntil);
            Assert.False(rest.TryAcquire(1, out _));
            Assert.False(connections.TryAcquire(out _, out var why));
            Assert.Contains("HTTP 429 on the upgrade", why);
        }), Dilated(TimeSpan.FromSeconds(10)));

        // A member gone, the others' shares grow.
        await third.Terminate();
        await AwaitAssertAsync(() => Assert.All(new[] { oldest, second }, node =>
            Assert.Equal(ExchangeLimits.For(node).Markets[0].Weight.GroupPerMinute / 2, ExchangeLimits.For(node).Markets[0].Weight.PerMinute)),
            Dilated(TimeSpan.FromSeconds(40)));
    }

    [Fact]
    public async Task Runtime_adds_and_removals_outlive_a_full_restart_of_the_cluster()
    {
        var configured = string.Join(",", Universe.Take(2));
        var (added, removed) = (Universe[4], Universe[1]);
        var first = await StartNodeAsync(NodeSettings(configured, seeds: null));
        Assert.Equal(new SymbolAdded(added), await Directory(first).Ask<object>(new AddSymbol(added), Dilated(TimeSpan.FromSeconds(20))));
        Assert.Equal(new SymbolRemoved(removed), await Directory(first).Ask<object>(new RemoveSymbol(removed), Dilated(TimeSpan.FromSeconds(20))));
        await first.Terminate();

        // The whole cluster went; it starts again with the same configuration and store.
        var again = await StartNodeAsync(NodeSettings(configured, seeds: null));
        await AwaitAssertAsync(async () =>
        {
            var streamed = (await Directory(again).Ask<StreamedSymbols>(GetStreamedSymbols.Instance, Dilated(TimeSpan.FromSeconds(5)))).Symbols;
            Assert.Equal([Universe[0], added], streamed.Order());
            var status = await Directory(again).Ask<StatusReport>(new GetStatus(added), Dilated(TimeSpan.FromSeconds(5)));
            Assert.Equal(StreamState.Connected, Assert.Single(status.Streams).State);
        }, Dilated(TimeSpan.FromSeconds(30)), TimeSpan.FromMilliseconds(250));
        Assert.Equal(new SymbolNotFound(removed), await Directory(again).Ask<object>(new GetRecentTrades(removed, 1), Dilated(TimeSpan.FromSeconds(10))));
        Assert.Equal(0, Exchange.OpenConnections(removed.Name));
    }

    [Fact]
    public async Task A_node_on_another_store_or_with_another_shard_count_refuses_to_join_in_one_line()
    {
        var oldest = await StartNodeAsync(NodeSettings(Universe[0].Value, seeds: null));
        await AwaitAssertAsync(() => Assert.Equal(MemberStatus.Up, Cluster.Get(oldest).SelfMember.Status), Dilated(TimeSpan.FromSeconds(10)));
        var joining = NodeSettings(Universe[0].Value, Seeds(oldest));

        // The cluster's store: it joins.
        await using (var same = await TapeStores.OpenAsync(joining.Store)) await JoinCheck.EnsureSameSetupAsync(joining, same);

        await using var other = await SqliteTapeStore.OpenAsync(Path.Combine(_data, "elsewhere", "tape.db"));
        var refused = await Assert.ThrowsAsync<TapeStoreException>(() => JoinCheck.EnsureSameSetupAsync(joining, other));
        Assert.Matches(@"^this node's tape store \(SQLite .*elsewhere/tape\.db, store [0-9a-f]{8}\) is not the cluster's \(akka\.tcp://orderflow@127\.0\.0\.1:\d+ records to SQLite .*/tape\.db, store [0-9a-f]{8}\)", refused.Message);
        Assert.DoesNotContain('\n', refused.Message);
        await Assert.ThrowsAsync<TapeStoreException>(() => JoinCheck.EnsureSameSetupAsync(joining, store: null));

        var otherShards = joining with { Cluster = joining.Cluster with { Shards = 50 } };
        await using var same2 = await TapeStores.OpenAsync(joining.Store);
        var shards = await Assert.ThrowsAsync<OrderFlow.Actors.Configuration.ConfigurationException>(() => JoinCheck.EnsureSameSetupAsync(otherShards, same2));
        Assert.StartsWith("orderflow.cluster.shards is 50 here but 100 in the cluster (akka.tcp://orderflow@127.0.0.1:", shards.Message);
    }

    [Fact]
    public async Task Three_nodes_that_find_their_seeds_through_discovery_form_one_cluster_and_spread_the_symbols()
    {
        // No seed list: each node finds the others through Akka.Discovery (config here, the Kubernetes API in
        // production), and all of them name the same first seed, so exactly one cluster forms.
        var ports = LoopbackPorts.Free(3);
        var endpoints = string.Join(", ", ports.Select(port => OrderFlowConfiguration.Quote($"127.0.0.1:{port}")));
        var progress = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var found = await Task.WhenAll(ports.Select(port => SeedFinder.FindAsync(Settings(string.Join(",", Universe), extraHocon: $$"""
            orderflow.store { kind = sqlite, path = {{OrderFlowConfiguration.Quote(Path.Combine(_data, "tape.db"))}}, flush-interval = 200ms }
            orderflow.remote { host = 127.0.0.1, akka-port = {{port}} }
            orderflow.cluster { enabled = on, discovery { method = config, endpoints = [{{endpoints}}] } }
            """), (_, template, _) => progress.Enqueue(template), CancellationToken.None)));
        Assert.All(found, settings => Assert.Equal(ports.Order().Select(port => $"akka.tcp://orderflow@127.0.0.1:{port}"), settings.Cluster.SeedNodes));
        Assert.Contains(progress, line => line.StartsWith("🧭 Found {Count} node(s) through {Where}"));

        var nodes = new List<ActorSystem>();
        foreach (var settings in found) nodes.Add(await StartNodeAsync(settings));
        await AwaitAssertAsync(() => Assert.All(nodes,
            node => Assert.Equal(3, Cluster.Get(node).State.Members.Count(m => m.Status == MemberStatus.Up))), Dilated(TimeSpan.FromSeconds(30)));
        var spread = await AwaitStatusAsync(Directory(nodes[2]), status =>
            status.All(s => s.State == StreamState.Connected) && status.Select(s => s.Node).Distinct().Count() == 3, TimeSpan.FromSeconds(40));
        Assert.Equal(nodes.Select(Address).Order(), spread.Select(s => s.Node!).Distinct().Order());
    }

    [Fact]
    public async Task A_node_that_finds_too_few_peers_keeps_saying_what_it_found()
    {
        var ports = LoopbackPorts.Free(1);
        var progress = new System.Collections.Concurrent.ConcurrentQueue<(string Template, object?[] Values)>();
        using var stop = new CancellationTokenSource();
        var finding = SeedFinder.FindAsync(Settings("BTCUSDT", extraHocon: $$"""
            orderflow.remote { host = 127.0.0.1, akka-port = {{ports[0]}} }
            orderflow.cluster { enabled = on, discovery { method = config, required = 3, endpoints = ["127.0.0.1:{{ports[0]}}"] } }
            """), (_, template, values) => progress.Enqueue((template, values)), stop.Token);
        await AwaitAssertAsync(() => Assert.Contains(progress, said =>
            said.Template == "🧭 Looking for the cluster's nodes through {Where}: {Count} of the {Required} needed found ({Found})" &&
            said.Values.SequenceEqual([$"the configured endpoints 127.0.0.1:{ports[0]}", 1, 3, $"akka.tcp://orderflow@127.0.0.1:{ports[0]}"])),
            Dilated(TimeSpan.FromSeconds(10)));
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => finding);
    }

    private async Task<(ActorSystem Oldest, ActorSystem Second, ActorSystem Third)> StartThreeNodesAsync(IEnumerable<Symbol>? symbols = null)
    {
        var configured = string.Join(",", symbols ?? Universe);
        var oldest = await StartNodeAsync(NodeSettings(configured, seeds: null));
        await AwaitAssertAsync(() => Assert.Equal(MemberStatus.Up, Cluster.Get(oldest).SelfMember.Status), Dilated(TimeSpan.FromSeconds(10)));
        var second = await StartNodeAsync(NodeSettings(configured, Seeds(oldest)));
        var third = await StartNodeAsync(NodeSettings(configured, Seeds(oldest)));
        await AwaitAssertAsync(() => Assert.All(new[] { oldest, second, third },
            node => Assert.Equal(3, Cluster.Get(node).State.Members.Count(m => m.Status == MemberStatus.Up))), Dilated(TimeSpan.FromSeconds(20)));
        return (oldest, second, third);
    }

    /// <summary>A node's settings: the symbols, the shared store, and the seeds (null: the first node, which forms the cluster).</summary>
    private OrderFlowSettings NodeSettings(string symbols, string? seeds) => Settings(symbols, extraHocon: $$"""
        orderflow.store { kind = sqlite, path = {{OrderFlowConfiguration.Quote(Path.Combine(_data, "tape.db"))}}, flush-interval = 200ms }
        orderflow.cluster { enabled = {{(seeds is null ? "off" : "on")}}, seed-nodes = [{{seeds}}] }
        """);

    private static string Seeds(ActorSystem node) => OrderFlowConfiguration.Quote(Address(node));

    private static string Address(ActorSystem node) => Cluster.Get(node).SelfAddress.ToString();

    private static IActorRef Directory(ActorSystem node) =>
        node.ActorSelection("/user/symbols").ResolveOne(TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();

    /// <param name="beforeSymbols">Done with the node's actor system before its symbols start.</param>
    private async Task<ActorSystem> StartNodeAsync(OrderFlowSettings settings, Action<ActorSystem>? beforeSymbols = null)
    {
        var config = ConfigurationFactory.ParseString($$"""
            akka.loglevel = INFO
            akka.loggers = []
            akka.actor.ask-timeout = 20s
            akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = {{(settings.Cluster.Discovery is null ? 0 : settings.Remote.AkkaPort)}} }
            # Terminating a node is a crash: no leaving, no hand-off.
            akka.coordinated-shutdown.run-by-actor-system-terminate = off
            """ + "\n" + OrderFlowSerializer.Hocon + "\n" + CrossNodeGuard.Hocon + "\n" + PipelineDispatcher.Hocon + "\n" + ClusterHocon.For(settings.Cluster));
        var node = ActorSystem.Create("orderflow", config);
        _nodes.Add(node);
        // Each node's log in the spec's output (shown when it fails), naming the node.
        node.EventStream.Subscribe(node.ActorOf(Props.Create(() => new NodeLog(Output, Cluster.Get(node).SelfAddress.Port ?? 0, _unsendable))), typeof(LogEvent));
        beforeSymbols?.Invoke(node);
        var store = await TapeStores.OpenAsync(settings.Store);
        _stores.Add(store!);
        node.StartOrderFlowSymbols(settings, store: store);
        return node;
    }

    private async Task<IReadOnlyList<StreamStatus>> AwaitStatusAsync(IActorRef directory, Func<IReadOnlyList<StreamStatus>, bool> done, TimeSpan within)
    {
        IReadOnlyList<StreamStatus> status = [];
        await AwaitAssertAsync(async () =>
        {
            status = (await directory.Ask<StatusReport>(new GetStatus(null), Dilated(TimeSpan.FromSeconds(10)))).Streams;
            Assert.Equal(Universe.Order(), status.Select(s => s.Symbol));
            Assert.True(done(status), string.Join("; ", status.Select(s => $"{s.Symbol} {s.State} on {s.Node}")));
        }, Dilated(within), TimeSpan.FromMilliseconds(250));
        return status;
    }

    /// <summary>Writes a node's log events to the spec's output, tagged with the node's port; keeps the messages that failed to serialize.</summary>
    private sealed class NodeLog : ReceiveActor
    {
        public NodeLog(ITestOutputHelper output, int port, System.Collections.Concurrent.ConcurrentQueue<string> unsendable) => Receive<LogEvent>(e =>
        {
            // Ours only: some of Akka's own in-process messages fail its serializers under serialize-messages (a
            // Status.Failure carrying an AggregateException), which is Akka's business.
            if (e.Cause is System.Runtime.Serialization.SerializationException && e.Cause.Message.Contains("payload object [OrderFlow."))
                unsendable.Enqueue($"[{port}] {e.Cause.Message}");
            try { output.WriteLine($"[{port}] {e.Timestamp:HH:mm:ss.fff} {e.LogLevel()} {e.LogSource}: {e.Message}{(e.Cause is null ? "" : " " + e.Cause)}"); }
            catch (InvalidOperationException) { } // the spec is over
        });
    }
}
