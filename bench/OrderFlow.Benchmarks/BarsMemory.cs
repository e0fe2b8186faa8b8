using OrderFlow.Actors.Binance;
using System.Diagnostics;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Metrics;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Bars;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Benchmarks;

/// <summary>
/// What the bars cost in memory: <c>symbols</c> metrics boards with the shipped settings (bars for 1m, 5m, 15m and 1h,
/// 120 kept per interval, footprints for the newest 10), each fed a tape long enough to fill every series (120 hours, a trade
/// every <c>spacingMs</c>, a random walk that moves about as BTC does), against the same boards with one 1m bar kept
/// and no footprint. The difference, per symbol, is the bars' share; read as managed heap after a full collection.
/// </summary>
public static class BarsMemory
{
    public static string Row(int symbols, int spacingMs)
    {
        var shipped = OrderFlowConfiguration.Load().Settings.Metrics;
        var bare = shipped with { Bars = shipped.BarsKept with { Intervals = [TimeSpan.FromMinutes(1)], Keep = 1, FootprintKeep = 0 } };
        var recordsOnly = shipped with { Bars = shipped.BarsKept with { FootprintKeep = 0 } };
        var tape = Tape(TimeSpan.FromHours(121), spacingMs);
        var (withBars, levels) = Measure(shipped, symbols, tape);
        var (records, _) = Measure(recordsOnly, symbols, tape);
        var (without, _) = Measure(bare, symbols, tape);
        var perSymbol = (withBars - without) / symbols;
        var (recordsPerSymbol, footprintsPerSymbol) = ((records - without) / symbols, (withBars - records) / symbols);
        var bars = shipped.BarsKept.Intervals.Count * shipped.BarsKept.Keep;
        return $"| bars in memory, {symbols} symbols × 1m/5m/15m/1h, {shipped.BarsKept.Keep} kept each, footprints for {shipped.BarsKept.FootprintKeep} " +
               $"({tape.Length:N0} trades a symbol over 121 h) | | " +
               $"{perSymbol / 1024.0:N0} KiB a symbol, {perSymbol * 1000.0 / (1024 * 1024):N0} MiB for 1,000 symbols: the bars' records " +
               $"{recordsPerSymbol / 1024.0:N0} KiB ({bars:N0} bars, {recordsPerSymbol / (double)bars:N0} bytes a bar), the footprints " +
               $"{footprintsPerSymbol / 1024.0:N0} KiB ({levels:N0} levels, {footprintsPerSymbol / (double)levels:N0} bytes a level) |";
    }

    private static (long Bytes, long Levels) Measure(MetricsSettings settings, int symbols, AggregateTrade[] tape)
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var boards = new List<MetricsBoard>();
        for (var i = 0; i < symbols; i++)
        {
            var board = new MetricsBoard(Symbol.Parse($"SYM{i:000}USDT"), settings);
            board.SetListing(new Listing(Fixed8.Parse("0.01"), Listing.Trading));
            for (var at = 0; at < tape.Length; at += 4096)
            {
                board.Add(tape.AsSpan(at, Math.Min(4096, tape.Length - at)));
                // As the host's metrics actor does every second: the final bars are taken (announced, stored), not kept twice.
                board.TakeFinalBars(tape[Math.Min(at + 4096, tape.Length) - 1].TradeTimeMs);
            }
            boards.Add(board);
        }
        var after = GC.GetTotalMemory(forceFullCollection: true);
        var footprint = boards[0].ReadFootprint(new GetFootprint(boards[0].Symbol, TimeSpan.FromMinutes(1), 10_000)) as FootprintSnapshot;
        var levels = settings.BarsKept.Intervals.Sum(interval =>
            (boards[0].ReadFootprint(new GetFootprint(boards[0].Symbol, interval, 10_000)) as FootprintSnapshot)?.Bars.Sum(bar => bar.Levels.Count) ?? 0);
        GC.KeepAlive(boards);
        GC.KeepAlive(footprint);
        return (after - before, levels);
    }

    /// <summary>BTC-like: 91,350 on a 0.01 tick, each trade a step of up to ±700 ticks (about BTC's 0.05% a minute at two trades a second).</summary>
    private static AggregateTrade[] Tape(TimeSpan span, int spacingMs)
    {
        var random = new Random(5);
        var count = (int)(span.TotalMilliseconds / spacingMs);
        var trades = new AggregateTrade[count];
        var price = 9_135_000L;
        var start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (long)span.TotalMilliseconds;
        for (var i = 0; i < count; i++)
        {
            price = Math.Max(1, price + random.Next(-700, 701));
            trades[i] = new AggregateTrade(i + 1, new Fixed8(price * 1_000_000), new Fixed8(random.Next(1, 200_000) * 1_000L), i + 1, i + 1,
                start + (long)i * spacingMs, random.Next(2) == 0 ? AggressorSide.Buy : AggressorSide.Sell);
        }
        return trades;
    }
}
