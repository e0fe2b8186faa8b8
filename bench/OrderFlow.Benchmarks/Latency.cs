using System.Diagnostics;
using Akka.Actor;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.History;
using OrderFlow.Actors.Hosting;
using OrderFlow.Actors.Metrics;
using OrderFlow.Actors.Sequencing;
using OrderFlow.Actors.Connection;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Streams;

namespace OrderFlow.Benchmarks;

/// <summary>A paced run's send-to-applied latencies, overall and the p99 of each second in the order sent.</summary>
public sealed record LatencyResult(double PerSecond, int Trades, double P50Micros, double P99Micros, double P999Micros, double MaxMicros,
    IReadOnlyList<double> PerSecondP99Micros, RunProfile Profile);

/// <summary>
/// Paced latency: the server stamps each trade with its send time; the pipeline (socket → parse → stream actor →
/// sequencer → metrics) carries it through; a stand-in for the MetricsActor does the metrics actor's work
/// (<see cref="RollingOrderFlow.Add"/> per trade) and then records, per trade, the time from send to applied.
/// </summary>
public static class Latency
{
    /// <param name="settle">Wait until the JIT is quiet before the clock starts (a measurement does; a smoke test need not).</param>
    public static async Task<LatencyResult> RunAsync(double perSecond, int trades, TimeSpan limit, bool settle = true)
    {
        var symbol = Symbol.Parse("BTCUSDT");
        await using var server = FloodServer.Paced(symbol.Value, Tapes.Make(trades, seed: 3, (int)perSecond), perSecond);
        var settings = OrderFlowConfiguration.Load(overrides:
        [
            new("orderflow.binance.ws-url", OrderFlowConfiguration.Quote(server.WebSocketUrl.ToString()), "bench"),
            new("orderflow.binance.rest-url", OrderFlowConfiguration.Quote("http://127.0.0.1:9"), "bench"),
        ], extraHocon: """
            orderflow.history.warmup = off
            orderflow.stream { trades-logged-per-connection = 0, summary-interval = 1h }
            """).Settings;

        // On the pipeline dispatcher, as in a host.
        using var system = ActorSystem.Create("latency", "akka.loglevel = ERROR\n" + PipelineDispatcher.Hocon);
        var done = new TaskCompletionSource<long[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        var connected = EndToEnd.AllConnected(system, 1);
        system.ActorOf(Props.Create(() => new MeasuredSymbol(symbol, settings, trades, done)).WithDispatcher(PipelineDispatcher.Id), "symbol");

        // The clock starts once the stream is connected (connecting is measured elsewhere) and the new actor system's
        // start-up code has been recompiled optimized (tiered compilation; ~100 ms of JIT a run otherwise pays for).
        await connected.WaitAsync(limit);
        if (settle) await Jit.QuietAsync(() => Task.Delay(10));
        var profile = new RunProfiler();
        server.Go();
        var latencies = await done.Task.WaitAsync(limit);
        var profiled = profile.Stop();
        await system.Terminate();
        // Latencies are in the order the trades were sent: a queue that grows shows as each second slower than the one
        // before, where a one-off stall shows in one second only.
        var perSecondCount = (int)Math.Min(perSecond, trades);
        var perSecondP99 = latencies.Chunk(perSecondCount).Select(second => Percentiles(second).P99).ToList();
        var all = Percentiles(latencies);
        return new LatencyResult(perSecond, trades, all.P50, all.P99, all.P999, all.Max, perSecondP99, profiled);
    }

    private static (double P50, double P99, double P999, double Max) Percentiles(long[] ticks)
    {
        var sorted = ticks.Order().ToArray();
        double Micros(long value) => value * 1_000_000.0 / Stopwatch.Frequency;
        double At(double quantile) => Micros(sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * quantile))]);
        return (At(0.5), At(0.99), At(0.999), Micros(sorted[^1]));
    }

    /// <summary>
    /// Stands in for a symbol's actor: the same stream, sequencer and history, and <see cref="AppliedProbe"/> in the
    /// metrics actor's place; publishes the stream's lifecycle as the symbol's actor does.
    /// </summary>
    private sealed class MeasuredSymbol : ReceiveActor
    {
        public MeasuredSymbol(Symbol symbol, OrderFlowSettings settings, int trades, TaskCompletionSource<long[]> done)
        {
            Props OnPipeline(Props props) => props.WithDispatcher(PipelineDispatcher.Id);
            var metrics = Context.ActorOf(OnPipeline(Props.Create(() => new AppliedProbe(symbol, settings.Metrics, trades, done))), "metrics");
            var history = Context.ActorOf(OnPipeline(TradeHistoryActor.Props(symbol, trades)), "history");
            var sequencer = Context.ActorOf(OnPipeline(TradeSequencer.Props(symbol, settings.Backfill, null,
                OrderFlowHostingExtensions.CreateRestClient(settings.Binance), history, metrics)), "sequencer");
            var connections = Context.ActorOf(OnPipeline(ConnectionPool.Props(settings.Stream, MarketConnections.Of(settings))), "connections");
            Context.ActorOf(OnPipeline(StreamActor.Props(symbol, settings.Stream, connections, sequencer)), "stream");
            Receive<IStreamLifecycleEvent>(Context.System.EventStream.Publish);
            ReceiveAny(_ => { });
        }
    }

    /// <summary>Does what the MetricsActor does with a batch, then notes each trade's time from send to applied.</summary>
    private sealed class AppliedProbe : ReceiveActor
    {
        public AppliedProbe(Symbol symbol, MetricsSettings settings, int expected, TaskCompletionSource<long[]> done)
        {
            var flow = new RollingOrderFlow(symbol, settings);
            var latencies = new long[expected];
            var count = 0;
            Receive<TradeBatch>(batch =>
            {
                foreach (ref readonly var trade in batch.Trades.Span) flow.Add(trade);
                var applied = Stopwatch.GetTimestamp();
                foreach (ref readonly var trade in batch.Trades.Span)
                    if (count < expected) latencies[count++] = applied - trade.FirstTradeId;
                // As the MetricsActor does, once done with the trades (they go back to the socket's pool); the
                // history releases its own share.
                batch.Credit?.Release();
                if (count == expected) done.TrySetResult(latencies);
            });
            ReceiveAny(_ => { }); // tape events and counters: not what is measured here
        }
    }
}
