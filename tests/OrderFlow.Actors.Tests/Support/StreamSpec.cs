using System.Net;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Hosting;
using OrderFlow.Actors.Connection;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Streams;
using OrderFlow.Protocol.Trades;
using OrderFlow.Simulator;
using Xunit;
using Xunit.Abstractions;

namespace OrderFlow.Actors.Tests.Support;

/// <summary>
/// A spec that streams from a real simulated exchange over loopback sockets. Deadlines are short so that every
/// outcome shows within a second or two; assertions wait with dilated TestKit timeouts, never with sleeps.
/// </summary>
public abstract class StreamSpec(ITestOutputHelper output) : TestKit(TestConfig, output), IAsyncLifetime
{
    // The symbols' actors and socket readers on the pipeline dispatcher, and a one-node cluster, as in a host.
    private static readonly string TestConfig = """
        akka.loglevel = INFO
        akka.test.single-expect-default = 5s
        # An Ask without a timeout of its own must fail a spec, never hang it.
        akka.actor.ask-timeout = 20s
        akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
        """ + "\n" + PipelineDispatcher.Hocon + "\n" + ClusterHocon.For(ClusterSetup.Alone);

    /// <summary>Fast deadlines: every phase bounded to about a second.</summary>
    protected const string FastStreams = """
        orderflow.binance.rest-timeout = 2s
        orderflow.stream {
          connect-timeout = 1s
          first-message-timeout = 1s
          keepalive-interval = 500ms
          keepalive-timeout = 500ms
          max-attempts = 3
          backoff { min = 100ms, max = 400ms, random-factor = 0.2 }
          cool-down { min = 500ms, max = 2s, random-factor = 0.2 }
          summary-interval = 1m
        }
        """;

    protected static readonly Symbol Btc = Symbol.Parse("BTCUSDT");
    protected static readonly Symbol Eth = Symbol.Parse("ETHUSDT");
    protected static readonly Symbol Sol = Symbol.Parse("SOLUSDT");

    /// <summary>The symbol the helpers below watch: BTCUSDT on the market the spec streams (<c>usdm:BTCUSDT</c> on USD-M).</summary>
    protected virtual Symbol Main => Btc;

    private readonly List<ExchangeSimulator> _exchanges = new();

    protected ExchangeSimulator Exchange { get; private set; } = null!;

    /// <summary>Trades per second the default exchange generates per symbol.</summary>
    protected virtual double TradesPerSecond => 50;

    /// <summary>The default exchange: the simulator's three symbols at <see cref="TradesPerSecond"/> each.</summary>
    protected virtual SimulatorOptions ExchangeOptions => new() { TradesPerSecond = TradesPerSecond };

    public virtual async Task InitializeAsync()
    {
        Exchange = await ExchangeSimulator.StartAsync(ExchangeOptions);
        _exchanges.Add(Exchange);
    }

    public virtual async Task DisposeAsync()
    {
        await ShutdownAsync();
        foreach (var exchange in _exchanges) await exchange.DisposeAsync();
    }

    protected Task<ExchangeSimulator> StartExchangeAsync(double tradesPerSecond, TimeSpan? pingInterval = null) =>
        StartExchangeAsync(new SimulatorOptions { TradesPerSecond = tradesPerSecond, PingInterval = pingInterval ?? TimeSpan.FromSeconds(20) });

    /// <summary>Another exchange, stopped with the spec.</summary>
    protected async Task<ExchangeSimulator> StartExchangeAsync(SimulatorOptions options)
    {
        var exchange = await ExchangeSimulator.StartAsync(options);
        _exchanges.Add(exchange);
        return exchange;
    }

    /// <summary>Settings from the real hocon/orderflow.conf, with the fast deadlines and any extra HOCON layered over.</summary>
    protected OrderFlowSettings Settings(string symbols = "BTCUSDT", string extraHocon = "", Uri? webSocketUrl = null, Uri? restUrl = null)
    {
        var overrides = new List<ConfigOverride>
        {
            new("orderflow.symbols", OrderFlowConfiguration.QuoteList(symbols), "--symbols"),
            new("orderflow.binance.ws-url", OrderFlowConfiguration.Quote((webSocketUrl ?? Exchange.WebSocketUrl).ToString()), "--ws-url"),
            new("orderflow.binance.rest-url", OrderFlowConfiguration.Quote((restUrl ?? Exchange.RestUrl).ToString()), "--rest-url"),
        };
        return OrderFlowConfiguration.Load(overrides: overrides, extraHocon: FastStreams + "\n" + extraHocon).Settings;
    }

    /// <summary>A probe that receives every Connected, Failed and TimedOut published in this actor system.</summary>
    protected TestProbe LifecycleProbe()
    {
        var probe = CreateTestProbe();
        Sys.EventStream.Subscribe(probe.Ref, typeof(IStreamLifecycleEvent));
        return probe;
    }

    /// <summary>Starts <c>/user/symbols</c> as a host does.</summary>
    protected IActorRef StartSupervisor(OrderFlowSettings settings, ConnectionBudget? budget = null) => Sys.StartOrderFlowSymbols(settings, budget);

    /// <summary>Waits for the next lifecycle event of <paramref name="symbol"/> of type <typeparamref name="T"/>,
    /// skipping other symbols' events and, when <paramref name="skipOthers"/>, this symbol's other events.</summary>
    protected T ExpectLifecycle<T>(TestProbe probe, Symbol symbol, TimeSpan? within = null, bool skipOthers = false)
        where T : IStreamLifecycleEvent
    {
        var found = probe.FishForMessage<IStreamLifecycleEvent>(
            e => e.Symbol == symbol && (e is T || !skipOthers),
            Dilated(within ?? TimeSpan.FromSeconds(5)));
        Assert.IsType<T>(found);
        return (T)found;
    }

    /// <summary>
    /// Waits until each of <paramref name="symbols"/> has reported Connected, in any order, and fails on any Failed or
    /// TimedOut but a dropped socket's (each symbol it carried reports it, then connects again). Returns the last
    /// Connected of each.
    /// </summary>
    protected static IReadOnlyDictionary<Symbol, Connected> AwaitConnected(TestProbe lifecycle, IReadOnlyCollection<Symbol> symbols, TimeSpan within)
    {
        var connected = new Dictionary<Symbol, Connected>();
        var deadline = DateTime.UtcNow + within;
        while (connected.Count < symbols.Count)
        {
            var left = deadline - DateTime.UtcNow;
            Assert.True(left > TimeSpan.Zero, $"{symbols.Count - connected.Count} symbols not connected, {symbols.First(s => !connected.ContainsKey(s))} among them");
            var e = lifecycle.ExpectMsg<IStreamLifecycleEvent>(left);
            if (e is Connected connection && symbols.Contains(e.Symbol)) connected[e.Symbol] = connection;
            else if (e is not (Connected or Failed { Kind: FailureKind.SocketError })) Assert.Fail($"{e.Symbol}: {e}");
        }
        return connected;
    }

    /// <summary>
    /// Waits until the exchange holds the symbol's live connection. A client may see its upgrade finish a moment
    /// before the server registers the connection, and history fills from the REST warm-up before any live trade.
    /// </summary>
    protected void AwaitLiveConnection(string symbol) =>
        AwaitAssert(() => Assert.Equal(1, Exchange.OpenConnections(symbol)), Dilated(TimeSpan.FromSeconds(5)), TimeSpan.FromMilliseconds(20));

    /// <summary>Asks a supervisor for a symbol's most recent trades.</summary>
    protected async Task<IReadOnlyList<AggregateTrade>> HeldTradesAsync(IActorRef supervisor, Symbol symbol, int count = 1_000_000) =>
        (await supervisor.Ask<TradesSnapshot>(new GetRecentTrades(symbol, count), Dilated(TimeSpan.FromSeconds(3)))).Trades;

    /// <summary>
    /// Waits until BTCUSDT holds trades the exchange made after this call: the warm-up has joined the live stream, so
    /// a REST fault set next meets a gap, not the warm-up's last page.
    /// </summary>
    protected Task<IReadOnlyList<AggregateTrade>> JoinedLiveAsync(IActorRef supervisor) =>
        HeldThroughAsync(supervisor, Exchange.Market("BTCUSDT").LastAggregateId + 1);

    protected async Task<IReadOnlyList<AggregateTrade>> HeldAtLeastAsync(IActorRef supervisor, int count)
    {
        IReadOnlyList<AggregateTrade> held = [];
        await AwaitAssertAsync(async () => Assert.True((held = await HeldTradesAsync(supervisor, Main)).Count >= count),
            Dilated(TimeSpan.FromSeconds(10)));
        return held;
    }

    /// <summary>Waits until the symbol (BTCUSDT unless named) holds trades through <paramref name="aggregateId"/>.</summary>
    protected async Task<IReadOnlyList<AggregateTrade>> HeldThroughAsync(IActorRef supervisor, long aggregateId, Symbol? symbol = null)
    {
        IReadOnlyList<AggregateTrade> held = [];
        await AwaitAssertAsync(async () =>
        {
            held = await HeldTradesAsync(supervisor, symbol ?? Main);
            Assert.True(held.Count > 0 && held[^1].AggregateId >= aggregateId, $"held up to {(held.Count > 0 ? held[^1].AggregateId : 0)}");
        }, Dilated(TimeSpan.FromSeconds(15)));
        return held;
    }

    /// <summary>Every held trade is the exchange's trade with that id, and the ids run without a hole or a repeat.</summary>
    protected void AssertIsTheExchangeSequence(IReadOnlyList<AggregateTrade> held) => AssertIsTheExchangeSequence(Main, held);

    /// <summary>Each trade held is the exchange's, exactly, and each follows the one before it: none lost, none twice.</summary>
    protected void AssertIsTheExchangeSequence(Symbol symbol, IReadOnlyList<AggregateTrade> held)
    {
        var generated = Exchange.Market(symbol.Name).Trades.ToDictionary(t => t.AggregateId);
        for (var i = 0; i < held.Count; i++)
        {
            Assert.Equal(generated[held[i].AggregateId], held[i]);
            if (i > 0) Assert.Equal(held[i - 1].AggregateId + 1, held[i].AggregateId);
        }
    }

    /// <summary>Drops the connection and refuses reconnects until trades have happened meanwhile; returns the last id
    /// held before and the exchange's last id when reconnects are allowed again.</summary>
    protected (long DownFrom, long DownTo) DisconnectForAWhile(TestProbe lifecycle)
    {
        Exchange.SetUpgradeFault("BTCUSDT", new UpgradeFault.Refuse(HttpStatusCode.ServiceUnavailable));
        var market = Exchange.Market("BTCUSDT");
        AwaitAssert(() => Assert.Equal(1, Exchange.DropConnections("BTCUSDT")));
        var downFrom = market.LastAggregateId;
        ExpectLifecycle<Failed>(lifecycle, Main);
        Assert.Equal(FailureKind.HttpStatus, ExpectLifecycle<Failed>(lifecycle, Main).Kind);
        var downTo = market.LastAggregateId;
        Exchange.SetUpgradeFault("BTCUSDT", null);
        ExpectLifecycle<Connected>(lifecycle, Main, skipOthers: true);
        return (downFrom, downTo);
    }
}
