using OrderFlow.Actors.Bars;
using OrderFlow.Actors.Sequencing;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Bars;
using OrderFlow.Protocol.Trades;
using Xunit;

namespace OrderFlow.Actors.Tests.Bars;

/// <summary>Tick and volume bars against a decimal oracle, on random tapes that cross midnight UTC.</summary>
public sealed class CountedBarsTests
{
    private static readonly Symbol Btc = Symbol.Parse("BTCUSDT");
    private const int N = 37;
    private static readonly BarInterval Ticks = BarInterval.Ticks(N);
    private static readonly BarInterval Volume = BarInterval.Volume(Fixed8.Parse("25"));
    private static readonly IReadOnlyList<BarInterval> All = [TimeSpan.FromMinutes(1), Ticks, Volume];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Tick_bars_hold_runs_of_N_ids_counted_from_each_days_first_aggregate_every_field_and_level_exact(int seed)
    {
        var tape = SymbolBarsTests.Tape(seed, 6_000);
        var expected = tape.GroupBy(Day).SelectMany(day => day.GroupBy(t => (t.AggregateId - day.First().AggregateId) / N)).Select(bar => bar.ToList()).ToList();
        AssertSeries(tape, Ticks, expected, lastFull: expected[^1].Count == N);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Volume_bars_end_with_the_trade_that_carries_them_to_V_never_split_and_start_again_each_day(int seed)
    {
        var tape = SymbolBarsTests.Tape(seed, 6_000);
        var expected = new List<List<AggregateTrade>>();
        foreach (var trade in tape)
        {
            if (expected.Count == 0 || Day(expected[^1][0]) != Day(trade) || expected[^1].Sum(t => t.Quantity.ToDecimal()) >= 25m) expected.Add([]);
            expected[^1].Add(trade);
        }
        Assert.Contains(expected, bar => bar.Sum(t => t.Quantity.ToDecimal()) > 25m); // a trade is never split: the one that crosses V stays whole
        AssertSeries(tape, Volume, expected, lastFull: expected[^1].Sum(t => t.Quantity.ToDecimal()) >= 25m);
    }

    [Fact]
    public void A_day_the_tape_starts_after_is_not_complete_and_a_hole_spoils_the_tick_bars_it_falls_in_and_the_days_later_volume_bars()
    {
        // From the exchange's second aggregate on (a tape that begins with the first one ever misses nothing before it).
        var tape = SymbolBarsTests.Tape(9, 4_000).Skip(1).ToList();
        var midnight = tape.First(t => Day(t) > Day(tape[0]));
        Assert.InRange(midnight.AggregateId, 3, 1_500);
        var bars = new SymbolBars([Ticks, Volume], keep: 10_000, keepFootprint: 0, ticksPerLevel: 1);
        // The tape starts at 23:5x: the first day's bars cannot be counted from its first aggregate; the next day's can.
        bars.TapeStarted(tape[0].TradeTimeMs);
        var hole = new AggregateIdRange(2_001, 2_010);
        foreach (var trade in tape)
        {
            if (trade.AggregateId >= hole.FromId && trade.AggregateId <= hole.ToId) continue;
            if (trade.AggregateId == hole.ToId + 1)
                bars.Hole(new TapeHole(Btc, hole, tape.Single(t => t.AggregateId == hole.FromId - 1).TradeTimeMs, trade.TradeTimeMs));
            bars.Add(trade, 0, 0);
        }

        foreach (var bar in bars.Series(Ticks)!.Bars)
        {
            var spoiled = bar.FromMs < midnight.TradeTimeMs || bar.CountFromId <= hole.ToId && bar.CountFromId + N > hole.FromId;
            Assert.True(bar.Complete != spoiled, $"tick bar from id {bar.CountFromId}: complete {bar.Complete}");
        }
        // Counted by ids, the tick bars after the hole keep the day's boundaries: the bar after it starts where it would have.
        Assert.Contains(bars.Series(Ticks)!.Bars, bar => (bar.CountFromId - midnight.AggregateId) % N == 0 && bar.CountFromId > hole.ToId);
        foreach (var bar in bars.Series(Volume)!.Bars)
        {
            var spoiled = bar.FromMs < midnight.TradeTimeMs || bar.Figures.LastAggregateId >= hole.FromId - 1;
            Assert.True(bar.Complete != spoiled, $"volume bar from id {bar.Figures.FirstAggregateId}: complete {bar.Complete}");
        }
    }

    [Fact]
    public void On_a_quiet_symbol_the_days_last_bar_is_final_once_the_clock_passes_the_day_plus_the_grace()
    {
        var bars = new SymbolBars([Ticks], keep: 10, keepFootprint: 10, ticksPerLevel: 1);
        var day = new DateTimeOffset(2026, 12, 4, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        bars.Add(new AggregateTrade(1, Fixed8.Parse("100"), Fixed8.Parse("1"), 1, 1, day + 86_399_000, AggressorSide.Buy), 0, 0);
        bars.Tick(day + 86_400_000 + 1_000, graceMs: 2_000);
        Assert.Empty(bars.TakeFinalised());
        bars.Tick(day + 86_400_000 + 2_000, graceMs: 2_000);
        var final = Assert.Single(bars.TakeFinalised());
        Assert.Equal((Ticks, 0), (final.Interval, final.Bar.Revision));
    }

    private static long Day(AggregateTrade trade) => trade.TradeTimeMs - trade.TradeTimeMs % 86_400_000;

    /// <summary>
    /// Built beside 1m time bars: every bar's figures and footprint equal the oracle's; every bar but the newest is final,
    /// announced once, oldest first; the newest is final only when full.
    /// </summary>
    private static void AssertSeries(List<AggregateTrade> tape, BarInterval interval, List<List<AggregateTrade>> expected, bool lastFull)
    {
        var (bars, final) = SymbolBarsTests.Build(tape, All);
        var series = bars.Series(interval)!;
        Assert.Equal(expected.Count, series.Bars.Count);
        const long step = 100 * 1_000_000L; // 100 ticks of 0.01
        foreach (var (trades, kept) in expected.Zip(series.Bars))
        {
            var bar = BarReading.Bar(kept);
            Assert.Equal((DateTimeOffset.FromUnixTimeMilliseconds(trades[0].TradeTimeMs), DateTimeOffset.FromUnixTimeMilliseconds(trades[^1].TradeTimeMs)), (bar.From, bar.To));
            SymbolBarsTests.AssertFigures(tape, trades, bar);
            Assert.True(bar.Complete);
            var levels = trades.GroupBy(t => t.Price.Raw - t.Price.Raw % step).OrderBy(g => g.Key)
                .Select(g => (g.Key, g.Where(t => t.Side == AggressorSide.Buy).Sum(t => t.Quantity.Raw), g.Where(t => t.Side == AggressorSide.Sell).Sum(t => t.Quantity.Raw)));
            Assert.Equal(levels, bars.FootprintOf(series, kept)!.Levels.Select(l => (l.Key, l.Value.Buy, l.Value.Sell)));
        }
        var finals = final.Where(f => f.Interval == interval).Select(f => f.Bar).ToList();
        Assert.Equal(series.Bars.Take(series.Bars.Count - (lastFull ? 0 : 1)).Select(b => b.Figures.FirstAggregateId), finals.Select(b => b.Figures.FirstAggregateId));
        Assert.All(finals, bar => Assert.Equal(0, bar.Revision));
        Assert.Equal(lastFull, series.Bars[^1].Final);
    }
}
