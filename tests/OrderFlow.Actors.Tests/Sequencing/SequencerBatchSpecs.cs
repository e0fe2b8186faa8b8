using Akka.Actor;
using Akka.TestKit.Xunit2;
using OrderFlow.Actors.Binance;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Sequencing;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;
using OrderFlow.Actors.Tests.Support;
using Xunit;

namespace OrderFlow.Actors.Tests.Sequencing;

/// <summary>
/// A batch that is exactly the next ids goes downstream whole (the socket's lent trades, not a copy); any other
/// batch goes trade by trade, so downstream still sees each id once and in order.
/// </summary>
public sealed class SequencerBatchSpecs : TestKit
{
    private static readonly Symbol Btc = Symbol.Parse("BTCUSDT");

    private static AggregateTrade Trade(long id) => TestTrades.Buy(id);

    private static TradeBatch Batch(params long[] ids) => new(Btc, ids.Select(Trade).ToArray(), new BurstCredit(() => { }));

    private (IActorRef Sequencer, Akka.TestKit.TestProbe History, Akka.TestKit.TestProbe Metrics) Start()
    {
        // No gap is made here, so REST is never asked: the client points at a port nothing listens on.
        var rest = new BinanceRestClient(new HttpClient(), new Uri("http://127.0.0.1:9/"), BinanceMarket.For("spot", testnet: false),
            new RequestWeightBudget(6_000));
        var history = CreateTestProbe();
        var metrics = CreateTestProbe();
        var sequencer = Sys.ActorOf(TradeSequencer.Props(Btc, new BackfillSettings(3, TimeSpan.FromSeconds(1), 1_000), null, rest,
            history.Ref, metrics.Ref));
        return (sequencer, history, metrics);
    }

    private static long[] Ids(TradeBatch batch) => batch.Trades.ToArray().Select(t => t.AggregateId).ToArray();

    [Fact]
    public void A_batch_of_the_next_ids_goes_on_whole_and_one_with_repeats_goes_on_without_them()
    {
        var (sequencer, history, metrics) = Start();
        sequencer.Tell(Batch(1, 2, 3));
        Assert.Equal([1L, 2, 3], Ids(history.FishForMessage<TradeBatch>(_ => true)));

        var whole = Batch(4, 5, 6);
        sequencer.Tell(whole);
        var passed = history.FishForMessage<TradeBatch>(_ => true);
        Assert.Equal([4L, 5, 6], Ids(passed));
        Assert.True(passed.Trades.Equals(whole.Trades), "the batch went on as it came, not copied");
        Assert.True(metrics.FishForMessage<TradeBatch>(b => Ids(b)[0] == 4).Trades.Equals(whole.Trades));

        // A repeat inside the batch, and one of an id already passed on: each id once, in order.
        sequencer.Tell(Batch(6, 7, 8, 8, 9));
        Assert.Equal([7L, 8, 9], Ids(history.FishForMessage<TradeBatch>(_ => true)));

        sequencer.Tell(new GetSequenceStats(Btc));
        var stats = ExpectMsg<SequenceStats>();
        Assert.Equal(11, stats.Received);
        Assert.Equal(2, stats.DuplicatesDropped);
        Assert.Equal(9, stats.LastAggregateId);
    }

    [Fact]
    public void An_empty_batch_passes_nothing_on_frees_its_credit_and_leaves_the_sequence_as_it_was()
    {
        var (sequencer, history, _) = Start();
        sequencer.Tell(Batch(1, 2, 3));
        history.FishForMessage<TradeBatch>(_ => true);

        var freed = 0;
        sequencer.Tell(new TradeBatch(Btc, Array.Empty<AggregateTrade>(), new BurstCredit(() => Interlocked.Increment(ref freed))));
        sequencer.Tell(Batch(4));
        Assert.Equal([4L], Ids(history.FishForMessage<TradeBatch>(_ => true)));
        Assert.Equal(1, Volatile.Read(ref freed));

        sequencer.Tell(new GetSequenceStats(Btc));
        var stats = ExpectMsg<SequenceStats>();
        Assert.Equal((4L, 4L), (stats.Received, stats.LastAggregateId!.Value));
    }

    [Fact]
    public void A_whole_batch_hands_its_credit_to_history_and_metrics_both()
    {
        var (sequencer, history, metrics) = Start();
        sequencer.Tell(Batch(1));
        history.FishForMessage<TradeBatch>(_ => true);
        metrics.FishForMessage<TradeBatch>(_ => true);

        var freed = 0;
        sequencer.Tell(new TradeBatch(Btc, new[] { Trade(2), Trade(3) }, new BurstCredit(() => Interlocked.Increment(ref freed))));
        var toHistory = history.FishForMessage<TradeBatch>(_ => true);
        var toMetrics = metrics.FishForMessage<TradeBatch>(_ => true);
        toHistory.Credit!.Release();
        Assert.Equal(0, Volatile.Read(ref freed));
        toMetrics.Credit!.Release();
        Assert.Equal(1, Volatile.Read(ref freed));
    }
}
