using Akka.TestKit.Xunit2;
using OrderFlow.Simulator;
using Xunit;

namespace OrderFlow.Actors.Tests.Support;

/// <summary>
/// A spec against the real host process streaming from the simulator, where the spec breaks the exchange and waits
/// for the host to come back: it retries a few hundred milliseconds apart and cools down for a second or two, not the
/// shipped 30 s, so "back" comes within the spec's limit.
/// </summary>
/// <param name="market">The exchange's layout and the host's market: spot, or usdm (its liquidations and mark prices too).</param>
public abstract class FaultedHostSpec(double tradesPerSecond, string market = "spot") : TestKit, IAsyncLifetime
{
    protected static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private const string QuickRetries = "orderflow.stream.backoff { min = 200ms, max = 1s }\norderflow.stream.cool-down { min = 1s, max = 2s }\n";

    /// <summary>One-second bars beside the default intervals, footprint levels a tick apart: a final bar every second, with a ladder, to look at.</summary>
    // Footprints for the last two minutes of 1s bars: a bar picked a few back stays kept while a loaded machine checks it.
    private const string SecondBars = "orderflow.bars { intervals = [1s, 1m, 5m, 15m, 1h], footprint-ticks-per-level = 1, footprint-keep = 120 }\n";

    protected ExchangeSimulator Exchange { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Exchange = await ExchangeSimulator.StartAsync(new SimulatorOptions { TradesPerSecond = tradesPerSecond, Market = market, RequestWeightPerMinute = market == "spot" ? 6000 : 2400 });

    public async Task DisposeAsync() => await Exchange.DisposeAsync();

    /// <summary><c>orderflow run</c> for <paramref name="symbols"/> on free ports, retrying quickly.</summary>
    protected async Task<OrderFlowProcess> StartHostAsync(params string[] symbols)
    {
        var config = Path.Combine(Path.GetTempPath(), $"orderflow-faulted-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(config, QuickRetries + SecondBars);
        return OrderFlowProcess.Start("run", "--market", market, "--symbols", string.Join(',', symbols), "--ws-url", Exchange.WebSocketUrl.ToString(),
            "--rest-url", Exchange.RestUrl.ToString(), "--akka-port", "0", "--http-port", "0", "--config", config);
    }
}
