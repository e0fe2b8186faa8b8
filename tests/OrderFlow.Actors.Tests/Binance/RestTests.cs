using OrderFlow.Actors.Tests.Support;
using System.Text;
using OrderFlow.Actors.Binance;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;
using Xunit;

namespace OrderFlow.Actors.Tests.Binance;

public sealed class RestTests
{
    [Fact]
    public void The_weight_budget_spends_per_sliding_minute()
    {
        var clock = new ManualClock();
        var budget = new RequestWeightBudget(weightPerMinute: 10, clock);

        Assert.True(budget.TryAcquire(4, out _));
        clock.Now += TimeSpan.FromSeconds(30);
        Assert.True(budget.TryAcquire(4, out _));
        Assert.False(budget.TryAcquire(4, out var wait));
        Assert.Equal(TimeSpan.FromSeconds(30), wait);

        clock.Now += TimeSpan.FromSeconds(30);
        Assert.True(budget.TryAcquire(4, out _));
    }

    [Fact]
    public void The_weight_budget_never_counts_less_than_the_exchange_says_this_IP_spent()
    {
        var clock = new ManualClock();
        var budget = new RequestWeightBudget(weightPerMinute: 100, clock);
        Assert.True(budget.TryAcquire(4, out _));

        // Another process on this IP spent 90: the exchange's X-MBX-USED-WEIGHT-1M says so, and it is believed.
        budget.Observe(94);
        Assert.True(budget.TryAcquire(4, out _));
        Assert.False(budget.TryAcquire(4, out var wait));
        Assert.Equal(TimeSpan.FromMinutes(1), wait);
        // A count lower than ours (a reply that left before our latest calls were counted) changes nothing.
        budget.Observe(10);
        Assert.False(budget.TryAcquire(4, out _));

        clock.Now += TimeSpan.FromMinutes(1);
        Assert.True(budget.TryAcquire(4, out _));
    }

    [Fact]
    public void A_retry_after_holds_every_request_until_it_passes()
    {
        var clock = new ManualClock();
        var budget = new RequestWeightBudget(weightPerMinute: 6000, clock);

        budget.HoldFor(TimeSpan.FromSeconds(120));
        budget.HoldFor(TimeSpan.FromSeconds(5)); // a shorter hold never shortens a longer one
        Assert.False(budget.TryAcquire(4, out var wait));
        Assert.Equal(TimeSpan.FromSeconds(120), wait);

        clock.Now += TimeSpan.FromSeconds(120);
        Assert.True(budget.TryAcquire(4, out _));
    }

    [Fact]
    public void When_weight_is_short_the_backfill_with_more_trades_waiting_goes_first()
    {
        var clock = new ManualClock();
        var budget = new RequestWeightBudget(weightPerMinute: 8, clock);
        var (quiet, busy) = (new BackfillTurn(Symbol.Parse("QUIETUSDT"), 3), new BackfillTurn(Symbol.Parse("BTCUSDT"), 5_000));
        Assert.True(budget.TryAcquire(8, out _));

        // Both held back by the spent minute; both claim a turn.
        Assert.False(budget.TryAcquire(4, quiet, out var wait));
        Assert.Equal(TimeSpan.FromMinutes(1), wait);
        Assert.False(budget.TryAcquire(4, busy, out _));
        clock.Now += TimeSpan.FromMinutes(1);

        // The minute is free. The quiet symbol asks first, but 8 would not cover it and the busy one's 4 as well: it
        // gives way. While both fit, nobody waits.
        Assert.True(budget.TryAcquire(4, quiet, out _), "8 covers both pages");
        Assert.False(budget.TryAcquire(4, quiet, out wait), "the busy symbol's page claims the last 4");
        Assert.Equal(RequestWeightBudget.GiveWay, wait);
        Assert.True(budget.TryAcquire(4, busy, out _));
        Assert.False(budget.TryAcquire(4, quiet, out wait), "the minute is spent");
        Assert.Equal(TimeSpan.FromMinutes(1), wait);
    }

    [Fact]
    public void A_claim_whose_symbol_never_asks_again_lapses()
    {
        var clock = new ManualClock();
        var budget = new RequestWeightBudget(weightPerMinute: 4, clock);
        Assert.True(budget.TryAcquire(4, out _));
        Assert.False(budget.TryAcquire(4, new BackfillTurn(Symbol.Parse("GONEUSDT"), 1_000), out _)); // removed meanwhile
        clock.Now += TimeSpan.FromMinutes(1);

        var quiet = new BackfillTurn(Symbol.Parse("QUIETUSDT"), 1);
        Assert.False(budget.TryAcquire(4, quiet, out _));
        clock.Now += TimeSpan.FromSeconds(5);
        Assert.True(budget.TryAcquire(4, quiet, out _));
    }

    [Fact]
    public void A_REST_page_parses_exactly()
    {
        var trades = new List<AggregateTrade>();
        Assert.True(AggTradeParser.TryParseRestPage(Encoding.UTF8.GetBytes(
            """[{"a":26129,"p":"0.01633102","q":"4.70443515","f":27781,"l":27781,"T":1498793709153,"m":true,"M":true},""" +
            """ {"a":26130,"p":"0.01633103","q":"1.00000000","f":27782,"l":27783,"T":1498793709160,"m":false,"M":true}]"""),
            trades, out var problem), problem);

        Assert.Equal(
            [
                new AggregateTrade(26129, Fixed8.Parse("0.01633102"), Fixed8.Parse("4.70443515"), 27781, 27781, 1498793709153, AggressorSide.Sell),
                new AggregateTrade(26130, Fixed8.Parse("0.01633103"), Fixed8.Parse("1"), 27782, 27783, 1498793709160, AggressorSide.Buy),
            ],
            trades);
        Assert.True(AggTradeParser.TryParseRestPage("[]"u8, trades, out _));
    }

    [Theory]
    [InlineData("""{"code":-1121,"msg":"Invalid symbol."}""", "not a JSON array")]
    [InlineData("""[{"a":1,"p":"1.0","q":"1.0","f":1,"l":1,"T":1}]""", "aggTrade is missing fields")]
    [InlineData("""[{"a":1,"p":"1.0","q":"1.0","f":1,"l":1,"T":1,"m":true}, 7]""", "an element is not an object")]
    [InlineData("""[{"e":"aggTrade","a":1,"p":"1.0","q":"1.0","f":1,"l":1,"T":1,"m":true}]""", "unexpected event type in a REST element")]
    [InlineData("""[{"a":1,"p":"1.0","q":"1.0","f":1,"l":1,"T":1,"m":true}""", "invalid JSON")]
    public void A_malformed_REST_page_is_refused_whole(string json, string expected)
    {
        var trades = new List<AggregateTrade>();
        Assert.False(AggTradeParser.TryParseRestPage(Encoding.UTF8.GetBytes(json), trades, out var problem));
        Assert.Equal(expected, problem);
    }
}
