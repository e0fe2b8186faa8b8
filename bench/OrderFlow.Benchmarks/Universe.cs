using System.Diagnostics;
using OrderFlow.Client;
using OrderFlow.Protocol;
using OrderFlow.Simulator;

namespace OrderFlow.Benchmarks;

/// <param name="ReceivedPerSecond">The trades the host's streams received per second over the CPU window, all symbols.</param>
public sealed record UniverseResult(int Symbols, double TradesPerSecond, TimeSpan AllStreaming, int Connections, double CpuPercentOfOneCore,
    long RssBytes, QueryLatency Queries, double ReceivedPerSecond);

/// <summary>
/// A universe through what a user runs: the real <c>orderflow run</c> process, with <c>--symbols '*USDT'</c>, fed by
/// the simulated exchange in this process (the sender) with a skewed load, and a planner in a third process. Measures
/// the time from the host's start until every symbol has said Connected, the connections used, the host's CPU and
/// RSS once all stream and it has settled, the trades it received meanwhile, and the planner's GetMetrics round trips.
/// </summary>
public static class Universe
{
    /// <param name="store">Whether the host records to its tape store (the default), or runs with orderflow.store.kind = off.</param>
    public static async Task<UniverseResult> RunAsync(int symbols, double tradesPerSecond, TimeSpan settle, TimeSpan cpuWindow, TimeSpan queryWindow,
        bool store = true)
    {
        await using var exchange = await ExchangeSimulator.StartAsync(new SimulatorOptions
        {
            Symbols = SimulatorOptions.Universe(symbols, tradesPerSecond),
            TradesKept = 100_000,
        });
        var clock = Stopwatch.StartNew();
        await using var host = HostProcess.Start(["--symbols", "*USDT", "--ws-url", exchange.WebSocketUrl.ToString(),
            "--rest-url", exchange.RestUrl.ToString(), .. store ? [] : await HostProcess.ConfigArgumentsAsync("orderflow.store.kind = off\n")]);
        var connected = new HashSet<string>();
        var allStreaming = TimeSpan.Zero;
        await host.ReadUntilAsync(line =>
        {
            var at = line.IndexOf("🐋 Connected to ", StringComparison.Ordinal);
            if (at >= 0 && connected.Add(line[(at + 16)..].Split(' ')[0]) && connected.Count == symbols) allStreaming = clock.Elapsed;
            return allStreaming != TimeSpan.Zero;
        }, TimeSpan.FromMinutes(5));

        // Steady state, not the start's tail (warm-ups, tiered JIT): the CPU is what a day of streaming costs.
        await Task.Delay(settle);
        await using var status = await OrderFlowClient.ConnectAsync(host.PlannerAddress!);
        var receivedBefore = await ReceivedAsync(status);
        var (cpuBefore, at0) = (host.CpuTicks(), Stopwatch.GetTimestamp());
        await Task.Delay(cpuWindow);
        var cpu = (host.CpuTicks() - cpuBefore) / 100.0 / Stopwatch.GetElapsedTime(at0).TotalSeconds * 100;
        var received = (await ReceivedAsync(status) - receivedBefore) / Stopwatch.GetElapsedTime(at0).TotalSeconds;
        if (store) await AssertRecordingAsync(status, tradesPerSecond);
        var rss = host.RssBytes();

        await using var planner = await PlannerProcess.StartAsync(host.PlannerAddress!, Symbol.Parse("U0001USDT"), TimeSpan.FromMinutes(2));
        await planner.GoAsync();
        await Task.Delay(queryWindow);
        var queries = await planner.StopAsync();
        return new UniverseResult(symbols, tradesPerSecond, allStreaming, exchange.OpenConnections(), cpu, rss, queries, received);
    }

    private static async Task<long> ReceivedAsync(OrderFlowClient client) => (await client.GetStatusAsync()).Streams.Sum(stream => stream.TradesReceived);

    /// <summary>The store keeps up, or the run says why not: a CPU figure for a store that stopped writing would mean nothing.</summary>
    private static async Task AssertRecordingAsync(OrderFlowClient client, double tradesPerSecond)
    {
        var streams = (await client.GetStatusAsync()).Streams;
        var unwritten = streams.Sum(stream => stream.Store?.Unwritten ?? 0);
        if (streams.FirstOrDefault(stream => stream.Store?.Problem is not null) is { } failing)
            throw new InvalidOperationException($"{failing.Symbol} could not write to the tape store: {failing.Store!.Problem}");
        if (unwritten > 5 * tradesPerSecond)
            throw new InvalidOperationException($"the tape store fell behind: {unwritten} trades unwritten");
    }
}
