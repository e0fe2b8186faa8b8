using Akka.Actor;
using OrderFlow.Actors.Tests.Metrics;
using OrderFlow.Actors.Tests.Support;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Metrics;
using OrderFlow.Protocol.Streams;
using OrderFlow.Protocol.Trades;
using OrderFlow.Simulator;
using Xunit;
using Xunit.Abstractions;

namespace OrderFlow.Actors.Tests.Connection;

/// <summary>USD-M futures against an exchange laid out as Binance's is: streams routed under /market, REST under /fapi/v1.</summary>
public sealed class MarketSpecs(ITestOutputHelper output) : StreamSpec(output)
{
    private const string UsdM = """
        orderflow.binance.market = usdm
        orderflow.metrics.windows = [2s, 1m]
        orderflow.metrics.profile-ticks-per-bin = 1
        """;

    /// <summary>What the host calls BTCUSDT here: futures symbols carry their market everywhere.</summary>
    private static readonly Symbol Perp = Symbol.Parse("usdm:BTCUSDT");

    protected override Symbol Main => Perp;

    protected override SimulatorOptions ExchangeOptions => new() { Market = "usdm", TradesPerSecond = 100, RequestWeightPerMinute = 2400 };

    [Fact]
    public async Task USD_M_streams_and_backfills_from_its_routed_paths_never_the_legacy_root_and_its_metrics_are_exact()
    {
        var lifecycle = LifecycleProbe();
        var supervisor = StartSupervisor(Settings("BTCUSDT,ETHUSDT", extraHocon: UsdM));
        var connected = ExpectLifecycle<Connected>(lifecycle, Perp);
        Assert.StartsWith($"{Exchange.WebSocketUrl.AbsoluteUri}/stream?streams=btcusdt@aggTrade", connected.Uri.AbsoluteUri);
        await HeldAtLeastAsync(supervisor, 50);

        // A gap while both symbols' shared connection is down: filled from /fapi/v1/aggTrades (weight 20 a page).
        DisconnectForAWhile(lifecycle);
        var held = await HeldThroughAsync(supervisor, Exchange.Market("BTCUSDT").LastAggregateId + 20);
        Assert.Equal(1, held[0].AggregateId);
        AssertIsTheExchangeSequence(held);

        await AwaitAssertAsync(async () =>
        {
            var snapshot = await supervisor.Ask<MetricsSnapshot>(new GetMetrics(Perp, TimeSpan.FromMinutes(1)), Dilated(TimeSpan.FromSeconds(3)));
            var counted = Exchange.Market("BTCUSDT").Trades.Where(t => t.AggregateId <= snapshot.AsOfAggregateId).ToList();
            FlowOracle.Compute(counted, TimeSpan.FromMinutes(1), snapshot.To.ToUnixTimeMilliseconds() - 1, 100_000m, 0.01m, 70, TimeSpan.Zero)
                .AssertMatches(snapshot);
            Assert.True(snapshot.Quality.GapsBackfilled >= 1);
        }, Dilated(TimeSpan.FromSeconds(10)));

        Assert.True(Exchange.AggTradesRequests("BTCUSDT") > 0);
        Assert.Equal((0, 0), (Exchange.LegacyRootRequests, Exchange.RefusedForWeight));
    }

    [Fact]
    public void Pointed_at_USD_M_s_retired_root_which_upgrades_and_sends_nothing_every_symbol_times_out_and_says_so()
    {
        var lifecycle = LifecycleProbe();
        StartSupervisor(Settings("BTCUSDT,ETHUSDT", extraHocon: UsdM, webSocketUrl: Exchange.LegacyRootUrl));

        ExpectLifecycle<Connected>(lifecycle, Perp);
        Assert.Equal(TimeoutPhase.FirstMessage, ExpectLifecycle<TimedOut>(lifecycle, Perp, skipOthers: true).Phase);
        Assert.True(Exchange.LegacyRootRequests >= 1);
    }
}
