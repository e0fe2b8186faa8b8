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
/// A Binance-compatible exchange on loopback: aggTrade streams at <c>/ws/&lt;symbol&gt;@aggTrade</c>, the REST routes
/// <c>/api/v3/exchangeInfo</c> and <c>/api/v3/aggTrades</c>, server pings, and faults injected on demand. It is the
/// exchange for the tests, the benchmarks and the offline demo.
/// </summary>
public sealed class ExchangeSimulator : IAsyncDisposable
{
    private const string WebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private readonly WebApplication _app;
    private readonly SimulatorOptions _options;
    private readonly Dictionary<string, SimulatedMarket> _markets;
    private readonly ConcurrentDictionary<string, UpgradeFault> _faults = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _upgradeRequests = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _clientCloses = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _aggTradesRequests = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<SimulatedConnection, byte> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _restGate = new();
    private RestFault? _restFault;

    private Task _generating = Task.CompletedTask;

    private ExchangeSimulator(WebApplication app, SimulatorOptions options)
    {
        _app = app;
        _options = options;
        _markets = options.Symbols
            .Select((symbol, index) => new SimulatedMarket(symbol, options.Seed + index, options.TradesKept))
            .ToDictionary(market => market.Symbol, StringComparer.OrdinalIgnoreCase);
    }

    public int Port { get; private set; }

    /// <summary>The value for <c>orderflow.binance.ws-url</c>.</summary>
    public Uri WebSocketUrl => new($"ws://127.0.0.1:{Port}");

    /// <summary>The value for <c>orderflow.binance.rest-url</c>.</summary>
    public Uri RestUrl => new($"http://127.0.0.1:{Port}");

    public static async Task<ExchangeSimulator> StartAsync(SimulatorOptions? options = null)
    {
        options ??= new SimulatorOptions();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, options.Port));
        var app = builder.Build();
        var simulator = new ExchangeSimulator(app, options);
        app.Map("/ws/{stream}", (RequestDelegate)simulator.HandleStreamAsync);
        app.MapGet("/api/v3/exchangeInfo", (RequestDelegate)simulator.ExchangeInfoAsync);
        app.MapGet("/api/v3/aggTrades", (RequestDelegate)simulator.AggTradesAsync);
        await app.StartAsync().ConfigureAwait(false);

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        simulator.Port = new Uri(address).Port;
        simulator._generating = simulator.GenerateAsync(simulator._stopping.Token);
        return simulator;
    }

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

    /// <summary>Connections for a symbol that the client ended with a close frame.</summary>
    public int ClientCloseFrames(string symbol) => _clientCloses.GetValueOrDefault(symbol);

    /// <summary>Drops the symbol's live connections at the TCP level, with no close frame.</summary>
    public int DropConnections(string symbol) => ForEach(symbol, c => c.Drop());

    public int CloseConnections(string symbol, WebSocketCloseStatus status, string reason) =>
        ForEach(symbol, c => c.Close(status, reason));

    /// <summary>Stops sending and answering pings on the symbol's live connections, leaving TCP up.</summary>
    public int FreezeConnections(string symbol) => ForEach(symbol, c => c.Freeze());

    /// <summary>Sends <c>serverShutdown</c>, as Binance does before it goes away, and keeps streaming.</summary>
    public int AnnounceShutdown(string symbol) =>
        ForEach(symbol, c => c.Send(WireFormat.ServerShutdownEvent(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())));

    /// <summary>Sends a raw text frame (malformed or not) on the symbol's live connections.</summary>
    public int SendText(string symbol, string text) => ForEach(symbol, c => c.Send(Encoding.UTF8.GetBytes(text)));

    public int SendBinary(string symbol, byte[] bytes) => ForEach(symbol, c => c.SendBinary(bytes));

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try { await _generating.ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try { await _app.StopAsync(grace.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        await _app.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private IEnumerable<SimulatedConnection> Live(string symbol) =>
        _connections.Keys.Where(c => c.Symbol.Equals(symbol, StringComparison.OrdinalIgnoreCase));

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
        if (_options.TradesPerSecond <= 0) return;
        var started = Stopwatch.GetTimestamp();
        long generated = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
        {
            var due = (long)(Stopwatch.GetElapsedTime(started).TotalSeconds * _options.TradesPerSecond) - generated;
            if (due <= 0) continue;
            foreach (var market in _markets.Values) market.Publish((int)due);
            generated += due;
        }
    }

    private async Task HandleStreamAsync(HttpContext context)
    {
        var stream = (string?)context.GetRouteValue("stream") ?? "";
        var at = stream.IndexOf('@');
        var symbol = (at > 0 ? stream[..at] : stream).ToUpperInvariant();
        _upgradeRequests.AddOrUpdate(symbol, 1, (_, n) => n + 1);

        using var closed = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        var fault = _faults.GetValueOrDefault(symbol) ?? _faults.GetValueOrDefault("*");
        switch (fault)
        {
            case UpgradeFault.NeverAnswer:
                try { await Task.Delay(Timeout.Infinite, closed.Token).ConfigureAwait(false); }
                catch (OperationCanceledException) { }
                return;
            case UpgradeFault.Refuse refuse:
                context.Response.StatusCode = (int)refuse.Status;
                if (refuse.RetryAfterSeconds is { } seconds) context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await context.Response.WriteAsync($"{(int)refuse.Status}", closed.Token).ConfigureAwait(false);
                return;
        }

        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        var key = context.Request.Headers["Sec-WebSocket-Key"].ToString();
        if (upgrade is not { IsUpgradableRequest: true } || key.Length == 0)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        // The upgrade is done by hand so that the connection's stream can be frozen (see FreezableStream).
        context.Response.Headers.Connection = "Upgrade";
        context.Response.Headers.Upgrade = "websocket";
        context.Response.Headers["Sec-WebSocket-Accept"] =
            Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + WebSocketGuid)));
        var raw = await upgrade.UpgradeAsync().ConfigureAwait(false);
        var frozen = new FreezableStream(raw, closed.Token, context.Abort);
        var socket = WebSocket.CreateFromStream(frozen, new WebSocketCreationOptions
        {
            IsServer = true,
            KeepAliveInterval = _options.PingInterval,
            KeepAliveTimeout = _options.PongTimeout,
        });
        var connection = new SimulatedConnection(symbol, socket, frozen, context);
        var market = fault is UpgradeFault.SendNothing ? null : _markets.GetValueOrDefault(symbol);
        _connections[connection] = 0;
        market?.Listen(connection);
        try
        {
            await connection.RunAsync(closed.Token).ConfigureAwait(false);
        }
        finally
        {
            market?.Unlisten(connection);
            if (connection.ClientSentClose) _clientCloses.AddOrUpdate(symbol, 1, (_, n) => n + 1);
            _connections.TryRemove(connection, out _);
            await frozen.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task ExchangeInfoAsync(HttpContext context)
    {
        var requested = new List<string>();
        if (context.Request.Query.TryGetValue("symbol", out var one)) requested.Add(one.ToString());
        if (context.Request.Query.TryGetValue("symbols", out var many))
        {
            try { requested.AddRange(JsonSerializer.Deserialize<string[]>(many.ToString()) ?? []); }
            catch (JsonException)
            {
                await WriteJsonAsync(context, 400, """{"code":-1100,"msg":"Illegal characters found in parameter 'symbols'."}""").ConfigureAwait(false);
                return;
            }
        }
        if (requested.Any(name => !_markets.ContainsKey(name)))
        {
            await WriteJsonAsync(context, 400, WireFormat.InvalidSymbol).ConfigureAwait(false);
            return;
        }

        var listed = requested.Count == 0 ? _markets.Values : requested.Select(name => _markets[name]);
        var symbols = string.Join(",", listed.Select(m =>
            $$"""{"symbol":"{{m.Symbol}}","status":"TRADING","filters":[{"filterType":"PRICE_FILTER","tickSize":"{{m.TickSize.ToString("0.00000000", CultureInfo.InvariantCulture)}}"}]}"""));
        await WriteJsonAsync(context, 200,
            $$"""{"timezone":"UTC","serverTime":{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}},"symbols":[{{symbols}}]}""").ConfigureAwait(false);
    }

    private async Task AggTradesAsync(HttpContext context)
    {
        _aggTradesRequests.AddOrUpdate(context.Request.Query["symbol"].ToString(), 1, (_, n) => n + 1);
        RestFault? fault;
        lock (_restGate)
        {
            fault = _restFault;
            if (fault is not null) _restFault = fault.Times > 1 ? fault with { Times = fault.Times - 1 } : null;
        }
        if (fault is not null)
        {
            if (fault.RetryAfterSeconds is { } seconds) context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            await WriteJsonAsync(context, (int)fault.Status, """{"code":-1003,"msg":"Too many requests."}""").ConfigureAwait(false);
            return;
        }

        var query = context.Request.Query;
        if (!_markets.TryGetValue(query["symbol"].ToString(), out var market))
        {
            await WriteJsonAsync(context, 400, WireFormat.InvalidSymbol).ConfigureAwait(false);
            return;
        }

        static long? Number(IQueryCollection q, string name) =>
            long.TryParse(q[name].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
        var limit = (int)Math.Clamp(Number(query, "limit") ?? 500, 1, 1000);
        var trades = market.Query(Number(query, "fromId"), Number(query, "startTime"), Number(query, "endTime"), limit);

        var json = new StringBuilder("[");
        for (var i = 0; i < trades.Count; i++)
        {
            if (i > 0) json.Append(',');
            WireFormat.AppendRestAggTrade(json, trades[i]);
        }
        await WriteJsonAsync(context, 200, json.Append(']').ToString()).ConfigureAwait(false);
    }

    private static Task WriteJsonAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json);
    }
}
