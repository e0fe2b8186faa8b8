using System.Diagnostics;
using Akka.Actor;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.History;
using OrderFlow.Actors.Metrics;
using OrderFlow.Actors.Sequencing;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Metrics;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Benchmarks;

public sealed record MemoryResult(int Symbols, int TradesPerSymbol, long RssBeforeBytes, long RssAfterBytes, long ManagedAfterBytes)
{
    public double BytesPerTrade => (RssAfterBytes - RssBeforeBytes) / ((double)Symbols * TradesPerSymbol);
}

/// <summary>
/// Process memory with every symbol's history full: the history and metrics actors of <c>symbols</c> symbols are fed
/// <c>tradesPerSymbol</c> trades each (in bursts, as the sequencer passes them on), and the process's resident set is
/// read before and after.
/// </summary>
public static class Memory
{
    private const int Burst = 4096;

    public static async Task<MemoryResult> RunAsync(int symbols, int tradesPerSymbol)
    {
        var settings = OrderFlowConfiguration.Load().Settings.Metrics;
        var tape = Tapes.Make(tradesPerSymbol, seed: 11).ToArray();
        using var system = ActorSystem.Create("memory", "akka.loglevel = WARNING");
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        var before = Process.GetCurrentProcess().WorkingSet64;

        var names = Tapes.Symbols(symbols).Select(Symbol.Parse).ToList();
        var actors = names.Select(symbol => (symbol,
            history: system.ActorOf(TradeHistoryActor.Props(symbol, tradesPerSymbol)),
            metrics: system.ActorOf(MetricsActor.Props(new MetricsBoard(symbol, settings), TimeSpan.FromHours(1))))).ToList();
        foreach (var (symbol, history, metrics) in actors)
        {
            for (var at = 0; at < tape.Length; at += Burst)
            {
                var batch = new TradeBatch(symbol, tape[at..Math.Min(tape.Length, at + Burst)]);
                history.Tell(batch);
                metrics.Tell(batch);
            }
            // Both have applied everything once they answer.
            await history.Ask<TradesSnapshot>(new GetRecentTrades(symbol, 1));
            await metrics.Ask<ActorIdentity>(new Identify(null));
        }

        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        var after = Process.GetCurrentProcess().WorkingSet64;
        var managed = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(tape);
        await system.Terminate();
        return new MemoryResult(symbols, tradesPerSymbol, before, after, managed);
    }
}
