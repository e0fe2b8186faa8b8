using Akka.Actor;
using Akka.TestKit.Xunit2;
using OrderFlow.Actors.Sequencing;
using OrderFlow.Actors.History;
using OrderFlow.Actors.Store;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;
using OrderFlow.Actors.Tests.Support;
using Xunit;

namespace OrderFlow.Actors.Tests.History;

/// <summary>The history's answers say what they lack, rather than answer as if they were whole.</summary>
public sealed class HistorySpecs : TestKit
{
    private static readonly Symbol Btc = Symbol.Parse("BTCUSDT");
    private const long Start = TestTrades.Start;

    private static AggregateTrade Trade(long id) => TestTrades.Buy(id);

    [Fact]
    public void Answers_by_time_and_id_say_when_trades_were_not_collected_dropped_or_lost_in_a_gap()
    {
        var history = Sys.ActorOf(TradeHistoryActor.Props(Btc, capacity: 50));
        history.Tell(new GetTradesSince(Btc, DateTimeOffset.FromUnixTimeMilliseconds(Start), 10));
        Assert.Equal("no trades collected yet", ExpectMsg<TradesSnapshot>().Incomplete);

        history.Tell(new TapeStarted(Btc, Start + 1_000));
        for (var id = 1; id <= 10; id++) history.Tell(new TradeBatch(Btc, [Trade(id)]));
        history.Tell(new TapeHole(Btc, new AggregateIdRange(11, 19), Start + 10_000, Start + 20_000));
        for (var id = 20; id <= 70; id++) history.Tell(new TradeBatch(Btc, [Trade(id)]));

        // 61 trades arrived, 50 are held: ids 21..70, and 20 was the last dropped.
        history.Tell(new GetTradesSince(Btc, DateTimeOffset.FromUnixTimeMilliseconds(Start + 30_000), 5));
        var recent = ExpectMsg<TradesSnapshot>();
        Assert.Equal([30L, 31, 32, 33, 34], recent.Trades.Select(t => t.AggregateId));
        Assert.Null(recent.Incomplete);
        Assert.Equal(50, recent.TotalHeld);

        history.Tell(new GetTradesSince(Btc, DateTimeOffset.FromUnixTimeMilliseconds(Start + 15_000), 5));
        Assert.Contains("dropped beyond the history's capacity", ExpectMsg<TradesSnapshot>().Incomplete);
        history.Tell(new GetTradesSince(Btc, DateTimeOffset.FromUnixTimeMilliseconds(Start), 5));
        Assert.Contains("were not collected", ExpectMsg<TradesSnapshot>().Incomplete);
        history.Tell(new GetTradesFromId(Btc, 5, 5));
        Assert.Equal("aggregate ids below 21 are not held", ExpectMsg<TradesSnapshot>().Incomplete);
        history.Tell(new GetRecentTrades(Btc, 3));
        Assert.Equal([68L, 69, 70], ExpectMsg<TradesSnapshot>().Trades.Select(t => t.AggregateId));
    }

    [Fact]
    public void An_unrecovered_gap_inside_the_answer_is_named()
    {
        var history = Sys.ActorOf(TradeHistoryActor.Props(Btc, capacity: 1_000));
        history.Tell(new TapeStarted(Btc, Start));
        for (var id = 1; id <= 10; id++) history.Tell(new TradeBatch(Btc, [Trade(id)]));
        history.Tell(new TapeHole(Btc, new AggregateIdRange(11, 19), Start + 10_000, Start + 20_000));
        for (var id = 20; id <= 30; id++) history.Tell(new TradeBatch(Btc, [Trade(id)]));

        history.Tell(new GetTradesFromId(Btc, 5, 100));
        var answer = ExpectMsg<TradesSnapshot>();
        Assert.Equal(17, answer.Trades.Count);
        Assert.Equal("aggregate ids 11..19 are missing (an unrecovered gap)", answer.Incomplete);
        history.Tell(new GetTradesFromId(Btc, 20, 100));
        Assert.Null(ExpectMsg<TradesSnapshot>().Incomplete);
    }

    [Fact]
    public Task With_a_tape_store_queries_by_time_and_id_below_the_ring_are_answered_from_the_store_then_memory_without_a_seam() =>
        // The store has what the recorder wrote, 1..180 (181..200 not yet flushed).
        WithStoredHistoryAsync(stored: 180, (history, trades) =>
        {
            history.Tell(new GetTradesSince(Btc, DateTimeOffset.FromUnixTimeMilliseconds(trades[99].TradeTimeMs), 1_000));
            var since = ExpectMsg<TradesSnapshot>();
            Assert.Equal(trades[99..], since.Trades);
            Assert.Equal((TradeSources.StoreAndMemory, (string?)null), (since.Source, since.Incomplete));

            history.Tell(new GetTradesFromId(Btc, 10, 20));
            var fromId = ExpectMsg<TradesSnapshot>();
            Assert.Equal(trades[9..29], fromId.Trades);
            Assert.Equal(TradeSources.Store, fromId.Source);
            // A page smaller than the ring still says both sources answered.
            history.Tell(new GetTradesFromId(Btc, 145, 20));
            var seam = ExpectMsg<TradesSnapshot>();
            Assert.Equal(trades[144..164], seam.Trades);
            Assert.Equal(TradeSources.StoreAndMemory, seam.Source);

            // What the ring holds is answered from memory alone.
            history.Tell(new GetTradesSince(Btc, DateTimeOffset.FromUnixTimeMilliseconds(trades[189].TradeTimeMs), 1_000));
            var recent = ExpectMsg<TradesSnapshot>();
            Assert.Equal((TradeSources.Memory, 11), (recent.Source, recent.Trades.Count));
        });

    [Fact]
    public Task Ids_neither_in_the_store_nor_held_are_named_where_the_two_meet() =>
        WithStoredHistoryAsync(stored: 100, (history, trades) =>
        {
            history.Tell(new GetTradesSince(Btc, DateTimeOffset.FromUnixTimeMilliseconds(trades[89].TradeTimeMs), 1_000));
            var answer = ExpectMsg<TradesSnapshot>();
            Assert.Equal([.. trades[89..100], .. trades[150..]], answer.Trades);
            Assert.Equal("aggregate ids 101..150 are neither in the store nor held", answer.Incomplete);
        });

    /// <summary>
    /// Trades 1..200 went through a history whose ring holds the last 50 (151..200), over a real SQLite store holding
    /// the first <paramref name="stored"/> of them.
    /// </summary>
    private async Task WithStoredHistoryAsync(int stored, Action<IActorRef, AggregateTrade[]> check)
    {
        var directory = Directory.CreateTempSubdirectory("orderflow-history-");
        try
        {
            var tape = new TapeId(Btc, "api.binance.com");
            await using var store = await SqliteTapeStore.OpenAsync(Path.Combine(directory.FullName, "tape.db"));
            var trades = Enumerable.Range(1, 200).Select(id => Trade(id)).ToArray();
            await store.WriteAsync(new TapeWrite(tape, trades[..stored], []));
            var history = Sys.ActorOf(TradeHistoryActor.Props(Btc, capacity: 50, (store, tape)));
            history.Tell(new TapeStarted(Btc, Start));
            history.Tell(new TradeBatch(Btc, trades));
            check(history, trades);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }
}
