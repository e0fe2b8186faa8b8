using OrderFlow.Actors.Tests.Support;
using OrderFlow.Client;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Bars;
using OrderFlow.Protocol.Trades;
using Xunit;

namespace OrderFlow.Actors.Tests.Store;

/// <summary>
/// The tape store across a crash: real host processes, the default store (SQLite in the user's data directory) or a
/// real PostgreSQL server, a real <c>kill -9</c>, and an exchange on loopback that trades on meanwhile.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class RestartSpecs(PostgresServer postgres) : RecordingSpec
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);
    private static readonly Symbol Btc = Symbol.Parse("BTCUSDT");

    // Bars of a minute at most: the start-up read then reaches back an hour and a minute at most (not to the open of an
    // hour bar under way), so the exchange's oldest trades are answered from the store alone.
    private const string MinuteBars = "orderflow.bars.intervals = [1m]\n";


    [Fact]
    public async Task A_host_killed_and_restarted_a_minute_later_holds_every_trade_once_and_its_hour_is_ready_from_the_store()
    {
        // The first host fetches the exchange's whole hour from REST once and records it, then streams.
        using (var first = Host("2h", extra: MinuteBars))
        {
            await first.WaitForLineAsync("💾 Recording every trade to SQLite", Limit);
            await StreamingAsync(first);
            first.KillHard();
        }

        // Down for a minute, far longer than the 10 s warm-up the second host has.
        var lastBeforeRestart = Exchange.Market("BTCUSDT").LastAggregateId;
        await Task.Delay(TimeSpan.FromMinutes(1));
        Assert.True(Exchange.Market("BTCUSDT").LastAggregateId > lastBeforeRestart + 1000, "the exchange traded on meanwhile");

        using var second = Host("10s", extra: MinuteBars);
        await HoldsEveryTradeAsync(second);
    }

    [Fact]
    public async Task After_a_kill_the_restarted_host_answers_the_final_bars_it_had_equal_field_for_field()
    {
        // Windows of a minute: the start-up read covers a minute or two, so older bars can only come from the store's bars.
        // And tick and volume bars: their counting goes on from the newest stored one.
        const string Bars = "orderflow.metrics.windows = [1m]\norderflow.bars { intervals = [10s, 1m], tick-bars = [200], volume-bars-per-symbol { BTCUSDT = [20] } }\n";
        BarInterval[] intervals = [TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1), BarInterval.Ticks(200), BarInterval.Volume(Fixed8.Parse("20"))];
        var before = new Dictionary<BarInterval, IReadOnlyList<Bar>>();
        using (var first = Host("2h", extra: Bars))
        {
            await StreamingAsync(first);
            var http = OrderFlowHttpClient.Create(await first.QueryAddressAsync(Limit));
            foreach (var interval in intervals) before[interval] = (await http.GetBarsAsync(Btc, interval, 120)).Bars.Where(bar => bar.Final).ToList();
            first.KillHard();
        }
        Assert.True(before[intervals[0]].Count > 100, $"{before[intervals[0]].Count} final 10s bars before the kill");
        Assert.True(before[intervals[2]].Count > 100 && before[intervals[3]].Count > 100, $"{before[intervals[2]].Count} tick, {before[intervals[3]].Count} volume bars");
        Assert.All(before[intervals[2]], bar => Assert.True(bar.Complete));

        using var second = Host("10s", extra: Bars);
        var restarted = OrderFlowHttpClient.Create(await second.QueryAddressAsync(Limit));
        foreach (var interval in intervals)
            await AwaitAssertAsync(async () =>
            {
                var after = (await restarted.GetBarsAsync(Btc, interval, 120)).Bars;
                Assert.NotEmpty(after);
                var kept = before[interval].Where(bar => bar.From >= after[0].From).ToList();
                Assert.True(kept.Count >= before[interval].Count - 10, $"{kept.Count} of {before[interval].Count} {interval} bars still kept");
                Assert.Equal(kept, after.Where(bar => bar.From <= before[interval][^1].From));
            }, Limit);
    }

    [Fact]
    public async Task With_PostgreSQL_a_database_stopped_for_30_s_is_reported_caught_up_and_loses_nothing_across_a_kill()
    {
        var database = await postgres.CreateDatabaseAsync();
        using (var first = Host("2h", database, MinuteBars))
        {
            await first.WaitForLineAsync("💾 Recording every trade to PostgreSQL", Limit);
            await StreamingAsync(first);

            await postgres.StopAsync();
            await first.WaitForLineAsync("💾 BTCUSDT: could not write to the tape store", Limit);
            await Task.Delay(TimeSpan.FromSeconds(30)); // the outage: the host streams on, the recorder keeps what it cannot write
            // Status says so: what waits, and why.
            var status = (await OrderFlowHttpClient.Create(await first.QueryAddressAsync(Limit)).GetStatusAsync(Btc)).Streams.Single();
            Assert.True(status.Store is { Unwritten: > 100, Problem: not null }, $"{status.Store}");
            await postgres.StartAsync();
            await first.WaitForLineAsync("💾 BTCUSDT: the tape store answers again", Limit);
            first.KillHard();
        }

        await Task.Delay(TimeSpan.FromSeconds(15));
        using var second = Host("10s", database, MinuteBars);
        await HoldsEveryTradeAsync(second);
    }

    /// <summary>
    /// Waits until the host streams live trades and its store holds the warm-up (a crash then takes at most the last
    /// second, which the restart refetches by id; a store still empty would leave the restart nothing to start from).
    /// </summary>
    private async Task StreamingAsync(OrderFlowProcess host)
    {
        await host.WaitForLineAsync("🔥 BTCUSDT: warmed up", Limit);
        var client = OrderFlowHttpClient.Create(await host.QueryAddressAsync(Limit));
        await AwaitAssertAsync(async () =>
        {
            var status = (await client.GetStatusAsync(Btc)).Streams.Single();
            Assert.True(status is { TradesReceived: > 40, Store.Unwritten: < 100 }, $"{status.TradesReceived} trades received, {status.Store}");
        }, Limit);
    }

    /// <summary>
    /// The restarted host: its 1h window ready from the store within seconds, and every trade from the exchange's
    /// first through the outage to now held once each, equal to the exchange's (the store answering for what memory
    /// no longer holds).
    /// </summary>
    private async Task HoldsEveryTradeAsync(OrderFlowProcess host)
    {
        var started = DateTime.UtcNow;
        await host.WaitForLineAsync("💾 BTCUSDT: ", Limit);
        var http = OrderFlowHttpClient.Create(await host.QueryAddressAsync(Limit));
        var hour = await http.WaitUntilReadyAsync(Btc, TimeSpan.FromHours(1), TimeSpan.FromSeconds(30));
        Assert.True(hour.Ready, hour.Coverage.NotReadyBecause);
        Assert.InRange((DateTime.UtcNow - started).TotalSeconds, 0, 30);

        var now = Exchange.Market("BTCUSDT").LastAggregateId;
        IReadOnlyList<AggregateTrade> held = [];
        await AwaitAssertAsync(async () =>
        {
            var answer = await http.GetTradesFromIdAsync(Btc, 1, 200_000);
            held = answer.Trades;
            Assert.Equal(TradeSources.StoreAndMemory, answer.Source);
            Assert.True(held.Count > 0 && held[^1].AggregateId >= now, $"held up to {(held.Count > 0 ? held[^1].AggregateId : 0)} of {now}");
        }, TimeSpan.FromSeconds(30));
        Assert.Equal(1, held[0].AggregateId);
        Assert.Equal(Exchange.Market("BTCUSDT").Trades.Take(held.Count), held);
        // (A live trade that REST's join also brought is a duplicate dropped: once each is what is held, as above.)
        Assert.Equal(0L, (await http.GetStatusAsync(Btc)).Streams.Single().GapsUnrecovered);
    }

    /// <param name="postgres">A connection string: the store is that PostgreSQL database instead of the default SQLite file.</param>
    /// <param name="extra">More HOCON for the host.</param>
    private OrderFlowProcess Host(string warmUp, string? postgres = null, string extra = "")
    {
        var config = Path.Combine(DataHome, $"host-{Guid.NewGuid():N}.conf");
        File.WriteAllText(config, $"orderflow.history.warmup = {warmUp}\n{extra}" + (postgres is null ? ""
            : $"orderflow.store {{ kind = postgres, connection-string = {Actors.Configuration.OrderFlowConfiguration.Quote(postgres)} }}\n"));
        return OrderFlowProcess.StartWithData(DataHome, "run", "--symbols", "BTCUSDT", "--ws-url", Exchange.WebSocketUrl.ToString(),
            "--rest-url", Exchange.RestUrl.ToString(), "--akka-port", "0", "--http-port", "0", "--config", config);
    }

}
