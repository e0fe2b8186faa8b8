using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Symbols;
using OrderFlow.Actors.Tests.Support;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Streams;
using Xunit;

namespace OrderFlow.Actors.Tests.Symbols;

public sealed class SymbolLifecycleTests
{
    private static readonly Symbol Btc = Symbol.Parse("BTCUSDT");
    private readonly ManualClock _clock = new();

    private SymbolLifecycle Lifecycle() =>
        new(Btc, new CoolDown(new BackoffSettings(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5), 0), new Random(1)), _clock);

    private SymbolLifecycle Wanted()
    {
        var lifecycle = Lifecycle();
        Assert.True(lifecycle.Wanted());
        return lifecycle;
    }

    [Fact]
    public void Nothing_streams_and_no_listing_counts_until_the_cluster_wants_the_symbol()
    {
        var lifecycle = Lifecycle();
        Assert.Equal(new ListingDecision(ListingStep.Nothing, false), lifecycle.Listing(true, "TRADING", replay: false));
        Assert.False(lifecycle.MayStream);
        Assert.Null(lifecycle.AnswerToAdd());
        Assert.Equal(StreamState.Connecting, lifecycle.StateWithoutStream);

        Assert.True(lifecycle.Wanted());
        Assert.False(lifecycle.Wanted()); // the directory's word again: nothing new
        Assert.Equal(SymbolPhase.CheckingListing, lifecycle.Phase);
    }

    [Fact]
    public void The_first_listing_starts_the_pipeline_and_answers_the_add_refreshes_only_say_what_changed()
    {
        var lifecycle = Wanted();
        Assert.Equal(new ListingDecision(ListingStep.Trade, First: true), lifecycle.Listing(true, "TRADING", replay: false));
        Assert.True(lifecycle.MayStream);
        Assert.Equal(new SymbolAdded(Btc), lifecycle.AnswerToAdd());

        Assert.Equal(new ListingDecision(ListingStep.Trade, First: false), lifecycle.Listing(true, "TRADING", replay: false));
        // exchangeInfo could not be asked at a refresh: nothing new.
        Assert.Equal(new ListingDecision(ListingStep.Nothing, false), lifecycle.Listing(null, null, replay: false));
    }

    [Fact]
    public void Exchange_info_that_cannot_be_asked_at_the_start_streams_anyway()
    {
        var lifecycle = Wanted();
        Assert.Equal(new ListingDecision(ListingStep.Trade, First: true), lifecycle.Listing(null, null, replay: false));
    }

    [Fact]
    public void A_status_other_than_trading_stops_the_stream_once_and_trading_again_restarts_it()
    {
        var lifecycle = Wanted();
        lifecycle.Listing(true, "TRADING", replay: false);
        _clock.Now = _clock.Now.AddMinutes(1);
        Assert.Equal(new ListingDecision(ListingStep.StopTrading, false), lifecycle.Listing(true, "BREAK", replay: false));
        Assert.Equal(SymbolPhase.NotTrading, lifecycle.Phase);
        Assert.Equal(_clock.Now, lifecycle.Since);
        Assert.False(lifecycle.MayStream);
        Assert.Equal(new SymbolNotTrading(Btc, "BREAK"), lifecycle.AnswerToAdd());
        Assert.Equal(StreamState.NotTrading, lifecycle.StateWithoutStream);
        Assert.Equal(new ListingDecision(ListingStep.Nothing, false), lifecycle.Listing(true, "BREAK", replay: false)); // said once
        Assert.Null(lifecycle.StreamStopped()); // closed for it: no cool-down, no restart

        Assert.Equal(new ListingDecision(ListingStep.TradeAgain, false, "BREAK"), lifecycle.Listing(true, "TRADING", replay: false));
        Assert.True(lifecycle.MayStream);
        Assert.Null(lifecycle.NotTradingStatus);
    }

    [Fact]
    public void A_symbol_not_trading_at_its_start_is_answered_so()
    {
        var lifecycle = Wanted();
        Assert.Equal(new ListingDecision(ListingStep.StopTrading, First: true), lifecycle.Listing(true, "HALT", replay: false));
        Assert.Equal(new SymbolNotTrading(Btc, "HALT"), lifecycle.AnswerToAdd());
    }

    [Fact]
    public void An_unlisted_symbol_goes_and_nothing_after_changes_that()
    {
        var lifecycle = Wanted();
        Assert.Equal(new ListingDecision(ListingStep.Unlisted, First: true), lifecycle.Listing(false, null, replay: false));
        Assert.Equal(new SymbolUnknown(Btc), lifecycle.AnswerToAdd());
        Assert.Equal(new ListingDecision(ListingStep.Nothing, false), lifecycle.Listing(true, "TRADING", replay: false));
        Assert.False(lifecycle.MayStream);
    }

    [Fact]
    public void A_stream_that_stops_while_trading_restarts_after_an_escalating_cool_down()
    {
        var lifecycle = Wanted();
        lifecycle.Listing(true, "TRADING", replay: false);
        Assert.Equal(TimeSpan.FromSeconds(30), lifecycle.StreamStopped());
        Assert.Equal(TimeSpan.FromSeconds(60), lifecycle.StreamStopped());
        Assert.Equal(2, lifecycle.CoolDownsInRow);
        Assert.Equal(StreamState.BackingOff, lifecycle.StateWithoutStream);
        lifecycle.StreamHealthy();
        Assert.Equal(TimeSpan.FromSeconds(30), lifecycle.StreamStopped());
    }

    [Fact]
    public void Closing_ends_streaming_once_and_a_stopped_stream_then_means_flush_and_stop()
    {
        var lifecycle = Wanted();
        lifecycle.Listing(true, "TRADING", replay: false);
        Assert.True(lifecycle.Close());
        Assert.False(lifecycle.Close());
        Assert.False(lifecycle.MayStream);
        Assert.Null(lifecycle.StreamStopped());
        Assert.Equal(new ListingDecision(ListingStep.Nothing, false), lifecycle.Listing(true, "TRADING", replay: false));
    }

    [Fact]
    public void A_replay_plays_whatever_exchange_info_says_once()
    {
        var lifecycle = Wanted();
        Assert.Equal(new ListingDecision(ListingStep.Replay, First: true), lifecycle.Listing(false, null, replay: true));
        Assert.Equal(new ListingDecision(ListingStep.Nothing, false), lifecycle.Listing(true, "TRADING", replay: true));
    }

    [Fact]
    public void Connects_and_the_last_problem_are_kept_for_the_status()
    {
        var lifecycle = Wanted();
        var at = DateTimeOffset.UnixEpoch;
        lifecycle.Record(new Connected(Btc, new Uri("wss://x/ws"), 1, TimeSpan.Zero, at));
        var failed = new Failed(Btc, FailureKind.HttpStatus, "HTTP 503", 1, null, at);
        lifecycle.Record(failed);
        lifecycle.Record(new Connected(Btc, new Uri("wss://x/ws"), 2, TimeSpan.Zero, at));
        Assert.Equal(2, lifecycle.Connects);
        Assert.Same(failed, lifecycle.LastProblem);
    }
}
