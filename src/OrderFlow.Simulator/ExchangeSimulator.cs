using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrderFlow.Simulator;

/// <summary>
/// A Binance-compatible exchange on loopback: aggTrade streams raw at <c>/ws/&lt;symbol&gt;@aggTrade</c> and combined
/// at <c>/stream?streams=a@aggTrade/b@aggTrade</c>, SUBSCRIBE and UNSUBSCRIBE on either, the incoming-message limit
/// (a connection over it is closed, as Binance does), the REST routes <c>/api/v3/exchangeInfo</c> and
/// <c>/api/v3/aggTrades</c>, server pings, and faults injected on demand. It is the exchange for the tests, the
/// benchmarks and the offline demo.
/// </summary>
public sealed partial class ExchangeSimulator : IAsyncDisposable
{
    private const string WebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private readonly WebApplication _app;
    private readonly SimulatorOptions _options;
    private readonly ConcurrentDictionary<string, SimulatedMarket> _markets;
    private readonly ConcurrentDictionary<string, UpgradeFault> _faults = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _upgradeRequests = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _clientCloses = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _aggTradesRequests = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<SimulatedConnection, byte> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _restGate = new();
    private RestFault? _restFault;
    private int _allUpgradeRequests;
    private int _allClientCloses;
    private int _mostInOneSecond;
    private int _closedForExceeding;
    private int _subscribeRequests;
    private int _legacyRootRequests;
    private int _refusedForWeight;

    private Task _generating = Task.CompletedTask;
    private Task _derivatives = Task.CompletedTask;

    /// <summary>A futures market's liquidations, every symbol's, as Binance names the stream.</summary>
    public const string LiquidationStream = "!forceOrder@arr";

    /// <summary>The key a connection carrying <see cref="LiquidationStream"/> is known by (for faults, drops, counts).</summary>
    public static readonly string LiquidationKey = SymbolOf(LiquidationStream);

    /// <summary>A futures market's mark prices, every symbol's, once a second, as Binance names the stream.</summary>
    public const string MarkPriceStream = "!markPrice@arr@1s";

    public static readonly string MarkPriceKey = SymbolOf(MarkPriceStream);

    private ExchangeSimulator(WebApplication app, SimulatorOptions options)
    {
        _app = app;
        _options = options;
        _markets = new ConcurrentDictionary<string, SimulatedMarket>(options.Symbols
            .Select((symbol, index) => new SimulatedMarket(symbol, options.Seed + index, options.TradesKept, options.Market))
            .ToDictionary(market => market.Symbol, StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase);
        Liquidations = new SimulatedLiquidations(options.Seed, options.Market == "coinm");
        MarkPrices = new SimulatedMarkPrices(options.Seed, options.Market);
        if (options.History > TimeSpan.Zero)
            foreach (var market in _markets.Values) market.MakeHistory(options.History, market.TradesPerSecond ?? options.TradesPerSecond);
    }

    public int Port { get; private set; }

    /// <summary>The liquidations pushed on <see cref="LiquidationStream"/> (a futures layout only).</summary>
    public SimulatedLiquidations Liquidations { get; }

    /// <summary>The mark prices pushed on <see cref="MarkPriceStream"/> (a futures layout only).</summary>
    public SimulatedMarkPrices MarkPrices { get; }

    /// <summary>The value for <c>orderflow.binance.ws-url</c>: the market's stream root (USD-M's is under /market).</summary>
    public Uri WebSocketUrl => new($"ws://127.0.0.1:{Port}{(_options.Market == "usdm" ? "/market" : "")}");

    /// <summary>USD-M's legacy stream root, retired on 2026-04-23: it upgrades and then sends nothing.</summary>
    public Uri LegacyRootUrl => new($"ws://127.0.0.1:{Port}");

    /// <summary>Stream connections made to USD-M's legacy root.</summary>
    public int LegacyRootRequests => Volatile.Read(ref _legacyRootRequests);

    /// <summary>REST requests refused with 429 because the IP spent its weight for the minute.</summary>
    public int RefusedForWeight => Volatile.Read(ref _refusedForWeight);

    /// <summary>The value for <c>orderflow.binance.rest-url</c>.</summary>
    public Uri RestUrl => new($"http://127.0.0.1:{Port}");

    public static async Task<ExchangeSimulator> StartAsync(SimulatorOptions? options = null)
    {
        options ??= new SimulatorOptions();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, options.Port);
            // A combined URL names every stream it carries: 1024 of them is about 20 KB.
            kestrel.Limits.MaxRequestLineSize = 64 * 1024;
            kestrel.Limits.MaxRequestHeadersTotalSize = 96 * 1024;
        });
        var app = builder.Build();
        var simulator = new ExchangeSimulator(app, options);
        var (streams, rest) = options.Market switch
        {
            "spot" => ("", "/api/v3"),
            "usdm" => ("/market", "/fapi/v1"),
            "coinm" => ("", "/dapi/v1"),
            _ => throw new ArgumentException($"unknown market '{options.Market}'"),
        };
        app.Map(streams + "/ws/{stream}", (RequestDelegate)simulator.HandleStreamAsync);
        app.Map(streams + "/stream", (RequestDelegate)simulator.HandleStreamAsync);
        if (streams.Length > 0)
        {
            app.Map("/ws/{stream}", (RequestDelegate)simulator.HandleLegacyRootAsync);
            app.Map("/stream", (RequestDelegate)simulator.HandleLegacyRootAsync);
        }
        app.MapGet(rest + "/exchangeInfo", (RequestDelegate)simulator.ExchangeInfoAsync);
        app.MapGet(rest + "/aggTrades", (RequestDelegate)simulator.AggTradesAsync);
        app.MapGet(rest + "/klines", (RequestDelegate)simulator.KlinesAsync);
        if (options.Market != "spot")
        {
            app.MapGet("/futures/data/openInterestHist", (RequestDelegate)simulator.OpenInterestHistoryAsync);
            app.MapGet(rest + "/openInterest", (RequestDelegate)simulator.OpenInterestNowAsync);
        }
        await app.StartAsync().ConfigureAwait(false);

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        simulator.Port = new Uri(address).Port;
        simulator._generating = simulator.GenerateAsync(simulator._stopping.Token);
        if (options.Market != "spot") simulator._derivatives = simulator.DerivativesAsync(simulator._stopping.Token);
        return simulator;
    }

    /// <summary>Every symbol the exchange was started with, in the order it was given them.</summary>
    public IReadOnlyList<string> Listed => _options.Symbols.Select(s => s.Name).ToArray();

    /// <summary>Lists a new symbol from now on: in exchangeInfo, on the streams, trading.</summary>
    public SimulatedMarket List(SimulatedSymbol symbol)
    {
        var market = new SimulatedMarket(symbol, _options.Seed + _markets.Count, _options.TradesKept, _options.Market);
        return _markets.TryAdd(symbol.Name, market) ? market : throw new ArgumentException($"the simulator already lists {symbol.Name}");
    }

    /// <summary>
    /// The symbol's status in exchangeInfo from now on (TRADING, BREAK, HALT, CANCEL_ONLY…); only TRADING generates
    /// trades, as on Binance, where a symbol in BREAK is a silent stream.
    /// </summary>
    public void SetStatus(string symbol, string status) => Market(symbol).Status = status;

    public SimulatedMarket Market(string symbol) =>
        _markets.TryGetValue(symbol, out var market) ? market : throw new ArgumentException($"the simulator does not list {symbol}");

    /// <summary>What happens to new stream connections for <paramref name="symbol"/> ("*": every symbol); null clears it.</summary>
    public void SetUpgradeFault(string symbol, UpgradeFault? fault)
    {
        if (fault is null) _faults.TryRemove(symbol, out _);
        else _faults[symbol] = fault;
    }

    /// <summary>Answers the next REST aggTrades requests with an error (null clears it).</summary>
    public void SetRestFault(RestFault? fault)
    {
        lock (_restGate) _restFault = fault;
    }

    /// <summary>REST aggTrades requests received for a symbol, answered or refused.</summary>
    public int AggTradesRequests(string symbol) => _aggTradesRequests.GetValueOrDefault(symbol);

    /// <summary>Stream connection requests received for a symbol, answered or not.</summary>
    public int UpgradeRequests(string symbol) => _upgradeRequests.GetValueOrDefault(symbol);

    public int OpenConnections(string symbol) => Live(symbol).Count();

    /// <summary>Every stream connection open now, whatever it carries.</summary>
    public int OpenConnections() => _connections.Count;

    /// <summary>Stream connection requests received in all.</summary>
    public int UpgradeRequests() => Volatile.Read(ref _allUpgradeRequests);

    /// <summary>The most messages any connection sent in one second, and how many connections were closed for exceeding the limit.</summary>
    public (int MostInOneSecond, int ClosedForExceeding) IncomingMessageLoad => (Volatile.Read(ref _mostInOneSecond), Volatile.Read(ref _closedForExceeding));

    /// <summary>SUBSCRIBE requests received in all.</summary>
    public int SubscribeRequests => Volatile.Read(ref _subscribeRequests);

    /// <summary>Drops every live connection at the TCP level, with no close frame.</summary>
    public int DropAllConnections()
    {
        var count = 0;
        foreach (var connection in _connections.Keys)
        {
            connection.Drop();
            count++;
        }
        return count;
    }

    /// <summary>Connections for a symbol that the client ended with a close frame.</summary>
    public int ClientCloseFrames(string symbol) => _clientCloses.GetValueOrDefault(symbol);

    /// <summary>Connections the client ended with a close frame, whatever they carried.</summary>
    public int ClientCloseFrames() => Volatile.Read(ref _allClientCloses);

    /// <summary>Drops the symbol's live connections at the TCP level, with no close frame.</summary>
    public int DropConnections(string symbol) => ForEach(symbol, c => c.Drop());

    public int CloseConnections(string symbol, WebSocketCloseStatus status, string reason) =>
        ForEach(symbol, c => c.Close(status, reason));

    /// <summary>Stops sending and answering pings on the symbol's live connections, leaving TCP up.</summary>
    public int FreezeConnections(string symbol) => ForEach(symbol, c => c.Freeze());

    /// <summary>Sends <c>serverShutdown</c>, as Binance does before it goes away, and keeps streaming.</summary>
    public int AnnounceShutdown(string symbol) =>
        ForEach(symbol, c =>
        {
            var notice = WireFormat.ServerShutdownEvent(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            c.Send(c.Combined ? [.. """{"stream":"!serverShutdown","data":"""u8, .. notice, (byte)'}'] : notice);
        });

    /// <summary>Sends a raw text frame (malformed or not) on the symbol's live connections.</summary>
    public int SendText(string symbol, string text) => ForEach(symbol, c => c.Send(Encoding.UTF8.GetBytes(text)));

    public int SendBinary(string symbol, byte[] bytes) => ForEach(symbol, c => c.SendBinary(bytes));

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try { await Task.WhenAll(_generating, _derivatives).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try { await _app.StopAsync(grace.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        await _app.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private IEnumerable<SimulatedConnection> Live(string symbol) => _connections.Keys.Where(c => c.Carries(symbol));

    private int ForEach(string symbol, Action<SimulatedConnection> action)
    {
        var count = 0;
        foreach (var connection in Live(symbol))
        {
            action(connection);
            count++;
        }
        return count;
    }

    private async Task GenerateAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
        {
            foreach (var market in _markets.Values)
            {
                var rate = market.TradesPerSecond ?? _options.TradesPerSecond;
                if (rate <= 0) continue;
                var due = (long)(Stopwatch.GetElapsedTime(market.ListedAt).TotalSeconds * rate) - market.Generated;
                if (due <= 0) continue;
                // Not trading: the clock runs on, and nothing is made.
                if (market.Status == "TRADING") market.Publish((int)due);
                market.Generated += due;
            }
        }
    }

    /// <summary>A futures layout's market-wide streams: liquidations every <see cref="SimulatorOptions.LiquidationEvery"/>, mark prices every second.</summary>
    private async Task DerivativesAsync(CancellationToken stopping)
    {
        var liquidating = _options.LiquidationChance > 0 ? LoopAsync(_options.LiquidationEvery, () =>
            Liquidations.Round(_markets.Values, Listening(LiquidationKey), _options.LiquidationChance)) : Task.CompletedTask;
        var marking = LoopAsync(TimeSpan.FromSeconds(1), () => MarkPrices.Round(_markets.Values, Listening(MarkPriceKey)));
        await Task.WhenAll(liquidating, marking).ConfigureAwait(false);

        async Task LoopAsync(TimeSpan every, Action round)
        {
            using var timer = new PeriodicTimer(every);
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false)) round();
        }
    }

    private SimulatedConnection[] Listening(string key) => Live(key).Where(connection => !connection.Silent).ToArray();
}
