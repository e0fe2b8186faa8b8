using Akka.Actor;
using OrderFlow.Actors.Tests.Support;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Bars;
using OrderFlow.Protocol.Derivatives;
using OrderFlow.Protocol.Metrics;
using OrderFlow.Simulator;
using Xunit;
using Xunit.Abstractions;

namespace OrderFlow.Actors.Tests.Derivatives;

/// <summary>
/// A USD-M exchange whose tape began twelve minutes before the host (so its 5m bars have closed ones), with open
/// interest scripted per 5-minute sample (<see cref="SimulatedOpenInterest"/>): the host's bars and windows against it.
/// </summary>
public sealed class OpenInterestSpecs(ITestOutputHelper output) : StreamSpec(output)
{
    private const string UsdM = """
        orderflow.binance.market = usdm
        orderflow.metrics.windows = [1m]
        orderflow.bars.intervals = [1m, 5m]
        orderflow.derivatives { liquidations = off, mark-price = off, open-interest-polled = ["usdm:ETHUSDT"], open-interest-poll-every = 1s }
        """;

    private static readonly Symbol Perp = Symbol.Parse("usdm:BTCUSDT");
    private static readonly Symbol EthPerp = Symbol.Parse("usdm:ETHUSDT");

    protected override Symbol Main => Perp;

    protected override SimulatorOptions ExchangeOptions => new()
    {
        Market = "usdm", TradesPerSecond = 5, RequestWeightPerMinute = 2400, History = TimeSpan.FromMinutes(12), LiquidationChance = 0,
    };

    [Fact]
    public async Task Each_5m_bar_carries_binance_s_sample_at_its_close_and_a_window_the_latest_polled_where_configured()
    {
        var lifecycle = LifecycleProbe();
        var supervisor = StartSupervisor(Settings("BTCUSDT,ETHUSDT", extraHocon: UsdM));
        AwaitConnected(lifecycle, [Perp, EthPerp], Dilated(TimeSpan.FromSeconds(10)));

        await AwaitAssertAsync(async () =>
        {
            var bars = (await supervisor.Ask<BarsSnapshot>(new GetBars(Perp, TimeSpan.FromMinutes(5), 5), Dilated(TimeSpan.FromSeconds(3)))).Bars;
            var closed = bars.Where(bar => bar.To <= DateTimeOffset.UtcNow.AddSeconds(-20)).ToList();
            Assert.True(closed.Count >= 2, $"{closed.Count} closed 5m bars");
            foreach (var bar in closed)
            {
                var at = bar.To.ToUnixTimeMilliseconds();
                var expected = SimulatedOpenInterest.At("BTCUSDT", at);
                Assert.Equal(new OpenInterest(expected, expected * 91_350m, bar.To, false), bar.OpenInterest);
            }
            // A 1m bar has none of its own: the record is every 5 minutes.
            var minutes = (await supervisor.Ask<BarsSnapshot>(new GetBars(Perp, TimeSpan.FromMinutes(1), 10), Dilated(TimeSpan.FromSeconds(3)))).Bars;
            Assert.All(minutes, bar => Assert.Null(bar.OpenInterest));
        }, Dilated(TimeSpan.FromSeconds(15)));

        // BTCUSDT's window: the record's newest sample. ETHUSDT, polled: the current value, as of when it was asked.
        await AwaitAssertAsync(async () =>
        {
            var btc = (await supervisor.Ask<MetricsSnapshot>(new GetMetrics(Perp, TimeSpan.FromMinutes(1)), Dilated(TimeSpan.FromSeconds(3)))).OpenInterest!;
            Assert.False(btc.Sampled);
            Assert.Equal(0, btc.At.ToUnixTimeMilliseconds() % SimulatedOpenInterest.PeriodMs);
            Assert.Equal(SimulatedOpenInterest.At("BTCUSDT", btc.At.ToUnixTimeMilliseconds()), btc.Quantity);
            var eth = (await supervisor.Ask<MetricsSnapshot>(new GetMetrics(EthPerp, TimeSpan.FromMinutes(1)), Dilated(TimeSpan.FromSeconds(3)))).OpenInterest!;
            Assert.True(eth.Sampled);
            Assert.Null(eth.Value);
            Assert.Equal(SimulatedOpenInterest.At("ETHUSDT", eth.At.ToUnixTimeMilliseconds()), eth.Quantity);
            Assert.True(DateTimeOffset.UtcNow - eth.At < TimeSpan.FromSeconds(30), $"polled at {eth.At:O}");
        }, Dilated(TimeSpan.FromSeconds(15)));
    }
}
