using System.Collections.Concurrent;
using System.Net;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Hosting;
using OrderFlow.Actors.Tests.Support;
using OrderFlow.Client;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Serialization;
using OrderFlow.Protocol.Bars;
using OrderFlow.Protocol.Streams;
using OrderFlow.Protocol.Trades;
using OrderFlow.Simulator;
using Xunit;
using Xunit.Abstractions;

namespace OrderFlow.Actors.Tests.Gateway;

/// <summary>
/// A planner's side and the host's side as two actor systems talking over loopback remoting: the host built the way
/// the executable builds it (Akka.Hosting, streams and gateway), the planner through the typed client.
/// </summary>
public sealed class PlannerSpecs(ITestOutputHelper output) : StreamSpec(output)
{
    private readonly List<IHost> _hosts = new();

    public override async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.StopAsync();
            host.Dispose();
        }
        await base.DisposeAsync();
    }

    /// <summary>Starts a host on a free loopback port and returns its HOST:PORT.</summary>
    private async Task<string> StartHostAsync(string symbols = "BTCUSDT,ETHUSDT", string extraHocon = "")
    {
        var settings = Settings(symbols, extraHocon + "\norderflow.remote.akka-port = 0");
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Services.AddAkka("orderflow", akka => akka
            .AddHocon("akka.loglevel = INFO", HoconAddMode.Prepend)
            .WithOrderFlowCluster(settings)
            .WithOrderFlowSymbols(settings)
            .WithOrderFlowGateway(settings));
        var host = builder.Build();
        _hosts.Add(host);
        await host.StartAsync();
        var system = host.Services.GetRequiredService<ActorSystem>();
        return $"127.0.0.1:{((ExtendedActorSystem)system).Provider.DefaultAddress.Port}";
    }

    [Fact]
    public async Task Every_query_is_answered_across_processes_with_exactly_what_the_host_holds()
    {
        var address = await StartHostAsync();
        await using var client = await OrderFlowClient.ConnectAsync(address);

        await client.WaitUntilReadyAsync(Btc, TimeSpan.FromMinutes(1), Dilated(TimeSpan.FromSeconds(10)));
        // A warm-up that found no trade makes the window ready and empty (the simulator has just started): a ready
        // window holds trades once the first live one has arrived.
        await AwaitAssertAsync(async () =>
        {
            var ready = await client.GetMetricsAsync(Btc, TimeSpan.FromMinutes(1));
            Assert.True(ready.Ready && ready.TradeCount > 0, $"ready {ready.Ready}, {ready.TradeCount} trades");
        }, Dilated(TimeSpan.FromSeconds(10)));

        // Ready can come from the warm-up before the streams' shared connection is up.
        await AwaitAssertAsync(async () =>
        {
            var status = await client.GetStatusAsync();
            Assert.Equal([Btc, Eth], status.Streams.Select(s => s.Symbol));
            Assert.All(status.Streams, s => Assert.Equal(StreamState.Connected, s.State));
        }, Dilated(TimeSpan.FromSeconds(10)));
        // Ready can come from the warm-up alone, before the first live trade: wait for that one.
        await AwaitAssertAsync(async () =>
        {
            var btc = (await client.GetStatusAsync(Btc)).Streams.Single();
            Assert.True(btc.TradesReceived > 0 && btc.LastAggregateId > 0 && btc.LastTradeTime is not null);
        }, Dilated(TimeSpan.FromSeconds(10)));

        var last = await client.GetLastTradesAsync(Btc, 1000);
        Assert.NotEmpty(last.Trades);
        AssertIsTheExchangeSequence(last.Trades);
        var from = last.Trades[Math.Max(0, last.Trades.Count - 5)].AggregateId;
        var fromId = await client.GetTradesFromIdAsync(Btc, from);
        Assert.Equal(from, fromId.Trades[0].AggregateId);
        Assert.Equal(last.Trades.Where(t => t.AggregateId >= from), fromId.Trades.Take(last.Trades.Count(t => t.AggregateId >= from)));
        var since = await client.GetTradesSinceAsync(Btc, last.Trades[^1].TradeTime);
        Assert.Contains(since.Trades, t => t.AggregateId == last.Trades[^1].AggregateId);

        await Assert.ThrowsAsync<OrderFlowNotFoundException>(() => client.GetMetricsAsync(Sol, TimeSpan.FromMinutes(1)));
        await Assert.ThrowsAsync<OrderFlowNotFoundException>(() => client.GetStatusAsync(Sol));
        var notKept = await Assert.ThrowsAsync<OrderFlowNotFoundException>(() => client.GetMetricsAsync(Btc, TimeSpan.FromMinutes(3)));
        Assert.Contains("keeps no", notKept.Message);
    }

    [Fact]
    public async Task Answers_larger_than_a_remoting_frame_come_whole_in_pages_of_at_most_twenty_thousand_trades()
    {
        var address = await StartHostAsync("BTCUSDT");
        await using var client = await OrderFlowClient.ConnectAsync(address);
        await client.WaitUntilReadyAsync(Btc, TimeSpan.FromMinutes(1), Dilated(TimeSpan.FromSeconds(10)));
        // 50,000 trades at once: about 7 MB of JSON, 55 of remoting's default frames.
        Exchange.Market("BTCUSDT").Publish(50_000);
        var last = Exchange.Market("BTCUSDT").LastAggregateId;
        await AwaitAssertAsync(async () => Assert.True((await client.GetStatusAsync(Btc)).Streams.Single().LastAggregateId >= last),
            Dilated(TimeSpan.FromSeconds(30)));

        var all = await client.GetTradesFromIdAsync(Btc, 1, 100_000);
        Assert.Equal(Exchange.Market("BTCUSDT").Trades.Where(t => t.AggregateId <= all.Trades[^1].AggregateId), all.Trades);
        Assert.True(all.Trades.Count >= 50_000, $"{all.Trades.Count} trades");
        var since = await client.GetTradesSinceAsync(Btc, all.Trades[100].TradeTime, 30_000);
        Assert.Equal(30_000, since.Trades.Count);
        Assert.Equal(all.Trades.SkipWhile(t => t.TradeTime < all.Trades[100].TradeTime).Take(30_000), since.Trades);
        // One answer never carries more than a page, whoever asks.
        Assert.Equal(TradePages.MostTrades, (await client.GetLastTradesAsync(Btc, 100_000)).Trades.Count);
    }

    [Fact]
    public async Task A_symbol_added_and_removed_at_runtime_is_streamed_and_then_gone()
    {
        var address = await StartHostAsync(symbols: "BTCUSDT");
        await using var client = await OrderFlowClient.ConnectAsync(address);

        Assert.True(await client.AddSymbolAsync(Sol));
        Assert.False(await client.AddSymbolAsync(Sol));
        await client.WaitUntilReadyAsync(Sol, TimeSpan.FromMinutes(1), Dilated(TimeSpan.FromSeconds(10)));
        await Assert.ThrowsAsync<OrderFlowNotFoundException>(() => client.AddSymbolAsync(Symbol.Parse("NOSUCHCOIN")));

        await client.RemoveSymbolAsync(Sol);
        await Assert.ThrowsAsync<OrderFlowNotFoundException>(() => client.GetLastTradesAsync(Sol, 10));
        await Assert.ThrowsAsync<OrderFlowNotFoundException>(() => client.RemoveSymbolAsync(Sol));
    }

    [Fact]
    public async Task A_lifecycle_subscription_sees_connected_then_timed_out_then_connected_again()
    {
        var address = await StartHostAsync(symbols: "BTCUSDT");
        await using var client = await OrderFlowClient.ConnectAsync(address);
        var events = new BlockingCollection<IStreamLifecycleEvent>();
        client.Lifecycle += e => events.Add(e);
        await client.SubscribeLifecycleAsync();
        await client.WaitUntilReadyAsync(Btc, TimeSpan.FromMinutes(1), Dilated(TimeSpan.FromSeconds(10)));

        // A half-open link: the keep-alive times out, and the stream comes back.
        AwaitAssert(() => Assert.Equal(1, Exchange.FreezeConnections("BTCUSDT")));
        Assert.IsType<TimedOut>(Next(events, e => e is TimedOut));
        Assert.IsType<Connected>(Next(events, e => e is Connected));
    }

    [Fact]
    public async Task A_metrics_subscription_delivers_snapshots_at_its_interval_until_unsubscribed()
    {
        var address = await StartHostAsync(symbols: "BTCUSDT");
        await using var client = await OrderFlowClient.ConnectAsync(address);
        var snapshots = new BlockingCollection<Protocol.Metrics.MetricsSnapshot>();
        client.Metrics += snapshots.Add;

        client.SubscribeMetrics(Btc, TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(200));
        var received = Enumerable.Range(0, 3).Select(_ => snapshots.Take(new CancellationTokenSource(Dilated(TimeSpan.FromSeconds(5))).Token)).ToList();
        Assert.All(received, m => Assert.Equal((Btc, TimeSpan.FromMinutes(1)), (m.Symbol, m.Window)));
        Assert.True(received[2].To >= received[0].To);

        // After unsubscribing, at most the one already on its way arrives.
        client.UnsubscribeMetrics(Btc, TimeSpan.FromMinutes(1));
        await client.GetStatusAsync(); // the unsubscription has reached the host once this round trip is done
        while (snapshots.TryTake(out _)) { }
        Assert.False(snapshots.TryTake(out _, Dilated(TimeSpan.FromMilliseconds(800))), "a snapshot arrived after unsubscribing");
    }

    [Fact]
    public async Task A_host_that_is_not_there_is_a_clear_error_within_the_timeout()
    {
        var unused = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        unused.Start();
        var port = ((IPEndPoint)unused.LocalEndpoint).Port;
        unused.Stop();

        var error = await Assert.ThrowsAsync<OrderFlowUnreachableException>(() =>
            OrderFlowClient.ConnectAsync($"127.0.0.1:{port}", TimeSpan.FromSeconds(1)));
        Assert.Contains($"no OrderFlow host answered at 127.0.0.1:{port}", error.Message);
        Assert.Contains("orderflow run", error.Message);
        await Assert.ThrowsAsync<OrderFlowClientException>(() => OrderFlowClient.ConnectAsync("not an address"));
    }

    [Fact]
    public async Task When_the_host_stops_the_client_says_so_and_queries_fail_within_their_timeout()
    {
        var address = await StartHostAsync(symbols: "BTCUSDT");
        await using var client = await OrderFlowClient.ConnectAsync(address, TimeSpan.FromSeconds(1));
        var disconnected = new TaskCompletionSource();
        client.Disconnected += () => disconnected.TrySetResult();
        await client.SubscribeLifecycleAsync();

        await _hosts[0].StopAsync();
        await disconnected.Task.WaitAsync(Dilated(TimeSpan.FromSeconds(15)));
        var error = await Assert.ThrowsAsync<OrderFlowUnreachableException>(() => client.GetStatusAsync());
        Assert.Contains(address, error.Message);
    }

    private IStreamLifecycleEvent Next(BlockingCollection<IStreamLifecycleEvent> events, Func<IStreamLifecycleEvent, bool> wanted)
    {
        var deadline = DateTime.UtcNow + Dilated(TimeSpan.FromSeconds(10));
        while (events.TryTake(out var e, deadline - DateTime.UtcNow > TimeSpan.Zero ? deadline - DateTime.UtcNow : TimeSpan.Zero))
            if (wanted(e)) return e;
        throw new Xunit.Sdk.XunitException("the expected lifecycle event did not arrive");
    }

    [Fact]
    public async Task A_planner_subscribed_to_bars_receives_each_final_bar_once_equal_to_what_the_host_answers()
    {
        var address = await StartHostAsync(extraHocon: "orderflow.bars.intervals = [1s, 1m]");
        await using var client = await OrderFlowClient.ConnectAsync(address);
        var received = new System.Collections.Concurrent.ConcurrentQueue<BarFinal>();
        client.Bars += received.Enqueue;
        await client.SubscribeBarsAsync(Btc);

        // Seconds go by: each 1s bar of BTCUSDT arrives once it is final, in order, once each (ETHUSDT's not at all).
        await AwaitAssertAsync(() => Assert.True(received.Count(b => b.Interval == TimeSpan.FromSeconds(1)) >= 5), Dilated(TimeSpan.FromSeconds(20)));
        var pushed = received.Where(b => b.Interval == TimeSpan.FromSeconds(1)).ToList();
        Assert.All(received, bar => Assert.Equal(Btc, bar.Symbol));
        Assert.All(pushed, bar => Assert.True(bar.Bar.Final));
        Assert.Equal(pushed.Select(b => b.Bar.From).Distinct().Order(), pushed.Select(b => b.Bar.From));

        // What was pushed is what the host answers for the same bars.
        var asked = (await client.GetBarsAsync(Btc, TimeSpan.FromSeconds(1), 10_000)).Bars.ToDictionary(bar => bar.From);
        foreach (var bar in pushed.Where(b => b.Bar.Revision == 0).Select(b => b.Bar))
            Assert.Equal(System.Text.Json.JsonSerializer.Serialize(asked[bar.From], ProtocolJson.Options), System.Text.Json.JsonSerializer.Serialize(bar, ProtocolJson.Options));
    }

}
