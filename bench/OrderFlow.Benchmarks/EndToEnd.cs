using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using Akka.Actor;
using OrderFlow.Actors.Binance;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Hosting;
using OrderFlow.Actors.Streams;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;
using OrderFlow.Simulator;

namespace OrderFlow.Benchmarks;

/// <summary>One end-to-end run: the raw baseline and the pipeline against the same flood, and their rates.</summary>
public sealed record EndToEndResult(int Symbols, int TradesPerSymbol, TimeSpan Raw, TimeSpan Pipeline, long Received, long Gaps, long Duplicates)
{
    public long Trades => (long)Symbols * TradesPerSymbol;

    public double RawPerSecond => Trades / Raw.TotalSeconds;

    public double PipelinePerSecond => Trades / Pipeline.TotalSeconds;

    public double Ratio => PipelinePerSecond / RawPerSecond;
}

/// <summary>
/// The flood benchmark. The same pre-encoded tapes are sent, as fast as the socket takes them, first to a raw
/// baseline (ClientWebSocket + one Utf8JsonReader pass per frame, no actors), then to the full pipeline (socket →
/// parse → sequence → history → metrics) in an actor system. Each run's clock starts when its first connection is
/// upgraded and stops when every trade has been counted: by the baseline's own counter, or by the sequencers'
/// counters (received, last id) for the pipeline, which must also report zero gaps and zero duplicates.
/// </summary>
public static class EndToEnd
{
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(5);

    public static async Task<EndToEndResult> RunAsync(int symbols, int tradesPerSymbol, TimeSpan limit)
    {
        var names = Tapes.Symbols(symbols);
        var tapes = names.Select((name, i) => (name, tape: Tapes.Make(tradesPerSymbol, seed: i)))
            .ToDictionary(entry => entry.name, entry => entry.tape);

        TimeSpan raw;
        await using (var flood = FloodServer.Flood(tapes)) raw = await RawBaselineAsync(flood, names, tradesPerSymbol, limit);

        await using var exchange = await ExchangeSimulator.StartAsync(new SimulatorOptions
        {
            TradesPerSecond = 0,
            Symbols = names.Select(name => new SimulatedSymbol(name, 91_350m)).ToList(),
        });
        await using var pipelineFlood = FloodServer.Flood(tapes);
        var (pipeline, stats) = await PipelineAsync(pipelineFlood, exchange.RestUrl, names, tradesPerSymbol, limit);
        return new EndToEndResult(symbols, tradesPerSymbol, raw, pipeline, stats.Sum(s => s.Received), stats.Sum(s => s.GapsDetected),
            stats.Sum(s => s.DuplicatesDropped));
    }

    private static async Task<TimeSpan> RawBaselineAsync(FloodServer flood, IReadOnlyList<string> names, int trades, TimeSpan limit)
    {
        using var deadline = new CancellationTokenSource(limit);
        await Task.WhenAll(names.Select(name => ReadAllAsync(flood.WebSocketUrl, name, trades, deadline.Token)));
        return Stopwatch.GetElapsedTime(flood.FirstConnectedAt);
    }

    /// <summary>The bare loop a feed handler cannot beat: receive, one parser pass, count.</summary>
    private static async Task ReadAllAsync(Uri server, string name, int trades, CancellationToken cancel)
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(server, $"/ws/{name.ToLowerInvariant()}@aggTrade"), cancel);
        var symbol = Encoding.ASCII.GetBytes(name);
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var counted = 0;
        while (counted < trades)
        {
            var length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer.AsMemory(length), cancel);
                length += result.Count;
            } while (!result.EndOfMessage);
            if (AggTradeParser.Parse(buffer.AsSpan(0, length), symbol).Kind == StreamMessageKind.AggregateTrade) counted++;
        }
        ArrayPool<byte>.Shared.Return(buffer);
    }

    private static async Task<(TimeSpan Elapsed, IReadOnlyList<SequenceStats> Stats)> PipelineAsync(FloodServer flood, Uri restUrl,
        IReadOnlyList<string> names, int trades, TimeSpan limit)
    {
        var overrides = new List<ConfigOverride>
        {
            new("orderflow.symbols", OrderFlowConfiguration.QuoteList(string.Join(",", names)), "bench"),
            new("orderflow.binance.ws-url", OrderFlowConfiguration.Quote(flood.WebSocketUrl.ToString()), "bench"),
            new("orderflow.binance.rest-url", OrderFlowConfiguration.Quote(restUrl.ToString()), "bench"),
            new("orderflow.history.capacity", trades.ToString(System.Globalization.CultureInfo.InvariantCulture), "bench"),
        };
        var settings = OrderFlowConfiguration.Load(overrides: overrides, extraHocon: """
            orderflow.history.warmup = off
            orderflow.stream { trades-logged-per-connection = 0, summary-interval = 1h, first-message-timeout = 60s }
            """).Settings;

        using var system = ActorSystem.Create("bench", "akka.loglevel = WARNING");
        var supervisor = system.ActorOf(StreamSupervisor.Props(settings, new ConnectionBudget(settings.Stream.ConnectionBudget),
            OrderFlowHostingExtensions.CreateRestClient(settings.Binance)), "streams");
        var symbols = names.Select(Symbol.Parse).ToList();
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var stats = await Task.WhenAll(symbols.Select(symbol => AskStatsAsync(supervisor, symbol)));
            if (stats.All(s => s is { } counted && counted.LastAggregateId == trades))
            {
                var elapsed = Stopwatch.GetElapsedTime(flood.FirstConnectedAt);
                await system.Terminate();
                return (elapsed, stats!);
            }
            if (Stopwatch.GetElapsedTime(started) > limit)
                throw new TimeoutException($"the pipeline held {stats.Sum(s => s?.LastAggregateId ?? 0)} of {(long)trades * names.Count} trades after {limit}");
            await Task.Delay(PollEvery);
        }
    }

    private static async Task<SequenceStats?> AskStatsAsync(IActorRef supervisor, Symbol symbol) =>
        await supervisor.Ask<object>(new GetSequenceStats(symbol), TimeSpan.FromSeconds(5)) as SequenceStats;
}
