using System.CommandLine;
using System.Net;
using System.Net.WebSockets;
using OrderFlow.Actors.Configuration;
using OrderFlow.Host.Hosting;
using OrderFlow.Simulator;
using Serilog;

namespace OrderFlow.Host.Cli;

/// <summary>
/// <c>orderflow demo</c>: the whole service offline. Starts the simulated exchange on loopback (spot, or the futures
/// layout with --market) and streams three busy symbols and a universe of quieter ones on shared connections, and,
/// unless --market chose one market, two USD-M perpetuals from a second exchange beside them (one host, two markets);
/// unless --calm, a fault tour then breaks a connection every 20 seconds, one way after another, so the log shows each
/// failure reported, for every symbol it touched, and recovered from.
/// </summary>
public static class DemoCommand
{
    private const string DemoSettings = """
        orderflow.stream {
          keepalive-interval = 2s
          keepalive-timeout = 2s
          connect-timeout = 3s
          first-message-timeout = 5s
          summary-interval = 30s
          trades-logged-per-connection = 1
          backoff { min = 500ms, max = 5s }
          cool-down { min = 5s, max = 30s }
        }
        # The simulator's prices move a few ticks a trade: two-tick footprint levels give its ladders rungs to read, and
        # tick and volume bars show beside the time bars (orderflow bars BTCUSDT --interval 500t, or 100v).
        orderflow.bars { footprint-ticks-per-level = 2, tick-bars = [500], volume-bars-per-symbol { BTCUSDT = [100] } }
        """;

    private static readonly TimeSpan FaultEvery = TimeSpan.FromSeconds(20);

    /// <summary>Beyond the three busy symbols: a universe of quieter ones, 100 trades a second in all, skewed.</summary>
    private const int UniverseSize = 33;

    public static Command Create()
    {
        var calm = new Option<bool>("--calm") { Description = "No fault tour: just stream" };
        var rate = new Option<double>("--rate") { Description = "Trades per second of each busy symbol (default 20)", DefaultValueFactory = _ => 20 };
        var market = OrderFlowCli.MarketOption();
        var akkaPort = OrderFlowCli.AkkaPortOption();
        var httpPort = OrderFlowCli.HttpPortOption();
        var logJson = OrderFlowCli.LogJsonOption();
        var nodes = new Option<int>("--nodes")
        {
            Description = "Run a cluster of this many `orderflow run --cluster` processes on loopback (2 to 5; 3 or more survive a node's loss); its tour kills one now and then",
            DefaultValueFactory = _ => 1,
        };
        nodes.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 5) result.AddError("--nodes: use 1 to 5");
        });
        var command = new Command("demo", "Run against a simulated exchange on loopback, with a tour of faults") { calm, rate, market, akkaPort, httpPort, logJson, nodes };
        command.SetAction(async (parsed, _) =>
        {
            var busy = new SimulatorOptions().Symbols;
            var marketName = parsed.GetValue(market) ?? "spot";
            await using var exchange = await ExchangeSimulator.StartAsync(new SimulatorOptions
            {
                Symbols = [.. busy, .. SimulatorOptions.Universe(UniverseSize, totalTradesPerSecond: 100)],
                Market = marketName,
                TradesPerSecond = parsed.GetValue(rate),
                PingInterval = TimeSpan.FromSeconds(5),
                PongTimeout = TimeSpan.FromSeconds(10),
            }).ConfigureAwait(false);
            // The perpetuals trade a little off spot, as they do (the basis).
            await using var perpetuals = parsed.GetValue(market) is null
                ? await ExchangeSimulator.StartAsync(new SimulatorOptions
                {
                    Symbols = [new SimulatedSymbol("BTCUSDT", 91_410m, 0.1m), new SimulatedSymbol("ETHUSDT", 3_101m)],
                    Market = "usdm",
                    TradesPerSecond = parsed.GetValue(rate),
                    PingInterval = TimeSpan.FromSeconds(5),
                    PongTimeout = TimeSpan.FromSeconds(10),
                }).ConfigureAwait(false)
                : null;
            var symbols = exchange.Listed.Concat(perpetuals?.Listed.Select(name => $"usdm:{name}") ?? []);
            // The simulated exchange starts its ids afresh each run: so does the demo's tape, in a file of its own.
            var tape = Directory.CreateTempSubdirectory("orderflow-demo-");
            // The default ports, unless something holds them (another host, another program): then any free ones, said below.
            var (akka, http) = (parsed.GetValue(akkaPort) ?? FreeOrAny(4053), parsed.GetValue(httpPort) ?? FreeOrAny(4054));
            var demoHocon = DemoSettings + $"\norderflow.store.path = {OrderFlowConfiguration.Quote(Path.Combine(tape.FullName, "tape.db"))}\n" + (perpetuals is null ? "" : $$"""

                orderflow.binance.markets.usdm { ws-url = "{{perpetuals.WebSocketUrl}}", rest-url = "{{perpetuals.RestUrl}}" }
                """);
            var (config, settings) = OrderFlowConfiguration.Load(
                overrides: OrderFlowCli.Overrides(string.Join(",", symbols), exchange.WebSocketUrl.ToString(), exchange.RestUrl.ToString(),
                    akka, http, parsed.GetValue(logJson), marketName),
                extraHocon: demoHocon);
            if (parsed.GetValue(nodes) > 1)
            {
                await RunClusterAsync(parsed.GetValue(nodes), parsed.GetValue(calm), demoHocon, tape.FullName, OrderFlowLogging.Start(settings.Log),
                    ["--symbols", string.Join(",", symbols), "--ws-url", exchange.WebSocketUrl.ToString(), "--rest-url", exchange.RestUrl.ToString(),
                        "--market", marketName, .. parsed.GetValue(logJson) ? new[] { "--log-json" } : []]).ConfigureAwait(false);
                tape.Delete(recursive: true);
                return OrderFlowCli.Success;
            }

            var log = OrderFlowLogging.Start(settings.Log);
            log.Information("🎭 Simulated exchange listening on {ExchangeUrl} (press Ctrl+C to stop)", exchange.WebSocketUrl);
            foreach (var (port, chosen, what) in new[] { (4053, akka, "Akka.Remote"), (4054, http, "the HTTP API") })
                if (chosen == 0) log.Warning("🎭 Port {Port} is taken: {What} listens on a free port instead (below; the CLI finds it by itself)", port, what);
            if (perpetuals is not null) log.Information("🎭 Simulated USD-M exchange listening on {ExchangeUrl}: usdm:BTCUSDT and usdm:ETHUSDT", perpetuals.WebSocketUrl);
            using var stopTour = new CancellationTokenSource();
            var tour = parsed.GetValue(calm) ? Task.CompletedTask : FaultTourAsync(exchange, stopTour.Token);
            await OrderFlowHost.RunAsync(config, settings).ConfigureAwait(false);
            await stopTour.CancelAsync().ConfigureAwait(false);
            await tour.ConfigureAwait(false);
            tape.Delete(recursive: true);
            return OrderFlowCli.Success;
        });
        return command;
    }

    /// <summary>The demo as a cluster of real processes (<see cref="DemoCluster"/>), until Ctrl+C or SIGTERM.</summary>
    private static async Task RunClusterAsync(int nodes, bool calm, string demoHocon, string tape, ILogger log, IReadOnlyList<string> runArguments)
    {
        var configFile = Path.Combine(tape, "demo.conf");
        await File.WriteAllTextAsync(configFile, demoHocon).ConfigureAwait(false);
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, signal =>
        {
            signal.Cancel = true;
            stop.Cancel();
        });
        await using var cluster = new DemoCluster(runArguments, configFile, log);
        await cluster.RunAsync(nodes, calm, stop.Token).ConfigureAwait(false);
        log.Information("🎭 Stopping the nodes: each hands its symbols over and leaves");
    }

    /// <summary><paramref name="port"/> when nothing listens on it on loopback, else 0 (any free one).</summary>
    private static int FreeOrAny(int port) => OrderFlowHost.IsFree(IPAddress.Loopback, port) ? port : 0;

    private static async Task FaultTourAsync(ExchangeSimulator exchange, CancellationToken stop)
    {
        var faults = new (string Say, Action Do, Action? Undo)[]
        {
            ("dropping ETHUSDT's TCP connection (no close frame)", () => exchange.DropConnections("ETHUSDT"), null),
            ("freezing SOLUSDT's connection: no data, pings unanswered (half-open)", () => exchange.FreezeConnections("SOLUSDT"), null),
            ("announcing serverShutdown on BTCUSDT", () => exchange.AnnounceShutdown("BTCUSDT"), null),
            ("closing ETHUSDT with code 1008 and answering reconnects with HTTP 429, Retry-After 3s",
                () =>
                {
                    exchange.SetUpgradeFault("ETHUSDT", new UpgradeFault.Refuse(HttpStatusCode.TooManyRequests, 3));
                    exchange.CloseConnections("ETHUSDT", WebSocketCloseStatus.PolicyViolation, "too many requests");
                },
                () => exchange.SetUpgradeFault("ETHUSDT", null)),
            ("SOLUSDT's server stops answering upgrades (connect timeouts follow)",
                () =>
                {
                    exchange.SetUpgradeFault("SOLUSDT", new UpgradeFault.NeverAnswer());
                    exchange.DropConnections("SOLUSDT");
                },
                () => exchange.SetUpgradeFault("SOLUSDT", null)),
            ("sending BTCUSDT a malformed frame and a binary frame",
                () =>
                {
                    exchange.SendText("BTCUSDT", """{"e":"aggTrade","s":"BTCUSDT","p":"not a price"}""");
                    exchange.SendBinary("BTCUSDT", [1, 2, 3]);
                }, null),
        };

        try
        {
            for (var i = 0; ; i++)
            {
                await Task.Delay(FaultEvery, stop).ConfigureAwait(false);
                var (say, act, undo) = faults[i % faults.Length];
                Log.Information("🎭 demo fault: {Fault}", say);
                act();
                if (undo is null) continue;
                await Task.Delay(FaultEvery / 2, stop).ConfigureAwait(false);
                Log.Information("🎭 demo fault cleared");
                undo();
            }
        }
        catch (OperationCanceledException)
        {
            // The demo is over.
        }
    }
}
