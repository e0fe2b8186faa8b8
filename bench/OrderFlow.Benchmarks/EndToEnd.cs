using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using Akka.Actor;
using OrderFlow.Actors.Binance;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Hosting;
using OrderFlow.Protocol.Serialization;
using OrderFlow.Protocol.Streams;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;
using OrderFlow.Simulator;

namespace OrderFlow.Benchmarks;

/// <summary>One end-to-end run: the raw baseline and the pipeline against the same flood, and their rates.</summary>
public sealed record EndToEndResult(int Symbols, int TradesPerSymbol, TimeSpan Raw, TimeSpan Pipeline, long Received, long Gaps, long Duplicates,
    RunProfile Profile)
{
    public long Trades => (long)Symbols * TradesPerSymbol;

    public double RawPerSecond => Trades / Raw.TotalSeconds;

    public double PipelinePerSecond => Trades / Pipeline.TotalSeconds;

    public double Ratio => PipelinePerSecond / RawPerSecond;
}

/// <summary>
/// One query-under-load run: the pipeline takes the flood while a planner process asks for metrics; before the
/// flood, the same planner asks the idle host for a while (<see cref="AtRest"/>: what the machine gives without load).
/// </summary>
public sealed record QueryUnderLoadResult(int Symbols, int TradesPerSymbol, TimeSpan Pipeline, long Received, long Gaps, long Duplicates,
    QueryLatency Queries, QueryLatency AtRest, RunProfile Profile)
{
    public double PipelinePerSecond => (long)Symbols * TradesPerSymbol / Pipeline.TotalSeconds;
}

/// <summary>GetMetrics Ask round trips from a second actor system over remoting, made while the pipeline took the flood.</summary>
public sealed record QueryLatency(int Count, double P50Millis, double P99Millis, double MaxMillis);

/// <summary>What the pipeline's run measured.</summary>
internal sealed record PipelineRun(TimeSpan Elapsed, IReadOnlyList<SequenceStats> Stats, QueryLatency? Queries, QueryLatency? AtRest, RunProfile Profile)
{
    public long Received => Stats.Sum(s => s.Received);

    public long Gaps => Stats.Sum(s => s.GapsDetected);

    public long Duplicates => Stats.Sum(s => s.DuplicatesDropped);
}

/// <summary>
/// The flood benchmark. The same pre-encoded tapes are sent, as fast as the socket takes them, first to a raw
/// baseline (ClientWebSocket + one Utf8JsonReader pass per frame, no actors), then to the full pipeline (socket →
/// parse → sequence → history → metrics) in an actor system. Each run's clock starts when its first connection is
/// upgraded and stops when every trade has been counted: by the baseline's own counter, or by the sequencers'
/// counters (received, last id) for the pipeline, which must also report zero gaps and zero duplicates. The rates are
/// compared with nothing else running; a query-under-load run floods the pipeline alone while a planner process
/// (<see cref="PlannerProcess"/>) asks the gateway for metrics over loopback remoting, back to back.
/// </summary>
public static class EndToEnd
{
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(5);

    /// <summary>How long the planner asks the idle host before the flood.</summary>
    private static readonly TimeSpan AtRestFor = TimeSpan.FromSeconds(1);

    /// <summary>The pipeline's actor system, reachable over loopback remoting as a host is.</summary>
    private static readonly string RemoteHost = """
        akka.loglevel = WARNING
        akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
        """ + "\n" + OrderFlowSerializer.Hocon + "\n" + PipelineDispatcher.Hocon + "\n" + ClusterHocon.For(ClusterSetup.Alone);

    public static async Task<EndToEndResult> RunAsync(int symbols, int tradesPerSymbol, TimeSpan limit)
    {
        var (names, tapes) = MakeTapes(symbols, tradesPerSymbol);

        TimeSpan raw;
        await using (var flood = FloodServer.Flood(tapes)) raw = await RawBaselineAsync(flood, names, tradesPerSymbol, limit);
        var pipeline = await PipelineAsync(names, tapes, tradesPerSymbol, limit, withPlanner: false);
        return new EndToEndResult(symbols, tradesPerSymbol, raw, pipeline.Elapsed, pipeline.Received, pipeline.Gaps, pipeline.Duplicates, pipeline.Profile);
    }

    /// <summary>
    /// The pipeline takes the same flood (or, with <paramref name="perSecond"/>, the tapes at that pace) while a
    /// planner process asks for the first symbol's metrics.
    /// </summary>
    public static async Task<QueryUnderLoadResult> QueriesUnderLoadAsync(int symbols, int tradesPerSymbol, TimeSpan limit, double? perSecond = null)
    {
        var (names, tapes) = MakeTapes(symbols, tradesPerSymbol, perSecond);
        var pipeline = await PipelineAsync(names, tapes, tradesPerSymbol, limit, withPlanner: true, perSecond);
        return new QueryUnderLoadResult(symbols, tradesPerSymbol, pipeline.Elapsed, pipeline.Received, pipeline.Gaps, pipeline.Duplicates,
            pipeline.Queries!, pipeline.AtRest!, pipeline.Profile);
    }

    /// <param name="perSecond">
    /// The pace of all the tapes together, when they are paced: each symbol's trade times then advance at its share,
    /// as the clock does while it is sent, so a window ends where a live symbol's would. Null: a flood's trade times.
    /// </param>
    private static (IReadOnlyList<string> Names, IReadOnlyDictionary<string, IReadOnlyList<AggregateTrade>> Tapes) MakeTapes(
        int symbols, int tradesPerSymbol, double? perSecond = null)
    {
        var names = Tapes.Symbols(symbols);
        var tradeTimePace = perSecond is { } pace ? (int)(pace / symbols) : Tapes.FloodPace;
        return (names, names.Select((name, i) => (name, tape: Tapes.Make(tradesPerSymbol, seed: i, tradeTimePace)))
            .ToDictionary(entry => entry.name, entry => entry.tape));
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
        var routes = SymbolRoutes<string>.Of(Protocol.Symbol.Parse(name), name);
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
            if (AggTradeParser.Parse(buffer.AsSpan(0, length), routes, out _).Kind == StreamMessageKind.AggregateTrade) counted++;
        }
        ArrayPool<byte>.Shared.Return(buffer);
    }

    private static async Task<PipelineRun> PipelineAsync(IReadOnlyList<string> names, IReadOnlyDictionary<string, IReadOnlyList<AggregateTrade>> tapes,
        int trades, TimeSpan limit, bool withPlanner, double? perSecond = null)
    {
        await using var exchange = await ExchangeSimulator.StartAsync(new SimulatorOptions
        {
            TradesPerSecond = 0,
            Symbols = names.Select(name => new SimulatedSymbol(name, 91_350m)).ToList(),
        });
        // The flood waits until every stream is connected (and the planner's client is in place).
        await using var flood = FloodServer.Flood(tapes, goAtOnce: false, perSecond);
        var overrides = new List<ConfigOverride>
        {
            new("orderflow.symbols", OrderFlowConfiguration.QuoteList(string.Join(",", names)), "bench"),
            new("orderflow.binance.ws-url", OrderFlowConfiguration.Quote(flood.WebSocketUrl.ToString()), "bench"),
            new("orderflow.binance.rest-url", OrderFlowConfiguration.Quote(exchange.RestUrl.ToString()), "bench"),
            new("orderflow.history.capacity", trades.ToString(System.Globalization.CultureInfo.InvariantCulture), "bench"),
        };
        var settings = OrderFlowConfiguration.Load(overrides: overrides, extraHocon: """
            orderflow.history.warmup = off
            orderflow.stream { trades-logged-per-connection = 0, summary-interval = 1h, first-message-timeout = 60s }
            # A socket per symbol, as the raw loop reads them: the flood is per connection.
            orderflow.binance.streams-per-connection = 1
            """).Settings;

        using var system = ActorSystem.Create("orderflow", RemoteHost);
        var allConnected = AllConnected(system, names.Count);
        var supervisor = system.StartOrderFlowSymbols(settings);
        system.StartOrderFlowGateway(supervisor, settings);
        var symbols = names.Select(Symbol.Parse).ToList();
        await using var planner = withPlanner
            ? await PlannerProcess.StartAsync($"127.0.0.1:{((ExtendedActorSystem)system).Provider.DefaultAddress.Port}", symbols[0], limit)
            : null;
        await allConnected.WaitAsync(limit);
        QueryLatency? atRest = null;
        if (planner is not null)
        {
            await planner.GoAsync();
            await Task.Delay(AtRestFor);
            atRest = await planner.StopAsync();
            await planner.GoAsync();
        }
        var profile = new RunProfiler();
        flood.Go();
        var started = Stopwatch.GetTimestamp();
        // One symbol at a time is watched until it is complete, so the watching itself adds one ask per poll, not one
        // per symbol.
        for (var done = 0; done < symbols.Count; done++)
        {
            while (await AskStatsAsync(supervisor, symbols[done]) is not { } counted || counted.LastAggregateId != trades)
            {
                if (Stopwatch.GetElapsedTime(started) > limit)
                    throw new TimeoutException($"{symbols[done]} was not complete after {limit} ({done} of {symbols.Count} symbols were)");
                profile.Sample();
                await Task.Delay(PollEvery);
            }
        }
        var elapsed = Stopwatch.GetElapsedTime(flood.FirstConnectedAt);
        var profiled = profile.Stop();
        var queries = planner is null ? null : await planner.StopAsync();
        var complete = new List<SequenceStats>();
        foreach (var symbol in symbols) complete.Add((await AskStatsAsync(supervisor, symbol))!);
        await system.Terminate();
        return new PipelineRun(elapsed, complete, queries, atRest, profiled);
    }

    /// <summary>Completes once <paramref name="streams"/> connections have been made (subscribe before they start).</summary>
    public static Task AllConnected(ActorSystem system, int streams)
    {
        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var listener = system.ActorOf(Props.Create(() => new ConnectedCounter(streams, connected)));
        system.EventStream.Subscribe(listener, typeof(Connected));
        return connected.Task;
    }

    /// <summary>Completes <paramref name="all"/> once <paramref name="streams"/> connections have been made.</summary>
    private sealed class ConnectedCounter : ReceiveActor
    {
        public ConnectedCounter(int streams, TaskCompletionSource all)
        {
            var count = 0;
            Receive<Connected>(_ =>
            {
                if (++count == streams) all.TrySetResult();
            });
        }
    }

    private static async Task<SequenceStats?> AskStatsAsync(IActorRef supervisor, Symbol symbol) =>
        await supervisor.Ask<object>(new GetSequenceStats(symbol), TimeSpan.FromSeconds(5)) as SequenceStats;
}
