using OrderFlow.Actors.Bars;
using OrderFlow.Actors.Sequencing;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Bars;
using OrderFlow.Protocol.Trades;
using Xunit;

namespace OrderFlow.Actors.Tests.Bars;

public sealed class SymbolBarsTests
{
    private static readonly Symbol Btc = Symbol.Parse("BTCUSDT");
    private static readonly TimeSpan[] Intervals = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromHours(1)];
    // 23:50 UTC: the tape crosses midnight, where the CVD starts again.
    private static readonly long Start = new DateTimeOffset(2026, 12, 4, 23, 50, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    /// <summary>A random tape in id order, trade times never falling: prices that jump, quantities with 8 decimals, both sides.</summary>
    internal static List<AggregateTrade> Tape(int seed, int count)
    {
        var random = new Random(seed);
        var (time, price, tradeId) = (Start + random.Next(0, 60_000), 9_135_000_000_000L, 5_000_000_000L);
        var tape = new List<AggregateTrade>();
        for (var id = 1; id <= count; id++)
        {
            time += random.Next(0, 4) == 0 ? random.Next(0, 20_000) : random.Next(0, 300);
            price = Math.Max(1_000_000, price + random.Next(-2_000, 2_001) * 1_000_000L);
            var quantity = random.Next(1, 400_000_000) * (random.Next(0, 10) == 0 ? 100L : 1L);
            var trades = random.Next(1, 5);
            tape.Add(new AggregateTrade(id, new Fixed8(price), new Fixed8(quantity), tradeId, tradeId + trades - 1, time,
                random.Next(0, 2) == 0 ? AggressorSide.Buy : AggressorSide.Sell));
            tradeId += trades;
        }
        return tape;
    }

    internal static (SymbolBars Bars, List<(BarInterval Interval, KeptBar Bar)> Final) Build(IEnumerable<AggregateTrade> tape, IReadOnlyList<BarInterval>? intervals = null)
    {
        var bars = new SymbolBars(intervals ?? [.. Intervals.Select(BarInterval.Time)], keep: 10_000, keepFootprint: 10_000, ticksPerLevel: 100);
        bars.SetTickSize(Fixed8.Parse("0.01"));
        var final = new List<(BarInterval, KeptBar)>();
        var cvd = 0L;
        var anchor = long.MinValue;
        foreach (var trade in tape)
        {
            var day = trade.TradeTimeMs - trade.TradeTimeMs % 86_400_000;
            if (day != anchor) (anchor, cvd) = (day, 0);
            cvd += trade.Side == AggressorSide.Buy ? trade.Quantity.Raw : -trade.Quantity.Raw;
            bars.Add(trade, cvd, anchor);
            final.AddRange(bars.TakeFinalised());
        }
        return (bars, final);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Every_bar_field_equals_a_decimal_recomputation_from_the_trades(int seed)
    {
        var tape = Tape(seed, 6_000);
        var (bars, _) = Build(tape);
        foreach (var interval in Intervals)
        {
            var ms = (long)interval.TotalMilliseconds;
            var expected = tape.GroupBy(t => t.TradeTimeMs - t.TradeTimeMs % ms).OrderBy(g => g.Key).ToList();
            var actual = bars.Series(interval)!.Bars.Select(BarReading.Bar).ToList();
            Assert.Equal(expected.Count, actual.Count);
            foreach (var (group, bar) in expected.Zip(actual))
            {
                Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(group.Key), bar.From);
                Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(group.Key + ms), bar.To);
                AssertFigures(tape, group.ToList(), bar);
            }
        }
    }

    /// <summary>Every figure of <paramref name="bar"/> against a decimal recomputation from its <paramref name="trades"/>.</summary>
    internal static void AssertFigures(IReadOnlyList<AggregateTrade> tape, List<AggregateTrade> trades, Bar bar)
    {
        decimal P(AggregateTrade t) => t.Price.ToDecimal();
        decimal Q(AggregateTrade t) => t.Quantity.ToDecimal();
        var buys = trades.Where(t => t.Side == AggressorSide.Buy).ToList();
        var sells = trades.Where(t => t.Side == AggressorSide.Sell).ToList();
        Assert.Equal((P(trades[0]), trades.Max(P), trades.Min(P), P(trades[^1])), (bar.Open, bar.High, bar.Low, bar.Close));
        Assert.Equal((buys.Sum(Q), sells.Sum(Q)), (bar.BuyVolume, bar.SellVolume));
        Assert.Equal((buys.Sum(t => P(t) * Q(t)), sells.Sum(t => P(t) * Q(t))), (bar.BuyNotional, bar.SellNotional));
        Assert.Equal(trades.Count, bar.Aggregates);
        Assert.Equal(trades.Sum(t => t.LastTradeId - t.FirstTradeId + 1), bar.Trades);
        var running = trades.Select(t => t.Side == AggressorSide.Buy ? Q(t) : -Q(t)).Aggregate(new List<decimal>(), (list, d) => { list.Add((list.Count == 0 ? 0 : list[^1]) + d); return list; });
        Assert.Equal((running[^1], Math.Min(0, running.Min()), Math.Max(0, running.Max())), (bar.Delta, bar.DeltaMin, bar.DeltaMax));
        var day = trades[^1].TradeTimeMs - trades[^1].TradeTimeMs % 86_400_000;
        var cvd = tape.Where(t => t.AggregateId <= trades[^1].AggregateId && t.TradeTimeMs >= day).Sum(t => t.Side == AggressorSide.Buy ? Q(t) : -Q(t));
        Assert.Equal((cvd, DateTimeOffset.FromUnixTimeMilliseconds(day)), (bar.Cvd, bar.CvdAnchor));
        var vwap = trades.Sum(t => P(t) * Q(t)) / trades.Sum(Q);
        Assert.Equal(decimal.Round(vwap, 12, MidpointRounding.ToZero), bar.Vwap);
        Assert.Equal((trades[0].AggregateId, trades[^1].AggregateId), (bar.FirstAggregateId, bar.LastAggregateId));
    }

    [Fact]
    public void Every_footprint_level_equals_a_recomputation_and_sums_to_the_bar_in_every_interval()
    {
        var tape = Tape(7, 3_000);
        var (bars, _) = Build(tape);
        var step = 100 * 1_000_000L; // 100 ticks of 0.01
        Assert.Equal(step, bars.Step);
        // 5m and 1h bars are handed the finished 1m footprints; the one under way counts the 1m bar under way too.
        foreach (var series in Intervals.Select(interval => bars.Series(interval)!))
        foreach (var kept in series.Bars)
        {
            var trades = tape.Where(t => t.TradeTimeMs >= kept.FromMs && t.TradeTimeMs < kept.ToMs).ToList();
            var expected = trades.GroupBy(t => t.Price.Raw - t.Price.Raw % step).OrderBy(g => g.Key)
                .Select(g => (g.Key, g.Where(t => t.Side == AggressorSide.Buy).Sum(t => t.Quantity.Raw), g.Where(t => t.Side == AggressorSide.Sell).Sum(t => t.Quantity.Raw)))
                .ToList();
            var actual = bars.FootprintOf(series, kept)!.Levels.OrderBy(l => l.Key).Select(l => (l.Key, l.Value.Buy, l.Value.Sell)).ToList();
            Assert.Equal(expected, actual);
            Assert.Equal(kept.Figures.BuyVolume, actual.Sum(l => l.Buy));
            Assert.Equal(kept.Figures.SellVolume, actual.Sum(l => l.Sell));
        }
    }

    [Fact]
    public void A_bar_is_final_once_a_later_trade_passes_each_once_in_order()
    {
        var tape = Tape(4, 4_000);
        var (bars, final) = Build(tape);
        foreach (var interval in Intervals)
        {
            var finals = final.Where(f => f.Interval == interval).Select(f => f.Bar).ToList();
            var kept = bars.Series(interval)!.Bars;
            // Every bar but the newest is final, announced once, oldest first; the newest waits for a later trade or the clock.
            Assert.Equal(kept.SkipLast(1).Select(b => b.FromMs), finals.Select(b => b.FromMs));
            Assert.False(kept[^1].Final);
            Assert.All(finals, bar => Assert.Equal(0, bar.Revision));
        }
    }

    [Fact]
    public void On_a_quiet_symbol_the_clock_finalises_and_a_late_trade_reissues_with_the_next_revision()
    {
        var bars = new SymbolBars([TimeSpan.FromMinutes(1)], keep: 10, keepFootprint: 10, ticksPerLevel: 1);
        var minute = Start - Start % 60_000;
        bars.Add(Trade(1, minute + 10_000, "100", "1"), 0, 0);
        bars.Tick(minute + 61_000, graceMs: 2_000);
        Assert.Empty(bars.TakeFinalised()); // within the grace
        bars.Tick(minute + 62_000, graceMs: 2_000);
        var byClock = Assert.Single(bars.TakeFinalised());
        Assert.True(byClock.Bar.Final);
        Assert.Equal(0, byClock.Bar.Revision);

        // A backfill brings a trade from inside that minute: the bar comes again, revision 1.
        bars.Add(Trade(2, minute + 50_000, "101", "2"), 0, 0);
        var again = Assert.Single(bars.TakeFinalised());
        Assert.Equal(1, again.Bar.Revision);
        Assert.Equal(2, again.Bar.Figures.Aggregates);

        // The next minute's trade starts a new bar; the re-issued one is not announced a third time.
        bars.Add(Trade(3, minute + 61_000, "102", "1"), 0, 0);
        Assert.Empty(bars.TakeFinalised());
    }

    [Fact]
    public void A_gap_given_up_on_leaves_the_bars_it_falls_in_incomplete()
    {
        var bars = new SymbolBars([TimeSpan.FromMinutes(1)], keep: 10, keepFootprint: 10, ticksPerLevel: 1);
        var minute = Start - Start % 60_000;
        bars.Add(Trade(1, minute + 10_000, "100", "1"), 0, 0);
        bars.Add(Trade(2, minute + 70_000, "100", "1"), 0, 0);
        bars.Add(Trade(9, minute + 150_000, "100", "1"), 0, 0);
        bars.TakeFinalised();
        bars.Hole(new TapeHole(Btc, new AggregateIdRange(3, 8), minute + 70_000, minute + 150_000));
        var kept = bars.Series(TimeSpan.FromMinutes(1))!.Bars;
        Assert.Equal([true, false, false], kept.Select(b => b.Complete));
        // The final one among them comes again, marked.
        Assert.Equal([minute + 60_000], bars.TakeFinalised().Select(f => f.Bar.FromMs));
    }

    [Fact]
    public void Only_the_newest_bars_are_kept_and_only_the_newest_of_those_hold_a_footprint()
    {
        var bars = new SymbolBars([TimeSpan.FromMinutes(1)], keep: 5, keepFootprint: 2, ticksPerLevel: 1);
        for (var i = 0; i < 8; i++) bars.Add(Trade(i + 1, Start + i * 60_000L, "100", "1"), 0, 0);
        var kept = bars.Series(TimeSpan.FromMinutes(1))!.Bars;
        Assert.Equal(5, kept.Count);
        Assert.Equal([false, false, false, true, true], kept.Select(b => b.Footprint is not null));
    }

    [Fact]
    public void Without_configured_ticks_per_level_the_step_is_the_smallest_tick_multiple_at_or_above_a_tenth_of_a_basis_point_of_the_first_price()
    {
        var bars = new SymbolBars([TimeSpan.FromMinutes(1)], keep: 5, keepFootprint: 2, ticksPerLevel: 0);
        bars.Add(Trade(1, Start, "91000", "1"), 0, 0);
        Assert.Equal(0, bars.Step); // no tick size yet: each price its own level until it is known
        bars.SetTickSize(Fixed8.Parse("0.01"));
        bars.Add(Trade(2, Start + 1, "91350.55", "1"), 0, 0);
        Assert.Equal(Fixed8.Parse("0.92").Raw, bars.Step);
        bars.Add(Trade(3, Start + 2, "120000", "1"), 0, 0);
        Assert.Equal(Fixed8.Parse("0.92").Raw, bars.Step); // fixed once chosen
    }

    private static AggregateTrade Trade(long id, long timeMs, string price, string quantity, AggressorSide side = AggressorSide.Buy) =>
        new(id, Fixed8.Parse(price), Fixed8.Parse(quantity), id, id, timeMs, side);
}
