using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Akka.TestKit.Xunit2;
using OrderFlow.Actors.Tests.Support;
using OrderFlow.Client;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Metrics;
using OrderFlow.Protocol.Streams;
using OrderFlow.Protocol.Trades;
using OrderFlow.Simulator;
using Xunit;
using Xunit.Abstractions;

namespace OrderFlow.Actors.Tests.Clustering;

/// <summary>
/// Three real <c>orderflow run --cluster</c> processes on loopback sharing one tape store (the default SQLite file in a
/// data directory they share), an exchange on loopback, a real <c>kill -9</c> of the oldest node and a SIGTERM of
/// another. Times are printed, not asserted: they are the benchmark's to hold to a target.
/// </summary>
public sealed class ClusterProcessSpecs(ITestOutputHelper output) : TestKit(output: output), IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);
    private static readonly IReadOnlyList<SimulatedSymbol> Listed = SimulatorOptions.Universe(6, 60);

    private readonly string _dataHome = Directory.CreateTempSubdirectory("orderflow-cluster-").FullName;
    private readonly List<OrderFlowProcess> _nodes = new();
    private ExchangeSimulator _exchange = null!;

    public async Task InitializeAsync() => _exchange = await ExchangeSimulator.StartAsync(new SimulatorOptions { Symbols = Listed });

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes) node.Dispose();
        await _exchange.DisposeAsync();
        Directory.Delete(_dataHome, recursive: true);
    }

    [Fact]
    public async Task A_killed_oldest_nodes_symbols_stream_on_the_others_with_every_trade_once_and_a_node_told_to_stop_hands_over_and_exits_0()
    {
        var ports = LoopbackPorts.Free(3);
        var seeds = string.Join(",", ports.Select(port => $"akka.tcp://orderflow@127.0.0.1:{port}"));
        var oldest = Node(ports[0], seeds);
        await oldest.WaitForLineAsync("🧩 Joined the cluster", Limit);
        var second = Node(ports[1], seeds);
        var third = Node(ports[2], seeds);
        await using var api = OrderFlowHttpClient.Create(await second.QueryAddressAsync(Limit));

        var spread = await AwaitStatusAsync(api, status => status.All(s => s.State == StreamState.Connected) && status.Select(s => s.Node).Distinct().Count() == 3);
        Assert.Equal(Listed.Select(s => s.Name).Order(), spread.Select(s => s.Symbol.Value));
        var victim = $"akka.tcp://orderflow@127.0.0.1:{ports[0]}";

        // A planner given every node asks the first (the oldest), subscribed to lifecycle events and to a symbol's
        // window that will move.
        await using var planner = await OrderFlowClient.ConnectAsync(string.Join(",", ports.Select(port => $"127.0.0.1:{port}")));
        Assert.Equal($"127.0.0.1:{ports[0]}", planner.Node);
        var heard = new ConcurrentQueue<IStreamLifecycleEvent>();
        planner.Lifecycle += heard.Enqueue;
        await planner.SubscribeLifecycleAsync();
        var moving = spread.First(s => s.Node == victim).Symbol;
        var snapshots = new ConcurrentQueue<MetricsSnapshot>();
        planner.Metrics += snapshots.Enqueue;
        planner.SubscribeMetrics(moving, TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(200));
        await AwaitConditionAsync(() => Task.FromResult(!snapshots.IsEmpty), Limit);

        var killed = Stopwatch.StartNew();
        oldest.KillHard();
        await AwaitStatusAsync(api, status => status.All(s => s.State == StreamState.Connected && s.Node != victim));
        Output.WriteLine($"kill -9 of the oldest node: every symbol streaming on the others after {killed.ElapsedMilliseconds} ms");
        await AssertEveryTradeOnceAsync(api);

        // The planner moved to a live node, heard the moved symbols connect there, and its window is delivered again.
        await AwaitAssertAsync(() => Assert.NotEqual($"127.0.0.1:{ports[0]}", planner.Node), Dilated(Limit));
        await AwaitAssertAsync(() => Assert.Contains(heard, e => e is Connected && e.Symbol == moving), Dilated(Limit));
        var before = snapshots.Count;
        await AwaitAssertAsync(() => Assert.True(snapshots.Count > before + 2), Dilated(Limit));
        Assert.Equal(moving, (await planner.GetMetricsAsync(moving, TimeSpan.FromMinutes(1))).Symbol);

        // A node told to stop hands its symbols over, leaves, and exits 0; they stream on the last node.
        var leaving = $"akka.tcp://orderflow@127.0.0.1:{ports[1]}";
        await using var last = OrderFlowHttpClient.Create(await third.QueryAddressAsync(Limit));
        var stopped = Stopwatch.StartNew();
        second.Terminate();
        Assert.Equal(0, await second.WaitForExitAsync(Limit));
        await AwaitStatusAsync(last, status => status.All(s => s.State == StreamState.Connected && s.Node != leaving && s.Node != victim));
        Output.WriteLine($"SIGTERM: every symbol streaming on the last node after {stopped.ElapsedMilliseconds} ms");
        await AssertEveryTradeOnceAsync(last);
        Assert.Empty(second.Stderr);
    }

    [Fact]
    public async Task A_node_on_another_store_refuses_to_join_with_one_line_and_exit_2()
    {
        var ports = LoopbackPorts.Free(2);
        var seeds = string.Join(",", ports.Select(port => $"akka.tcp://orderflow@127.0.0.1:{port}"));
        var first = Node(ports[0], seeds);
        await first.WaitForLineAsync("🧩 Joined the cluster", Limit);

        var elsewhere = Directory.CreateTempSubdirectory("orderflow-cluster-elsewhere-").FullName;
        try
        {
            var stranger = Node(ports[1], seeds, elsewhere);
            Assert.Equal(2, await stranger.WaitForExitAsync(Limit));
            var line = Assert.Single(stranger.Stderr);
            Assert.StartsWith("orderflow: this node's tape store (SQLite ", line);
            Assert.Contains($"is not the cluster's (akka.tcp://orderflow@127.0.0.1:{ports[0]} records to SQLite ", line);
            Assert.EndsWith("not joining", line);
        }
        finally
        {
            Directory.Delete(elsewhere, recursive: true);
        }
    }

    [Fact]
    public async Task A_node_whose_seeds_do_not_answer_keeps_saying_so_and_is_not_ready()
    {
        var ports = LoopbackPorts.Free(2);
        // Its seed list names a node that is not there, and not itself: it cannot form a cluster alone.
        var lonely = Node(ports[0], $"akka.tcp://orderflow@127.0.0.1:{ports[1]}");
        await lonely.WaitForLineAsync($"⏳ Not in the cluster after", Limit);
        await lonely.WaitForLineAsync($"no seed has answered yet (akka.tcp://orderflow@127.0.0.1:{ports[1]})", Limit);
        using var http = new HttpClient { BaseAddress = new Uri($"http://{await lonely.QueryAddressAsync(Limit)}") };
        var ready = await http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("this node is not a member of the cluster yet", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_demo_with_three_nodes_spreads_its_symbols_over_a_cluster_of_real_processes_and_stops_them_all()
    {
        using var demo = OrderFlowProcess.Start("demo", "--nodes", "3", "--calm");
        var pages = (await demo.WaitForLineAsync("🎭 3 nodes on loopback", Limit)).Split("every symbol: ")[1].Split(", ");
        await using var api = OrderFlowHttpClient.Create(pages[2].Replace("http://", "").TrimEnd('/'));
        await AwaitAssertAsync(async () =>
        {
            var cluster = await api.GetClusterStateAsync();
            Assert.Equal(3, cluster.Members.Count(m => m is { Status: "Up", Reachable: true, Symbols: > 0 }));
            var status = (await api.GetStatusAsync()).Streams;
            Assert.All(status, s => Assert.Equal(StreamState.Connected, s.State));
            Assert.Equal(cluster.Members.Sum(m => m.Symbols), status.Count);
        }, Dilated(Limit), TimeSpan.FromMilliseconds(500));

        demo.Terminate();
        Assert.Equal(0, await demo.WaitForExitAsync(Limit));
        await demo.WaitForLineAsync("🎭 Stopping the nodes", Limit);
    }

    private OrderFlowProcess Node(int akkaPort, string seeds, string? dataHome = null)
    {
        var node = OrderFlowProcess.StartWithData(dataHome ?? _dataHome, "run", "--cluster", "--seed-nodes", seeds, "--akka-port", akkaPort.ToString(),
            "--http-port", "0", "--symbols", string.Join(",", Listed.Select(s => s.Name)),
            "--ws-url", _exchange.WebSocketUrl.ToString(), "--rest-url", _exchange.RestUrl.ToString());
        _nodes.Add(node);
        return node;
    }

    private async Task<IReadOnlyList<StreamStatus>> AwaitStatusAsync(OrderFlowHttpClient api, Func<IReadOnlyList<StreamStatus>, bool> done)
    {
        IReadOnlyList<StreamStatus> status = [];
        await AwaitAssertAsync(async () =>
        {
            status = (await api.GetStatusAsync()).Streams;
            Assert.Equal(Listed.Count, status.Count);
            Assert.True(done(status), string.Join("; ", status.Select(s => $"{s.Symbol} {s.State} on {s.Node}")));
        }, Dilated(Limit), TimeSpan.FromMilliseconds(250));
        return status;
    }

    /// <summary>Each symbol's tape from the exchange's first trade through one made now: the exchange's, none lost, none twice.</summary>
    private async Task AssertEveryTradeOnceAsync(OrderFlowHttpClient api)
    {
        foreach (var listed in Listed)
        {
            var (symbol, market) = (Symbol.Parse(listed.Name), _exchange.Market(listed.Name));
            var through = market.LastAggregateId;
            IReadOnlyList<AggregateTrade> held = [];
            await AwaitAssertAsync(async () =>
            {
                held = (await api.GetTradesFromIdAsync(symbol, 1, 1_000_000)).Trades;
                Assert.True(held.Count > 0 && held[^1].AggregateId >= through, $"{symbol} held through {(held.Count > 0 ? held[^1].AggregateId : 0)} of {through}");
            }, Dilated(Limit), TimeSpan.FromMilliseconds(250));
            var generated = market.Trades.Take(held.Count).ToList();
            Assert.Equal(generated, held);
        }
    }
}
