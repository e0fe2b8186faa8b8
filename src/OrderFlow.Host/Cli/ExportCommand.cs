using System.CommandLine;
using System.Globalization;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Metrics;
using OrderFlow.Actors.Store;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Host.Cli;

/// <summary>
/// <c>orderflow export SYMBOL --from TIME --to TIME --csv</c>: a recorded tape, straight from the tape store (no host
/// needed), as CSV with the exchange's own fields and figures (<c>a,p,q,f,l,T,m</c>; prices and quantities with
/// Binance's 8 decimals), oldest first. A COIN-M tape adds what its contracts are worth (docs/order-flow.md, Contract
/// units): <c>notional</c> = q × contractSize USD and <c>baseVolume</c> = q × contractSize / p in the base coin. Missing
/// ids inside the range are said on stderr, never left unsaid. With <c>--liquidations</c>, a futures symbol's recorded
/// liquidations instead.
/// </summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var symbol = new Argument<string>("SYMBOL") { Description = "The symbol, e.g. BTCUSDT or usdm:BTCUSDT" };
        var from = new Option<string>("--from") { Description = "From this time on (ISO-8601, epoch ms, or a duration ago such as 1h)", Required = true };
        var to = new Option<string>("--to") { Description = "Up to this time, exclusive (default: now)" };
        var csv = new Option<bool>("--csv") { Description = "CSV (the only format, and the default)" };
        var liquidations = new Option<bool>("--liquidations") { Description = "The symbol's recorded liquidations (a futures symbol) instead of its trades" };
        var output = new Option<FileInfo>("--out") { Description = "Write to this file instead of standard output" };
        var market = OrderFlowCli.MarketOption();
        var restUrl = new Option<string>("--rest-url") { Description = "The exchange the tape came from (its REST base, as the host had it); overrides orderflow.binance.rest-url" };
        var configFile = OrderFlowCli.ConfigOption();
        var command = new Command("export", "Write a symbol's recorded trades from the tape store as CSV")
        {
            symbol, from, to, csv, liquidations, output, market, restUrl, configFile,
        };
        command.SetAction(async (parsed, cancel) =>
        {
            var (_, settings) = OrderFlowConfiguration.Load(parsed.GetValue(configFile)?.FullName,
                OrderFlowCli.Overrides(null, null, parsed.GetValue(restUrl), market: parsed.GetValue(market)));
            if (!OrderFlowConfiguration.TryParseSymbol(parsed.GetValue(symbol) ?? "", settings.Binance.Market.Name, out var asked, out var error))
                throw new ConfigurationException(error);
            var (fromTime, toTime) = (QueryCommands.ParseTime(parsed.GetValue(from)!, "--from"),
                parsed.GetValue(to) is { } end ? QueryCommands.ParseTime(end, "--to") : DateTimeOffset.UtcNow);
            await using var store = await TapeStores.OpenAsync(settings.Store).ConfigureAwait(false)
                                    ?? throw new ConfigurationException("orderflow.store.kind = off: there is no tape store to export from");
            var tape = TapeId.Of(asked, settings.MarketOf(asked).RestUrl);

            await using var file = parsed.GetValue(output) is { } path ? File.CreateText(path.FullName) : null;
            var writer = file ?? Console.Out;
            var units = await ContractUnitsAsync(store, tape).ConfigureAwait(false);
            var span = $"{fromTime:yyyy-MM-dd HH:mm:ss} to {toTime:yyyy-MM-dd HH:mm:ss} UTC";
            if (parsed.GetValue(liquidations))
            {
                var exported = await ExportLiquidationsAsync(store, tape, units, fromTime, toTime, writer).ConfigureAwait(false);
                Console.Error.WriteLine(exported == 0 ? $"orderflow: no liquidations of {tape} from {span} in {store.Description}"
                    : $"orderflow: {exported} liquidations of {tape} from {span}, from {store.Description} (a sample: Binance pushes at most one a symbol a second)");
                return exported == 0 ? OrderFlowCli.Failure : OrderFlowCli.Success;
            }
            await writer.WriteLineAsync(units.InContracts ? "a,p,q,f,l,T,m,notional,baseVolume" : "a,p,q,f,l,T,m").ConfigureAwait(false);
            var (count, missing) = (0L, new List<AggregateIdRange>());
            long? last = null;
            await foreach (var trade in store.ReadBetweenAsync(tape, fromTime.ToUnixTimeMilliseconds(), toTime.ToUnixTimeMilliseconds(), cancel).ConfigureAwait(false))
            {
                if (last is { } previous && trade.AggregateId != previous + 1) missing.Add(new AggregateIdRange(previous + 1, trade.AggregateId - 1));
                last = trade.AggregateId;
                count++;
                var line = string.Create(CultureInfo.InvariantCulture,
                    $"{trade.AggregateId},{trade.Price.ToWireString()},{trade.Quantity.ToWireString()},{trade.FirstTradeId},{trade.LastTradeId},{trade.TradeTimeMs},{(trade.Side == AggressorSide.Sell ? "true" : "false")}");
                if (units.InContracts)
                {
                    var measured = units.Measure(trade, out var notional);
                    line += string.Create(CultureInfo.InvariantCulture, $",{TradeUnits.NotionalValue(notional)},{measured.Quantity.ToWireString()}");
                }
                await writer.WriteLineAsync(line).ConfigureAwait(false);
            }
            await writer.FlushAsync(cancel).ConfigureAwait(false);
            foreach (var hole in missing)
                Console.Error.WriteLine($"orderflow: ids {hole.FromId}..{hole.ToId} of {tape} are missing from the store ({hole.ToId - hole.FromId + 1} trades)");
            if (count == 0)
            {
                Console.Error.WriteLine($"orderflow: no trades of {tape} from {span} in {store.Description}");
                return OrderFlowCli.Failure;
            }
            Console.Error.WriteLine($"orderflow: {count} trades of {tape} from {span}, from {store.Description}");
            return OrderFlowCli.Success;
        });
        return command;
    }

    /// <summary>
    /// The liquidations recorded in the range, oldest first, every field of the forceOrder event as Binance names it
    /// (<c>s,S,o,f,q,p,ap,X,l,z,T,E</c>), with what executed measured: <c>notional</c> = z × ap (COIN-M: z × contractSize USD).
    /// </summary>
    private static async Task<int> ExportLiquidationsAsync(ITapeStore store, TapeId tape, TradeUnits units, DateTimeOffset from, DateTimeOffset to, TextWriter writer)
    {
        var recorded = await store.ReadLiquidationsAsync(tape, from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds(), int.MaxValue).ConfigureAwait(false);
        await writer.WriteLineAsync("s,S,o,f,q,p,ap,X,l,z,T,E,notional").ConfigureAwait(false);
        foreach (var order in recorded)
        {
            units.Measure(order.Filled, order.AveragePrice, out var notional);
            await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{order.Name},{order.Side},{order.OrderType},{order.TimeInForce},{order.Quantity.ToWireString()},{order.Price.ToWireString()},{order.AveragePrice.ToWireString()}," +
                $"{order.Status},{order.LastFilled.ToWireString()},{order.Filled.ToWireString()},{order.TradeTimeMs},{order.EventTimeMs},{TradeUnits.NotionalValue(notional)}")).ConfigureAwait(false);
        }
        await writer.FlushAsync().ConfigureAwait(false);
        return recorded.Count;
    }

    /// <summary>A COIN-M tape's contract size as stored with it; without one its quantities stay bare contracts, and stderr says so.</summary>
    private static async Task<TradeUnits> ContractUnitsAsync(ITapeStore store, TapeId tape)
    {
        if (tape.Symbol.Market != "coinm") return default;
        if ((await store.ReadListingAsync(tape).ConfigureAwait(false)).ContractSize is { } size)
        {
            Console.Error.WriteLine($"orderflow: q counts contracts of {size.ToDecimal()} USD: notional = q × {size.ToDecimal()} (USD), baseVolume = q × {size.ToDecimal()} / p (base coin, truncated at 8 decimals)");
            return new TradeUnits(size.Raw);
        }
        Console.Error.WriteLine($"orderflow: q counts contracts; no contract size was stored with {tape}, so no notional or base volume is given");
        return default;
    }
}
