using OrderFlow.Actors.Bars;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;
using Xunit;

namespace OrderFlow.Actors.Tests.Bars;

public sealed class FootprintReadingTests
{
    private const long Step = 100_000_000; // 1.00

    /// <summary>A ladder from (price, buy, sell) rows, whole units.</summary>
    private static FootprintLadder Ladder(params (int Price, decimal Buy, decimal Sell)[] rows)
    {
        var ladder = new FootprintLadder();
        var id = 0L;
        foreach (var (price, buy, sell) in rows)
        {
            if (buy > 0) ladder.Add(new AggregateTrade(++id, new Fixed8(price * Step), Fixed8.FromDecimal(buy), id, id, 0, AggressorSide.Buy), Step);
            if (sell > 0) ladder.Add(new AggregateTrade(++id, new Fixed8(price * Step), Fixed8.FromDecimal(sell), id, id, 0, AggressorSide.Sell), Step);
        }
        return ladder;
    }

    private static (bool Buy, bool Sell) At(FootprintReading reading, int price)
    {
        var level = reading.Levels.Single(l => l.Price == price * Step);
        return (level.BuyImbalance, level.SellImbalance);
    }

    [Fact]
    public void Ratio_300_means_at_least_three_times_the_diagonal_not_more_than_and_not_an_excess()
    {
        // Buy at 101 against sell at 100: exactly 3× is an imbalance (≥), 2.99999999× is not.
        var exactly = FootprintReading.Of(Ladder((100, 0, 10), (101, 30, 0)), ImbalanceRule.Default, 0);
        Assert.True(At(exactly, 101).Buy);
        var under = FootprintReading.Of(Ladder((100, 0, 10), (101, 29.99999999m, 0)), ImbalanceRule.Default, 0);
        Assert.False(At(under, 101).Buy);
        // ATAS's "200%" is an excess (more than 3×); here 200 means at least 2×.
        var twice = FootprintReading.Of(Ladder((100, 0, 10), (101, 20, 0)), ImbalanceRule.Default with { RatioPercent = 200 }, 0);
        Assert.True(At(twice, 101).Buy);
        // Horizontal comparisons do not count: buy at 100 against sell at 100.
        Assert.False(At(FootprintReading.Of(Ladder((100, 40, 10)), ImbalanceRule.Default, 0), 100).Buy);
    }

    [Fact]
    public void A_sell_imbalance_compares_the_sell_at_a_level_with_the_buy_one_step_above()
    {
        var reading = FootprintReading.Of(Ladder((100, 0, 30), (101, 10, 0)), ImbalanceRule.Default, 0);
        Assert.Equal((false, true), At(reading, 100));
        Assert.Equal((false, false), At(reading, 101));
    }

    [Fact]
    public void An_empty_diagonal_is_skipped_by_default_and_counts_as_the_smallest_quantity_with_min_qty()
    {
        var ladder = Ladder((100, 0, 0.5m), (102, 5, 0)); // nothing sold at 101
        ladder.Add(new AggregateTrade(9, new Fixed8(101 * Step), Fixed8.FromDecimal(1), 9, 9, 0, AggressorSide.Buy), Step);
        Assert.False(At(FootprintReading.Of(ladder, ImbalanceRule.Default, 0), 102).Buy);
        Assert.True(At(FootprintReading.Of(ladder, ImbalanceRule.Default with { Zero = ZeroSide.MinQty }, 0), 102).Buy);
    }

    [Fact]
    public void The_dominant_side_needs_the_minimum_volume()
    {
        var ladder = Ladder((100, 0, 1), (101, 3, 0));
        Assert.True(At(FootprintReading.Of(ladder, ImbalanceRule.Default, 0), 101).Buy);
        Assert.False(At(FootprintReading.Of(ladder, ImbalanceRule.Default with { MinVolume = 4 * Step }, 0), 101).Buy);
    }

    [Fact]
    public void Three_adjacent_imbalances_stack_and_a_level_without_trades_breaks_the_run()
    {
        var stacked = FootprintReading.Of(Ladder((100, 0, 1), (101, 3, 1), (102, 3, 1), (103, 3, 0)), ImbalanceRule.Default, 0);
        Assert.Equal([(101 * Step, 103 * Step)], stacked.StackedBuy);
        Assert.Empty(stacked.StackedSell);

        var broken = FootprintReading.Of(Ladder((100, 0, 1), (101, 3, 1), (102, 3, 1), (104, 3, 1), (105, 3, 0)), ImbalanceRule.Default, 0);
        Assert.Empty(broken.StackedBuy);
    }

    [Fact]
    public void Unfinished_auctions_and_the_poc_with_its_tie_rule()
    {
        var reading = FootprintReading.Of(Ladder((100, 1, 1), (101, 5, 0), (102, 2, 3), (103, 0, 2)), ImbalanceRule.Default, close: 102 * Step);
        Assert.False(reading.UnfinishedHigh); // 103 traded on one side only
        Assert.True(reading.UnfinishedLow);   // 100 traded both ways
        // 101 and 102 both hold 5: the nearer the close wins.
        Assert.Equal(102 * Step, reading.Poc);
        var tie = FootprintReading.Of(Ladder((100, 5, 0), (102, 5, 0)), ImbalanceRule.Default, close: 101 * Step);
        Assert.Equal(100 * Step, tie.Poc); // equally near: the lower
    }
}
