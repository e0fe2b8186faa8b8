using Akka.Actor;
using OrderFlow.Actors.Symbols;
using OrderFlow.Actors.Tests.Support;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Streams;
using OrderFlow.Protocol.Trades;
using OrderFlow.Simulator;
using Xunit;
using Xunit.Abstractions;

namespace OrderFlow.Actors.Tests.Connection;

/// <summary>A universe of symbols on a few shared connections, against an exchange that enforces Binance's limits.</summary>
public sealed class SharedConnectionSpecs(ITestOutputHelper output) : StreamSpec(output)
{
    private const int Streamed = 600;
    private static readonly IReadOnlyList<SimulatedSymbol> Universe = SimulatorOptions.Universe(Streamed + 1, totalTradesPerSecond: 600);
    private static readonly Symbol[] Symbols = Universe.Take(Streamed).Select(s => Symbol.Parse(s.Name)).ToArray();
    private static readonly Symbol Added = Symbol.Parse(Universe[^1].Name);

    protected override SimulatorOptions ExchangeOptions => new() { Symbols = Universe, IncomingMessagesPerSecond = 5 };

    [Fact]
    public async Task Six_hundred_symbols_stream_on_three_connections_within_the_message_limit_and_all_resume_after_every_connection_drops_with_no_trade_lost_or_repeated()
    {
        var lifecycle = LifecycleProbe();
        // Deadlines as in production but the connect's: this is about scale, not about how fast a deadline fires, and
        // with the whole suite on two busy cores a connect of 250 streams once took longer than 10 s (a fourth upgrade).
        // 250 a connection leaves the third one room for a symbol added later.
        var supervisor = StartSupervisor(Settings(string.Join(",", Symbols.Select(s => s.Value)), extraHocon: """
            orderflow.binance.streams-per-connection = 250
            orderflow.stream { connect-timeout = 30s, first-message-timeout = 30s, keepalive-interval = 15s, keepalive-timeout = 10s }
            """));

        AwaitConnected(lifecycle, Symbols, Dilated(TimeSpan.FromSeconds(90)));
        Assert.Equal((3, 3), (Exchange.UpgradeRequests(), Exchange.OpenConnections()));

        // Added and removed at run time on a connection already open: a SUBSCRIBE, then an UNSUBSCRIBE.
        Assert.Equal(new SymbolAdded(Added), await supervisor.Ask<object>(new AddSymbol(Added), Dilated(TimeSpan.FromSeconds(10))));
        AwaitConnected(lifecycle, [Added], Dilated(TimeSpan.FromSeconds(10)));
        Assert.Equal(new SymbolRemoved(Added), await supervisor.Ask<object>(new RemoveSymbol(Added), Dilated(TimeSpan.FromSeconds(10))));
        await AwaitAssertAsync(() => Assert.Equal(0, Exchange.OpenConnections(Added.Value)));
        Assert.Equal((3, 3), (Exchange.UpgradeRequests(), Exchange.OpenConnections()));
        Assert.True(Exchange.SubscribeRequests >= 1);

        // Every connection dropped at once: all 600 stream again, on three new connections.
        Assert.Equal(3, Exchange.DropAllConnections());
        // Every symbol trades while the connections are down, the quietest too, which will not trade again for a while.
        foreach (var symbol in Symbols) Exchange.Market(symbol.Value).Publish(1);
        AwaitConnected(lifecycle, Symbols, Dilated(TimeSpan.FromSeconds(60)));
        await AwaitAssertAsync(() => Assert.Equal(3, Exchange.OpenConnections()), Dilated(TimeSpan.FromSeconds(5)));
        Assert.InRange(Exchange.UpgradeRequests(), 6, 8);

        // What happened while they were down is fetched at once, even for the quiet ones: every symbol holds the
        // exchange's trades up to now, each once, in order.
        var upTo = Symbols.ToDictionary(s => s, s => Exchange.Market(s.Value).LastAggregateId);
        foreach (var symbol in Symbols)
        {
            var held = await HeldThroughAsync(supervisor, upTo[symbol], symbol);
            AssertIsTheExchangeSequence(symbol, held);
            // The warm-up reached back to the exchange's first trade: nothing is missing from the start either.
            Assert.Equal(1, held[0].AggregateId);
            Assert.Equal(0, (await supervisor.Ask<SequenceStats>(new GetSequenceStats(symbol))).GapsUnrecovered);
        }
        var (most, closed) = Exchange.IncomingMessageLoad;
        Assert.Equal(0, closed);
        Assert.InRange(most, 0, 5);
    }
}
