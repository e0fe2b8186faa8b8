using System.Net;
using Akka.Actor;
using Akka.TestKit;
using OrderFlow.Actors.Tests.Support;
using OrderFlow.Protocol.Streams;
using OrderFlow.Protocol.Trades;
using OrderFlow.Simulator;
using Xunit;
using Xunit.Abstractions;

namespace OrderFlow.Actors.Tests.Sequencing;

/// <summary>
/// No trade lost or counted twice: after a disconnect, with duplicates, with REST refusing first, the history holds
/// exactly the exchange's sequence, and what cannot be recovered is said.
/// </summary>
public sealed class ExactlyOnceSpecs(ITestOutputHelper output) : StreamSpec(output)
{
    protected override double TradesPerSecond => 200;

    [Fact]
    public async Task Trades_missed_while_disconnected_are_backfilled_so_history_is_the_exchange_sequence_exactly_once()
    {
        var lifecycle = LifecycleProbe();
        var supervisor = StartSupervisor(Settings());
        ExpectLifecycle<Connected>(lifecycle, Btc);
        await HeldAtLeastAsync(supervisor, 50);

        var (downFrom, downTo) = DisconnectForAWhile(lifecycle);
        Assert.True(downTo - downFrom >= 20, $"only {downTo - downFrom} trades happened while down");

        var held = await HeldThroughAsync(supervisor, Exchange.Market("BTCUSDT").LastAggregateId + 20);
        AssertIsTheExchangeSequence(held);
        Assert.Contains(held, t => t.AggregateId == downFrom + 1);

        var stats = await supervisor.Ask<SequenceStats>(new GetSequenceStats(Btc));
        Assert.True(stats.GapsDetected >= 1);
        Assert.True(stats.TradesBackfilled >= downTo - downFrom - 1, $"backfilled {stats.TradesBackfilled}");
        Assert.Equal(0, stats.GapsUnrecovered);
    }

    [Fact]
    public async Task Duplicates_and_out_of_order_repeats_are_dropped_and_counted()
    {
        var lifecycle = LifecycleProbe();
        var supervisor = StartSupervisor(Settings());
        ExpectLifecycle<Connected>(lifecycle, Btc);
        var earlier = (await HeldAtLeastAsync(supervisor, 30)).Take(20).ToList();

        // The same aggregates again, newest first, as a replaying server might send them.
        AwaitLiveConnection("BTCUSDT");
        foreach (var trade in Enumerable.Reverse(earlier))
            Exchange.SendText("BTCUSDT", System.Text.Encoding.UTF8.GetString(WireFormat.AggTradeEvent("BTCUSDT", trade, 0)));

        await AwaitAssertAsync(async () =>
            Assert.True((await supervisor.Ask<SequenceStats>(new GetSequenceStats(Btc))).DuplicatesDropped >= earlier.Count),
            Dilated(TimeSpan.FromSeconds(5)));
        AssertIsTheExchangeSequence(await HeldTradesAsync(supervisor, Btc));
    }

    [Fact]
    public async Task A_backfill_refused_with_429_waits_its_Retry_After_and_then_closes_the_gap()
    {
        var lifecycle = LifecycleProbe();
        var supervisor = StartSupervisor(Settings());
        ExpectLifecycle<Connected>(lifecycle, Btc);
        await JoinedLiveAsync(supervisor);

        Exchange.SetRestFault(new RestFault(HttpStatusCode.TooManyRequests, Times: 1, RetryAfterSeconds: 1));
        DisconnectForAWhile(lifecycle);

        var held = await HeldThroughAsync(supervisor, Exchange.Market("BTCUSDT").LastAggregateId + 20);
        AssertIsTheExchangeSequence(held);
        var stats = await supervisor.Ask<SequenceStats>(new GetSequenceStats(Btc));
        Assert.Equal(0, stats.GapsUnrecovered);
        Assert.True(stats.TradesBackfilled > 0);
        Assert.True(Exchange.AggTradesRequests("BTCUSDT") >= 2, "the refused page was asked for again");
    }

    [Fact]
    public async Task A_gap_that_cannot_be_filled_is_recorded_as_unrecovered_and_the_sequence_goes_on_after_it()
    {
        var lifecycle = LifecycleProbe();
        // No warm-up: the failing REST must meet only the gap made here.
        var supervisor = StartSupervisor(Settings(extraHocon: """
            orderflow.backfill { max-attempts = 2, retry-delay = 100ms }
            orderflow.history.warmup = off
            """));
        ExpectLifecycle<Connected>(lifecycle, Btc);
        await HeldAtLeastAsync(supervisor, 20);

        Exchange.SetRestFault(new RestFault(HttpStatusCode.InternalServerError, Times: 1_000));
        DisconnectForAWhile(lifecycle);
        await AwaitAssertAsync(async () =>
            Assert.Equal(1, (await supervisor.Ask<SequenceStats>(new GetSequenceStats(Btc))).GapsUnrecovered), Dilated(TimeSpan.FromSeconds(10)));
        Exchange.SetRestFault(null);

        var gap = (await supervisor.Ask<SequenceStats>(new GetSequenceStats(Btc))).LastUnrecoveredGap!;
        var held = await HeldThroughAsync(supervisor, Exchange.Market("BTCUSDT").LastAggregateId + 20);
        Assert.DoesNotContain(held, t => t.AggregateId >= gap.FromId && t.AggregateId <= gap.ToId);
        AssertIsTheExchangeSequence(held.Where(t => t.AggregateId < gap.FromId).ToList());
        AssertIsTheExchangeSequence(held.Where(t => t.AggregateId > gap.ToId).ToList());
        Assert.Equal(gap.ToId + 1, held.First(t => t.AggregateId > gap.ToId).AggregateId);
    }

    [Fact]
    public async Task Planned_reconnects_before_the_24_hour_cut_and_on_serverShutdown_make_before_break()
    {
        var lifecycle = LifecycleProbe();
        // No warm-up, so that any gap seen here could only come from a reconnect.
        var supervisor = StartSupervisor(Settings(extraHocon: """
            orderflow.stream.max-connection-age = 700ms
            orderflow.history.warmup = off
            """));

        // Replaced on schedule, three times in a row: planned, so never counted as failures.
        for (var i = 0; i < 3; i++) Assert.Equal(1, ExpectLifecycle<Connected>(lifecycle, Btc, skipOthers: true).Attempt);
        // An announcement that reaches a socket while it is being replaced on schedule goes with that socket (it is
        // closing anyway): announced again until one lands on the socket that streams.
        AwaitAssert(() =>
        {
            Assert.True(Exchange.AnnounceShutdown("BTCUSDT") >= 1);
            lifecycle.FishForMessage<IStreamLifecycleEvent>(e => e is Failed { Kind: FailureKind.ServerShutdown }, Dilated(TimeSpan.FromSeconds(1)));
        }, Dilated(TimeSpan.FromSeconds(10)));
        ExpectLifecycle<Connected>(lifecycle, Btc, skipOthers: true);

        var held = await HeldThroughAsync(supervisor, Exchange.Market("BTCUSDT").LastAggregateId + 50);
        AssertIsTheExchangeSequence(held);
        // The new connection delivered before the old one closed: no gap, so nothing was fetched from REST.
        var stats = await supervisor.Ask<SequenceStats>(new GetSequenceStats(Btc));
        Assert.Equal((0L, 0L, 0L), (stats.GapsDetected, stats.TradesBackfilled, stats.GapsUnrecovered));
        Assert.Equal(0, Exchange.AggTradesRequests("BTCUSDT"));
        Assert.True(stats.DuplicatesDropped > 0, "the overlap was delivered twice and dropped once");
        // Each replaced connection was closed by us, with a close frame.
        AwaitAssert(() => Assert.True(Exchange.ClientCloseFrames("BTCUSDT") >= 4, $"{Exchange.ClientCloseFrames("BTCUSDT")} close frames"));
    }

    [Fact]
    public async Task A_replacement_that_cannot_connect_leaves_the_current_connection_streaming_and_is_retried()
    {
        var lifecycle = LifecycleProbe();
        var supervisor = StartSupervisor(Settings(extraHocon: "orderflow.history.warmup = off"));
        ExpectLifecycle<Connected>(lifecycle, Btc);
        await HeldAtLeastAsync(supervisor, 20);

        Exchange.SetUpgradeFault("BTCUSDT", new UpgradeFault.Refuse(HttpStatusCode.ServiceUnavailable));
        AwaitAssert(() => Assert.Equal(1, Exchange.AnnounceShutdown("BTCUSDT")));
        Assert.Equal(FailureKind.ServerShutdown, ExpectLifecycle<Failed>(lifecycle, Btc, skipOthers: true).Kind);
        Assert.Equal(FailureKind.HttpStatus, ExpectLifecycle<Failed>(lifecycle, Btc, skipOthers: true).Kind);

        // Meanwhile the old connection still delivers.
        var before = Exchange.Market("BTCUSDT").LastAggregateId;
        await HeldThroughAsync(supervisor, before + 20);
        Exchange.SetUpgradeFault("BTCUSDT", null);
        ExpectLifecycle<Connected>(lifecycle, Btc, skipOthers: true, within: TimeSpan.FromSeconds(10));

        AssertIsTheExchangeSequence(await HeldThroughAsync(supervisor, Exchange.Market("BTCUSDT").LastAggregateId + 20));
        var stats = await supervisor.Ask<SequenceStats>(new GetSequenceStats(Btc));
        Assert.Equal((0L, 0L), (stats.GapsDetected, stats.TradesBackfilled));
        AwaitAssert(() => Assert.Equal(1, Exchange.OpenConnections("BTCUSDT")));
    }

    [Fact]
    public async Task After_an_outage_longer_than_the_warm_up_only_its_last_warm_up_period_is_fetched_and_the_rest_is_said_missing()
    {
        var lifecycle = LifecycleProbe();
        var supervisor = StartSupervisor(Settings(extraHocon: "orderflow.history.warmup = 1s"));
        ExpectLifecycle<Connected>(lifecycle, Btc);
        // Live, not only warmed up: an outage before the first live trade is a fresh start, not a gap.
        await JoinedLiveAsync(supervisor);

        Exchange.SetUpgradeFault("BTCUSDT", new UpgradeFault.Refuse(HttpStatusCode.ServiceUnavailable));
        AwaitAssert(() => Assert.Equal(1, Exchange.DropConnections("BTCUSDT")));
        var market = Exchange.Market("BTCUSDT");
        var downFrom = market.LastAggregateId;
        // Down for well over the 1-second warm-up: 200 trades a second keep coming meanwhile.
        await AwaitConditionAsync(() => Task.FromResult(market.LastAggregateId > downFrom + 600), Dilated(TimeSpan.FromSeconds(10)));
        Exchange.SetUpgradeFault("BTCUSDT", null);

        var gap = await UnrecoveredGapAsync(supervisor);
        var held = await HeldThroughAsync(supervisor, market.LastAggregateId + 20);
        var after = held.Where(t => t.AggregateId > gap.ToId).ToList();
        AssertIsTheExchangeSequence(after);
        AssertIsTheExchangeSequence(held.Where(t => t.AggregateId < gap.FromId).ToList());
        Assert.Equal(gap.ToId + 1, after[0].AggregateId);
        // What was fetched is the last second before the stream came back, not the whole outage.
        var resumedAt = market.Trades.First(t => t.AggregateId == gap.ToId + 1).TradeTimeMs;
        var firstLive = market.Trades.First(t => t.AggregateId > gap.ToId + 1 && held.Contains(t)).TradeTimeMs;
        Assert.True(gap.ToId - gap.FromId + 1 >= 300, $"only {gap.ToId - gap.FromId + 1} ids given up");
        Assert.InRange(resumedAt, firstLive - 3_000, firstLive);
    }

    private async Task<AggregateIdRange> UnrecoveredGapAsync(IActorRef supervisor)
    {
        AggregateIdRange? gap = null;
        await AwaitAssertAsync(async () =>
            Assert.NotNull(gap = (await supervisor.Ask<SequenceStats>(new GetSequenceStats(Btc))).LastUnrecoveredGap), Dilated(TimeSpan.FromSeconds(15)));
        return gap!;
    }

    [Fact]
    public async Task A_warm_start_fetches_recent_history_and_joins_the_live_stream_without_a_hole()
    {
        // Trades from before the service started: three REST pages' worth, all within the warm-up period.
        Exchange.Market("BTCUSDT").Publish(2_500);
        var lifecycle = LifecycleProbe();
        var supervisor = StartSupervisor(Settings(extraHocon: "orderflow.history.warmup = 1m"));
        ExpectLifecycle<Connected>(lifecycle, Btc);

        var held = await HeldThroughAsync(supervisor, Exchange.Market("BTCUSDT").LastAggregateId + 20);
        Assert.Equal(1, held[0].AggregateId);
        AssertIsTheExchangeSequence(held);
        var stats = await supervisor.Ask<SequenceStats>(new GetSequenceStats(Btc));
        Assert.True(stats.TradesWarmedUp >= 2_500, $"warmed up {stats.TradesWarmedUp}");
        Assert.Equal(0, stats.GapsUnrecovered);
    }

    [Fact]
    public async Task Without_a_warm_up_history_starts_at_the_first_live_trade()
    {
        Exchange.Market("BTCUSDT").Publish(500);
        var lifecycle = LifecycleProbe();
        var supervisor = StartSupervisor(Settings(extraHocon: "orderflow.history.warmup = off"));
        ExpectLifecycle<Connected>(lifecycle, Btc);

        var held = await HeldAtLeastAsync(supervisor, 20);
        Assert.True(held[0].AggregateId > 500);
        AssertIsTheExchangeSequence(held);
        Assert.Equal(0, (await supervisor.Ask<SequenceStats>(new GetSequenceStats(Btc))).TradesWarmedUp);
    }
}
