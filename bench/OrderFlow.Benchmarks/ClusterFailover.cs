using System.Diagnostics;
using System.Globalization;
using OrderFlow.Client;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Streams;
using OrderFlow.Simulator;

namespace OrderFlow.Benchmarks;

/// <summary>
/// Three real <c>orderflow run --cluster</c> processes on loopback, sharing one tape store (the default SQLite file in
/// one data directory), fed by the simulated exchange in this process. It measures, in one run: the cluster's start,
/// an idle cluster's CPU and RSS, GetMetrics asked of the symbol's own node and of another, false downs while both
/// cores are busy, a <c>kill -9</c> of a younger node and of the oldest (to every moved symbol streaming again), a node
/// joining (to its share streaming), a SIGTERM hand-over, how long any symbol was streamed by two nodes at once, and
/// every symbol's tape against the exchange's (lost, twice).
/// </summary>
public static class ClusterFailover
{
    /// <summary>How long any step may take: a universe takes longer to start and to move than a few symbols.</summary>
    private static TimeSpan Limit = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    public static async Task<IReadOnlyList<string>> RunAsync(int symbols, double tradesPerSecond)
    {
        Limit = TimeSpan.FromSeconds(Math.Max(120, symbols * 0.5));
        var listed = SimulatorOptions.Universe(symbols, tradesPerSecond);
        await using var exchange = await ExchangeSimulator.StartAsync(new SimulatorOptions { Symbols = listed, TradesKept = 1_000_000 });
        var dataHome = Directory.CreateTempSubdirectory("orderflow-bench-cluster-").FullName;
        var ports = LoopbackPorts.Free(3);
        var addresses = ports.Select(port => $"akka.tcp://orderflow@127.0.0.1:{port}").ToArray();
        var names = listed.Select(symbol => Symbol.Parse(symbol.Name)).ToList();
        var nodes = new HostProcess?[3];
        var rows = new List<string>();
        using var doubles = new DoubleStreaming(exchange, listed.Select(symbol => symbol.Name).ToList());
        try
        {
            async Task<HostProcess> StartAsync(int index)
            {
                var node = HostProcess.Start(["--cluster", "--seed-nodes", string.Join(",", addresses),
                    "--symbols", string.Join(",", listed.Select(symbol => symbol.Name)),
                    "--ws-url", exchange.WebSocketUrl.ToString(), "--rest-url", exchange.RestUrl.ToString()], dataHome, ports[index]);
                var joined = false;
                await node.ReadUntilAsync(line =>
                {
                    joined |= line.Contains("🧩 Joined the cluster", StringComparison.Ordinal);
                    return joined && node.PlannerAddress is not null;
                }, Limit);
                return nodes[index] = node;
            }

            var started = Stopwatch.StartNew();
            await StartAsync(0);
            await Task.WhenAll(StartAsync(1), StartAsync(2));
            await using var first = await OrderFlowClient.ConnectAsync(nodes[0]!.PlannerAddress!);
            var spread = await AwaitStatusAsync(first, names, status => status.All(s => s.State == StreamState.Connected) &&
                                                                      status.Select(s => s.Node).Distinct().Count() == 3);
            var allStreaming = started.Elapsed;
            await Task.Delay(TimeSpan.FromSeconds(15));
            spread = await AwaitStatusAsync(first, names, status => status.All(s => s.State == StreamState.Connected));
            var perNode = spread.GroupBy(s => s.Node).Select(group => group.Count()).Order().ToList();
            rows.Add(Row("start: three nodes, every symbol streaming on all three", allStreaming, $"symbols per node 15 s later {string.Join(" / ", perNode)}"));

            // Idle: streaming, no one asking.
            await Task.Delay(TimeSpan.FromSeconds(15));
            var cpu = await CpuPercentAsync(nodes.Select(node => node!).ToList(), TimeSpan.FromSeconds(20));
            rows.Add($"| idle cluster ({symbols} symbols, {tradesPerSecond:N0} trades/s in all) | | CPU of one core per node {string.Join(" / ", cpu.Select(c => c.ToString("0.0", CultureInfo.InvariantCulture) + "%"))}; " +
                     $"RSS {string.Join(" / ", nodes.Select(node => $"{node!.RssBytes() / (1024 * 1024)} MiB"))} |");

            // GetMetrics: the symbol's own node, then another that passes the question on.
            var asked = spread.First(s => s.Node == addresses[0]).Symbol;
            var local = await AskMetricsAsync(nodes[0]!.PlannerAddress!, asked);
            var remote = await AskMetricsAsync(nodes[1]!.PlannerAddress!, asked);
            rows.Add($"| GetMetrics from a planner process, 10 s each | | its own node: {Latency(local)}; another node: {Latency(remote)} |");

            // False downs: both cores busy for a minute; no node should be taken for dead.
            var unreachableBefore = nodes.Sum(node => node!.LinesWith("is unreachable").Count);
            var downedBefore = nodes.Sum(node => node!.LinesWith("was downed").Count);
            await BusyCoresAsync(TimeSpan.FromSeconds(60));
            rows.Add($"| false downs: both cores busy (2 × `yes`) for 60 s | | unreachable {nodes.Sum(node => node!.LinesWith("is unreachable").Count) - unreachableBefore}, " +
                     $"downed {nodes.Sum(node => node!.LinesWith("was downed").Count) - downedBefore} |");

            // kill -9 of the youngest node.
            rows.Add(await FailoverAsync("kill -9 of a younger node", nodes, 2, first, names, addresses, doubles));
            // It comes back and takes a share.
            var rejoin = Stopwatch.StartNew();
            await StartAsync(2);
            await AwaitStatusAsync(first, names, status => status.All(s => s.State == StreamState.Connected) && status.Any(s => s.Node == addresses[2]));
            var firstMoved = rejoin.Elapsed;
            // Its share: the shards are balanced by count, so it settles once the others have no more to give.
            await Task.Delay(TimeSpan.FromSeconds(15));
            var shared = await AwaitStatusAsync(first, names, status => status.All(s => s.State == StreamState.Connected));
            rows.Add(Row("a node joins: the first of its share streaming there", firstMoved,
                $"{shared.Count(s => s.Node == addresses[2])} of {symbols} symbols there {Seconds(rejoin.Elapsed)} after its start " +
                $"(per node {string.Join(" / ", shared.GroupBy(s => s.Node).Select(group => group.Count()).Order())})"));

            // kill -9 of the oldest node, watched from the second.
            await using var second = await OrderFlowClient.ConnectAsync(nodes[1]!.PlannerAddress!);
            rows.Add(await FailoverAsync("kill -9 of the oldest node", nodes, 0, second, names, addresses, doubles));

            // SIGTERM of the second: hand-over to the last.
            await using var last = await OrderFlowClient.ConnectAsync(nodes[2]!.PlannerAddress!);
            doubles.Reset();
            var handOver = Stopwatch.StartNew();
            var exit = await nodes[1]!.TerminateAsync();
            var exited = handOver.Elapsed;
            nodes[1] = null;
            await AwaitStatusAsync(last, names, status => status.All(s => s.State == StreamState.Connected && s.Node == addresses[2]));
            rows.Add(Row("SIGTERM of a node: every symbol streaming on the last", handOver.Elapsed,
                $"exit {exit} after {Seconds(exited)}; streamed twice at once: {doubles.Describe()}"));

            var (lost, twice, trades) = await CompareTapesAsync(last, exchange, names);
            rows.Add($"| every symbol's tape from the exchange's first trade, after all of it | | {trades:N0} trades: lost {lost}, twice {twice} |");
            return rows;
        }
        finally
        {
            foreach (var node in nodes)
                if (node is not null) await node.DisposeAsync();
            Directory.Delete(dataHome, recursive: true);
        }
    }

    /// <summary>Kills node <paramref name="victim"/> and waits, asking <paramref name="survivor"/>, until each of its symbols streams elsewhere.</summary>
    private static async Task<string> FailoverAsync(string what, HostProcess?[] nodes, int victim, OrderFlowClient survivor, IReadOnlyList<Symbol> names,
        string[] addresses, DoubleStreaming doubles)
    {
        var watcher = nodes.First(node => node is not null && node != nodes[victim])!;
        var moved = (await survivor.GetStatusAsync()).Streams.Count(s => s.Node == addresses[victim]);
        doubles.Reset();
        var killedAt = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        nodes[victim]!.KillHard();
        nodes[victim] = null;
        await AwaitStatusAsync(survivor, names, status => status.All(s => s.State == StreamState.Connected && s.Node != addresses[victim]));
        var took = clock.Elapsed;
        string After(string text) =>
            watcher.LinesWith(text).Where(entry => entry.At >= killedAt).Select(entry => Seconds(entry.At - killedAt)).FirstOrDefault() ?? "—";
        return Row($"{what}: its symbols streaming on the others", took,
            $"{moved} symbols moved; unreachable after {After("is unreachable")}, downed after {After("was downed")}; " +
            $"streamed twice at once: {doubles.Describe()}");
    }

    private static async Task<IReadOnlyList<StreamStatus>> AwaitStatusAsync(OrderFlowClient client, IReadOnlyList<Symbol> names,
        Func<IReadOnlyList<StreamStatus>, bool> done)
    {
        using var deadline = new CancellationTokenSource(Limit);
        IReadOnlyList<StreamStatus> last = [];
        while (true)
        {
            try
            {
                var status = last = (await client.GetStatusAsync()).Streams;
                if (status.Count == names.Count && done(status)) return status;
            }
            catch (OrderFlowClientException) { } // a question that met the failover: asked again
            if (deadline.IsCancellationRequested)
                throw new TimeoutException($"the cluster did not settle within {Limit.TotalSeconds} s: " +
                                           string.Join(", ", last.GroupBy(s => (s.State, s.Node)).Select(g => $"{g.Count()} {g.Key.State} on {g.Key.Node}")));
            await Task.Delay(Poll);
        }
    }

    private static async Task<QueryLatency> AskMetricsAsync(string address, Symbol symbol)
    {
        await using var planner = await PlannerProcess.StartAsync(address, symbol, TimeSpan.FromMinutes(1));
        await planner.GoAsync();
        await Task.Delay(TimeSpan.FromSeconds(10));
        return await planner.StopAsync();
    }

    private static async Task<double[]> CpuPercentAsync(IReadOnlyList<HostProcess> nodes, TimeSpan window)
    {
        var before = nodes.Select(node => node.CpuTicks()).ToArray();
        var clock = Stopwatch.StartNew();
        await Task.Delay(window);
        return nodes.Select((node, i) => (node.CpuTicks() - before[i]) / 100.0 / clock.Elapsed.TotalSeconds * 100).ToArray();
    }

    private static async Task BusyCoresAsync(TimeSpan length)
    {
        var hogs = Enumerable.Range(0, Environment.ProcessorCount).Select(core =>
        {
            var start = new ProcessStartInfo("yes") { RedirectStandardOutput = true };
            var hog = Process.Start(start)!;
            _ = hog.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
            return hog;
        }).ToList();
        await Task.Delay(length);
        foreach (var hog in hogs)
        {
            hog.Kill();
            hog.Dispose();
        }
    }

    /// <summary>Each symbol's tape held by the last node, from id 1 through what the exchange has made, against the exchange's.</summary>
    private static async Task<(long Lost, long Twice, long Trades)> CompareTapesAsync(OrderFlowClient client, ExchangeSimulator exchange, IReadOnlyList<Symbol> names)
    {
        long lost = 0, twice = 0, trades = 0;
        foreach (var symbol in names)
        {
            var market = exchange.Market(symbol.Name);
            var through = market.LastAggregateId;
            using var deadline = new CancellationTokenSource(Limit);
            IReadOnlyList<long> held;
            while (true)
            {
                held = (await client.GetTradesFromIdAsync(symbol, 1, 1_000_000)).Trades.Select(trade => trade.AggregateId).ToList();
                if (held.Count > 0 && held[^1] >= through) break;
                if (deadline.IsCancellationRequested) throw new TimeoutException($"{symbol} did not catch up to {through}");
                await Task.Delay(Poll);
            }
            var made = market.Trades.Where(trade => trade.AggregateId <= through).Select(trade => trade.AggregateId).ToHashSet();
            var inHistory = held.Where(id => id <= through).ToList();
            var kept = inHistory.ToHashSet();
            lost += made.Count(id => !kept.Contains(id));
            twice += inHistory.Count - kept.Count;
            trades += made.Count;
        }
        return (lost, twice, trades);
    }

    private static string Row(string what, TimeSpan took, string detail)
    {
        var row = $"| {what} | {Seconds(took)} | {detail} |";
        Console.Error.WriteLine(row); // as it is measured: a long run shows how far it got
        return row;
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";

    private static string Latency(QueryLatency latency) =>
        string.Create(CultureInfo.InvariantCulture, $"{latency.Count} asks, p50 {latency.P50Millis:0.00} ms, p99 {latency.P99Millis:0.00} ms, max {latency.MaxMillis:0.00} ms");

    /// <summary>Samples the exchange every 10 ms: for how long any symbol had two live streams at once, since <see cref="Reset"/>.</summary>
    private sealed class DoubleStreaming : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Dictionary<string, TimeSpan> _twice = new();

        public DoubleStreaming(ExchangeSimulator exchange, IReadOnlyList<string> symbols) => _ = Task.Run(async () =>
        {
            var last = Stopwatch.GetTimestamp();
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(10);
                var now = Stopwatch.GetTimestamp();
                var elapsed = Stopwatch.GetElapsedTime(last, now);
                last = now;
                foreach (var symbol in symbols)
                    if (exchange.OpenConnections(symbol) > 1)
                        lock (_twice) _twice[symbol] = _twice.GetValueOrDefault(symbol) + elapsed;
            }
        });

        public void Reset()
        {
            lock (_twice) _twice.Clear();
        }

        public string Describe()
        {
            lock (_twice)
                return _twice.Count == 0 ? "none"
                    : $"{_twice.Count} symbol(s), longest {_twice.Values.Max().TotalMilliseconds:0} ms";
        }

        public void Dispose()
        {
            _stop.Cancel();
            _stop.Dispose();
        }
    }
}
