using Akka.Event;
using OrderFlow.Actors.Binance;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Sequencing;
using OrderFlow.Actors.Store;
using OrderFlow.Actors.Tests.Support;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;
using Xunit;

namespace OrderFlow.Actors.Tests.Sequencing;

/// <summary>The sequencing decisions, driven directly: trades, pages and retries in, actions out. No actor, no socket.</summary>
public sealed class TradeSequenceTests
{
    private static readonly Symbol Btc = Symbol.Parse("BTCUSDT");
    private static readonly BackfillSettings Backfill = new(MaxAttempts: 3, RetryDelay: TimeSpan.FromSeconds(1), MaxHeld: 100);
    private const long Now = 1_800_000_000_000;

    /// <summary>Trade <paramref name="id"/>, made <paramref name="id"/> ms after <paramref name="startMs"/>.</summary>
    private static AggregateTrade Trade(long id, long startMs = Now - 60_000) => TestTrades.Buy(id) with { TradeTimeMs = startMs + id };

    private static AggregateTrade[] Trades(long from, long to, long startMs = Now - 60_000) =>
        Enumerable.Range((int)from, (int)(to - from + 1)).Select(id => Trade(id, startMs)).ToArray();

    private static TradeSequence Sequence(TimeSpan? warmUp = null, BackfillSettings? backfill = null) =>
        new(Btc, backfill ?? Backfill, warmUp, NoLogger.Instance, () => Now);

    private static List<ISequencerAction> Take(TradeSequence sequence)
    {
        var actions = sequence.TakeActions().ToList();
        sequence.TakeActions().Clear();
        return actions;
    }

    private static long[] PassedIds(IEnumerable<ISequencerAction> actions) =>
        actions.OfType<PassOn>().SelectMany(p => p.Trades).Select(t => t.AggregateId).ToArray();

    [Fact]
    public void Without_a_warm_up_the_tape_starts_at_the_first_trade_and_a_repeat_is_dropped_and_counted()
    {
        var sequence = Sequence();
        sequence.Take(Trades(1, 3));
        var actions = Take(sequence);
        Assert.Equal(new TapeStarted(Btc, Trade(1).TradeTimeMs), Assert.IsType<Announce>(actions[0]).Event);
        Assert.Equal([1L, 2, 3], PassedIds(actions));

        Assert.True(sequence.TryPassOnWhole(Trades(4, 5)));
        sequence.Take([Trade(5), Trade(6)]);
        actions = Take(sequence);
        Assert.Equal([6L], PassedIds(actions));
        Assert.Single(actions.OfType<ReportCounters>()); // a duplicate changes what metrics must know
        Assert.Equal((7L, 1L, 6L), (sequence.Counters().Received, sequence.Counters().DuplicatesDropped, sequence.Counters().LastAggregateId!.Value));
    }

    [Fact]
    public void When_the_stream_is_back_what_happened_while_it_was_down_is_fetched_at_once_not_at_the_next_trade()
    {
        var sequence = Sequence();
        sequence.Take(Trades(1, 10));
        Take(sequence);

        // Down and back with nothing missed: one page asked, found empty; the tape resumes without a gap counted.
        sequence.StreamInterrupted("connection broke");
        sequence.StreamResumed();
        var actions = Take(sequence);
        var fetch = Assert.Single(actions.OfType<FetchPage>());
        Assert.Equal((11L, BinanceRestClient.MaxAggTradesPerCall), (fetch.FromId!.Value, fetch.Limit));
        sequence.OnPage(fetch.Request, []);
        Assert.IsType<TapeResumed>(Assert.Single(Take(sequence).OfType<Announce>()).Event);
        Assert.Equal(0L, sequence.Counters().GapsDetected);

        // Down while a quiet symbol traded twice: fetched and passed on before any new live trade; one gap, closed.
        sequence.StreamInterrupted("connection broke");
        sequence.StreamResumed();
        fetch = Assert.Single(Take(sequence).OfType<FetchPage>());
        sequence.Take(Trades(13, 13)); // a live trade while the page is on its way is held
        sequence.OnPage(fetch.Request, Trades(11, 12));
        actions = Take(sequence);
        Assert.Equal([11L, 12, 13], PassedIds(actions));
        Assert.IsType<TapeResumed>(actions.OfType<Announce>().Last().Event);
        var counters = sequence.Counters();
        Assert.Equal((1L, 1L, 2L, 0L), (counters.GapsDetected, counters.GapsFilled, counters.TradesBackfilled, counters.GapsUnrecovered));
    }

    [Fact]
    public void From_the_tape_store_the_stored_trades_start_the_tape_unrecorded_and_REST_is_asked_by_id_for_what_came_after()
    {
        var sequence = Sequence(warmUp: TimeSpan.FromSeconds(10));
        sequence.AwaitStore();
        sequence.Take(Trades(30, 31)); // live trades while the store is read wait
        Assert.Empty(PassedIds(Take(sequence)));

        // The store holds 1..20 but not 8 (a crash between two writes): 1..7 start the tape, unrecorded; 8 is asked of
        // REST, and the stored 9..20 wait for it as live trades do.
        sequence.StartFromStore(new StoredTape([.. Trades(1, 7), .. Trades(9, 20)], Now - 3_600_000));
        var actions = Take(sequence);
        Assert.Equal(new TapeStarted(Btc, Now - 3_600_000), Assert.IsType<Announce>(actions[0]).Event);
        Assert.All(actions.OfType<PassOn>(), passOn => Assert.True(passOn.FromStore));
        Assert.Equal(Enumerable.Range(1, 7).Select(i => (long)i), PassedIds(actions));
        var fetch = Assert.Single(actions.OfType<FetchPage>());
        Assert.Equal((8L, 1), (fetch.FromId!.Value, fetch.Limit));

        // Then REST joins what the store had to the live trades.
        sequence.OnPage(fetch.Request, Trades(8, 8));
        actions = Take(sequence);
        Assert.Equal(Enumerable.Range(8, 13).Select(i => (long)i), PassedIds(actions));
        fetch = Assert.Single(actions.OfType<FetchPage>());
        Assert.Equal((21L, 9), (fetch.FromId!.Value, fetch.Limit));
        sequence.OnPage(fetch.Request, Trades(21, 29));
        actions = Take(sequence);
        Assert.Equal(Enumerable.Range(21, 11).Select(i => (long)i), PassedIds(actions));
        Assert.All(actions.OfType<PassOn>(), passOn => Assert.False(passOn.FromStore));
        Assert.Equal(0L, sequence.Counters().GapsUnrecovered);
    }

    [Fact]
    public void A_hole_in_the_store_with_more_after_it_than_may_be_held_is_recorded_as_unrecovered()
    {
        var sequence = Sequence(warmUp: TimeSpan.FromSeconds(10)); // at most 100 held
        sequence.AwaitStore();
        sequence.StartFromStore(new StoredTape([.. Trades(1, 5), .. Trades(8, 200)], Now - 3_600_000));
        var actions = Take(sequence);
        Assert.Equal(new AggregateIdRange(6, 7), Assert.IsType<TapeHole>(actions.OfType<Announce>().Last().Event).Ids);
        Assert.Equal(198, PassedIds(actions).Length);
        Assert.Equal(201L, Assert.Single(actions.OfType<FetchPage>()).FromId);
    }

    [Fact]
    public void An_empty_store_starts_as_without_one()
    {
        var sequence = Sequence(warmUp: TimeSpan.FromSeconds(10));
        sequence.AwaitStore();
        sequence.StartFromStore(new StoredTape([], 0));
        var fetch = Assert.Single(Take(sequence).OfType<FetchPage>());
        Assert.Equal((null, Now - 10_000), (fetch.FromId, fetch.FromMs));

        var bare = Sequence();
        bare.AwaitStore();
        bare.Take(Trades(5, 6));
        bare.StartFromStore(new StoredTape([], 0));
        Assert.Equal([5L, 6], PassedIds(Take(bare)));
    }

    [Fact]
    public void A_page_held_back_for_weight_asks_again_in_its_place_by_the_trades_now_waiting_on_it()
    {
        var sequence = Sequence();
        sequence.Take(Trades(1, 10));
        Take(sequence);

        // Back after an outage: what was missed is not known yet, so the first ask waits behind every known gap.
        sequence.StreamInterrupted("connection broke");
        sequence.StreamResumed();
        var fetch = Assert.Single(Take(sequence).OfType<FetchPage>());
        Assert.Equal(0L, fetch.TradesWaiting);
        sequence.OnPageFailed(fetch.Request, new RestException("the REST request-weight budget is spent", TimeSpan.FromSeconds(2), heldBack: true));
        Assert.Equal(TimeSpan.FromSeconds(2), Assert.IsType<RetryLater>(Assert.Single(Take(sequence))).Delay);

        // Live trades from id 40 arrive meanwhile: the gap is 11..39, and the retry asks with that size.
        sequence.Take(Trades(40, 42));
        Take(sequence);
        sequence.Retry();
        fetch = Assert.Single(Take(sequence).OfType<FetchPage>());
        Assert.Equal((11L, 29, 29L), (fetch.FromId!.Value, fetch.Limit, fetch.TradesWaiting));
    }

    [Fact]
    public void After_an_outage_longer_than_the_warm_up_the_stream_s_return_fetches_nothing_by_id_even_if_late_trades_came_between_failures()
    {
        var now = Now;
        var sequence = new TradeSequence(Btc, Backfill, TimeSpan.FromSeconds(1), NoLogger.Instance, () => now);
        sequence.Start();
        sequence.OnPage(Assert.Single(Take(sequence).OfType<FetchPage>()).Request, Trades(1, 10));
        Take(sequence);

        sequence.StreamInterrupted("connection broke");
        now += 500;
        sequence.Take(Trades(11, 11)); // the old connection's last trade, late
        now += 2_000;
        sequence.StreamInterrupted("HTTP 503 on the upgrade"); // a failed reconnect, 2.5 s into the outage
        now += 200;
        sequence.StreamResumed();
        Assert.Empty(Take(sequence).OfType<FetchPage>());
    }

    [Fact]
    public void A_gap_holds_later_trades_fetches_exactly_the_missing_ids_and_releases_them_in_order()
    {
        var sequence = Sequence();
        sequence.Take(Trades(1, 10));
        Take(sequence);

        sequence.Take(Trades(16, 17));
        var actions = Take(sequence);
        Assert.IsType<TapeInterrupted>(Assert.Single(actions.OfType<Announce>()).Event);
        var fetch = Assert.Single(actions.OfType<FetchPage>());
        Assert.Equal((11L, 5, 5L), (fetch.FromId!.Value, fetch.Limit, fetch.TradesWaiting));
        Assert.Empty(PassedIds(actions));
        Assert.False(sequence.TryPassOnWhole(Trades(18, 18)), "nothing passes on whole while a gap is filled");
        sequence.Take(Trades(18, 18));

        sequence.OnPage(fetch.Request, Trades(11, 15));
        actions = Take(sequence);
        Assert.Equal([11L, 12, 13, 14, 15, 16, 17, 18], PassedIds(actions));
        Assert.IsType<TapeResumed>(actions.OfType<Announce>().Last().Event);
        var counters = sequence.Counters();
        Assert.Equal((1L, 1L, 5L, 0L), (counters.GapsDetected, counters.GapsFilled, counters.TradesBackfilled, counters.GapsUnrecovered));
    }

    [Fact]
    public void A_page_for_an_older_request_is_ignored()
    {
        var sequence = Sequence();
        sequence.Take(Trades(1, 2));
        sequence.Take(Trades(5, 5));
        var first = Assert.Single(Take(sequence).OfType<FetchPage>());
        sequence.OnPageFailed(first.Request, new RestException("HTTP 503"));
        Assert.IsType<RetryLater>(Assert.Single(Take(sequence)));
        sequence.Retry();
        var second = Assert.Single(Take(sequence).OfType<FetchPage>());
        Assert.NotEqual(first.Request, second.Request);

        sequence.OnPage(first.Request, Trades(3, 4));
        Assert.Empty(Take(sequence));
        sequence.OnPage(second.Request, Trades(3, 4));
        Assert.Equal([3L, 4, 5], PassedIds(Take(sequence)));
    }

    [Fact]
    public void A_gap_REST_cannot_fill_is_retried_then_recorded_as_unrecovered_with_its_range_and_the_tape_goes_on()
    {
        var sequence = Sequence();
        sequence.Take(Trades(1, 10));
        sequence.Take(Trades(20, 21));
        var fetch = Assert.Single(Take(sequence).OfType<FetchPage>());

        for (var attempt = 1; attempt < Backfill.MaxAttempts; attempt++)
        {
            sequence.OnPageFailed(fetch.Request, new RestException("HTTP 429", retryAfter: TimeSpan.FromSeconds(5)));
            Assert.Equal(TimeSpan.FromSeconds(5), Assert.IsType<RetryLater>(Assert.Single(Take(sequence))).Delay); // Retry-After is a floor
            sequence.Retry();
            fetch = Assert.Single(Take(sequence).OfType<FetchPage>());
        }
        sequence.OnPageFailed(fetch.Request, new RestException("HTTP 429"));

        var actions = Take(sequence);
        var hole = Assert.IsType<TapeHole>(actions.OfType<Announce>().Select(a => a.Event).OfType<TapeHole>().Single());
        Assert.Equal(new AggregateIdRange(11, 19), hole.Ids);
        Assert.Equal([20L, 21], PassedIds(actions));
        Assert.Equal((1L, new AggregateIdRange(11, 19)), (sequence.Counters().GapsUnrecovered, sequence.Counters().LastUnrecoveredGap!));
        sequence.Retry(); // a retry timer that fires after giving up asks for nothing
        Assert.Empty(Take(sequence).OfType<FetchPage>());
    }

    [Fact]
    public void Our_own_weight_budget_holding_a_page_back_is_not_an_attempt()
    {
        var sequence = Sequence();
        sequence.Take(Trades(1, 1));
        sequence.Take(Trades(3, 3));
        var fetch = Assert.Single(Take(sequence).OfType<FetchPage>());
        for (var i = 0; i < 10; i++)
        {
            sequence.OnPageFailed(fetch.Request, new RestException("budget spent", TimeSpan.FromSeconds(2), heldBack: true));
            Assert.IsType<RetryLater>(Assert.Single(Take(sequence)));
            sequence.Retry();
            fetch = Assert.Single(Take(sequence).OfType<FetchPage>());
        }
        sequence.OnPage(fetch.Request, Trades(2, 2));
        Assert.Equal([2L, 3], PassedIds(Take(sequence)));
        Assert.Equal(0, sequence.Counters().GapsUnrecovered);
    }

    [Fact]
    public void Holding_more_than_max_held_gives_the_gap_up_so_memory_stays_bounded()
    {
        var sequence = Sequence(backfill: Backfill with { MaxHeld = 5 });
        sequence.Take(Trades(1, 1));
        sequence.Take(Trades(10, 15));
        var actions = Take(sequence);
        Assert.Equal(new AggregateIdRange(2, 9), actions.OfType<Announce>().Select(a => a.Event).OfType<TapeHole>().Single().Ids);
        Assert.Equal([1L, 10, 11, 12, 13, 14, 15], PassedIds(actions));
    }

    [Fact]
    public void The_warm_up_asks_by_time_and_joins_the_live_stream_by_id_without_a_hole_or_a_repeat()
    {
        var sequence = Sequence(warmUp: TimeSpan.FromMinutes(15));
        sequence.Start();
        var warmUp = Assert.Single(Take(sequence).OfType<FetchPage>());
        Assert.Equal((null, Now - 900_000, Now), (warmUp.FromId, warmUp.FromMs, warmUp.ToMs));

        // Live trades arrive while the warm-up is answered; the page ends before them.
        sequence.Take(Trades(8, 9));
        sequence.OnPage(warmUp.Request, Trades(1, 5));
        var actions = Take(sequence);
        Assert.Equal(new TapeStarted(Btc, Now - 900_000), actions.OfType<Announce>().First().Event);
        Assert.Equal([1L, 2, 3, 4, 5], PassedIds(actions));
        var join = Assert.Single(actions.OfType<FetchPage>());
        Assert.Equal((6L, 2), (join.FromId!.Value, join.Limit));
        // Until the join, the windows end at trade 5: ready only once the warm-up has reached the live trades.
        Assert.Equal(new TapeInterrupted(Btc, Trade(5).TradeTimeMs, "warming up from REST"), actions.OfType<Announce>().Last().Event);

        sequence.OnPage(join.Request, Trades(6, 7));
        actions = Take(sequence);
        Assert.Equal([6L, 7, 8, 9], PassedIds(actions));
        Assert.Equal(new TapeResumed(Btc), Assert.Single(actions.OfType<Announce>()).Event);
        var counters = sequence.Counters();
        Assert.Equal((7L, 0L, 0L), (counters.TradesWarmedUp, counters.GapsDetected, counters.TradesBackfilled));
    }

    [Fact]
    public void A_warm_up_longer_than_an_hour_goes_on_past_its_first_hour_by_id_however_few_trades_that_hour_held()
    {
        var sequence = Sequence(warmUp: TimeSpan.FromHours(2));
        sequence.Start();
        var first = Assert.Single(Take(sequence).OfType<FetchPage>());
        Assert.Equal((Now - 7_200_000, Now - 7_200_000 + BinanceRestClient.LongestTimeRangeMs), (first.FromMs, first.ToMs));

        // Five trades in the first hour, and none live yet: not the end of the tape, the end of the range.
        sequence.OnPage(first.Request, Trades(1, 5, startMs: Now - 7_000_000));
        var actions = Take(sequence);
        Assert.Equal([1L, 2, 3, 4, 5], PassedIds(actions));
        var next = Assert.Single(actions.OfType<FetchPage>());
        Assert.Equal(6L, next.FromId);

        sequence.OnPage(next.Request, Trades(6, 9, startMs: Now - 60_000));
        Assert.Equal([6L, 7, 8, 9], PassedIds(Take(sequence)));
        Assert.Equal((9L, 0L), (sequence.Counters().TradesWarmedUp, sequence.Counters().GapsDetected));
    }

    [Fact]
    public void A_warm_up_longer_than_an_hour_whose_first_hour_is_empty_searches_the_next_before_calling_the_tape_empty()
    {
        var sequence = Sequence(warmUp: TimeSpan.FromMinutes(90));
        sequence.Start();
        var first = Assert.Single(Take(sequence).OfType<FetchPage>());
        sequence.OnPage(first.Request, []);
        var second = Assert.Single(Take(sequence).OfType<FetchPage>());
        Assert.Equal((first.ToMs + 1, Now), (second.FromMs, second.ToMs));

        sequence.OnPage(second.Request, Trades(1, 3));
        var actions = Take(sequence);
        Assert.Equal(new TapeStarted(Btc, Now - 5_400_000), actions.OfType<Announce>().First().Event);
        Assert.Equal([1L, 2, 3], PassedIds(actions));
        Assert.Equal(3L, sequence.Counters().TradesWarmedUp);
    }

    [Fact]
    public void A_warm_up_that_finds_nothing_proves_the_tape_empty_since_its_start()
    {
        var sequence = Sequence(warmUp: TimeSpan.FromMinutes(15));
        sequence.Start();
        var warmUp = Assert.Single(Take(sequence).OfType<FetchPage>());
        sequence.OnPage(warmUp.Request, []);
        Assert.Equal(new TapeStarted(Btc, Now - 900_000), Assert.IsType<Announce>(Assert.Single(Take(sequence))).Event);

        // The first live trade: what happened between the warm-up's request and it is asked for by time.
        sequence.Take(Trades(1, 1, startMs: Now));
        var search = Assert.Single(Take(sequence).OfType<FetchPage>());
        Assert.Equal((Now, Now), (search.FromMs, search.ToMs));
        sequence.OnPage(search.Request, Trades(1, 1, startMs: Now));
        Assert.Equal([1L], PassedIds(Take(sequence)));
    }

    [Fact]
    public void After_an_outage_longer_than_the_warm_up_only_its_tail_is_fetched_and_the_rest_is_unrecovered()
    {
        var sequence = Sequence(warmUp: TimeSpan.FromSeconds(10));
        sequence.Start();
        var warmUp = Assert.Single(Take(sequence).OfType<FetchPage>());
        sequence.OnPage(warmUp.Request, Trades(1, 3, startMs: Now - 5_000));
        sequence.Take(Trades(4, 4, startMs: Now - 5_000)); // live
        Take(sequence);

        // The stream comes back an hour later at id 100 000.
        const long later = Now + 3_600_000;
        sequence.StreamInterrupted("connection broke");
        sequence.Take([Trade(100_000, later - 100_000)]);
        var tail = Assert.Single(Take(sequence).OfType<FetchPage>());
        Assert.Equal((null, later - 10_000, later), (tail.FromId, tail.FromMs, tail.ToMs));

        sequence.OnPage(tail.Request, Trades(99_990, 99_999, startMs: later - 100_000));
        var actions = Take(sequence);
        Assert.Equal(new AggregateIdRange(5, 99_989), actions.OfType<Announce>().Select(a => a.Event).OfType<TapeHole>().Single().Ids);
        Assert.Equal(Enumerable.Range(99_990, 11).Select(id => (long)id), PassedIds(actions));
    }
}
