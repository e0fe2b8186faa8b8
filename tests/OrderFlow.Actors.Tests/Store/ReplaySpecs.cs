using System.Text;
using OrderFlow.Actors.Tests.Support;
using OrderFlow.Client;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Metrics;
using OrderFlow.Protocol.Serialization;
using Xunit;

namespace OrderFlow.Actors.Tests.Store;

/// <summary><c>orderflow replay</c> against what a live host recorded: real processes, the default store, the simulator's tape.</summary>
public sealed class ReplaySpecs : RecordingSpec
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private static readonly Symbol Btc = Symbol.Parse("BTCUSDT");
    /// <summary>Every window the host keeps (the shipped orderflow.metrics.windows).</summary>
    private static readonly TimeSpan[] Windows = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15), TimeSpan.FromHours(1)];


    [Fact]
    public async Task A_replay_of_a_recorded_hour_at_max_speed_gives_the_metrics_the_live_host_computed_for_the_same_trades()
    {
        // The live host records the exchange's hour (its warm-up reaches back two) and streams on.
        var config = Path.Combine(DataHome, "live.conf");
        await File.WriteAllTextAsync(config, "orderflow.history.warmup = 2h\n");
        var live = new Dictionary<TimeSpan, MetricsSnapshot>();
        using (var host = OrderFlowProcess.StartWithData(DataHome, "run", "--symbols", "BTCUSDT", "--ws-url", Exchange.WebSocketUrl.ToString(),
                   "--rest-url", Exchange.RestUrl.ToString(), "--akka-port", "0", "--http-port", "0", "--config", config))
        {
            var http = OrderFlowHttpClient.Create(await host.QueryAddressAsync(Limit));
            await http.WaitUntilReadyAsync(Btc, TimeSpan.FromHours(1), Limit);
            // The exchange stops trading, so the live windows and the replay's end on the same trades.
            Exchange.SetStatus("BTCUSDT", "BREAK");
            var last = Exchange.Market("BTCUSDT").LastAggregateId;
            await AwaitAssertAsync(async () => Assert.Equal(last, (await http.GetMetricsAsync(Btc, Windows[0])).AsOfAggregateId), Limit);
            // Read as of one second, as the replay's windows are: four reads can straddle a second's end, so read again if they did.
            await AwaitAssertAsync(async () =>
            {
                foreach (var window in Windows) live[window] = await http.GetMetricsAsync(Btc, window);
                Assert.Single(live.Values.Select(snapshot => snapshot.To).Distinct());
            }, Limit);
            // The live windows hold the exchange's trades: those of the window's time, every one.
            foreach (var (window, snapshot) in live)
                Assert.Equal(Exchange.Market("BTCUSDT").Trades.Count(t => t.TradeTimeMs >= snapshot.From.ToUnixTimeMilliseconds()
                    && t.TradeTimeMs < snapshot.To.ToUnixTimeMilliseconds()), snapshot.TradeCount);
            Assert.True(live[TimeSpan.FromHours(1)].TradeCount > 60_000, $"{live[TimeSpan.FromHours(1)].TradeCount} trades in the live hour");
            host.Terminate(); // a clean stop: the recorder writes its last trades
            Assert.Equal(0, await host.WaitForExitAsync(Limit));
        }

        var to = live[Windows[0]].To;
        using var replay = OrderFlowProcess.StartWithData(DataHome, "replay", "--from", to.AddMinutes(-61).ToUnixTimeMilliseconds().ToString(),
            "--to", to.ToUnixTimeMilliseconds().ToString(), "--speed", "max", "--symbols", "BTCUSDT", "--rest-url", Exchange.RestUrl.ToString(),
            "--akka-port", "0", "--http-port", "0");
        await replay.WaitForLineAsync("🎬 Replay finished", Limit);
        var replayed = OrderFlowHttpClient.Create(await replay.QueryAddressAsync(Limit));
        foreach (var window in Windows)
        {
            var snapshot = await replayed.GetMetricsAsync(Btc, window);
            // Every figure the window computes from its trades; readiness, the CVD's anchor and the quality counters
            // describe each run's own tape, which began at different times.
            Assert.Equal(Json(live[window]), Json(snapshot with { Coverage = live[window].Coverage, Cvd = live[window].Cvd, Quality = live[window].Quality }));
        }
    }

    private static string Json(MetricsSnapshot snapshot) => Encoding.UTF8.GetString(ProtocolJson.ToUtf8(snapshot));
}
