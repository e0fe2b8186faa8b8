using OrderFlow.Actors.Sequencing;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Metrics;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Metrics;
using OrderFlow.Protocol.Trades;
using Xunit;

namespace OrderFlow.Actors.Tests.Metrics;

public sealed class RollingOrderFlowTests
{
    private static readonly Symbol Btc = Symbol.Parse("BTCUSDT");
    private static readonly TimeSpan[] Windows = [TimeSpan.FromSeconds(7), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5),
        TimeSpan.FromMinutes(15), TimeSpan.FromHours(1)];

    private static MetricsSettings Settings(decimal largeThreshold = 250_000m, int ticksPerBin = 1) =>
        new(Windows, largeThreshold, new Dictionary<Symbol, decimal>(), ticksPerBin, 70, CvdAnchor.UtcDay);

    /// <summary>The configured bin, or with 0 the smallest tick multiple at or above a tenth of a basis point of the first price.</summary>
    private static decimal Bin(Fixed8 tick, Fixed8 firstPrice, int ticksPerBin) =>
        ticksPerBin > 0 ? tick.ToDecimal() * ticksPerBin : Math.Ceiling(firstPrice.ToDecimal() / 100_000m / tick.ToDecimal()) * tick.ToDecimal();

    /// <summary>
    /// Random tapes that start 40 minutes before a UTC midnight and run past it, with bursts, quiet minutes and
    /// whales; every window is compared with the oracle, field by field, at random moments along the way (up to 90 s
    /// after the last trade, so windows also end past it). In some, a share of the trades come late: timed up to 10 s
    /// before the latest one (a second the windows have already closed), or 2 hours before (older than any window).
    /// </summary>
    [Theory]
    [InlineData(1, 0.01, 1, 0)]
    [InlineData(2, 0.01, 10, 0)]
    [InlineData(3, 0.5, 1, 0)]
    [InlineData(4, 0.00001, 3, 0)]
    [InlineData(5, 1, 1, 0)]
    [InlineData(6, 0.01, 1, 10)]
    [InlineData(7, 0.5, 2, 30)]
    [InlineData(8, 0.01, 0, 0)] // the step rule: 90,000 at tick 0.01 → bins of 0.9
    [InlineData(9, 0.00001, 0, 10)]
    public void Every_window_equals_the_oracle_across_window_and_day_boundaries(int seed, double tickSize, int ticksPerBin, int latePercent)
    {
        var random = new Random(seed);
        var tick = Fixed8.FromDecimal((decimal)tickSize);
        var settings = Settings(ticksPerBin: ticksPerBin);
        var flow = new RollingOrderFlow(Btc, settings);
        flow.SetTickSize(tick);
        var midnight = new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var time = midnight - (long)TimeSpan.FromMinutes(40).TotalMilliseconds;
        flow.Tape.Started(time);

        var tape = new List<AggregateTrade>();
        var priceTicks = 9_000_000L;
        var compared = 0;
        for (var id = 1L; time < midnight + TimeSpan.FromMinutes(45).TotalMilliseconds; id++)
        {
            time += random.Next(100) switch
            {
                < 2 => random.Next(0, 120_000), // a quiet spell
                < 40 => 0,                      // a burst in the same millisecond
                _ => random.Next(1, 400),
            };
            priceTicks = Math.Max(1, priceTicks + random.Next(-40, 41));
            var quantityRaw = random.Next(20) == 0 ? random.NextInt64(100_000_000, 5_000_000_000_000) : random.NextInt64(1, 300_000_000);
            var tradeTime = latePercent == 0 || random.Next(100) >= latePercent ? time
                : random.Next(20) == 0 ? time - 7_200_000 : time - random.Next(10_000);
            var trade = new AggregateTrade(id, new Fixed8(priceTicks * tick.Raw), new Fixed8(quantityRaw), id * 3, id * 3 + random.Next(3),
                tradeTime, random.Next(2) == 0 ? AggressorSide.Buy : AggressorSide.Sell);
            tape.Add(trade);
            flow.Add(trade);

            if (random.Next(100) != 0) continue;
            var asOf = time + random.Next(0, 90_000);
            foreach (var window in Windows)
            {
                FlowOracle.Compute(tape, window, asOf, settings.LargeTradeNotional, Bin(tick, tape[0].Price, ticksPerBin), 70, TimeSpan.Zero)
                    .AssertMatches(flow.Snapshot(window, asOf, null));
                compared++;
            }
        }
        Assert.True(compared > 100, $"only {compared} comparisons");
    }

    [Fact]
    public void A_window_is_ready_only_once_the_tape_covers_all_of_it()
    {
        var flow = new RollingOrderFlow(Btc, Settings());
        const long start = 1_764_000_000_000;
        Assert.Equal("no trades collected yet", flow.Snapshot(TimeSpan.FromMinutes(1), start, null).Coverage.NotReadyBecause);

        flow.Tape.Started(start);
        flow.Add(Trade(1, start + 100));
        var early = flow.Snapshot(TimeSpan.FromMinutes(1), start + 30_000, null);
        Assert.False(early.Ready);
        Assert.InRange(early.Coverage.Fraction, 0.5m, 0.52m);
        Assert.Contains("trades collected since", early.Coverage.NotReadyBecause);

        var later = flow.Snapshot(TimeSpan.FromMinutes(1), start + 61_000, null);
        Assert.True(later.Ready);
        Assert.Equal(1m, later.Coverage.Fraction);
        Assert.False(flow.Snapshot(TimeSpan.FromMinutes(5), start + 61_000, null).Ready);
    }

    [Fact]
    public void An_interrupted_tape_makes_the_windows_past_its_last_trade_not_ready_until_it_resumes()
    {
        var flow = new RollingOrderFlow(Btc, Settings());
        const long start = 1_764_000_000_000;
        flow.Tape.Started(start - 3_600_000);
        flow.Add(Trade(1, start));
        flow.Tape.Interrupt(new TapeInterrupted(Btc, start, "stream failed: connection reset"));

        var during = flow.Snapshot(TimeSpan.FromMinutes(1), start + 20_000, null);
        Assert.False(during.Ready);
        Assert.Contains("interrupted", during.Coverage.NotReadyBecause);
        Assert.Contains("connection reset", during.Coverage.NotReadyBecause);
        Assert.False(flow.Snapshot(TimeSpan.FromMinutes(1), start, null).Cvd.Complete);

        flow.Tape.Resume();
        Assert.True(flow.Snapshot(TimeSpan.FromMinutes(1), start + 20_000, null).Ready);
    }

    [Fact]
    public void An_unrecovered_gap_keeps_every_window_that_contains_it_not_ready_and_says_which_ids()
    {
        var flow = new RollingOrderFlow(Btc, Settings());
        const long start = 1_764_000_000_000;
        flow.Tape.Started(start - 3_600_000);
        flow.Add(Trade(1, start));
        flow.Hole(new TapeHole(Btc, new AggregateIdRange(2, 9), start, start + 500));
        flow.Add(Trade(10, start + 500));

        var oneMinute = flow.Snapshot(TimeSpan.FromMinutes(1), start + 30_000, null);
        Assert.False(oneMinute.Ready);
        Assert.Equal(1, oneMinute.Quality.UnrecoveredGapsInWindow);
        Assert.Contains("aggregate ids 2..9 are missing", oneMinute.Coverage.NotReadyBecause);

        // Once the gap has left the window, the window is whole again; the longer one still holds it.
        Assert.True(flow.Snapshot(TimeSpan.FromMinutes(1), start + 61_000, null).Ready);
        Assert.False(flow.Snapshot(TimeSpan.FromMinutes(5), start + 61_000, null).Ready);
    }

    [Fact]
    public void Cvd_restarts_at_each_utc_day_and_reports_its_anchor_and_whether_it_is_complete()
    {
        var flow = new RollingOrderFlow(Btc, Settings());
        var midnight = new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);
        var ms = midnight.ToUnixTimeMilliseconds();
        flow.Tape.Started(ms - 600_000);
        flow.Add(Trade(1, ms - 1_000, AggressorSide.Buy, "2"));
        var before = flow.Snapshot(TimeSpan.FromMinutes(1), ms - 500, null).Cvd;
        Assert.Equal((2m, midnight.AddDays(-1), false), (before.Value, before.Anchor, before.Complete));

        flow.Add(Trade(2, ms + 1_000, AggressorSide.Sell, "0.5"));
        var after = flow.Snapshot(TimeSpan.FromMinutes(1), ms + 2_000, null).Cvd;
        Assert.Equal((-0.5m, midnight, true, midnight), (after.Value, after.Anchor, after.Complete, after.CountedFrom));

        // No trade yet on the next day: its CVD is zero, anchored at its own midnight.
        var nextDay = flow.Snapshot(TimeSpan.FromMinutes(1), ms + 86_400_000 + 5, null).Cvd;
        Assert.Equal((0m, midnight.AddDays(1)), (nextDay.Value, nextDay.Anchor));
    }

    [Fact]
    public void A_window_with_no_trade_has_zero_volumes_and_no_prices()
    {
        var flow = new RollingOrderFlow(Btc, Settings());
        flow.Add(Trade(1, 1_764_000_000_000));
        var empty = flow.Snapshot(TimeSpan.FromMinutes(1), 1_764_000_000_000 + 120_000, null);
        Assert.Equal((0L, 0m, 0m, (decimal?)null, (VwapBands?)null, (VolumeProfile?)null, (decimal?)null),
            (empty.TradeCount, empty.BuyVolume, empty.TradesPerSecond, empty.Open, empty.Vwap, empty.Profile, empty.DeltaPercent));
        Assert.Equal(120m, empty.Quality.SecondsSinceLastTrade);
    }

    [Fact]
    public void Without_a_tick_size_the_profile_bins_on_the_grid_the_prices_lie_on()
    {
        var flow = new RollingOrderFlow(Btc, Settings());
        const long at = 1_764_000_000_000;
        flow.Add(Trade(1, at, price: "100.10"));
        flow.Add(Trade(2, at, price: "100.30", quantity: "3"));
        flow.Add(Trade(3, at, price: "100.50"));
        var profile = flow.Snapshot(TimeSpan.FromMinutes(1), at, null).Profile!;
        Assert.Equal((0.1m, 100.3m, 5), (profile.BinSize, profile.PointOfControl, profile.Bins));
    }

    [Fact]
    public void A_trade_is_large_from_exactly_the_threshold_and_the_largest_is_the_earliest_of_equals()
    {
        var flow = new RollingOrderFlow(Btc, Settings(largeThreshold: 100_000m));
        const long at = 1_764_000_000_000;
        flow.Add(Trade(1, at, AggressorSide.Buy, "1.99999999", "50000"));
        flow.Add(Trade(2, at, AggressorSide.Sell, "2", "50000"));
        flow.Add(Trade(3, at, AggressorSide.Buy, "4", "25000"));
        var large = flow.Snapshot(TimeSpan.FromMinutes(1), at, null).LargeTrades;
        Assert.Equal((1L, 4m, 100_000m), (large.Buy.Count, large.Buy.Volume, large.Buy.Notional));
        Assert.Equal((1L, 2m, 100_000m), (large.Sell.Count, large.Sell.Volume, large.Sell.Notional));
        Assert.Equal(2, large.Largest!.Value.AggregateId);
    }

    [Fact]
    public void Sums_stay_exact_where_a_double_would_drift()
    {
        var flow = new RollingOrderFlow(Btc, Settings());
        const long at = 1_764_000_000_000;
        for (var id = 1; id <= 10_000; id++) flow.Add(Trade(id, at, AggressorSide.Buy, "0.1", "0.00000001"));
        var snapshot = flow.Snapshot(TimeSpan.FromMinutes(1), at, null);
        Assert.Equal(1000m, snapshot.BuyVolume);
        Assert.Equal(0.00001m, snapshot.BuyNotional);
        Assert.Equal(0m, snapshot.Vwap!.StdDev);
    }

    private static AggregateTrade Trade(long id, long timeMs, AggressorSide side = AggressorSide.Buy, string quantity = "1",
        string price = "91350.00") =>
        new(id, Fixed8.Parse(price), Fixed8.Parse(quantity), id, id, timeMs, side);
}
