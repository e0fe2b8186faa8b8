using OrderFlow.Actors.Binance;
using OrderFlow.Actors.Bars;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Metrics;
using OrderFlow.Actors.Sequencing;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Bars;
using OrderFlow.Protocol.Metrics;
using OrderFlow.Protocol.Trades;
using Xunit;

namespace OrderFlow.Actors.Tests.Bars;

/// <summary>
/// A restart as the host makes one, on the boards: the final bars the recorder stored (the newest revision of each),
/// then the stored tape from the start-up read's first trade on. What the restarted board answers must equal what a
/// board that never stopped answers: every bar field (CVD included) of the time, tick and volume bars, and the time
/// bars' footprints the re-read covers.
/// </summary>
public sealed class BarsRestartTests
{
    private static readonly Symbol Btc = Symbol.Parse("BTCUSDT");
    private static readonly TimeSpan[] Intervals = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromHours(1)];
    private static readonly TimeSpan Span = TimeSpan.FromMinutes(15);

    private static MetricsSettings Settings() => new([TimeSpan.FromMinutes(1), Span], 250_000m, new Dictionary<Symbol, decimal>(), 1, 70,
        CvdAnchor.UtcDay, BarSettings.Default with
        {
            Intervals = Intervals, Keep = 40, FootprintKeep = 4, TicksPerLevel = 50, TickBars = [37],
            VolumeBarsPerSymbol = new Dictionary<Symbol, IReadOnlyList<decimal>> { [Btc] = [25m] },
        });

    /// <summary>The time bars, a tick bar and a volume bar.</summary>
    private static readonly BarInterval[] Series = [.. Intervals.Select(BarInterval.Time), BarInterval.Ticks(37), BarInterval.Volume(Fixed8.Parse("25"))];

    private static MetricsBoard Board()
    {
        var board = new MetricsBoard(Btc, Settings());
        board.SetListing(new Listing(Fixed8.Parse("0.01"), Listing.Trading));
        return board;
    }

    [Theory]
    [InlineData(11, 0.35)]
    [InlineData(12, 0.6)]
    [InlineData(13, 0.93)]
    public void A_restarted_board_answers_the_bars_and_footprints_of_one_that_never_stopped(int seed, double killAt)
    {
        var tape = SymbolBarsTests.Tape(seed, 6_000);
        var kill = (int)(tape.Count * killAt);
        var tapeFrom = tape[0].TradeTimeMs - 5_000;

        var running = Board();
        running.Apply(new TapeStarted(Btc, tapeFrom));
        var stored = new Dictionary<(BarInterval, long), StoredBar>(); // as the store keys them: by series and open time, or first id by count
        foreach (var chunk in tape.Take(kill).Chunk(97))
        {
            running.Add(chunk);
            foreach (var bar in running.TakeFinalBars(chunk[^1].TradeTimeMs)) stored[(bar.Interval, bar.CountFromId)] = bar;
        }

        // The restart: the store's newest bars per interval, then its tape from the aligned start-up read on.
        var readFrom = Math.Max(tapeFrom, TapeAtStart.ReadsFromMs(tape[kill - 1].TradeTimeMs + 30_000, Span, Intervals));
        var restarted = Board();
        restarted.Restore(stored.Values.GroupBy(bar => bar.Interval).SelectMany(bars => bars.OrderBy(bar => bar.CountFromId).TakeLast(40)).ToList());
        restarted.Apply(new TapeStarted(Btc, readFrom));
        foreach (var chunk in tape.Take(kill).Where(trade => trade.TradeTimeMs >= readFrom).Chunk(97)) restarted.Add(chunk);

        foreach (var chunk in tape.Skip(kill).Chunk(97))
        {
            running.Add(chunk);
            restarted.Add(chunk);
        }
        foreach (var series in Series)
        {
            var expected = Assert.IsType<BarsSnapshot>(running.ReadBars(new GetBars(Btc, series, 1_000)));
            var actual = Assert.IsType<BarsSnapshot>(restarted.ReadBars(new GetBars(Btc, series, 1_000)));
            Assert.True(expected.Bars.Count > 3, $"{expected.Bars.Count} {series} bars");
            Assert.Equal(expected.Bars, actual.Bars);
        }
        // The footprints the re-read covers (those of bars opening at or after it) come back level for level.
        foreach (var interval in Intervals)
        {
            var expected = Assert.IsType<FootprintSnapshot>(running.ReadFootprint(new GetFootprint(Btc, interval, 100)));
            var actual = Assert.IsType<FootprintSnapshot>(restarted.ReadFootprint(new GetFootprint(Btc, interval, 100)));
            Assert.Equal(expected.Step, actual.Step);
            var covered = expected.Bars.Where(bar => bar.From.ToUnixTimeMilliseconds() >= readFrom).ToList();
            Assert.Equal(covered.Select(Levels), actual.Bars.Where(bar => bar.From.ToUnixTimeMilliseconds() >= readFrom).Select(Levels));
        }
        // The windows' CVD goes on as if nothing happened.
        var nowMs = tape[^1].TradeTimeMs;
        Assert.Equal(Assert.IsType<MetricsSnapshot>(running.Read(TimeSpan.FromMinutes(1), nowMs)).Cvd.Value,
            Assert.IsType<MetricsSnapshot>(restarted.Read(TimeSpan.FromMinutes(1), nowMs)).Cvd.Value);
    }

    [Fact]
    public void A_stored_tape_that_does_not_join_the_stored_bars_counts_the_CVD_afresh_rather_than_across_the_hole()
    {
        var tape = SymbolBarsTests.Tape(21, 2_000);
        var running = Board();
        running.Apply(new TapeStarted(Btc, tape[0].TradeTimeMs));
        var stored = new List<StoredBar>();
        running.Add(tape.Take(1_000).ToArray());
        stored.AddRange(running.TakeFinalBars(tape[999].TradeTimeMs));

        // The store lost ids 1,001..1,200: the restarted board counts the CVD from the first trade it has.
        var restarted = Board();
        restarted.Restore(stored);
        restarted.Apply(new TapeStarted(Btc, tape[1_200].TradeTimeMs));
        restarted.Add(tape.Skip(1_200).ToArray());
        var nowMs = tape[^1].TradeTimeMs;
        var day = nowMs - nowMs % 86_400_000;
        var expected = tape.Skip(1_200).Where(t => t.TradeTimeMs >= day).Sum(t => t.Side == AggressorSide.Buy ? t.Quantity.ToDecimal() : -t.Quantity.ToDecimal());
        var cvd = Assert.IsType<MetricsSnapshot>(restarted.Read(TimeSpan.FromMinutes(1), nowMs)).Cvd;
        Assert.Equal(expected, cvd.Value);
        Assert.False(cvd.Complete && tape[1_200].TradeTimeMs > day);
    }

    private static string Levels(FootprintBar bar) =>
        string.Join(";", bar.Levels.Select(level => $"{level.Price}:{level.BuyVolume}/{level.SellVolume}/{level.BuyImbalance}/{level.SellImbalance}"));
}
