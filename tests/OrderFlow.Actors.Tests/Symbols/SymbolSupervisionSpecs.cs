using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.TestKit;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Connection;
using OrderFlow.Actors.Symbols;
using OrderFlow.Actors.Tests.Support;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Streams;
using OrderFlow.Protocol.Trades;
using Xunit;
using Xunit.Abstractions;

namespace OrderFlow.Actors.Tests.Symbols;

/// <summary>Escalation, backoff pacing, the connection budget, runtime add/remove and clean shutdown.</summary>
public sealed class SymbolSupervisionSpecs(ITestOutputHelper output) : StreamSpec(output)
{
    [Fact]
    public void A_symbol_that_always_fails_escalates_then_restarts_after_a_cool_down_at_a_capped_pace()
    {
        var lifecycle = LifecycleProbe();
        var settings = Settings(webSocketUrl: RefusingUrl());
        StartSupervisor(settings);

        // Two full rounds: attempts 1..3, a cool-down, attempts 1..3 again. Every attempt ends, none is silent.
        var failures = new List<Failed>();
        for (var i = 0; i < 7; i++) failures.Add(ExpectLifecycle<Failed>(lifecycle, Btc, within: TimeSpan.FromSeconds(5)));

        Assert.Equal([1, 2, 3, 1, 2, 3, 1], failures.Select(f => f.Attempt));
        // Within a round, the backoff paces attempts (min 100 ms, doubling); between rounds, the cool-down (min 500 ms).
        Assert.True(failures[1].At - failures[0].At >= TimeSpan.FromMilliseconds(90));
        Assert.True(failures[2].At - failures[1].At >= TimeSpan.FromMilliseconds(190));
        Assert.True(failures[3].At - failures[2].At >= TimeSpan.FromMilliseconds(490));
        Assert.True(failures[6].At - failures[5].At >= TimeSpan.FromMilliseconds(990), "the second cool-down in a row doubles");
    }

    [Fact]
    public void The_escalation_and_the_cool_down_are_logged()
    {
        var settings = Settings(webSocketUrl: RefusingUrl());
        EventFilter.Error(start: "🧯 BTCUSDT: 3 connection attempts failed in a row").ExpectOne(Dilated(TimeSpan.FromSeconds(5)), () =>
            EventFilter.Warning(start: "🧊 BTCUSDT stream stopped; a fresh one starts in").ExpectOne(Dilated(TimeSpan.FromSeconds(5)), () =>
                StartSupervisor(settings)));
    }

    [Fact]
    public void The_connection_budget_holds_back_socket_attempts_across_symbols()
    {
        var lifecycle = LifecycleProbe();
        var settings = Settings("BTCUSDT,ETHUSDT,SOLUSDT", webSocketUrl: RefusingUrl(), extraHocon: "orderflow.binance.streams-per-connection = 1");
        var budget = new ConnectionBudget(new ConnectionBudgetSettings(Attempts: 4, Per: TimeSpan.FromMinutes(1)));

        // One socket per symbol: four attempts, then each symbol's next one waits for a slot, and says so.
        EventFilter.Warning(contains: "the connection budget (4 attempts per").Expect(6, Dilated(TimeSpan.FromSeconds(5)), () =>
            StartSupervisor(settings, budget));

        for (var i = 0; i < 4; i++) lifecycle.ExpectMsg<Failed>();
        // Everyone else waits for a slot: no fifth attempt within the period.
        lifecycle.ExpectNoMsg(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void The_connection_budget_counts_connections_not_the_symbols_they_carry()
    {
        var lifecycle = LifecycleProbe();
        var settings = Settings("BTCUSDT,ETHUSDT,SOLUSDT", webSocketUrl: RefusingUrl());
        var budget = new ConnectionBudget(new ConnectionBudgetSettings(Attempts: 2, Per: TimeSpan.FromMinutes(1)));
        StartSupervisor(settings, budget);

        // Two attempts of one shared connection: each a failure for all three symbols it carried.
        var failed = Enumerable.Range(0, 6).Select(_ => lifecycle.ExpectMsg<Failed>(Dilated(TimeSpan.FromSeconds(10)))).ToList();
        Assert.All(failed, f => Assert.Equal(FailureKind.Refused, f.Kind));
        Assert.Equal([(Btc, 2), (Eth, 2), (Sol, 2)], failed.GroupBy(f => f.Symbol).Select(g => (g.Key, g.Count())).OrderBy(g => g.Key));
        lifecycle.ExpectNoMsg(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Symbols_can_be_added_and_removed_while_running()
    {
        var lifecycle = LifecycleProbe();
        var supervisor = StartSupervisor(Settings());
        ExpectLifecycle<Connected>(lifecycle, Btc);

        Assert.Equal(new SymbolAdded(Eth), await supervisor.Ask<object>(new AddSymbol(Eth)));
        Assert.Equal(new SymbolAlreadyStreaming(Eth), await supervisor.Ask<object>(new AddSymbol(Eth)));
        ExpectLifecycle<Connected>(lifecycle, Eth);
        await AwaitAssertAsync(async () => Assert.NotEmpty(await HeldTradesAsync(supervisor, Eth)), Dilated(TimeSpan.FromSeconds(5)));
        Assert.Equal([Btc, Eth], (await supervisor.Ask<StreamedSymbols>(GetStreamedSymbols.Instance)).Symbols);

        // It rode on BTCUSDT's connection, with a SUBSCRIBE.
        Assert.Equal((1, 1), (Exchange.UpgradeRequests(), Exchange.OpenConnections()));
        Assert.Equal(1, Exchange.SubscribeRequests);

        Assert.Equal(new SymbolRemoved(Eth), await supervisor.Ask<object>(new RemoveSymbol(Eth), Dilated(TimeSpan.FromSeconds(5))));
        // Unsubscribed: the connection no longer carries it, and goes on carrying BTCUSDT.
        await AwaitAssertAsync(() => Assert.Equal((0, 1, 1), (Exchange.OpenConnections("ETHUSDT"), Exchange.OpenConnections("BTCUSDT"), Exchange.OpenConnections())));
        Assert.Equal(new SymbolNotFound(Eth), await supervisor.Ask<object>(new GetRecentTrades(Eth, 10)));
        Assert.Equal(new SymbolNotFound(Eth), await supervisor.Ask<object>(new RemoveSymbol(Eth)));
        Assert.Equal([Btc], (await supervisor.Ask<StreamedSymbols>(GetStreamedSymbols.Instance)).Symbols);

        // Added straight back, it streams again from fresh actors.
        Assert.Equal(new SymbolAdded(Eth), await supervisor.Ask<object>(new AddSymbol(Eth)));
        ExpectLifecycle<Connected>(lifecycle, Eth);
    }

    [Fact]
    public async Task Shutting_down_alone_sends_a_close_frame_on_every_socket_and_flushes_before_the_symbols_stop()
    {
        var lifecycle = LifecycleProbe();
        StartSupervisor(Settings("BTCUSDT,ETHUSDT"));
        var connected = lifecycle.ReceiveN(2).Cast<Connected>().Select(c => c.Symbol).ToHashSet();
        Assert.Equal([Btc, Eth], connected.Order());

        await EventFilter.Info(contains: "aggTrades stream closed cleanly").ExpectAsync(2, Dilated(TimeSpan.FromSeconds(15)), () =>
            CoordinatedShutdown.Get(Sys).Run(CoordinatedShutdown.ClrExitReason.Instance));

        // Both rode on one connection, which closed with a close frame; nothing reconnected.
        await AwaitAssertAsync(() => Assert.Equal((1, 1, 0), (Exchange.UpgradeRequests(), Exchange.ClientCloseFrames(), Exchange.OpenConnections())));
    }

    private static Uri RefusingUrl()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new Uri($"ws://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");
    }
}
