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

/// <summary>The simulator's streams: the WebSocket upgrade (raw and combined, with its faults), SUBSCRIBE and UNSUBSCRIBE.</summary>
public sealed partial class ExchangeSimulator
{
    /// <summary>What Binance's retired USD-M root does: the upgrade (and any SUBSCRIBE) succeeds, and no event ever comes.</summary>
    private Task HandleLegacyRootAsync(HttpContext context)
    {
        Interlocked.Increment(ref _legacyRootRequests);
        return HandleStreamAsync(context, silent: true);
    }

    private Task HandleStreamAsync(HttpContext context) => HandleStreamAsync(context, silent: false);

    private async Task HandleStreamAsync(HttpContext context, bool silent)
    {
        // Raw: /ws/btcusdt@aggTrade; combined: /stream?streams=btcusdt@aggTrade/ethusdt@aggTrade.
        var combined = context.GetRouteValue("stream") is null;
        var streams = combined ? context.Request.Query["streams"].ToString().Split('/', StringSplitOptions.RemoveEmptyEntries)
            : [(string)context.GetRouteValue("stream")!];
        var symbols = streams.Select(SymbolOf).ToArray();
        Interlocked.Increment(ref _allUpgradeRequests);
        foreach (var symbol in symbols) _upgradeRequests.AddOrUpdate(symbol, 1, (_, n) => n + 1);

        using var closed = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        var fault = symbols.Select(symbol => _faults.GetValueOrDefault(symbol)).FirstOrDefault(f => f is not null) ?? _faults.GetValueOrDefault("*");
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
        var connection = new SimulatedConnection(socket, frozen, context, combined, this);
        _connections[connection] = 0;
        connection.Silent = silent;
        foreach (var symbol in symbols) Subscribe(connection, symbol, silent || fault is UpgradeFault.SendNothing);
        try
        {
            await connection.RunAsync(closed.Token).ConfigureAwait(false);
        }
        finally
        {
            if (connection.ClientSentClose) Interlocked.Increment(ref _allClientCloses);
            foreach (var symbol in connection.Streams)
            {
                _markets.GetValueOrDefault(symbol)?.Unlisten(connection);
                if (connection.ClientSentClose) _clientCloses.AddOrUpdate(symbol, 1, (_, n) => n + 1);
            }
            _connections.TryRemove(connection, out _);
            await frozen.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static string SymbolOf(string stream)
    {
        var at = stream.IndexOf('@');
        return (at > 0 ? stream[..at] : stream).ToUpperInvariant();
    }

    /// <summary>A symbol Binance does not list, or one whose stream is faulted to send nothing, is carried and silent.</summary>
    private void Subscribe(SimulatedConnection connection, string symbol, bool silent)
    {
        if (!connection.Add(symbol)) return;
        if (!silent) _markets.GetValueOrDefault(symbol)?.Listen(connection);
    }

    /// <summary>A SUBSCRIBE or UNSUBSCRIBE from a client, answered as Binance answers it.</summary>
    internal byte[] OnRequest(SimulatedConnection connection, ReadOnlySpan<byte> text)
    {
        string method;
        string[] streams;
        long id;
        try
        {
            using var request = JsonDocument.Parse(text.ToArray());
            var root = request.RootElement;
            method = root.GetProperty("method").GetString() ?? "";
            id = root.GetProperty("id").GetInt64();
            streams = root.TryGetProperty("params", out var list) ? list.EnumerateArray().Select(p => p.GetString() ?? "").ToArray() : [];
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return Encoding.UTF8.GetBytes("""{"error":{"code":2,"msg":"Invalid request"},"id":null}""");
        }
        switch (method)
        {
            case "SUBSCRIBE":
                Interlocked.Increment(ref _subscribeRequests);
                foreach (var stream in streams)
                {
                    var symbol = SymbolOf(stream);
                    var fault = _faults.GetValueOrDefault(symbol) ?? _faults.GetValueOrDefault("*");
                    Subscribe(connection, symbol, connection.Silent || fault is UpgradeFault.SendNothing);
                }
                break;
            case "UNSUBSCRIBE":
                foreach (var symbol in streams.Select(SymbolOf))
                    if (connection.Remove(symbol)) _markets.GetValueOrDefault(symbol)?.Unlisten(connection);
                break;
            case "LIST_SUBSCRIPTIONS":
                return Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
                {
                    result = connection.Streams.Select(symbol => symbol.ToLowerInvariant() + "@aggTrade").ToArray(),
                    id,
                }));
            default:
                return Encoding.UTF8.GetBytes($$"""{"error":{"code":2,"msg":"Invalid request: unknown method"},"id":{{id}}}""");
        }
        return Encoding.UTF8.GetBytes($$"""{"result":null,"id":{{id}}}""");
    }

    /// <summary>Noted by a connection that counted its incoming messages in a second.</summary>
    internal void OnIncomingLoad(int inOneSecond, bool closedForExceeding)
    {
        int seen;
        while (inOneSecond > (seen = Volatile.Read(ref _mostInOneSecond)) &&
               Interlocked.CompareExchange(ref _mostInOneSecond, inOneSecond, seen) != seen) { }
        if (closedForExceeding) Interlocked.Increment(ref _closedForExceeding);
    }

    internal int IncomingMessageLimit => _options.IncomingMessagesPerSecond;
}
