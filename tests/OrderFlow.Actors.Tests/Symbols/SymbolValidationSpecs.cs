using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using OrderFlow.Actors.Tests.Support;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Streams;
using Xunit;
using Xunit.Abstractions;

namespace OrderFlow.Actors.Tests.Symbols;

/// <summary>An unknown symbol is an error said once, not a silent socket retried forever.</summary>
public sealed class SymbolValidationSpecs(ITestOutputHelper output) : StreamSpec(output)
{
    private static readonly Symbol Unknown = Symbol.Parse("NOSUCHCOIN");

    [Fact]
    public async Task A_configured_symbol_Binance_does_not_list_fails_once_and_leaves_no_trace()
    {
        var lifecycle = LifecycleProbe();
        var supervisor = StartSupervisor(Settings("BTCUSDT,NOSUCHCOIN"));

        var failed = ExpectLifecycle<Failed>(lifecycle, Unknown);
        Assert.Equal(FailureKind.UnknownSymbol, failed.Kind);
        Assert.Equal("unknown symbol: Binance's exchangeInfo does not list NOSUCHCOIN", failed.Reason);
        ExpectLifecycle<Connected>(lifecycle, Btc);

        Assert.Equal([Btc], (await supervisor.Ask<StreamedSymbols>(GetStreamedSymbols.Instance)).Symbols);
        Assert.Equal(0, Exchange.UpgradeRequests("NOSUCHCOIN"));
        Assert.Equal(0, Exchange.AggTradesRequests("NOSUCHCOIN")); // no REST weight spent on it either
        // It leaves nothing behind that other questions would trip over: the status is of the symbols streamed.
        await AwaitAssertAsync(async () =>
            Assert.Equal([Btc], (await supervisor.Ask<StatusReport>(new GetStatus(null))).Streams.Select(s => s.Symbol)), Dilated(TimeSpan.FromSeconds(5)));
        Assert.Equal(new SymbolNotFound(Unknown), await supervisor.Ask<object>(new GetStatus(Unknown)));
        Assert.Equal(new SymbolNotFound(Unknown), await supervisor.Ask<object>(new RemoveSymbol(Unknown)));
        // Once: no retry loop follows.
        var later = lifecycle.ReceiveWhile(TimeSpan.FromSeconds(1), message => message as IStreamLifecycleEvent);
        Assert.DoesNotContain(later, e => e?.Symbol == Unknown);
    }

    [Fact]
    public async Task Adding_a_symbol_Binance_does_not_list_is_answered_as_unknown()
    {
        var lifecycle = LifecycleProbe();
        var supervisor = StartSupervisor(Settings());
        ExpectLifecycle<Connected>(lifecycle, Btc);

        Assert.Equal(new SymbolUnknown(Unknown), await supervisor.Ask<object>(new AddSymbol(Unknown), Dilated(TimeSpan.FromSeconds(5))));
        Assert.Equal(new SymbolNotFound(Unknown), await supervisor.Ask<object>(new Protocol.Trades.GetRecentTrades(Unknown, 1)));
        Assert.Equal(new SymbolAdded(Eth), await supervisor.Ask<object>(new AddSymbol(Eth), Dilated(TimeSpan.FromSeconds(5))));
        ExpectLifecycle<Connected>(lifecycle, Eth, skipOthers: true);
    }

    [Fact]
    public void When_REST_cannot_be_reached_it_says_so_and_streams_anyway()
    {
        var lifecycle = LifecycleProbe();
        using var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var settings = Settings(restUrl: new Uri($"http://127.0.0.1:{port}"));
        Assert.Equal(port, settings.Binance.RestUrl.Port);

        EventFilter.Warning(start: "⚠️ Could not check BTCUSDT against Binance's exchangeInfo").ExpectOne(Dilated(TimeSpan.FromSeconds(5)), () =>
            StartSupervisor(settings));
        ExpectLifecycle<Connected>(lifecycle, Btc);
    }
}
