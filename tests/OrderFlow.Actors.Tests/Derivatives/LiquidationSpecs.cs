using System.Diagnostics.Metrics;
using System.Net;
using Akka.Actor;
using Akka.TestKit;
using OrderFlow.Actors.Hosting;
using OrderFlow.Actors.Metrics;
using OrderFlow.Actors.Store;
using OrderFlow.Actors.Tests.Support;
using OrderFlow.Host.Telemetry;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Bars;
using OrderFlow.Protocol.Derivatives;
using OrderFlow.Protocol.Metrics;
using OrderFlow.Protocol.Serialization;
using OrderFlow.Protocol.Streams;
using OrderFlow.Simulator;
using Xunit;
using Xunit.Abstractions;

namespace OrderFlow.Actors.Tests.Derivatives;

/// <summary>
/// A USD-M exchange that marks every symbol each second and liquidates each of them every 100 ms (Binance: at most once a second; faster here so
/// a spec sees hundreds), one of them not streamed by the host; its trades began two minutes before the host, so the
/// trade tape covers every window from the start.
/// </summary>
public sealed class LiquidationSpecs(ITestOutputHelper output) : StreamSpec(output)
{
    private const string UsdM = """
        orderflow.binance.market = usdm
        orderflow.metrics.windows = [5s, 1m]
        orderflow.bars.intervals = [2s, 1m]
        orderflow.derivatives.mark-stale-after = 2s
        """;

    private static readonly Symbol Perp = Symbol.Parse("usdm:BTCUSDT");
    private static readonly Symbol EthPerp = Symbol.Parse("usdm:ETHUSDT");

    protected override Symbol Main => Perp;

    protected override SimulatorOptions ExchangeOptions => new()
    {
        Market = "usdm", TradesPerSecond = 20, RequestWeightPerMinute = 2400, History = TimeSpan.FromMinutes(2),
        LiquidationChance = 1.0, LiquidationEvery = TimeSpan.FromMilliseconds(100),
    };

    private TestProbe MarketStreamProbe()
    {
        var probe = CreateTestProbe();
        Sys.EventStream.Subscribe(probe.Ref, typeof(IMarketStreamEvent));
        return probe;
    }

    private T ExpectMarketStream<T>(TestProbe probe, TimeSpan within) where T : IMarketStreamEvent =>
        (T)probe.FishForMessage<IMarketStreamEvent>(e => e is T, Dilated(within));

    [Fact]
    public async Task Every_window_s_liquidations_equal_a_recomputation_from_the_exchange_s_events_each_to_its_own_symbol()
    {
        var streams = MarketStreamProbe();
        var liquidations = CreateTestProbe();
        Sys.EventStream.Subscribe(liquidations.Ref, typeof(Liquidation));
        var (supervisor, connected) = StartFollowing([Perp, EthPerp], streams);

        Assert.Equal(("usdm", "!forceOrder@arr/!markPrice@arr@1s"), (connected.Market, connected.Stream));
        Assert.Equal($"{Exchange.WebSocketUrl.AbsoluteUri.TrimEnd('/')}/stream?streams=!forceOrder@arr/!markPrice@arr@1s", connected.Uri.ToString());
        // Each liquidation of a streamed symbol goes out as an event too; SOLUSDT's, not streamed here, goes nowhere.
        var announced = liquidations.ExpectMsg<Liquidation>(Dilated(TimeSpan.FromSeconds(5)));
        Assert.Contains(announced.Symbol, new[] { Perp, EthPerp });

        foreach (var symbol in new[] { Perp, EthPerp })
            await AwaitAssertAsync(async () =>
            {
                var snapshot = await supervisor.Ask<MetricsSnapshot>(new GetMetrics(symbol, TimeSpan.FromMinutes(1)), Dilated(TimeSpan.FromSeconds(3)));
                var expected = Recompute(symbol, snapshot);
                Assert.True(expected.Snapshots >= 20, $"{expected.Snapshots} liquidations so far");
                Assert.Equivalent(expected.Figures, Figures(snapshot.Liquidations!));
                // Connected for less than the minute: the stream's own coverage says so, the trade tape's does not.
                Assert.False(snapshot.Liquidations!.Coverage.Ready);
                Assert.True(snapshot.Coverage.Ready, snapshot.Coverage.NotReadyBecause);
            }, Dilated(TimeSpan.FromSeconds(10)));

        // Prometheus: each symbol's executed liquidations since start, per side, as counters.
        await AwaitAssertAsync(() =>
        {
            var counters = ScrapeLiquidationCounters();
            foreach (var symbol in new[] { Perp, EthPerp })
            foreach (var (side, label) in new[] { ("SELL", "long"), ("BUY", "short") })
            {
                var executed = Exchange.Liquidations.Sent.Where(l => l.Symbol == symbol.Name && l.Listeners > 0 && l.Side == side && l.Filled > 0).ToList();
                Assert.Equal((double)executed.Count, counters[("orderflow.liquidations", symbol.Value, label)]);
                Assert.Equal((double)executed.Sum(l => l.Filled * l.AveragePrice), counters[("orderflow.liquidations.notional", symbol.Value, label)], 6);
            }
            return Task.CompletedTask;
        }, Dilated(TimeSpan.FromSeconds(10)));

        // Each final 2s bar: its liquidations by trade time, and the mark and funding of the last update inside it.
        await AwaitAssertAsync(async () =>
        {
            var bars = (await supervisor.Ask<BarsSnapshot>(new GetBars(Perp, TimeSpan.FromSeconds(2), 20), Dilated(TimeSpan.FromSeconds(3)))).Bars
                .Where(bar => bar.Final).ToList();
            Assert.True(bars.Count >= 3, $"{bars.Count} final bars");
            var marks = Exchange.MarkPrices.Sent.Where(mark => mark.Symbol == "BTCUSDT").ToList();
            foreach (var bar in bars)
            {
                Assert.Equivalent(Recompute(Perp, bar.From, bar.To).Figures, Figures(bar.Liquidations!));
                var atClose = marks.LastOrDefault(mark => mark.EventTimeMs >= bar.From.ToUnixTimeMilliseconds() && mark.EventTimeMs < bar.To.ToUnixTimeMilliseconds());
                Assert.Equal(atClose?.Mark, bar.Mark?.Mark);
                Assert.Equal(atClose?.Index, bar.Mark?.Index);
                Assert.Equal(atClose?.FundingRate, bar.Funding?.Rate);
            }
            Assert.Contains(bars, bar => bar.Liquidations!.Snapshots > 0);
            Assert.Contains(bars, bar => bar.Mark is { Ready: true });
        }, Dilated(TimeSpan.FromSeconds(10)));

        await AwaitAssertAsync(async () =>
        {
            var shortWindow = await supervisor.Ask<MetricsSnapshot>(new GetMetrics(Perp, TimeSpan.FromSeconds(5)), Dilated(TimeSpan.FromSeconds(3)));
            Assert.True(shortWindow.Liquidations!.Coverage.Ready, shortWindow.Liquidations.Coverage.NotReadyBecause);
            Assert.Equivalent(Recompute(Perp, shortWindow).Figures, Figures(shortWindow.Liquidations));
        }, Dilated(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_dropped_liquidation_stream_is_reported_and_shows_in_liquidation_coverage_never_in_the_trade_tape_s()
    {
        var streams = MarketStreamProbe();
        var (supervisor, _) = StartFollowing([Perp], streams);
        var lifecycle = LifecycleProbe();

        // Down, and refused for two attempts, while trades and liquidations go on. The liquidations pause while the
        // connection drops, so that none is in flight on it: every one sent before reached the host, none after.
        Exchange.SetUpgradeFault(ExchangeSimulator.LiquidationKey, new UpgradeFault.Refuse(HttpStatusCode.ServiceUnavailable));
        Exchange.Liquidations.Paused = true;
        Assert.Equal(1, Exchange.DropConnections(ExchangeSimulator.LiquidationKey));
        AwaitAssert(() => Assert.Equal(0, Exchange.OpenConnections(ExchangeSimulator.LiquidationKey)), Dilated(TimeSpan.FromSeconds(5)));
        Exchange.Liquidations.Paused = false;
        Assert.Equal(FailureKind.SocketError, ExpectMarketStream<MarketStreamFailed>(streams, TimeSpan.FromSeconds(5)).Kind);
        var refused = ExpectMarketStream<MarketStreamFailed>(streams, TimeSpan.FromSeconds(5));
        Assert.Equal(FailureKind.HttpStatus, refused.Kind);
        Assert.Contains("HTTP 503", refused.Reason);
        ExpectMarketStream<MarketStreamFailed>(streams, TimeSpan.FromSeconds(5));
        Exchange.SetUpgradeFault(ExchangeSimulator.LiquidationKey, null);
        ExpectMarketStream<MarketStreamConnected>(streams, TimeSpan.FromSeconds(5));

        await AwaitAssertAsync(async () =>
        {
            var snapshot = await supervisor.Ask<MetricsSnapshot>(new GetMetrics(Perp, TimeSpan.FromMinutes(1)), Dilated(TimeSpan.FromSeconds(3)));
            var coverage = snapshot.Liquidations!.Coverage;
            Assert.False(coverage.Ready);
            Assert.Contains("usdm !forceOrder@arr was not connected from", coverage.NotReadyBecause);
            Assert.Equivalent(Recompute(Perp, snapshot).Figures, Figures(snapshot.Liquidations));
            // The trades never stopped: their tape is whole.
            Assert.True(snapshot.Coverage.Ready, snapshot.Coverage.NotReadyBecause);
            Assert.Equal(0, snapshot.Quality.GapsDetected);
        }, Dilated(TimeSpan.FromSeconds(10)));
        // The aggTrade stream heard nothing of it.
        lifecycle.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.True(Exchange.Liquidations.Sent.Any(sent => sent.Symbol == "BTCUSDT" && sent.Listeners == 0), "liquidations were sent while the stream was down");
    }

    [Fact]
    public async Task Every_liquidation_of_a_streamed_symbol_is_recorded_with_every_field_as_the_exchange_sent_it()
    {
        var directory = Directory.CreateTempSubdirectory("orderflow-liquidations-");
        try
        {
            await using var store = await SqliteTapeStore.OpenAsync(Path.Combine(directory.FullName, "tape.db"));
            var (_, _) = StartFollowing([Perp, EthPerp], MarketStreamProbe(), store);

            foreach (var symbol in new[] { Perp, EthPerp })
                await AwaitAssertAsync(async () =>
                {
                    var sent = Exchange.Liquidations.Sent.Where(l => l.Symbol == symbol.Name && l.Listeners > 0).ToList();
                    Assert.True(sent.Count >= 20, $"{sent.Count} liquidations of {symbol} so far");
                    var recorded = await store.ReadLiquidationsAsync(TapeId.Of(symbol, Exchange.RestUrl), 0, long.MaxValue, 100_000);
                    // The recorder writes every second: what was sent up to the newest recorded is all there, field for field.
                    Assert.NotEmpty(recorded);
                    var upTo = recorded[^1].TradeTimeMs;
                    Assert.Equal(sent.Where(l => l.TradeTimeMs <= upTo).Select(Field).Order(), recorded.Select(Recorded).Order());
                    Assert.True(recorded.Count >= 20);
                }, Dilated(TimeSpan.FromSeconds(15)));
            // SOLUSDT, liquidated too but not streamed here, was not recorded.
            Assert.Empty(await store.ReadLiquidationsAsync(TapeId.Of(Symbol.Parse("usdm:SOLUSDT"), Exchange.RestUrl), 0, long.MaxValue, 10));
        }
        finally
        {
            await ShutdownAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }

        static string Field(SentLiquidation l) => string.Join(',', l.Symbol, l.Side, l.OrderType, l.TimeInForce, Exact(l.Quantity), Exact(l.Price),
            Exact(l.AveragePrice), l.Status, Exact(l.LastFilled), Exact(l.Filled), l.TradeTimeMs, l.EventTimeMs);
        static string Recorded(OrderFlow.Actors.Binance.ForceOrder o) => string.Join(',', o.Name, o.Side, o.OrderType, o.TimeInForce, o.Quantity, o.Price,
            o.AveragePrice, o.Status, o.LastFilled, o.Filled, o.TradeTimeMs, o.EventTimeMs);
        static string Exact(decimal value) => Fixed8.FromDecimal(value).ToString();
    }

    /// <summary>What a scrape of this node's liquidation counters reads now: (instrument, symbol, side) to value.</summary>
    private Dictionary<(string Name, string Symbol, string Side), double> ScrapeLiquidationCounters()
    {
        using var telemetry = new StreamTelemetry(new NoGateway(), Sys, TimeSpan.FromSeconds(1), TimeProvider.System);
        var seen = new Dictionary<(string, string, string), double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, meters) =>
        {
            if (instrument.Meter.Name == StreamTelemetry.MeterName && instrument.Name.StartsWith("orderflow.liquidations", StringComparison.Ordinal))
                meters.EnableMeasurementEvents(instrument);
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string Tag(string key, ReadOnlySpan<KeyValuePair<string, object?>> all)
            {
                foreach (var tag in all) if (tag.Key == key) return (string)tag.Value!;
                return "";
            }
            seen[(instrument.Name, Tag("symbol", tags), Tag("side", tags))] = value;
        }
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.Start();
        listener.RecordObservableInstruments();
        return seen;
    }

    private sealed class NoGateway : Akka.Hosting.IRequiredActor<OrderFlow.Actors.Gateway.OrderFlowGateway>
    {
        public IActorRef ActorRef => ActorRefs.Nobody;

        public Task<IActorRef> GetAsync(CancellationToken cancellationToken = default) => Task.FromResult<IActorRef>(ActorRefs.Nobody);
    }

    /// <summary>
    /// Starts the host on <paramref name="symbols"/> and lets the exchange liquidate only once each symbol streams and
    /// the liquidation stream is connected: a liquidation that comes before its symbol is followed reaches no window.
    /// </summary>
    private (IActorRef Supervisor, MarketStreamConnected Connected) StartFollowing(Symbol[] symbols, TestProbe streams, ITapeStore? store = null)
    {
        Exchange.Liquidations.Paused = true;
        var lifecycle = LifecycleProbe();
        var supervisor = Sys.StartOrderFlowSymbols(Settings(string.Join(',', symbols.Select(symbol => symbol.Name)), extraHocon: UsdM), store: store);
        var connected = ExpectMarketStream<MarketStreamConnected>(streams, TimeSpan.FromSeconds(10));
        AwaitConnected(lifecycle, symbols, Dilated(TimeSpan.FromSeconds(10)));
        AwaitAssert(() => Assert.Equal(1, Exchange.OpenConnections(ExchangeSimulator.LiquidationKey)), Dilated(TimeSpan.FromSeconds(5)));
        Sys.EventStream.Unsubscribe(lifecycle.Ref);
        Exchange.Liquidations.Paused = false;
        return (supervisor, connected);
    }

    [Fact]
    public async Task Each_window_carries_the_symbol_s_latest_mark_price_index_basis_and_funding_and_a_stale_one_says_so()
    {
        var streams = MarketStreamProbe();
        var (supervisor, _) = StartFollowing([Perp], streams);

        MetricsSnapshot snapshot = null!;
        await AwaitAssertAsync(async () =>
        {
            snapshot = await supervisor.Ask<MetricsSnapshot>(new GetMetrics(Perp, TimeSpan.FromSeconds(5)), Dilated(TimeSpan.FromSeconds(3)));
            var sent = Exchange.MarkPrices.Latest("BTCUSDT");
            Assert.NotNull(sent);
            Assert.Equal(new MarkPrice(sent.Mark, sent.Index, sent.Mark - sent.Index, sent.EstimatedSettle, DateTimeOffset.FromUnixTimeMilliseconds(sent.EventTimeMs),
                true, null), snapshot.Mark);
            Assert.Equal(new Funding(sent.FundingRate!.Value, DateTimeOffset.FromUnixTimeMilliseconds(sent.NextFundingTimeMs),
                DateTimeOffset.FromUnixTimeMilliseconds(sent.EventTimeMs)), snapshot.Funding);
        }, Dilated(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, snapshot.Funding!.NextFundingTime.ToUnixTimeMilliseconds() % (8 * 3_600_000L));

        // The exchange stops sending them: after the staleness allowed, the mark is not ready, and says how old it is.
        Exchange.MarkPrices.Paused = true;
        await AwaitAssertAsync(async () =>
        {
            var stale = (await supervisor.Ask<MetricsSnapshot>(new GetMetrics(Perp, TimeSpan.FromSeconds(5)), Dilated(TimeSpan.FromSeconds(3)))).Mark!;
            Assert.False(stale.Ready);
            Assert.Matches(@"^the mark price is \d+\.\ds old \(stale after 2s\)$", stale.NotReadyBecause);
        }, Dilated(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void A_spot_symbol_s_window_has_no_liquidations_mark_or_funding_at_all_not_zero_ones()
    {
        var board = new MetricsBoard(Btc, Settings("BTCUSDT").Metrics);
        var snapshot = (MetricsSnapshot)board.Read(TimeSpan.FromMinutes(1), 1_795_000_000_000);

        Assert.Equal((null, null, null), (snapshot.Liquidations, snapshot.Mark, snapshot.Funding));
        var json = System.Text.Encoding.UTF8.GetString(ProtocolJson.ToUtf8(snapshot));
        Assert.DoesNotContain("liquidations", json);
        Assert.DoesNotContain("mark", json);
        Assert.DoesNotContain("funding", json);
    }

    private sealed record Side(long Count, decimal Volume, decimal Notional, long? LargestAt);

    private static (Side Longs, Side Shorts, long Snapshots, bool Sampled) Figures(WindowLiquidations answer) =>
        (Of(answer.Longs), Of(answer.Shorts), answer.Snapshots, answer.Sampled);

    private static Side Of(LiquidationTally tally) => new(tally.Count, tally.Volume, tally.Notional, tally.Largest?.TradeTime.ToUnixTimeMilliseconds());

    /// <summary>From the exchange's own record: the symbol's liquidations sent to the host, whose trade time is in the window.</summary>
    private ((Side Longs, Side Shorts, long Snapshots, bool Sampled) Figures, long Snapshots) Recompute(Symbol symbol, MetricsSnapshot snapshot) =>
        Recompute(symbol, snapshot.From, snapshot.To);

    private ((Side Longs, Side Shorts, long Snapshots, bool Sampled) Figures, long Snapshots) Recompute(Symbol symbol, DateTimeOffset from, DateTimeOffset to)
    {
        var (fromMs, toMs) = (from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds());
        var sent = Exchange.Liquidations.Sent
            .Where(l => l.Symbol == symbol.Name && l.Listeners > 0 && l.TradeTimeMs >= fromMs && l.TradeTimeMs < toMs).ToList();
        Side Tally(string side)
        {
            var executed = sent.Where(l => l.Side == side && l.Filled > 0).ToList();
            var largest = executed.Count == 0 ? null : executed.Aggregate((a, b) => b.Filled * b.AveragePrice > a.Filled * a.AveragePrice ? b : a);
            return new Side(executed.Count, executed.Sum(l => l.Filled), executed.Sum(l => l.Filled * l.AveragePrice), largest?.TradeTimeMs);
        }
        return ((Tally("SELL"), Tally("BUY"), sent.Count, true), sent.Count);
    }
}
