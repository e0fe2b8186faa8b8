using System.Net;
using Akka.Actor;
using OrderFlow.Actors.Tests.Support;
using OrderFlow.Protocol.Metrics;
using OrderFlow.Protocol.Streams;
using OrderFlow.Simulator;
using Xunit;
using Xunit.Abstractions;

namespace OrderFlow.Actors.Tests.Sequencing;

/// <summary>A symbol that has not traded for the whole warm-up, then trades before its stream delivers anything.</summary>
public sealed class QuietStartSpecs(ITestOutputHelper output) : StreamSpec(output)
{
    protected override double TradesPerSecond => 0;

    [Fact]
    public async Task Trades_made_after_an_empty_warm_up_and_before_the_first_live_trade_are_fetched_too()
    {
        Exchange.SetUpgradeFault("BTCUSDT", new UpgradeFault.Refuse(HttpStatusCode.ServiceUnavailable));
        var lifecycle = LifecycleProbe();
        var supervisor = StartSupervisor(Settings(extraHocon: """
            orderflow.history.warmup = 1m
            orderflow.stream.first-message-timeout = 30s
            """));

        // The warm-up has answered "no trades" once the tape is said to cover anything.
        await AwaitAssertAsync(async () => Assert.True(
            (await supervisor.Ask<MetricsSnapshot>(new GetMetrics(Btc, TimeSpan.FromMinutes(1)))).Coverage.Fraction > 0),
            Dilated(TimeSpan.FromSeconds(5)));
        Exchange.Market("BTCUSDT").Publish(30);
        Exchange.SetUpgradeFault("BTCUSDT", null);
        ExpectLifecycle<Connected>(lifecycle, Btc, within: TimeSpan.FromSeconds(10), skipOthers: true);
        AwaitLiveConnection("BTCUSDT");
        Exchange.Market("BTCUSDT").Publish(5);

        var held = await HeldThroughAsync(supervisor, 35);
        Assert.Equal(1, held[0].AggregateId);
        Assert.Equal(35, held.Count);
        AssertIsTheExchangeSequence(held);
    }
}
