using Akka.Actor;
using OrderFlow.Actors.Tests.Support;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Bars;
using OrderFlow.Protocol.Metrics;
using OrderFlow.Protocol.Streams;
using OrderFlow.Protocol.Trades;
using OrderFlow.Simulator;
using Xunit;
using Xunit.Abstractions;

namespace OrderFlow.Actors.Tests.Metrics;

/// <summary>
/// COIN-M against a simulated COIN-M exchange: its quantities are contracts of exchangeInfo's <c>contractSize</c> USD,
/// so a trade's notional is q × contractSize and its volume q × contractSize / p in the base coin (docs/order-flow.md,
/// Contract units), in the windows, the large trades, the bars and the liquidations alike.
/// </summary>
public sealed class ContractUnitsSpecs(ITestOutputHelper output) : StreamSpec(output)
{
    private static readonly Symbol Perp = Symbol.Parse("coinm:BTCUSD_PERP");
    private const decimal ContractSize = 100m;
    private const decimal LargeNotional = 30_000m;

    [Fact]
    public async Task On_COIN_M_a_trade_is_worth_its_contracts_times_the_contract_size_in_windows_large_trades_and_bars()
    {
        var coinm = await StartExchangeAsync(new SimulatorOptions
        {
            Market = "coinm", TradesPerSecond = 100, RequestWeightPerMinute = 2400, History = TimeSpan.FromMinutes(3),
            Symbols = [new SimulatedSymbol("BTCUSD_PERP", 91_420.1m, 0.1m)], LiquidationChance = 1.0, LiquidationEvery = TimeSpan.FromMilliseconds(200),
        });
        // Liquidations once the symbol is followed (below): one before it would reach no window.
        coinm.Liquidations.Paused = true;
        var lifecycle = LifecycleProbe();
        var directory = StartSupervisor(Settings("coinm:BTCUSD_PERP", extraHocon: $$"""
            orderflow.binance.markets.coinm { ws-url = "{{coinm.WebSocketUrl}}", rest-url = "{{coinm.RestUrl}}" }
            orderflow.history.warmup = 2m
            orderflow.metrics { windows = [1m], large-trade-notional = {{LargeNotional}} }
            orderflow.bars.intervals = [1s]
            """));
        ExpectLifecycle<Connected>(lifecycle, Perp, Dilated(TimeSpan.FromSeconds(10)));
        AwaitAssert(() => Assert.Equal(1, coinm.OpenConnections(ExchangeSimulator.LiquidationKey)), Dilated(TimeSpan.FromSeconds(10)));
        coinm.Liquidations.Paused = false;

        MetricsSnapshot window = null!;
        await AwaitAssertAsync(async () =>
        {
            window = await directory.Ask<MetricsSnapshot>(new GetMetrics(Perp, TimeSpan.FromMinutes(1)), Dilated(TimeSpan.FromSeconds(3)));
            Assert.True(window.Ready, window.Coverage.NotReadyBecause);
        }, Dilated(TimeSpan.FromSeconds(30)), TimeSpan.FromMilliseconds(300));
        var tape = coinm.Market("BTCUSD_PERP").Trades;
        var trades = tape.Where(t => t.AggregateId <= window.AsOfAggregateId && t.TradeTimeMs >= window.From.ToUnixTimeMilliseconds() &&
                                     t.TradeTimeMs < window.To.ToUnixTimeMilliseconds()).ToList();
        Assert.Equal(new VolumeUnits("BTC", "USD", ContractSize), window.Units);
        Assert.Equal(trades.Count, window.TradeCount);
        Assert.Equal((Notional(trades, AggressorSide.Buy), Notional(trades, AggressorSide.Sell)), (window.BuyNotional, window.SellNotional));
        Assert.Equal((Volume(trades, AggressorSide.Buy), Volume(trades, AggressorSide.Sell)), (window.BuyVolume, window.SellVolume));

        // Large by q × contractSize: about half the trades here; by price × contracts every one would be.
        var large = trades.Where(t => t.Quantity.ToDecimal() * ContractSize >= LargeNotional).ToList();
        Assert.InRange(large.Count, 1, trades.Count - 1);
        foreach (var (side, tally) in new[] { (AggressorSide.Buy, window.LargeTrades.Buy), (AggressorSide.Sell, window.LargeTrades.Sell) })
            Assert.Equal(new LargeTradeTally(large.Count(t => t.Side == side), Volume(large, side), Notional(large, side)), tally);
        var largest = large.OrderByDescending(t => t.Quantity).ThenBy(t => t.AggregateId).First();
        Assert.Equal(largest.AggregateId, window.LargeTrades.Largest?.AggregateId);

        // Every final complete one-second bar, recomputed from the exchange's trades in it.
        BarsSnapshot bars = null!;
        await AwaitAssertAsync(async () =>
        {
            bars = await directory.Ask<BarsSnapshot>(new GetBars(Perp, TimeSpan.FromSeconds(1), 30), Dilated(TimeSpan.FromSeconds(3)));
            Assert.True(bars.Bars.Count(bar => bar is { Final: true, Complete: true }) >= 10);
        }, Dilated(TimeSpan.FromSeconds(20)), TimeSpan.FromMilliseconds(300));
        Assert.Equal(window.Units, bars.Units);
        foreach (var bar in bars.Bars.Where(bar => bar is { Final: true, Complete: true }))
        {
            var inBar = tape.Where(t => t.TradeTimeMs >= bar.From.ToUnixTimeMilliseconds() && t.TradeTimeMs < bar.To.ToUnixTimeMilliseconds()).ToList();
            Assert.Equal((Notional(inBar, AggressorSide.Buy), Notional(inBar, AggressorSide.Sell), Volume(inBar, AggressorSide.Buy), Volume(inBar, AggressorSide.Sell)),
                (bar.BuyNotional, bar.SellNotional, bar.BuyVolume, bar.SellVolume));
        }

        // Liquidations there: z contracts are worth z × contractSize USD, and z × contractSize / ap in the coin.
        await AwaitAssertAsync(async () =>
        {
            var now = await directory.Ask<MetricsSnapshot>(new GetMetrics(Perp, TimeSpan.FromMinutes(1)), Dilated(TimeSpan.FromSeconds(3)));
            var sent = coinm.Liquidations.Sent.Where(l => l.Listeners > 0 && l.TradeTimeMs >= now.From.ToUnixTimeMilliseconds() &&
                                                          l.TradeTimeMs < now.To.ToUnixTimeMilliseconds()).ToList();
            Assert.True(sent.Count >= 10, $"{sent.Count} liquidations so far");
            Assert.Equal(sent.Count, now.Liquidations!.Snapshots);
            foreach (var (side, tally) in new[] { ("SELL", now.Liquidations.Longs), ("BUY", now.Liquidations.Shorts) })
            {
                var executed = sent.Where(l => l.Side == side && l.Filled > 0).ToList();
                Assert.Equal((executed.Count, executed.Sum(l => decimal.Truncate(l.Filled * ContractSize * 100_000_000m / l.AveragePrice) / 100_000_000m),
                    executed.Sum(l => l.Filled * ContractSize)), (tally.Count, tally.Volume, tally.Notional));
            }
        }, Dilated(TimeSpan.FromSeconds(15)));
    }

    private static decimal Notional(IEnumerable<AggregateTrade> trades, AggressorSide side) =>
        trades.Where(t => t.Side == side).Sum(t => t.Quantity.ToDecimal() * ContractSize);

    /// <summary>Each trade's q × contractSize / p in the base coin, truncated at 8 decimals, summed.</summary>
    private static decimal Volume(IEnumerable<AggregateTrade> trades, AggressorSide side) =>
        trades.Where(t => t.Side == side).Sum(t => decimal.Truncate(t.Quantity.ToDecimal() * ContractSize * 100_000_000m / t.Price.ToDecimal()) / 100_000_000m);
}
