using System.Diagnostics;
using System.Globalization;
using OrderFlow.Actors.Binance;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Metrics;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Benchmarks;

/// <summary>
/// What a trade costs against the price range: the liquid tape (±3 ticks a trade) and the volatile one (±2,000). First
/// the metrics board alone, in this process, in nanoseconds a trade (the only part of the host whose structure follows
/// the price: volume at price and footprint levels); then the real host, in pairs, a liquid and a volatile run back to
/// back (their order alternating), so a neighbour's load falls on both of a pair alike and each pair gives a ratio.
/// </summary>
public static class PriceRange
{
    public const string BoardHeader = """
        | the metrics board alone (shipped settings), 2,000,000 trades | liquid (±3 ticks) | volatile (±2,000 ticks) | volatile costs more, a trade | volatile / liquid |
        |---|---|---|---|---|
        """;

    public const string HostHeader = """
        | pair | liquid, trades per host CPU s | volatile, trades per host CPU s | volatile / liquid | liquid, wall-clock trades/s | volatile, wall-clock trades/s |
        |---|---|---|---|---|---|
        """;

    /// <summary>ns a trade through <see cref="MetricsBoard.Add"/>, bars on and off, the median of <paramref name="runs"/> interleaved runs.</summary>
    public static IEnumerable<string> BoardRows(int trades, int runs)
    {
        var shipped = OrderFlowConfiguration.Load().Settings.Metrics;
        var barsOff = shipped with { Bars = shipped.BarsKept with { Intervals = [] } };
        var (liquidTape, volatileTape) = (Tapes.Make(trades, 1).ToArray(), Tapes.Make(trades, 1, maxTicks: Tapes.VolatileTicks).ToArray());
        foreach (var (settings, bars) in new[] { (shipped, "on"), (barsOff, "off") })
        {
            var (onLiquid, onVolatile) = (new List<double>(), new List<double>());
            for (var run = 0; run < runs; run++)
            {
                onLiquid.Add(NanosecondsPerTrade(settings, liquidTape));
                onVolatile.Add(NanosecondsPerTrade(settings, volatileTape));
            }
            var (l, v) = (onLiquid.Order().ElementAt(runs / 2), onVolatile.Order().ElementAt(runs / 2));
            yield return string.Create(CultureInfo.InvariantCulture,
                $"| bars and footprint {bars} | {l:0} ns a trade | {v:0} ns a trade | {v - l:0} ns | {l / v:0.00} |");
        }
    }

    /// <summary>Fed as the metrics actor feeds it: bursts of 500, the final bars taken as it goes.</summary>
    private static double NanosecondsPerTrade(MetricsSettings settings, AggregateTrade[] tape)
    {
        var board = new MetricsBoard(Symbol.Parse("BTCUSDT"), settings);
        board.SetListing(new Listing(Fixed8.FromDecimal(0.01m), "TRADING"));
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < tape.Length; i += 500)
        {
            board.Add(tape.AsSpan(i, Math.Min(500, tape.Length - i)));
            if (i % 100_000 == 0) board.TakeFinalBars(tape[i].TradeTimeMs);
        }
        return Stopwatch.GetElapsedTime(started).TotalNanoseconds / tape.Length;
    }

    /// <summary>
    /// <paramref name="pairs"/> pairs of host runs, bars and footprints on (the defaults), the tape store off (its write
    /// rate, about 250,000 trades/s on SQLite, holds the host whatever the tape, and has its own row): one row a pair,
    /// then the median pair's ratio against the target.
    /// </summary>
    public static async Task<IReadOnlyList<string>> HostRowsAsync(int trades, int pairs)
    {
        const string storeOff = "orderflow.store.kind = off\n";
        await HostFlood.WarmUpAsync("BTCUSDT", trades, TimeSpan.FromMinutes(2));
        // One host run first, not counted: the first of a bench process has been the odd one out.
        await HostFlood.RunAsync("BTCUSDT", trades, TimeSpan.FromMinutes(3), storeOff);
        var rows = new List<string>();
        var ratios = new List<double>();
        for (var pair = 0; pair < pairs; pair++)
        {
            HostFloodResult liquid, volatileRun;
            if (pair % 2 == 0)
            {
                liquid = await HostFlood.RunAsync("BTCUSDT", trades, TimeSpan.FromMinutes(3), storeOff, Tapes.LiquidTicks);
                volatileRun = await HostFlood.RunAsync("BTCUSDT", trades, TimeSpan.FromMinutes(3), storeOff, Tapes.VolatileTicks);
            }
            else
            {
                volatileRun = await HostFlood.RunAsync("BTCUSDT", trades, TimeSpan.FromMinutes(3), storeOff, Tapes.VolatileTicks);
                liquid = await HostFlood.RunAsync("BTCUSDT", trades, TimeSpan.FromMinutes(3), storeOff, Tapes.LiquidTicks);
            }
            var ratio = volatileRun.HostTradesPerCpuSecond / liquid.HostTradesPerCpuSecond;
            ratios.Add(ratio);
            var row = string.Create(CultureInfo.InvariantCulture,
                $"| {pair + 1}{(pair % 2 == 0 ? " (liquid first)" : " (volatile first)")} | {liquid.HostTradesPerCpuSecond:N0} | {volatileRun.HostTradesPerCpuSecond:N0} " +
                $"| {ratio:0.00} | {WallClock(liquid):N0} | {WallClock(volatileRun):N0} |");
            Console.WriteLine(row);
            rows.Add(row);
        }
        var median = ratios.Order().ElementAt(pairs / 2);
        rows.Add(string.Create(CultureInfo.InvariantCulture,
            $"| median of {pairs} pairs | | | **{median:0.00}** ({(median >= 0.8 ? "met" : "**missed**")}: target ≥ 0.8; " +
            $"{ratios.Count(r => r >= 0.8)} of {pairs} pairs at or above) | | |"));
        return rows;
    }

    private static double WallClock(HostFloodResult result) => result.Trades / result.Host.Second.TotalSeconds;
}
