using Akka.Event;
using OrderFlow.Actors.Metrics;
using OrderFlow.Actors.Store;

namespace OrderFlow.Actors.Derivatives;

/// <summary>After a restart: a futures symbol's stored liquidations and their recorded coverage, back on its board.</summary>
public static class StoredLiquidations
{
    /// <summary>
    /// Reads, detached, what the store kept as far back as the symbol's figures reach, and hands it to the board (which
    /// is thread-safe) when it comes; a read that fails is said in the log, and only live liquidations count.
    /// </summary>
    public static void Restore(ITapeStore store, TapeId tape, MetricsBoard board, FuturesFeed feed, TimeSpan lookBack, ILoggingAdapter log)
    {
        var nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var fromMs = nowMs - (long)lookBack.TotalMilliseconds;
        Task.Run(async () =>
        {
            var recorded = await store.ReadLiquidationsAsync(tape, fromMs, nowMs, int.MaxValue).ConfigureAwait(false);
            board.RestoreLiquidations(recorded, await store.ReadConnectedSpansAsync(feed.RecordedAs, fromMs, nowMs).ConfigureAwait(false), fromMs);
        }).ContinueWith(read =>
        {
            if (read.IsFaulted) log.Warning("💾 {Symbol}: the stored liquidations could not be read ({Problem}); only those from now on are counted",
                tape.Symbol, read.Exception?.GetBaseException().Message);
        }, TaskScheduler.Default);
    }
}
