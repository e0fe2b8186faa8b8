using Akka.TestKit.Xunit2;
using OrderFlow.Actors.Tests.Support;
using OrderFlow.Client;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Derivatives;
using OrderFlow.Simulator;
using Xunit;

namespace OrderFlow.Actors.Tests.Store;

/// <summary>
/// What a live host recorded of a USD-M market's liquidations, played back by <c>orderflow replay</c>: real processes,
/// the default store, a simulated exchange that liquidates each symbol every 100 ms.
/// </summary>
public sealed class LiquidationReplaySpecs : TestKit, IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private static readonly Symbol Perp = Symbol.Parse("usdm:BTCUSDT");
    private readonly string _dataHome = Directory.CreateTempSubdirectory("orderflow-liquidation-replay-").FullName;
    private ExchangeSimulator _exchange = null!;

    public async Task InitializeAsync() => _exchange = await ExchangeSimulator.StartAsync(new SimulatorOptions
    {
        Market = "usdm", Symbols = [new SimulatedSymbol("BTCUSDT", 91_350m)], TradesPerSecond = 20, RequestWeightPerMinute = 2400,
        LiquidationChance = 1.0, LiquidationEvery = TimeSpan.FromMilliseconds(100),
    });

    public async Task DisposeAsync() => await _exchange.DisposeAsync();

    protected override void Dispose(bool disposing)
    {
        if (disposing) Directory.Delete(_dataHome, recursive: true);
        base.Dispose(disposing);
    }

    [Fact]
    public async Task A_replay_gives_each_window_the_liquidations_the_live_host_recorded_with_the_coverage_it_had()
    {
        // Nothing is liquidated until the live host follows the symbol (its first mark price says its market stream is up).
        _exchange.Liquidations.Paused = true;
        using (var host = OrderFlowProcess.StartWithData(_dataHome, "run", "--market", "usdm", "--symbols", "BTCUSDT", "--ws-url", _exchange.WebSocketUrl.ToString(),
                   "--rest-url", _exchange.RestUrl.ToString(), "--akka-port", "0", "--http-port", "0"))
        {
            var http = OrderFlowHttpClient.Create(await host.QueryAddressAsync(Limit));
            await AwaitAssertAsync(async () => Assert.NotNull((await http.GetMetricsAsync(Perp, TimeSpan.FromMinutes(1))).Mark), Limit);
            _exchange.Liquidations.Paused = false;
            await AwaitAssertAsync(() => Assert.True(_exchange.Liquidations.Sent.Count(l => l.Listeners > 0) >= 30), Limit);
            _exchange.Liquidations.Paused = true;
            host.Terminate(); // a clean stop: the recorder writes what it holds, the stream's coverage is closed
            Assert.Equal(0, await host.WaitForExitAsync(Limit));
        }
        var sent = _exchange.Liquidations.Sent.Where(l => l.Listeners > 0).ToList();

        var to = DateTimeOffset.FromUnixTimeMilliseconds((sent[^1].TradeTimeMs / 1000 + 2) * 1000);
        using var replay = OrderFlowProcess.StartWithData(_dataHome, "replay", "--from", to.AddMinutes(-1).ToUnixTimeMilliseconds().ToString(),
            "--to", to.ToUnixTimeMilliseconds().ToString(), "--speed", "max", "--market", "usdm", "--symbols", "BTCUSDT",
            "--rest-url", _exchange.RestUrl.ToString(), "--akka-port", "0", "--http-port", "0");
        await replay.WaitForLineAsync("🎬 Replay finished", Limit);
        var replayed = await OrderFlowHttpClient.Create(await replay.QueryAddressAsync(Limit)).GetMetricsAsync(Perp, TimeSpan.FromMinutes(1));

        var (fromMs, toMs) = (replayed.From.ToUnixTimeMilliseconds(), replayed.To.ToUnixTimeMilliseconds());
        var inWindow = sent.Where(l => l.TradeTimeMs >= fromMs && l.TradeTimeMs < toMs).ToList();
        var liquidations = replayed.Liquidations!;
        Assert.Equal(inWindow.Count, liquidations.Snapshots);
        foreach (var (side, tally) in new[] { ("SELL", liquidations.Longs), ("BUY", liquidations.Shorts) })
        {
            var executed = inWindow.Where(l => l.Side == side && l.Filled > 0).ToList();
            Assert.Equal((executed.Count, executed.Sum(l => l.Filled), executed.Sum(l => l.Filled * l.AveragePrice)), (tally.Count, tally.Volume, tally.Notional));
        }
        // The live stream was connected for part of the minute: the replay says so, from what was recorded.
        Assert.False(liquidations.Coverage.Ready);
        Assert.InRange(liquidations.Coverage.Fraction, 0.05m, 0.95m);
        Assert.Contains("usdm !forceOrder@arr was not connected", liquidations.Coverage.NotReadyBecause);
        // No mark prices are recorded: a replay has none to give.
        Assert.Null(replayed.Mark);
    }
}
