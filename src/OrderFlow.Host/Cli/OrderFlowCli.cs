using System.CommandLine;
using OrderFlow.Actors.Configuration;

namespace OrderFlow.Host.Cli;

/// <summary>
/// The <c>orderflow</c> command line. Exit codes: 0 success (answered), 1 failure (the probe failed; not found or not
/// ready), 2 usage or configuration error, 3 the host could not be reached.
/// </summary>
public static class OrderFlowCli
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int UsageError = 2;
    public const int Unreachable = 3;

    private static readonly string[] Verbs = ["run", "probe", "export", "replay", "demo", "status", "cluster", "trades", "metrics", "bars", "footprint", "add", "remove", "watch", "-h", "--help", "-?", "--version"];

    public static async Task<int> InvokeAsync(string[] args)
    {
        // `run` is the default verb: `orderflow --symbols BTCUSDT` means `orderflow run --symbols BTCUSDT`.
        if (args.Length == 0 || !Verbs.Contains(args[0])) args = ["run", .. args];

        var root = new RootCommand("OrderFlow.Actors: Binance aggregate-trade streams and order-flow metrics for planners.")
        {
            RunCommand.Create(),
            ProbeCommand.Create(),
            ExportCommand.Create(),
            ReplayCommand.Create(),
            DemoCommand.Create(),
            QueryCommands.Status(),
            QueryCommands.Cluster(),
            QueryCommands.Trades(),
            QueryCommands.Metrics(),
            BarCommands.Bars(),
            BarCommands.Footprint(),
            QueryCommands.Add(),
            QueryCommands.Remove(),
            WatchCommand.Create(),
        };
        var parsed = root.Parse(args);
        var json = args.Contains("--json");
        // One line, the first mistake: a second is most often the first one's echo.
        if (parsed.Errors.Count > 0) return CliErrors.Usage(json, $"{parsed.Errors[0].Message} (see orderflow {args[0]} --help)");

        try
        {
            // The generic host handles Ctrl+C and SIGTERM itself, with a clean shutdown; the parser must not race it.
            // Errors are ours to word: the parser's own handler would print a stack trace.
            var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false };
            return await parsed.InvokeAsync(invocation).ConfigureAwait(false);
        }
        catch (UsageException e)
        {
            return CliErrors.Usage(json, e.Message, e.Parameter);
        }
        catch (ConfigurationException e)
        {
            Console.Error.WriteLine($"orderflow: configuration error: {e.Message}");
            return UsageError;
        }
        catch (OrderFlow.Actors.Store.TapeStoreException e)
        {
            Console.Error.WriteLine($"orderflow: {e.Message}");
            return UsageError;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"orderflow: stopped by an unexpected error: {e.GetType().Name}: {e.Message}");
            return Failure;
        }
    }

    public static Option<string> SymbolsOption() => new("--symbols") { Description = "Symbols to stream, comma-separated (BTCUSDT,ETHUSDT,usdm:BTCUSDT,'*USDT'); overrides orderflow.symbols" };

    public static Option<string> MarketOption() => new("--market") { Description = "The market of symbols named without one: spot, usdm (USD-M futures) or coinm (COIN-M futures); overrides orderflow.binance.market" };

    public static Option<string> WebSocketUrlOption() => new("--ws-url") { Description = "WebSocket base URL; overrides orderflow.binance.ws-url" };

    public static Option<string> RestUrlOption() => new("--rest-url") { Description = "REST base URL; overrides orderflow.binance.rest-url" };

    public static Option<FileInfo> ConfigOption() => new("--config") { Description = "A HOCON file layered over hocon/orderflow.conf" };

    public static Option<int?> AkkaPortOption() => new("--akka-port") { Description = "Port planners reach this host on over Akka.Remote (0: any free one); overrides orderflow.remote.akka-port" };

    public static Option<int?> HttpPortOption() => new("--http-port") { Description = "Port of the HTTP query endpoint the query verbs ask (0: any free one); overrides orderflow.remote.http-port" };

    public static Option<bool> LogJsonOption() => new("--log-json") { Description = "Log one JSON object per line (compact Serilog JSON); overrides orderflow.log.format" };

    /// <summary>The command-line flags that override configuration keys, in the order they apply.</summary>
    public static List<ConfigOverride> Overrides(string? symbols, string? webSocketUrl, string? restUrl, int? akkaPort = null, int? httpPort = null,
        bool logJson = false, string? market = null)
    {
        var overrides = new List<ConfigOverride>();
        if (market is not null) overrides.Add(new("orderflow.binance.market", OrderFlowConfiguration.Quote(market), "--market"));
        if (logJson) overrides.Add(new("orderflow.log.format", "json", "--log-json"));
        if (akkaPort is { } port) overrides.Add(new("orderflow.remote.akka-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--akka-port"));
        if (httpPort is { } http) overrides.Add(new("orderflow.remote.http-port", http.ToString(System.Globalization.CultureInfo.InvariantCulture), "--http-port"));
        if (symbols is not null) overrides.Add(new("orderflow.symbols", OrderFlowConfiguration.QuoteList(symbols), "--symbols"));
        if (webSocketUrl is not null) overrides.Add(new("orderflow.binance.ws-url", OrderFlowConfiguration.Quote(webSocketUrl), "--ws-url"));
        if (restUrl is not null) overrides.Add(new("orderflow.binance.rest-url", OrderFlowConfiguration.Quote(restUrl), "--rest-url"));
        return overrides;
    }
}
