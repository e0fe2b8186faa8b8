using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using OrderFlow.Client;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Streams;
using OrderFlow.Simulator;

namespace OrderFlow.Benchmarks;

/// <summary>
/// One symbol flooded with twice <see cref="Trades"/>: the real host process against a bare socket read of the same
/// tape, same sender. Each reader is timed over the first half (a fresh process: its JIT still compiling) and over the
/// second (warm, as a host that has streamed for a while takes a burst).
/// </summary>
/// <param name="HostCpuSecondHalf">The host process's CPU time (user + system, all threads) over the second half.</param>
public sealed record HostFloodResult(int Trades, Halves Bare, Halves Host, long Gaps, long Duplicates, TimeSpan HostCpuSecondHalf)
{
    /// <summary>The warm half's trades per second of the host's CPU: what a trade costs, whatever else the machine runs.</summary>
    public double HostTradesPerCpuSecond => Trades / HostCpuSecondHalf.TotalSeconds;

    public double ColdRatio => Bare.First / Host.First;

    public double WarmRatio => Bare.Second / Host.Second;
}

/// <summary>How long a reader took over each half of the tape.</summary>
public sealed record Halves(TimeSpan First, TimeSpan Second)
{
    public static Halves Between(long go, long half, long end) =>
        new(Stopwatch.GetElapsedTime(go, half), Stopwatch.GetElapsedTime(half, end));
}

/// <summary>
/// What a user runs, flooded. The sender is a process of its own (<see cref="FloodExchange"/>: the flood's WebSocket
/// and an exchange's REST), started afresh for each reader. The bare reader is ClientWebSocket and one
/// <see cref="Utf8JsonReader"/> pass per frame, no validation, in this process. The host is <c>orderflow run</c> with
/// its defaults, watched by a client polling its newest trade and its metrics for the last id. Each clock starts at the sender's "go".
/// </summary>
public static class HostFlood
{
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan SettleAfterConnect = TimeSpan.FromSeconds(15);

    /// <param name="hocon">Settings over the host's defaults (<c>orderflow.store.kind = off</c>, say).</param>
    /// <param name="maxTicks">How far the tape's price moves a trade, at most (<see cref="Tapes.LiquidTicks"/>, <see cref="Tapes.VolatileTicks"/>).</param>
    public static async Task<HostFloodResult> RunAsync(string symbol, int trades, TimeSpan limit, string hocon = "", int maxTicks = Tapes.LiquidTicks)
    {
        Halves bare;
        await using (var sender = await FloodExchange.StartAsync(symbol, 2 * trades, maxTicks)) bare = await BareReadAsync(sender, symbol, trades, limit);
        await using var exchange = await FloodExchange.StartAsync(symbol, 2 * trades, maxTicks);
        string[] arguments = ["--symbols", symbol, "--ws-url", exchange.WebSocketUrl, "--rest-url", exchange.RestUrl];
        await using var host = HostProcess.Start(hocon.Length == 0 ? arguments : [.. arguments, .. await HostProcess.ConfigArgumentsAsync(hocon)]);
        await host.ReadUntilAsync(line => line.Contains($"🐋 Connected to {symbol} ", StringComparison.Ordinal), limit);
        await using var client = await OrderFlowClient.ConnectAsync(host.PlannerAddress!);
        var asked = Symbol.Parse(symbol);
        await Jit.QuietAsync(() => client.GetStatusAsync(asked));
        // Its start-up done before the flood (cluster join, warm-up, the JIT's background tiering): a host flooded within
        // a second or two of connecting spent 1.5-3x the CPU a trade for the whole run, which hid what the tape costs.
        await Task.Delay(SettleAfterConnect);

        // The status's counters are reported once a second, too coarse for a run of a few seconds: the clock reads
        // the history's newest trade (cheap to ask), then the end waits for the metrics to have taken the last one.
        var go = await exchange.GoAsync();
        long half = 0, halfCpu = 0, last = 2L * trades;
        while (await NewestIdAsync(client, asked) is var newest && newest < last)
        {
            if (half == 0 && newest >= trades) (half, halfCpu) = (Stopwatch.GetTimestamp(), host.CpuTicks());
            if (Stopwatch.GetElapsedTime(go) > limit) throw new TimeoutException($"the host had {newest} of {last} trades after {limit}");
            await Task.Delay(PollEvery);
        }
        while ((await client.GetMetricsAsync(asked, TimeSpan.FromMinutes(1))).AsOfAggregateId < last)
        {
            if (Stopwatch.GetElapsedTime(go) > limit) throw new TimeoutException($"the host's metrics had not taken {last} trades after {limit}");
            await Task.Delay(PollEvery);
        }
        var (end, endCpu) = (Stopwatch.GetTimestamp(), host.CpuTicks());
        StreamStatus status;
        while ((status = (await client.GetStatusAsync(asked)).Streams.Single()).LastAggregateId != last) await Task.Delay(PollEvery);
        return new HostFloodResult(trades, bare, Halves.Between(go, half, end), status.GapsDetected, status.DuplicatesDropped,
            TimeSpan.FromSeconds((endCpu - halfCpu) / 100.0));
    }

    private static async Task<long> NewestIdAsync(OrderFlowClient client, Symbol symbol) =>
        (await client.GetLastTradesAsync(symbol, 1)).Trades is [.., var newest] ? newest.AggregateId : 0;

    /// <summary>A bare read, unmeasured, so the measured ones run compiled code: the baseline is the best a reader does.</summary>
    public static async Task WarmUpAsync(string symbol, int trades, TimeSpan limit)
    {
        await using var sender = await FloodExchange.StartAsync(symbol, 2 * trades);
        await BareReadAsync(sender, symbol, trades, limit);
    }

    /// <summary>The least a reader can do with the feed: receive each frame whole, one JSON pass over it, count.</summary>
    private static async Task<Halves> BareReadAsync(FloodExchange sender, string symbol, int trades, TimeSpan limit)
    {
        using var deadline = new CancellationTokenSource(limit);
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(new Uri(sender.WebSocketUrl), $"/ws/{symbol.ToLowerInvariant()}@aggTrade"), deadline.Token);
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var go = await sender.GoAsync();
        long half = 0, tokens = 0;
        for (var counted = 0; counted < 2 * trades; counted++)
        {
            if (counted == trades) half = Stopwatch.GetTimestamp();
            var length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer.AsMemory(length), deadline.Token);
                length += result.Count;
            } while (!result.EndOfMessage);
            var reader = new Utf8JsonReader(buffer.AsSpan(0, length));
            while (reader.Read()) tokens++;
        }
        var halves = Halves.Between(go, half, Stopwatch.GetTimestamp());
        ArrayPool<byte>.Shared.Return(buffer);
        if (tokens < trades) throw new InvalidOperationException("the frames held no JSON");
        return halves;
    }
}

/// <summary>
/// The flood's sender in a process of its own: a <see cref="FloodServer"/> holding one symbol's tape, and a simulated
/// exchange's REST listing the symbol (no trades), as <c>flood-exchange SYMBOL TRADES MAX-TICKS</c> (the whole tape). It prints its two URLs,
/// starts sending at "go" on its stdin and ends when stdin closes.
/// </summary>
public sealed class FloodExchange : IAsyncDisposable
{
    public const string Verb = "flood-exchange";

    private readonly Process _process;

    private FloodExchange(Process process, string webSocketUrl, string restUrl) =>
        (_process, WebSocketUrl, RestUrl) = (process, webSocketUrl, restUrl);

    public string WebSocketUrl { get; }

    public string RestUrl { get; }

    public static async Task<FloodExchange> StartAsync(string symbol, int trades, int maxTicks = Tapes.LiquidTicks)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { typeof(FloodExchange).Assembly.Location, Verb, symbol, trades.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     maxTicks.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(arg);
        var process = Process.Start(start)!;
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var urls = (await process.StandardOutput.ReadLineAsync(deadline.Token) ?? throw new InvalidOperationException("the sender did not start")).Split(' ');
        return new FloodExchange(process, urls[0], urls[1]);
    }

    /// <summary>Tells the sender to start, and returns when (a Stopwatch timestamp) it was told.</summary>
    public async Task<long> GoAsync()
    {
        var at = Stopwatch.GetTimestamp();
        await _process.StandardInput.WriteLineAsync("go");
        await _process.StandardInput.FlushAsync();
        return at;
    }

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    /// <summary>The child's side.</summary>
    public static async Task<int> ServeAsync(string symbol, int trades, int maxTicks)
    {
        await using var exchange = await ExchangeSimulator.StartAsync(new SimulatorOptions
        {
            TradesPerSecond = 0,
            Symbols = [new SimulatedSymbol(symbol, 91_350m)],
        });
        await using var flood = FloodServer.Flood(new Dictionary<string, IReadOnlyList<Protocol.Trades.AggregateTrade>> { [symbol] = Tapes.Make(trades, seed: 1, maxTicks: maxTicks) },
            goAtOnce: false);
        Console.WriteLine($"{flood.WebSocketUrl} {exchange.RestUrl}");
        while (Console.ReadLine() is { } line)
            if (line == "go") flood.Go();
        return 0;
    }
}
