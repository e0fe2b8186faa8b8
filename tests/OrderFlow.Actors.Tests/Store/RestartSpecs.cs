using Akka.TestKit.Xunit2;
using OrderFlow.Actors.Tests.Support;
using OrderFlow.Client;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;
using OrderFlow.Simulator;
using Xunit;

namespace OrderFlow.Actors.Tests.Store;

/// <summary>
/// The tape store across a crash: real host processes, the default store (SQLite in the user's data directory), a
/// real <c>kill -9</c>, and an exchange on loopback that trades on meanwhile.
/// </summary>
public sealed class RestartSpecs : TestKit, IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);
    private static readonly Symbol Btc = Symbol.Parse("BTCUSDT");
    private readonly string _dataHome = Directory.CreateTempSubdirectory("orderflow-restart-").FullName;
    private ExchangeSimulator _exchange = null!;

    // An hour of tape before the test, and 20 trades a second from then on.
    public async Task InitializeAsync() => _exchange = await ExchangeSimulator.StartAsync(new SimulatorOptions
    {
        Symbols = [new SimulatedSymbol("BTCUSDT", 91_350m)],
        TradesPerSecond = 20,
        History = TimeSpan.FromHours(1),
    });

    public async Task DisposeAsync() => await _exchange.DisposeAsync();

    protected override void Dispose(bool disposing)
    {
        if (disposing) Directory.Delete(_dataHome, recursive: true);
        base.Dispose(disposing);
    }

    [Fact]
    public async Task A_host_killed_and_restarted_a_minute_later_holds_every_trade_once_and_its_hour_is_ready_from_the_store()
    {
        // The first host fetches the exchange's whole hour from REST once and records it, then streams.
        using (var first = Host("2h"))
        {
            await first.WaitForLineAsync("💾 Recording every trade to SQLite", Limit);
            await first.WaitForLineAsync("🔥 BTCUSDT: warmed up", Limit);
            var client = OrderFlowHttpClient.Create(await QueryAddressAsync(first));
            await AwaitAssertAsync(async () => Assert.True((await client.GetStatusAsync(Btc)).Streams.Single().TradesReceived > 40),
                TimeSpan.FromSeconds(20));
            // Past a flush or two: what the crash takes is at most the last second, which the restart refetches.
            await first.WaitForLineAsync("📊 Trade #3:", Limit);
            first.KillHard();
        }

        // Down for a minute, far longer than the 10 s warm-up the second host has.
        var lastBeforeRestart = _exchange.Market("BTCUSDT").LastAggregateId;
        await Task.Delay(TimeSpan.FromMinutes(1));
        Assert.True(_exchange.Market("BTCUSDT").LastAggregateId > lastBeforeRestart + 1000, "the exchange traded on meanwhile");

        using var second = Host("10s");
        var started = DateTime.UtcNow;
        await second.WaitForLineAsync("💾 BTCUSDT: ", Limit);
        var http = OrderFlowHttpClient.Create(await QueryAddressAsync(second));
        var hour = await http.WaitUntilReadyAsync(Btc, TimeSpan.FromHours(1), TimeSpan.FromSeconds(30));
        Assert.True(hour.Ready, hour.Coverage.NotReadyBecause);
        Assert.InRange((DateTime.UtcNow - started).TotalSeconds, 0, 30);

        // Every trade from the exchange's first through the outage to now, once each, equal to the exchange's.
        var now = _exchange.Market("BTCUSDT").LastAggregateId;
        // The first hour and more is older than memory's window: the store answers for it, memory for the rest.
        IReadOnlyList<AggregateTrade> held = [];
        await AwaitAssertAsync(async () =>
        {
            var answer = await http.GetTradesFromIdAsync(Btc, 1, 200_000);
            held = answer.Trades;
            Assert.Equal(TradeSources.StoreAndMemory, answer.Source);
            Assert.True(held.Count > 0 && held[^1].AggregateId >= now, $"held up to {(held.Count > 0 ? held[^1].AggregateId : 0)} of {now}");
        }, TimeSpan.FromSeconds(30));
        var exchange = _exchange.Market("BTCUSDT").Trades;
        Assert.Equal(1, held[0].AggregateId);
        Assert.Equal(exchange.Take(held.Count), held);
        // (A live trade that REST's join also brought is a duplicate dropped: once each is what is held, as above.)
        Assert.Equal(0L, (await http.GetStatusAsync(Btc)).Streams.Single().GapsUnrecovered);
    }

    private OrderFlowProcess Host(string warmUp)
    {
        var config = Path.Combine(_dataHome, $"warmup-{warmUp}.conf");
        File.WriteAllText(config, $"orderflow.history.warmup = {warmUp}\n");
        return OrderFlowProcess.StartWithData(_dataHome, "run", "--symbols", "BTCUSDT", "--ws-url", _exchange.WebSocketUrl.ToString(),
            "--rest-url", _exchange.RestUrl.ToString(), "--remote-port", "0", "--http-port", "0", "--config", config);
    }

    /// <summary>The HTTP query endpoint's HOST:PORT, from the line the host prints when it is up.</summary>
    private static async Task<string> QueryAddressAsync(OrderFlowProcess host)
    {
        var line = await host.WaitForLineAsync("POST to http://", Limit);
        return line.Split("POST to http://")[1].Split('/')[0];
    }
}
