using Akka.Actor;
using OrderFlow.Actors.Symbols;
using OrderFlow.Actors.Tests.Support;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Streams;
using OrderFlow.Protocol.Trades;
using OrderFlow.Simulator;
using Xunit;
using Xunit.Abstractions;

namespace OrderFlow.Actors.Tests.Symbols;

/// <summary>Choosing symbols by name and pattern against exchangeInfo, and what a symbol's status there means.</summary>
public sealed class SymbolSelectionSpecs(ITestOutputHelper output) : StreamSpec(output)
{
    private const string Refresh = "orderflow.binance.exchange-info-refresh = 500ms";
    private static readonly Symbol NonAscii = Symbol.Parse("币安USDT");

    protected override SimulatorOptions ExchangeOptions => new()
    {
        Symbols = [.. new SimulatorOptions().Symbols, new("BNBBTC", 0.0091m, 0.000001m), new(NonAscii.Value, 1.5m, 0.0001m)],
        TradesPerSecond = 50,
    };

    [Fact]
    public async Task A_pattern_streams_every_listed_match_and_picks_up_a_new_listing_at_the_next_refresh()
    {
        var lifecycle = LifecycleProbe();
        var supervisor = StartSupervisor(Settings("*USDT", extraHocon: Refresh));

        var expected = new[] { "BTCUSDT", "ETHUSDT", "SOLUSDT", NonAscii.Value }.Select(Symbol.Parse).ToHashSet();
        AwaitConnected(lifecycle, expected, Dilated(TimeSpan.FromSeconds(10)));
        Assert.Equal(expected.Order(), (await supervisor.Ask<StreamedSymbols>(GetStreamedSymbols.Instance)).Symbols);

        Exchange.List(new SimulatedSymbol("DOGEUSDT", 0.31m, 0.00001m));
        AwaitConnected(lifecycle, [Symbol.Parse("DOGEUSDT")], Dilated(TimeSpan.FromSeconds(10)));
        Assert.DoesNotContain(Symbol.Parse("BNBBTC"), (await supervisor.Ask<StreamedSymbols>(GetStreamedSymbols.Instance)).Symbols);
    }

    [Fact]
    public async Task A_symbol_named_in_letters_that_are_not_ASCII_streams_under_the_name_Binance_lists()
    {
        var lifecycle = LifecycleProbe();
        var supervisor = StartSupervisor(Settings(NonAscii.Value));

        ExpectLifecycle<Connected>(lifecycle, NonAscii);
        var generated = Exchange.Market(NonAscii.Value).LastAggregateId;
        await AwaitAssertAsync(async () =>
        {
            var held = (await supervisor.Ask<TradesSnapshot>(new GetRecentTrades(NonAscii, 1_000_000))).Trades;
            Assert.True(held.Count > 0 && held[^1].AggregateId > generated);
            Assert.Equal(Exchange.Market(NonAscii.Value).Trades.Take(held.Count), held);
        }, Dilated(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_listed_symbol_in_BREAK_is_reported_with_its_status_never_as_connected_and_streams_once_it_trades_again()
    {
        Exchange.SetStatus("ETHUSDT", "BREAK");
        var lifecycle = LifecycleProbe();
        var supervisor = StartSupervisor(Settings("BTCUSDT", extraHocon: Refresh));
        ExpectLifecycle<Connected>(lifecycle, Btc);

        // Added while in BREAK: the answer says so, and so do the event and the status.
        Assert.Equal(new SymbolNotTrading(Eth, "BREAK"), await supervisor.Ask<object>(new AddSymbol(Eth), Dilated(TimeSpan.FromSeconds(5))));
        var failed = ExpectLifecycle<Failed>(lifecycle, Eth);
        Assert.Equal(FailureKind.NotTrading, failed.Kind);
        Assert.Contains("BREAK", failed.Reason);
        var status = (await supervisor.Ask<StatusReport>(new GetStatus(Eth))).Streams.Single();
        Assert.Equal(StreamState.NotTrading, status.State);
        Assert.Contains("BREAK", status.LastError);
        Assert.Equal(0, Exchange.OpenConnections("ETHUSDT"));

        // TRADING again: the next refresh sees it, and it streams.
        Exchange.SetStatus("ETHUSDT", "TRADING");
        ExpectLifecycle<Connected>(lifecycle, Eth, within: TimeSpan.FromSeconds(10));

        // And a halt while streaming closes its stream and says so.
        Exchange.SetStatus("ETHUSDT", "HALT");
        Assert.Contains("HALT", ExpectLifecycle<Failed>(lifecycle, Eth, within: TimeSpan.FromSeconds(10)).Reason);
        await AwaitAssertAsync(async () =>
            Assert.Equal(StreamState.NotTrading, (await supervisor.Ask<StatusReport>(new GetStatus(Eth))).Streams.Single().State));
        await AwaitAssertAsync(() => Assert.Equal(0, Exchange.OpenConnections("ETHUSDT")));
        Assert.Equal(1, Exchange.OpenConnections("BTCUSDT"));
    }

    [Fact]
    public async Task A_pattern_that_cannot_be_resolved_says_so_streams_nothing_and_asks_again()
    {
        using var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        IActorRef supervisor = ActorRefs.Nobody;
        EventFilter.Warning(start: "⚠️ Could not resolve *USDT against Binance's exchangeInfo").ExpectOne(Dilated(TimeSpan.FromSeconds(5)), () =>
            supervisor = StartSupervisor(Settings("*USDT", restUrl: new Uri($"http://127.0.0.1:{port}"))));
        Assert.Empty((await supervisor.Ask<StreamedSymbols>(GetStreamedSymbols.Instance)).Symbols);
        Assert.Equal(0, Exchange.UpgradeRequests());
    }
}
