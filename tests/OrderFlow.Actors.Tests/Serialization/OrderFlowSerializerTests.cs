using OrderFlow.Protocol.Cluster;
using System.Text.Json;
using Akka.Serialization;
using Akka.TestKit.Xunit2;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Bars;
using OrderFlow.Protocol.Derivatives;
using OrderFlow.Protocol.Metrics;
using OrderFlow.Protocol.Serialization;
using OrderFlow.Protocol.Streams;
using OrderFlow.Protocol.Trades;
using Xunit;

namespace OrderFlow.Actors.Tests.Serialization;

public sealed class OrderFlowSerializerTests() : TestKit(OrderFlowSerializer.Hocon)
{
    private static readonly Symbol Btc = Symbol.Parse("BTCUSDT");
    private static readonly DateTimeOffset At = new(2026, 11, 24, 9, 30, 15, 123, TimeSpan.Zero);

    private static readonly AggregateTrade Trade =
        new(3_141_592_653, Fixed8.Parse("91350.12345678"), Fixed8.Parse("0.00000001"), 5_000_000_000, 5_000_000_002, 1_795_500_000_123, AggressorSide.Sell);

    private static readonly MetricsSnapshot Snapshot = new(Btc, TimeSpan.FromMinutes(5), 42, At.AddMinutes(-5), At,
        new WindowCoverage(false, 0.6666m, "trades collected since 09:27:15.000 UTC: 180s of 300s"), 1234, 4.113333333333m,
        12.5m, 10.25000001m, 1_141_876.5m, 936_337.123456789012345m, 2.24999999m, 0.098901098901m,
        91_000m, 91_500.5m, 90_999.99m, 91_350.12345678m, new VwapBands(91_234.123456789012m, 12.345678901234m),
        new LargeTrades(100_000m, new LargeTradeTally(2, 3.5m, 319_725m), new LargeTradeTally(0, 0m, 0m), Trade),
        new VolumeProfile(0.01m, 91_300m, 91_320.5m, 91_280m, 15.75m, 22.75000001m, 70, 4_051),
        new CumulativeVolumeDelta(-1_234.56789012m, At.Date, At.AddMinutes(-15), false),
        new DataQuality(3, 2, 1, 17, 4, 1, 0.25m));

    private static readonly Bar Bar = new(At, At.AddMinutes(1), true, 0, true, 91_350.12m, 91_400m, 91_300.5m, 91_390.00000001m, 12.5m, 10.25000001m,
        1_141_876.5m, 936_337.123456789012345m, 42, 117, 2.24999999m, -1.5m, 3m, -1_234.56789012m, At.Date, 91_345.123456789012m, 5_000_000_000, 5_000_000_041);

    private static readonly Symbol Perp = Symbol.Parse("usdm:BTCUSDT");

    private static readonly Liquidation Liquidated = new(Perp, "SELL", "LIMIT", "IOC", 0.014m, 9_910m, 9_910.5m, "PARTIALLY_FILLED", 0.004m,
        0.01m, At, At.AddMilliseconds(3), 0.01m, 99.105m);

    /// <summary>One instance of every message that crosses the process boundary; a new type without one fails the test.</summary>
    private static readonly IOrderFlowMessage[] Samples =
    [
        new GetRecentTrades(Btc, 1000), new GetTradesFromId(Btc, 3_141_592_000, 500), new GetTradesSince(Btc, At, 100),
        new TradesSnapshot(Btc, [Trade, Trade with { AggregateId = 3_141_592_654, Side = AggressorSide.Buy }], 500_000, "aggregate ids 5..9 are missing"),
        new GetSequenceStats(Btc), new SequenceStats(Btc, 10, 1, 2, 1, 40, 1000, 1, new AggregateIdRange(5, 9), 3, 3_141_592_653, At),
        new GetMetrics(Btc, TimeSpan.FromMinutes(1)), Snapshot, new WindowNotTracked(Btc, TimeSpan.FromMinutes(3), [TimeSpan.FromMinutes(1), TimeSpan.FromHours(1)]),
        new SubscribeMetrics(Btc, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(2)), new UnsubscribeMetrics(Btc, TimeSpan.FromMinutes(5)),
        new AddSymbol(Btc), new RemoveSymbol(Btc), new SymbolAdded(Btc), new SymbolAlreadyStreaming(Btc), new SymbolRemoved(Btc),
        new SymbolNotFound(Btc), new SymbolUnknown(Btc), new SymbolNotTrading(Btc, "BREAK"), GetStreamedSymbols.Instance, new StreamedSymbols([Btc, Symbol.Parse("ETHUSDT")]),
        new Connected(Btc, new Uri("wss://stream.binance.com:9443/ws/btcusdt@aggTrade"), 2, TimeSpan.FromMilliseconds(215.5), At),
        new Failed(Btc, FailureKind.HttpStatus, "HTTP 429 on the upgrade", 3, TimeSpan.FromSeconds(3), At),
        new TimedOut(Btc, TimeoutPhase.KeepAlive, TimeSpan.FromSeconds(24.97), 1, At),
        new GetStatus(Btc), new GetStatus(null), WhichSetup.Instance, new NodeSetup("6f72646572666c6f", "SQLite /data/tape.db", 100),
        new EgressHeld("10.0.0.1", "akka.tcp://orderflow@10.0.0.1:4053", "spot", "rest", At, "HTTP 429/418 with Retry-After"),
        GetClusterState.Instance, new ClusterState("akka.tcp://orderflow@10.0.0.1:4053", "akka.tcp://orderflow@10.0.0.1:4053",
            [new ClusterMember("akka.tcp://orderflow@10.0.0.1:4053", "Up", true, [], 34, 120), new ClusterMember("akka.tcp://orderflow@10.0.0.2:4053", "Up", false, ["eu"], null, null)]),
        new StatusReport([new StreamStatus(Btc, StreamState.BackingOff, At, 2, "connection broke", TimeoutPhase.Connect, At, 1_000, 3_141_592_653, At,
            4, 1, 2, 40, 0, 3), new StreamStatus(Btc, StreamState.Connected, At, 1, null, null, null, 5, 5, At, 0, 0, 0, 0, 0, 0,
            new TapeStoreStatus(1_204, "the database is down", 12))]),
        SubscribeLifecycle.Instance, LifecycleSubscribed.Instance, UnsubscribeLifecycle.Instance, new QueryFailed("the host did not answer within 5s"),
        new GetBars(Btc, TimeSpan.FromMinutes(5), 20), new GetBars(Btc, TimeSpan.FromMinutes(1), 100, At), new GetFootprint(Btc, TimeSpan.FromMinutes(1), 3),
        new IntervalNotTracked(Btc, TimeSpan.FromMinutes(3), [TimeSpan.FromMinutes(1), TimeSpan.FromHours(1), BarInterval.Ticks(1_000), BarInterval.Volume(Fixed8.Parse("0.5"))]),
        new GetBars(Btc, BarInterval.Ticks(1_000), 5), new GetFootprint(Btc, BarInterval.Volume(Fixed8.Parse("250")), 2), new BarFinal(Btc, BarInterval.Ticks(50), Bar),
        new BarsSnapshot(Btc, TimeSpan.FromMinutes(1), [Bar]), new SubscribeBars([Btc]), new SubscribeBars([]), BarsSubscribed.Instance, UnsubscribeBars.Instance, new BarFinal(Btc, TimeSpan.FromMinutes(1), Bar with { Revision = 1, Complete = false }),
        new FootprintSnapshot(Btc, TimeSpan.FromMinutes(1), 9.14m, new ImbalanceSettings(300, 0.5m, "skip", 3),
            [new FootprintBar(At, true, 0, 91_346.16m, [new FootprintLevel(91_337.02m, 1.23456789m, 0m, 3, 0, true, false),
                new FootprintLevel(91_346.16m, 2m, 0.00000001m, 1, 1, false, false)], [new PriceRange(91_337.02m, 91_355.30m)], [], false, true)]),
        Snapshot with
        {
            Symbol = Perp,
            Liquidations = new WindowLiquidations(true, 7, new LiquidationTally(2, 0.014m, 138.74m, Liquidated), new LiquidationTally(0, 0m, 0m, null),
                new WindowCoverage(false, 0.9166m, "usdm !forceOrder@arr was not connected from 09:29:10.000 UTC to 09:29:15.000 UTC")),
            Mark = new MarkPrice(91_350.5m, 91_360.25m, -9.75m, 91_351m, At, false, "the mark price is 7.1s old (stale after 5s)"),
            Funding = new Funding(-0.00012345m, At.Date.AddHours(16), At),
            OpenInterest = new OpenInterest(81_234.567m, 7_421_000_123.45678901m, At.AddSeconds(-15), false),
        },
        Liquidated, new SubscribeLiquidations([Perp]), new SubscribeLiquidations([]), LiquidationsSubscribed.Instance, UnsubscribeLiquidations.Instance,
        new MarketStreamConnected("usdm", "!forceOrder@arr/!markPrice@arr@1s", new Uri("wss://fstream.binance.com/market/stream?streams=!forceOrder@arr"), 1, TimeSpan.FromMilliseconds(80.5), At),
        new MarketStreamFailed("coinm", "!forceOrder@arr", FailureKind.Closed, "closed by the server with code 1001", 2, null, At),
        new MarketStreamTimedOut("usdm", "!forceOrder@arr", TimeoutPhase.KeepAlive, TimeSpan.FromSeconds(25), 1, At),
    ];


    public static IEnumerable<object[]> Messages() => Samples.Select(sample => new object[] { sample });

    [Theory]
    [MemberData(nameof(Messages))]
    public void Every_message_survives_the_round_trip_exactly(IOrderFlowMessage message)
    {
        var serializer = Sys.Serialization.FindSerializerFor(message);
        Assert.IsType<OrderFlowSerializer>(serializer);
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, message);
        var back = Sys.Serialization.Deserialize(serializer.ToBinary(message), serializer.Identifier, manifest);

        Assert.IsType(message.GetType(), back);
        // Records holding lists compare by reference, so compare what they say: every field, decimals to the digit.
        Assert.Equal(JsonSerializer.Serialize(message, message.GetType(), ProtocolJson.Options),
            JsonSerializer.Serialize(back, back.GetType(), ProtocolJson.Options));
        if (message is MetricsSnapshot) Assert.Equal(Snapshot.Vwap, ((MetricsSnapshot)back).Vwap);
    }

    [Fact]
    public void Every_message_type_has_a_sample_above()
    {
        var sampled = Samples.Select(sample => sample.GetType().Name).ToHashSet();
        var missing = ProtocolJson.Manifests.Keys.Except(sampled).ToList();
        Assert.True(missing.Count == 0, $"no sample for {string.Join(", ", missing)}");
    }

    private sealed record NotAProtocolMessage(string Text);

    [Fact]
    public void A_type_outside_the_protocol_is_refused_rather_than_serialized_some_other_way()
    {
        var refused = Assert.ThrowsAny<Exception>(() => Sys.Serialization.FindSerializerFor(new NotAProtocolMessage("hi")));
        Assert.Contains("No serializer binding found", refused.Message);
    }

    [Fact]
    public void An_unknown_manifest_or_an_invalid_symbol_is_an_error_not_a_guess()
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerForType(typeof(GetStatus));
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary("{}"u8.ToArray(), "DropTables"));
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary("""{"symbol":"btc/usdt","count":1}"""u8.ToArray(), nameof(GetRecentTrades)));
    }
}
