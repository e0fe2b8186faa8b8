using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using OrderFlow.Actors;
using OrderFlow.Actors.Binance;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Connection;
using Symbol = OrderFlow.Protocol.Symbol;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Host.Cli;

/// <summary>
/// <c>orderflow probe SYMBOL</c>: one connection attempt, step by step, each step timed and bounded. The diagnostic
/// for "it says connecting and then nothing": it always ends, and says where it stopped.
/// </summary>
public static class ProbeCommand
{
    public static Command Create()
    {
        var symbolArgument = new Argument<string>("SYMBOL") { Description = "The symbol to probe, e.g. BTCUSDT" };
        var webSocketUrl = OrderFlowCli.WebSocketUrlOption();
        var market = OrderFlowCli.MarketOption();
        var timeout = new Option<string>("--timeout") { Description = "Deadline for each step (default 10s)", DefaultValueFactory = _ => "10s" };
        var configFile = OrderFlowCli.ConfigOption();
        var command = new Command("probe", "Connect once to a symbol's aggTrade stream and report each step") { symbolArgument, market, webSocketUrl, timeout, configFile };
        command.SetAction(async (parsed, _) =>
        {
            var rawTimeout = parsed.GetValue(timeout)!;
            if (!Durations.TryParse(rawTimeout, out var deadline) || deadline <= TimeSpan.Zero)
                throw new ConfigurationException($"--timeout {rawTimeout}: use a positive duration such as 10s or 500ms");
            var (_, settings) = OrderFlowConfiguration.Load(parsed.GetValue(configFile)?.FullName,
                OrderFlowCli.Overrides(null, parsed.GetValue(webSocketUrl), null, market: parsed.GetValue(market)));
            if (!OrderFlowConfiguration.TryParseSymbol(parsed.GetValue(symbolArgument) ?? "", settings.Binance.Market.Name, out var symbol, out var error))
                throw new ConfigurationException(error);
            return await ProbeAsync(symbol, settings, deadline).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> ProbeAsync(Symbol symbol, OrderFlowSettings settings, TimeSpan deadline)
    {
        var uri = StreamEndpoints.AggTrades(settings.MarketOf(symbol).WebSocketUrl, symbol);
        Console.WriteLine($"Probing {symbol} aggTrades at {uri} (each step within {HumanFormat.Duration(deadline)})");

        if (Uri.CheckHostName(uri.Host) == UriHostNameType.Dns && !await ResolveAsync(uri.Host, deadline).ConfigureAwait(false))
            return OrderFlowCli.Failure;

        var stream = settings.Stream;
        using var socket = new AggTradeSocket<string>(uri, SymbolRoutes<string>.Of(symbol, symbol.Value), new SocketOptions(stream.KeepAliveInterval, stream.KeepAliveTimeout, stream.MaxFrameBytes));
        var clock = Stopwatch.StartNew();
        var connect = socket.ConnectAsync();
        if (await Task.WhenAny(connect, Task.Delay(deadline)).ConfigureAwait(false) != connect)
        {
            socket.Abort();
            Console.WriteLine($"  handshake   did not finish within {HumanFormat.Duration(deadline)} (phase: connect): TCP, TLS or the HTTP upgrade hangs");
            return OrderFlowCli.Failure;
        }
        if (connect.Exception?.InnerException is { } failure)
        {
            Console.WriteLine($"  handshake   failed after {clock.ElapsedMilliseconds} ms: {failure.Message}");
            return OrderFlowCli.Failure;
        }
        Console.WriteLine($"  handshake   finished in {clock.ElapsedMilliseconds} ms (TCP, TLS and the HTTP upgrade)");

        clock.Restart();
        var first = new TaskCompletionSource<StreamMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var receiving = socket.ReceiveAsync((_, burst) =>
        {
            // A trade says the stream works; any other frame is what the server sent instead. Read before the
            // release: the trades go back to the pool.
            first.TrySetResult(burst.Trades.IsEmpty ? burst.OtherFrames[0] : new StreamMessage(StreamMessageKind.AggregateTrade, burst.Trades.Span[0]));
            burst.Credit.Release();
        });
        var arrived = await Task.WhenAny(first.Task, receiving, Task.Delay(deadline)).ConfigureAwait(false);
        socket.Abort();
        if (arrived == first.Task)
        {
            Console.WriteLine($"  first frame arrived after {clock.ElapsedMilliseconds} ms: {Describe(first.Task.Result)}");
            return first.Task.Result.Kind == StreamMessageKind.AggregateTrade ? OrderFlowCli.Success : OrderFlowCli.Failure;
        }
        if (arrived == receiving)
        {
            Console.WriteLine($"  first frame none: the connection ended after {clock.ElapsedMilliseconds} ms: {receiving.Result.Reason}");
            return OrderFlowCli.Failure;
        }
        Console.WriteLine($"  first frame none within {HumanFormat.Duration(deadline)} (phase: first-message): an unknown symbol or a silent server");
        return OrderFlowCli.Failure;
    }

    private static async Task<bool> ResolveAsync(string host, TimeSpan deadline)
    {
        var clock = Stopwatch.StartNew();
        var lookup = Dns.GetHostAddressesAsync(host);
        if (await Task.WhenAny(lookup, Task.Delay(deadline)).ConfigureAwait(false) != lookup)
        {
            Console.WriteLine($"  dns         {host} did not resolve within {HumanFormat.Duration(deadline)}");
            return false;
        }
        if (lookup.Exception?.InnerException is SocketException error)
        {
            Console.WriteLine($"  dns         {host} did not resolve after {clock.ElapsedMilliseconds} ms: {error.Message}");
            return false;
        }
        Console.WriteLine($"  dns         {host} → {string.Join(", ", lookup.Result.Take(3))} in {clock.ElapsedMilliseconds} ms");
        return true;
    }

    private static string Describe(StreamMessage message) => message.Kind switch
    {
        StreamMessageKind.AggregateTrade =>
            $"aggTrade #{message.Trade.AggregateId} {(message.Trade.Side == AggressorSide.Buy ? "BUY" : "SELL")} {message.Trade.Quantity} @ ${HumanFormat.Money(message.Trade.Price.ToDecimal())}",
        StreamMessageKind.ServerShutdown => "serverShutdown (the server is going away)",
        StreamMessageKind.ControlReply => "a control reply",
        _ => $"malformed ({message.Problem})",
    };
}
