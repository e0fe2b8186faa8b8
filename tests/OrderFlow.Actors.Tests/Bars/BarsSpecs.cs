using System.Globalization;
using System.Text.Json;
using Akka.Actor;
using OrderFlow.Actors.Tests.Support;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Bars;
using OrderFlow.Protocol.Trades;
using OrderFlow.Protocol.Streams;
using Xunit;
using Xunit.Abstractions;

namespace OrderFlow.Actors.Tests.Bars;

/// <summary>The host's bars against the exchange's own klines, computed by the simulator from its tape as Binance defines them.</summary>
public sealed class BarsSpecs(ITestOutputHelper output) : StreamSpec(output)
{
    protected override double TradesPerSecond => 100;

    [Fact]
    public async Task Every_final_complete_bar_equals_the_exchanges_kline_across_a_dropped_connection()
    {
        var lifecycle = LifecycleProbe();
        var directory = StartSupervisor(Settings(extraHocon: "orderflow.bars.intervals = [1s, 1m]"));
        ExpectLifecycle<Connected>(lifecycle, Btc);
        await JoinedLiveAsync(directory);
        // A hole in the live stream, filled from REST: the bars across it must still be the exchange's.
        DisconnectForAWhile(lifecycle);

        // Seconds at once; a whole minute when the next one has begun (up to two minutes on a busy machine).
        var seconds = await FinalAsync(directory, TimeSpan.FromSeconds(1), atLeast: 20, TimeSpan.FromSeconds(30));
        var minutes = await FinalAsync(directory, TimeSpan.FromMinutes(1), atLeast: 1, TimeSpan.FromMinutes(3));
        using var http = new HttpClient();
        foreach (var (interval, bars) in new[] { ("1s", seconds), ("1m", minutes) })
        {
            var klines = await KlinesAsync(http, interval, bars[0].From, bars[^1].From);
            foreach (var bar in bars)
            {
                Assert.True(klines.TryGetValue(bar.From.ToUnixTimeMilliseconds(), out var kline), $"no {interval} kline opens at {bar.From:O}");
                Assert.Equal(kline, new Kline(bar.Open, bar.High, bar.Low, bar.Close, bar.BuyVolume + bar.SellVolume, bar.BuyNotional + bar.SellNotional,
                    bar.Trades, bar.BuyVolume, bar.BuyNotional));
            }
            Output.WriteLine($"{bars.Count} final complete {interval} bars equal the exchange's klines");
        }
    }

    [Fact]
    public async Task Every_final_tick_and_volume_bar_and_footprint_level_equals_a_recomputation_from_the_exchanges_trades_across_a_dropped_connection()
    {
        var lifecycle = LifecycleProbe();
        var directory = StartSupervisor(Settings(extraHocon:
            "orderflow.bars { intervals = [1s], footprint-keep = 120, footprint-ticks-per-level = 3, tick-bars = [50], volume-bars-per-symbol { BTCUSDT = [10] } }"));
        ExpectLifecycle<Connected>(lifecycle, Btc);
        await JoinedLiveAsync(directory);
        DisconnectForAWhile(lifecycle);

        var ticks = await FinalAsync(directory, BarInterval.Ticks(50), atLeast: 20, TimeSpan.FromSeconds(30));
        var volume = await FinalAsync(directory, BarInterval.Volume(Fixed8.Parse("10")), atLeast: 20, TimeSpan.FromSeconds(30));
        // The footprints asked before the exchange's tape is read: every trade of a bar the host calls final is in it.
        var footprints = await directory.Ask<FootprintSnapshot>(new GetFootprint(Btc, TimeSpan.FromSeconds(1), 120), Dilated(TimeSpan.FromSeconds(3)));
        var tape = Exchange.Market("BTCUSDT").Trades.ToList();
        long Day(AggregateTrade t) => t.TradeTimeMs - t.TradeTimeMs % 86_400_000;
        foreach (var bar in ticks)
        {
            // The exchange's ids of the bar's day, in runs of 50 from the day's first.
            var dayFirst = tape.First(t => Day(t) == bar.From.ToUnixTimeMilliseconds() - bar.From.ToUnixTimeMilliseconds() % 86_400_000).AggregateId;
            var start = bar.FirstAggregateId - (bar.FirstAggregateId - dayFirst) % 50;
            SymbolBarsTests.AssertFigures(tape, tape.Where(t => t.AggregateId >= start && t.AggregateId < start + 50).ToList(), bar);
        }
        var volumeBars = new List<List<AggregateTrade>>();
        foreach (var trade in tape)
        {
            if (volumeBars.Count == 0 || Day(volumeBars[^1][0]) != Day(trade) || volumeBars[^1].Sum(t => t.Quantity.ToDecimal()) >= 10m) volumeBars.Add([]);
            volumeBars[^1].Add(trade);
        }
        var byFirstId = volumeBars.ToDictionary(bar => bar[0].AggregateId);
        foreach (var bar in volume)
        {
            Assert.True(byFirstId.TryGetValue(bar.FirstAggregateId, out var trades), $"no volume bar of the exchange's trades starts at id {bar.FirstAggregateId}");
            SymbolBarsTests.AssertFigures(tape, trades, bar);
        }
        // Every final 1s bar's footprint, level for level: volume and aggregates per side at floor(p / step) · step.
        var step = footprints.Step;
        Assert.Equal(0.03m, step);
        var final = footprints.Bars.Where(bar => bar.Final).ToList();
        Assert.True(final.Count >= 5, $"{final.Count} final footprints"); // every second since the spec began, the dropped connection included
        foreach (var footprint in final)
        {
            var from = footprint.From.ToUnixTimeMilliseconds();
            var expected = tape.Where(t => t.TradeTimeMs >= from && t.TradeTimeMs < from + 1_000)
                .GroupBy(t => Math.Floor(t.Price.ToDecimal() / step) * step).OrderBy(level => level.Key)
                .Select(level => (level.Key, level.Where(t => t.Side == AggressorSide.Buy).Sum(t => t.Quantity.ToDecimal()),
                    level.Where(t => t.Side == AggressorSide.Sell).Sum(t => t.Quantity.ToDecimal()),
                    level.Count(t => t.Side == AggressorSide.Buy), level.Count(t => t.Side == AggressorSide.Sell)));
            Assert.Equal(expected, footprint.Levels.OrderBy(level => level.Price)
                .Select(level => (level.Price, level.BuyVolume, level.SellVolume, level.BuyAggregates, level.SellAggregates)));
        }
        Output.WriteLine($"{ticks.Count} final tick bars, {volume.Count} final volume bars and {final.Count} final 1s footprints equal the exchange's trades");
    }

    private async Task<IReadOnlyList<Bar>> FinalAsync(IActorRef directory, BarInterval interval, int atLeast, TimeSpan within)
    {
        IReadOnlyList<Bar> final = [];
        await AwaitAssertAsync(async () =>
        {
            var answer = await directory.Ask<BarsSnapshot>(new GetBars(Btc, interval, 10_000), Dilated(TimeSpan.FromSeconds(3)));
            final = answer.Bars.Where(bar => bar is { Final: true, Complete: true }).ToList();
            Assert.True(final.Count >= atLeast, $"{final.Count} final complete bars of {answer.Bars.Count}");
        }, Dilated(within), TimeSpan.FromMilliseconds(500));
        return final;
    }

    private sealed record Kline(decimal Open, decimal High, decimal Low, decimal Close, decimal Volume, decimal QuoteVolume, long Trades,
        decimal TakerBuyBase, decimal TakerBuyQuote);

    private async Task<Dictionary<long, Kline>> KlinesAsync(HttpClient http, string interval, DateTimeOffset from, DateTimeOffset to)
    {
        var url = new Uri(Exchange.RestUrl, $"/api/v3/klines?symbol=BTCUSDT&interval={interval}&startTime={from.ToUnixTimeMilliseconds()}" +
                                             $"&endTime={to.ToUnixTimeMilliseconds()}&limit=1000");
        using var rows = JsonDocument.Parse(await http.GetStringAsync(url));
        static decimal D(JsonElement e) => decimal.Parse(e.GetString()!, CultureInfo.InvariantCulture);
        return rows.RootElement.EnumerateArray().ToDictionary(row => row[0].GetInt64(),
            row => new Kline(D(row[1]), D(row[2]), D(row[3]), D(row[4]), D(row[5]), D(row[7]), row[8].GetInt64(), D(row[9]), D(row[10])));
    }
}
