using Akka.Actor;
using OrderFlow.Actors.Symbols;
using OrderFlow.Actors.Tests.Support;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Streams;
using OrderFlow.Protocol.Trades;
using OrderFlow.Simulator;
using Xunit;
using Xunit.Abstractions;

namespace OrderFlow.Actors.Tests.Connection;

/// <summary>
/// One host streaming spot and USD-M at once, each from its own exchange: BTCUSDT and usdm:BTCUSDT are two symbols,
/// two tapes, two actors, on connections and REST of their own markets.
/// </summary>
public sealed class SeveralMarketsSpecs(ITestOutputHelper output) : StreamSpec(output)
{
    private static readonly Symbol Perp = Symbol.Parse("usdm:BTCUSDT");

    [Fact]
    public async Task Spot_and_USD_M_stream_side_by_side_each_symbol_qualified_by_its_market_and_neither_tape_mixed_with_the_other()
    {
        // The perpetual trades at its own price: a tape mixed up with spot's could not pass for either.
        var futures = await StartExchangeAsync(new SimulatorOptions
        {
            Market = "usdm", TradesPerSecond = 50, RequestWeightPerMinute = 2400,
            Symbols = [new SimulatedSymbol("BTCUSDT", 91_420m), new SimulatedSymbol("ETHUSDT", 3_105m)],
        });
        var lifecycle = LifecycleProbe();
        var supervisor = StartSupervisor(Settings("BTCUSDT,usdm:BTCUSDT", extraHocon: $$"""
            orderflow.binance.markets.usdm { ws-url = "{{futures.WebSocketUrl}}", rest-url = "{{futures.RestUrl}}" }
            """));

        var connected = AwaitConnected(lifecycle, [Btc, Perp], Dilated(TimeSpan.FromSeconds(5)));
        Assert.StartsWith(Exchange.WebSocketUrl.AbsoluteUri, connected[Btc].Uri.AbsoluteUri);
        Assert.StartsWith($"{futures.WebSocketUrl.AbsoluteUri}/ws/btcusdt@aggTrade", connected[Perp].Uri.AbsoluteUri);
        AssertIsTheExchangeSequence(Btc, await HeldThroughAsync(supervisor, Exchange.Market("BTCUSDT").LastAggregateId + 5));
        var perpetual = await HeldThroughAsync(supervisor, futures.Market("BTCUSDT").LastAggregateId + 5, Perp);
        var generated = futures.Market("BTCUSDT").Trades.ToDictionary(t => t.AggregateId);
        Assert.All(perpetual, trade => Assert.Equal(generated[trade.AggregateId], trade));

        // Each is named with its market wherever it shows: status, the streamed list, its actor.
        var status = await supervisor.Ask<StatusReport>(new GetStatus(null), Dilated(TimeSpan.FromSeconds(5)));
        Assert.Equal(["BTCUSDT", "usdm:BTCUSDT"], status.Streams.Select(s => s.Symbol.Value));
        Assert.All(status.Streams, s => Assert.Equal(StreamState.Connected, s.State));
        Assert.Equal([Btc, Perp], (await supervisor.Ask<StreamedSymbols>(GetStreamedSymbols.Instance, Dilated(TimeSpan.FromSeconds(5)))).Symbols);
        var shard = new SymbolShards(100).ShardOf(Perp);
        Assert.False((await Sys.ActorSelection($"/system/sharding/symbol/{shard}/usdm%3ABTCUSDT").ResolveOne(Dilated(TimeSpan.FromSeconds(3)))).IsNobody());

        // Each market's exchangeInfo and connections: USD-M added at run time rides on USD-M's connection.
        Assert.IsType<SymbolAdded>(await supervisor.Ask<object>(new AddSymbol(Symbol.Parse("usdm:ETHUSDT")), Dilated(TimeSpan.FromSeconds(10))));
        AwaitConnected(lifecycle, [Symbol.Parse("usdm:ETHUSDT")], Dilated(TimeSpan.FromSeconds(5)));
        // One aggTrade connection a market; USD-M's liquidations (!forceOrder@arr) have one of their own.
        var liquidationConnections = futures.UpgradeRequests(ExchangeSimulator.LiquidationKey);
        Assert.Equal((1, 1, 1), (Exchange.UpgradeRequests(), futures.UpgradeRequests() - liquidationConnections, liquidationConnections));
        Assert.Equal(0, Exchange.UpgradeRequests("ETHUSDT"));

        // A market the host does not know is one line, not a symbol Binance "does not list".
        var refused = Assert.IsType<QueryFailed>(await supervisor.Ask<object>(new AddSymbol(Symbol.Parse("opts:BTCUSDT")), Dilated(TimeSpan.FromSeconds(5))));
        Assert.Equal("opts:BTCUSDT was not added: 'opts' is not a market (use spot, usdm, coinm)", refused.Reason);
    }
}
