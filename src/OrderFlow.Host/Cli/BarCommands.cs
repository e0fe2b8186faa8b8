using System.CommandLine;
using System.Globalization;
using OrderFlow.Actors;
using OrderFlow.Protocol.Bars;

namespace OrderFlow.Host.Cli;

/// <summary><c>orderflow bars</c> and <c>orderflow footprint</c>: a symbol's time bars, and the footprint of its newest ones.</summary>
internal static class BarCommands
{
    public static Command Bars()
    {
        var symbol = CliErrors.NoOptionLike(new Argument<string>("SYMBOL") { Description = "The symbol, e.g. BTCUSDT" });
        var interval = IntervalOption();
        var last = new Option<int>("--last") { Description = "The newest N bars (default 20)", DefaultValueFactory = _ => 20 };
        return QueryCommands.Verb("bars", "A symbol's time, tick or volume bars: OHLC, volume, delta and its extremes, CVD, VWAP; final and complete", [symbol, interval, last],
            async (parsed, client, json, _) =>
            {
                var answer = await client.GetBarsAsync(QueryCommands.ParseSymbol(parsed.GetValue(symbol)!),
                    ParseInterval(parsed.GetValue(interval)!), Last(parsed.GetValue(last))).ConfigureAwait(false);
                if (json)
                {
                    QueryCommands.Write(answer);
                    return OrderFlowCli.Success;
                }
                // A futures symbol's bars add their liquidations (longs/shorts forced out, notional), the mark and funding at the
                // close, and (5m and longer) Binance's open interest sample at the close.
                var futures = answer.Bars.Any(b => b.Liquidations is not null || b.Mark is not null);
                string[] header = ["FROM (UTC)", "OPEN", "HIGH", "LOW", "CLOSE", "BUY", "SELL", "DELTA", "MIN", "MAX", "VWAP", "TRADES"];
                QueryCommands.Table(futures ? [.. header, "LIQ LONG", "LIQ SHORT", "MARK", "FUNDING", "OPEN INTEREST", ""] : [.. header, ""],
                    answer.Bars.Select(b => (string[])
                    [
                        b.From.ToString(Seconds(answer.Interval) ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), HumanFormat.Money(b.Open), HumanFormat.Money(b.High),
                        HumanFormat.Money(b.Low), HumanFormat.Money(b.Close), Plain(b.BuyVolume), Plain(b.SellVolume), HumanFormat.Signed(b.Delta),
                        HumanFormat.Signed(b.DeltaMin), HumanFormat.Signed(b.DeltaMax), HumanFormat.Money(decimal.Round(b.Vwap, 2)),
                        b.Trades.ToString(CultureInfo.InvariantCulture),
                        .. futures ? Context(b) : [],
                        (b.Final ? "final" : "open") + (b.Revision > 0 ? $" r{b.Revision}" : "") + (b.Complete ? "" : " incomplete"),
                    ]));
                Console.WriteLine($"{answer.Bars.Count} {answer.Interval} bars of {answer.Symbol} (volumes in the base asset)");
                return OrderFlowCli.Success;
            });
    }

    private static string[] Context(Bar bar) =>
    [
        bar.Liquidations is { } l ? $"{l.Longs.Count} {HumanFormat.Money(l.Longs.Notional)}" : "-",
        bar.Liquidations is { } s ? $"{s.Shorts.Count} {HumanFormat.Money(s.Shorts.Notional)}" + (s.Coverage.Ready ? "" : " (partial)") : "-",
        bar.Mark is { } m ? HumanFormat.Money(m.Mark) + (m.Ready ? "" : " (stale)") : "-",
        bar.Funding is { } f ? $"{HumanFormat.Signed(f.Rate * 100)}%" : "-",
        bar.OpenInterest is { } oi ? Plain(oi.Quantity) : "-",
    ];

    public static Command Footprint()
    {
        var symbol = CliErrors.NoOptionLike(new Argument<string>("SYMBOL") { Description = "The symbol, e.g. BTCUSDT" });
        var interval = IntervalOption();
        var last = new Option<int>("--last") { Description = "The newest N bars' footprints (default 1)", DefaultValueFactory = _ => 1 };
        return QueryCommands.Verb("footprint", "The footprint of a symbol's newest bars: buy and sell volume per price level, imbalances marked",
            [symbol, interval, last], async (parsed, client, json, _) =>
            {
                var answer = await client.GetFootprintAsync(QueryCommands.ParseSymbol(parsed.GetValue(symbol)!),
                    ParseInterval(parsed.GetValue(interval)!), Last(parsed.GetValue(last))).ConfigureAwait(false);
                if (json)
                {
                    QueryCommands.Write(answer);
                    return OrderFlowCli.Success;
                }
                var rule = answer.Imbalance;
                foreach (var bar in answer.Bars) PrintLadder(answer, bar);
                Console.WriteLine($"step {HumanFormat.Money(answer.Step)}; imbalance: the dominant side ≥ {rule.RatioPercent}% of the diagonal level's other side " +
                                  $"(min volume {rule.MinVolume}, empty side: {rule.Zero}); {rule.Stack}+ in a row stack; ◀ sell imbalance, ▶ buy imbalance");
                return OrderFlowCli.Success;
            });
    }

    private static void PrintLadder(FootprintSnapshot answer, FootprintBar bar)
    {
        Console.WriteLine($"{answer.Symbol} {answer.Interval} bar from {bar.From.ToString(Seconds(answer.Interval) ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC, {(bar.Final ? "final" : "open")}" +
                          (bar.UnfinishedHigh ? ", unfinished auction at the high" : "") + (bar.UnfinishedLow ? ", unfinished auction at the low" : ""));
        // Highest price first, as a ladder reads.
        QueryCommands.Table(["PRICE", "SELL", "", "BUY", ""], bar.Levels.Reverse().Select(level => new[]
        {
            HumanFormat.Money(level.Price), Plain(level.SellVolume), (level.SellImbalance ? "◀" : " ") + " x " + (level.BuyImbalance ? "▶" : " "),
            Plain(level.BuyVolume), level.Price == bar.Poc ? "POC" : "",
        }));
        foreach (var stack in bar.StackedBuy) Console.WriteLine($"  stacked buy imbalance {HumanFormat.Money(stack.Low)}–{HumanFormat.Money(stack.High)}");
        foreach (var stack in bar.StackedSell) Console.WriteLine($"  stacked sell imbalance {HumanFormat.Money(stack.Low)}–{HumanFormat.Money(stack.High)}");
    }

    private static Option<string> IntervalOption() =>
        new("--interval")
        {
            Description = "The series, one the host keeps (default 1m): time bars 1m, 5m, 15m, 1h; tick bars 1000t; volume bars 50v",
            DefaultValueFactory = _ => "1m",
        };

    private static BarInterval ParseInterval(string text) => BarInterval.TryParse(text, out var interval)
        ? interval
        : throw new UsageException($"--interval {text}: use a time interval (1m, 1h), a tick bar's aggregates (1000t) or a volume bar's volume (50v)", "--interval");

    /// <summary>Bars that open off the minute (under a minute, tick and volume bars) show their seconds.</summary>
    private static bool Seconds(BarInterval interval) => interval.Span is not { } span || span.Ticks % TimeSpan.TicksPerMinute != 0;

    private static int Last(int last) => last is >= 1 and <= 10_000 ? last : throw new UsageException($"--last {last}: use a number from 1 to 10000", "--last");

    private static string Plain(decimal value) => value.ToString("0.########", CultureInfo.InvariantCulture);
}
