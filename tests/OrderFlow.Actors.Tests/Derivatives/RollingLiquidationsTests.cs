using OrderFlow.Actors.Binance;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Derivatives;
using OrderFlow.Actors.Metrics;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Derivatives;
using OrderFlow.Protocol.Metrics;
using Xunit;

namespace OrderFlow.Actors.Tests.Derivatives;

public sealed class RollingLiquidationsTests
{
    private static readonly Symbol Perp = Symbol.Parse("usdm:BTCUSDT");
    private static readonly WindowCoverage Covered = new(true, 1m, null);

    /// <summary>
    /// Random liquidation tapes (filled, partly filled, expired with nothing filled, both sides) over two hours: every
    /// window asked at random moments equals a decimal recomputation from the events whose trade time falls in it.
    /// On COIN-M (contract size 100 USD) the volume is z × 100 / ap in the coin, truncated to 10^-8, and the notional z × 100.
    /// </summary>
    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 0)]
    [InlineData(3, 100)]
    [InlineData(4, 10)]
    public void Every_window_equals_a_recomputation_from_the_events_in_it(int seed, int contractSize)
    {
        var random = new Random(seed);
        var units = new TradeUnits(contractSize * Fixed8.Scale);
        var flow = new RollingLiquidations(Perp, TimeSpan.FromHours(1));
        var events = new List<ForceOrder>();
        var now = 1_795_000_000_000L;
        for (var i = 0; i < 3_000; i++)
        {
            now += random.Next(0, 5_000);
            var quantity = contractSize > 0 ? random.Next(1, 400) : random.Next(1, 3_000_000) / 1_000_000m;
            var filled = random.Next(4) switch { 0 => 0m, 1 => decimal.Round(quantity * random.Next(1, 100) / 100m, 6, MidpointRounding.ToZero), _ => quantity };
            if (contractSize > 0) filled = decimal.Truncate(filled);
            var averagePrice = filled == 0 ? 0m : 90_000m + random.Next(-50_000, 50_000) / 100m;
            var order = new ForceOrder("BTCUSDT", random.Next(2) == 0 ? "SELL" : "BUY", "LIMIT", "IOC", Fixed8.FromDecimal(quantity),
                Fixed8.FromDecimal(91_000m), Fixed8.FromDecimal(averagePrice), filled == quantity ? "FILLED" : "EXPIRED", Fixed8.FromDecimal(filled),
                Fixed8.FromDecimal(filled), now, now + 3);
            events.Add(order);
            flow.Add(order, units);

            if (random.Next(50) != 0) continue;
            foreach (var window in new[] { TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(15), TimeSpan.FromHours(1) })
            {
                var toMs = (now / 1000 + 1 + random.Next(0, 3)) * 1000;
                var fromMs = toMs - (long)window.TotalMilliseconds;
                var answer = flow.Window(fromMs, toMs, Covered);
                var inWindow = events.Where(e => e.TradeTimeMs >= fromMs && e.TradeTimeMs < toMs).ToList();
                Assert.Equal(inWindow.Count, answer.Snapshots);
                AssertTally(inWindow.Where(e => e.ClosesLong).ToList(), answer.Longs, contractSize);
                AssertTally(inWindow.Where(e => !e.ClosesLong).ToList(), answer.Shorts, contractSize);
                Assert.True(answer.Sampled);
            }
        }
    }

    private static void AssertTally(List<ForceOrder> side, LiquidationTally tally, int contractSize)
    {
        var executed = side.Where(e => e.Filled.Raw > 0).ToList();
        decimal Volume(ForceOrder e) => contractSize > 0
            ? decimal.Round(e.Filled.ToDecimal() * contractSize / e.AveragePrice.ToDecimal(), 8, MidpointRounding.ToZero)
            : e.Filled.ToDecimal();
        decimal Notional(ForceOrder e) => contractSize > 0 ? e.Filled.ToDecimal() * contractSize : e.Filled.ToDecimal() * e.AveragePrice.ToDecimal();
        Assert.Equal(executed.Count, tally.Count);
        Assert.Equal(executed.Sum(Volume), tally.Volume);
        Assert.Equal(executed.Sum(Notional), tally.Notional);
        // The largest by notional; of equals, the earlier.
        var largest = executed.Count == 0 ? (ForceOrder?)null : executed.Aggregate((a, b) => Notional(b) > Notional(a) ? b : a);
        Assert.Equal(largest?.TradeTimeMs, tally.Largest?.TradeTime.ToUnixTimeMilliseconds());
        if (largest is { } expected)
            Assert.Equal((Notional(expected), Volume(expected), expected.Filled.ToDecimal(), expected.Quantity.ToDecimal(), expected.Status),
                (tally.Largest!.Notional, tally.Largest.Volume, tally.Largest.FilledQuantity, tally.Largest.Quantity, tally.Largest.Status));
    }

    [Fact]
    public void Liquidations_older_than_the_longest_window_are_let_go()
    {
        var flow = new RollingLiquidations(Perp, TimeSpan.FromMinutes(1));
        var units = new TradeUnits(0);
        ForceOrder At(long ms) => new("BTCUSDT", "SELL", "LIMIT", "IOC", Fixed8.FromDecimal(1), Fixed8.FromDecimal(100), Fixed8.FromDecimal(100),
            "FILLED", Fixed8.FromDecimal(1), Fixed8.FromDecimal(1), ms, ms);
        flow.Add(At(0), units);
        flow.Add(At(59_000), units);
        flow.Add(At(61_000), units);

        Assert.Equal(2, flow.Window(0, 62_000, Covered).Snapshots);
        Assert.Equal(200m, flow.Window(0, 62_000, Covered).Longs.Notional);
    }
}

public sealed class ConnectedSpansTests
{
    [Fact]
    public void After_a_restart_the_stored_liquidations_and_their_coverage_count_again_each_once()
    {
        const long start = 1_795_000_000_000, restarted = start + 60_000;
        var spans = new ConnectedSpans("usdm !forceOrder@arr");
        var settings = new MetricsSettings([TimeSpan.FromMinutes(1)], 100_000m, new Dictionary<Symbol, decimal>(), 1, 70, CvdAnchor.UtcDay);
        var board = new MetricsBoard(Symbol.Parse("usdm:BTCUSDT"), settings, new FuturesFeed(spans, DerivativesSettings.Default, "usdm:!forceOrder@arr@fapi.binance.com", FollowedFromMs: restarted));
        ForceOrder At(long ms, string side) => new("BTCUSDT", side, "LIMIT", "IOC", Fixed8.FromDecimal(2), Fixed8.FromDecimal(100), Fixed8.FromDecimal(101),
            "FILLED", Fixed8.FromDecimal(2), Fixed8.FromDecimal(2), ms, ms);
        spans.Connected(restarted);
        // Two symbols of the market restore the same recorded span; the one stored after the restart is taken live, not again.
        board.RestoreLiquidations([At(start + 1_000, "SELL"), At(start + 30_000, "BUY"), At(restarted + 500, "SELL")], [(start, restarted + 1_000)], start);
        board.RestoreLiquidations([], [(start, restarted + 1_000)], start);

        var window = ((MetricsSnapshot)board.Read(TimeSpan.FromMinutes(1), restarted - 500)).Liquidations!;
        Assert.Equal(new WindowCoverage(true, 1m, null), window.Coverage);
        Assert.Equal((2, 1L, 202m, 1L, 202m), (window.Snapshots, window.Longs.Count, window.Longs.Notional, window.Shorts.Count, window.Shorts.Notional));
        // Overlapping spans count once: a minute later, with the live span on, still whole.
        Assert.Equal(1m, ((MetricsSnapshot)board.Read(TimeSpan.FromMinutes(1), restarted + 30_000)).Liquidations!.Coverage.Fraction);

        // A store that recorded nothing says nothing of before: the symbol is followed from the board's start.
        var fresh = new MetricsBoard(Symbol.Parse("usdm:ETHUSDT"), settings, new FuturesFeed(spans, DerivativesSettings.Default, "usdm:!forceOrder@arr@fapi.binance.com", FollowedFromMs: restarted));
        fresh.RestoreLiquidations([], [], start);
        Assert.Equal($"liquidations followed since {DateTimeOffset.FromUnixTimeMilliseconds(restarted):HH:mm:ss.fff} UTC",
            ((MetricsSnapshot)fresh.Read(TimeSpan.FromMinutes(1), restarted - 500)).Liquidations!.Coverage.NotReadyBecause);
    }

    [Fact]
    public void Connected_throughout_is_complete_and_an_outage_says_when_it_was()
    {
        var spans = new ConnectedSpans("usdm !forceOrder@arr");
        spans.Connected(1_000);

        Assert.Equal(new WindowCoverage(true, 1m, null), spans.Measure(10_000, 70_000));

        spans.Disconnected(30_000);
        spans.Connected(45_000);
        var measured = spans.Measure(10_000, 70_000);
        Assert.Equal((false, 0.75m), (measured.Ready, measured.Fraction));
        Assert.Equal("usdm !forceOrder@arr was not connected from 00:00:30.000 UTC to 00:00:45.000 UTC", measured.NotReadyBecause);
        // A window after the outage is whole again.
        Assert.True(spans.Measure(50_000, 110_000).Ready);
    }

    [Fact]
    public void Not_connected_now_leaves_the_rest_of_the_window_uncovered_and_before_the_first_connect_nothing_is()
    {
        var spans = new ConnectedSpans("coinm !forceOrder@arr");
        Assert.Equal(new WindowCoverage(false, 0m, "coinm !forceOrder@arr was not connected after 00:00:00.000 UTC"), spans.Measure(0, 60_000));

        spans.Connected(20_000);
        spans.Disconnected(50_000);
        var measured = spans.Measure(0, 60_000);
        Assert.Equal((false, 0.5m), (measured.Ready, measured.Fraction));
        Assert.Equal("coinm !forceOrder@arr was not connected from 00:00:00.000 UTC to 00:00:20.000 UTC", measured.NotReadyBecause);
        Assert.Equal("coinm !forceOrder@arr was not connected after 00:00:50.000 UTC", spans.Measure(30_000, 90_000).NotReadyBecause);
    }

    [Fact]
    public void Before_a_symbol_was_followed_its_liquidations_are_not_covered_whatever_the_stream_did()
    {
        var spans = new ConnectedSpans("usdm !forceOrder@arr");
        spans.Connected(0);

        var measured = spans.Measure(0, 60_000, followedFromMs: 15_000);
        Assert.Equal((false, 0.75m, "liquidations followed since 00:00:15.000 UTC"), (measured.Ready, measured.Fraction, measured.NotReadyBecause));
        Assert.True(spans.Measure(20_000, 80_000, followedFromMs: 15_000).Ready);

        // And an outage after it is said too.
        spans.Disconnected(30_000);
        spans.Connected(40_000);
        measured = spans.Measure(0, 60_000, followedFromMs: 15_000);
        Assert.Equal((0.5833m, "liquidations followed since 00:00:15.000 UTC; usdm !forceOrder@arr was not connected from 00:00:30.000 UTC to 00:00:40.000 UTC"),
            (measured.Fraction, measured.NotReadyBecause));
    }
}

public sealed class MarkReadingTests
{
    private static readonly MarkPriceUpdate Update = new("BTCUSDT", Fixed8.Parse("91350.5"), Fixed8.Parse("91360.25"), Fixed8.Parse("91351"),
        new Fixed8(-12_345), 1_795_003_200_000, 1_795_000_000_000);

    [Fact]
    public void The_basis_is_mark_minus_index_and_an_old_mark_is_not_ready_saying_how_old()
    {
        var fresh = MarkReading.Mark(Update, 1_795_000_004_000, TimeSpan.FromSeconds(5));
        Assert.Equal(new MarkPrice(91_350.5m, 91_360.25m, -9.75m, 91_351m, DateTimeOffset.FromUnixTimeMilliseconds(1_795_000_000_000), true, null), fresh);

        var stale = MarkReading.Mark(Update, 1_795_000_012_300, TimeSpan.FromSeconds(5));
        Assert.Equal((false, "the mark price is 12.3s old (stale after 5s)"), (stale.Ready, stale.NotReadyBecause));
    }

    [Fact]
    public void A_perpetual_has_funding_and_a_delivery_contract_none()
    {
        Assert.Equal(new Funding(-0.00012345m, DateTimeOffset.FromUnixTimeMilliseconds(1_795_003_200_000), DateTimeOffset.FromUnixTimeMilliseconds(1_795_000_000_000)),
            MarkReading.FundingOf(Update));
        Assert.Null(MarkReading.FundingOf(Update with { FundingRate = null, NextFundingTimeMs = 0 }));
    }
}
