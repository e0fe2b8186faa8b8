using OrderFlow.Actors.Configuration;
using OrderFlow.Protocol;
using Xunit;

namespace OrderFlow.Actors.Tests.Configuration;

public sealed class ConfigurationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("orderflow-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void The_shipped_defaults_load_and_point_at_real_Binance()
    {
        var (config, settings) = OrderFlowConfiguration.Load();

        Assert.Equal([Symbol.Parse("BTCUSDT")], settings.Symbols);
        Assert.Equal(new Uri("wss://stream.binance.com:9443"), settings.Binance.WebSocketUrl);
        Assert.Equal(new Uri("https://api.binance.com"), settings.Binance.RestUrl);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.Stream.ConnectTimeout);
        Assert.Equal(3, settings.Stream.MaxAttempts);
        Assert.Null(settings.Stream.IdleTimeout);
        Assert.Equal(new ConnectionBudgetSettings(300, TimeSpan.FromMinutes(5)), settings.Stream.ConnectionBudget);
        Assert.Equal(500_000, settings.History.Capacity);
        Assert.True(config.HasPath("orderflow.stream.backoff.random-factor"));
    }

    [Theory]
    [InlineData("usdm", false, "wss://fstream.binance.com/market", "https://fapi.binance.com", "/fapi/v1", 2400, 10)]
    [InlineData("coinm", false, "wss://dstream.binance.com", "https://dapi.binance.com", "/dapi/v1", 2400, 10)]
    [InlineData("spot", true, "wss://stream.testnet.binance.vision", "https://testnet.binance.vision", "/api/v3", 6000, 5)]
    public void Each_market_brings_its_own_endpoints_path_and_limits(string market, bool testnet, string ws, string rest, string path,
        int weightPerMinute, int messagesPerSecond)
    {
        var (_, settings) = OrderFlowConfiguration.Load(overrides:
        [
            new ConfigOverride("orderflow.binance.market", market, "--market"),
            new ConfigOverride("orderflow.binance.testnet", testnet ? "on" : "off", "test"),
        ]);

        Assert.Equal((new Uri(ws), new Uri(rest), path), (settings.Binance.WebSocketUrl, settings.Binance.RestUrl, settings.Binance.Market.RestPath));
        Assert.Equal((weightPerMinute, messagesPerSecond), (settings.Binance.RequestWeightPerMinute, settings.Binance.IncomingMessagesPerSecond));
    }

    [Fact]
    public void An_unknown_market_or_too_many_streams_for_it_is_one_line_naming_the_key()
    {
        var market = Assert.Throws<ConfigurationException>(() => OrderFlowConfiguration.Load(overrides:
            [new ConfigOverride("orderflow.binance.market", "futures", "--market")]));
        Assert.Equal("--market: orderflow.binance.market = futures: must be spot, usdm or coinm", market.Message);

        var streams = Assert.Throws<ConfigurationException>(() => OrderFlowConfiguration.Load(overrides:
        [
            new ConfigOverride("orderflow.binance.market", "usdm", "--market"),
            new ConfigOverride("orderflow.binance.streams-per-connection", "500", "test"),
        ]));
        Assert.Equal("test: orderflow.binance.streams-per-connection = 500: must be between 1 and 200", streams.Message);
    }

    [Fact]
    public void A_user_file_and_flags_layer_over_the_defaults_in_that_order()
    {
        var file = Write("""
            orderflow {
              symbols = [ETHUSDT, solusdt]
              stream.connect-timeout = 3s
              stream.idle-timeout-per-symbol { SOLUSDT = 90s }
              binance.ws-url = "wss://data-stream.binance.vision"
            }
            """);
        var (_, settings) = OrderFlowConfiguration.Load(file,
            [new ConfigOverride("orderflow.binance.ws-url", OrderFlowConfiguration.Quote("ws://127.0.0.1:1"), "--ws-url")]);

        Assert.Equal([Symbol.Parse("ETHUSDT"), Symbol.Parse("SOLUSDT")], settings.Symbols);
        Assert.Equal(TimeSpan.FromSeconds(3), settings.Stream.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(90), settings.Stream.IdleTimeoutFor(Symbol.Parse("SOLUSDT")));
        Assert.Null(settings.Stream.IdleTimeoutFor(Symbol.Parse("ETHUSDT")));
        Assert.Equal(new Uri("ws://127.0.0.1:1"), settings.Binance.WebSocketUrl);
        Assert.Equal(TimeSpan.FromSeconds(15), settings.Stream.KeepAliveInterval);
    }

    [Fact]
    public void Tick_bars_are_kept_for_every_symbol_and_volume_bars_for_the_symbols_that_name_them()
    {
        var file = Write("orderflow.bars { tick-bars = [1000, 250], volume-bars-per-symbol { BTCUSDT = [200, 50], \"usdm:ETHUSDT\" = [0.5] } }\n");
        var bars = OrderFlowConfiguration.Load(file).Settings.Metrics.BarsKept;
        Assert.Equal(["1m", "5m", "15m", "1h", "250t", "1000t", "50v", "200v"], bars.IntervalsFor(Symbol.Parse("BTCUSDT")).Select(i => i.ToString()));
        Assert.Equal(["1m", "5m", "15m", "1h", "250t", "1000t", "0.5v"], bars.IntervalsFor(Symbol.Parse("usdm:ETHUSDT")).Select(i => i.ToString()));
        Assert.Equal(["1m", "5m", "15m", "1h", "250t", "1000t"], bars.IntervalsFor(Symbol.Parse("ETHUSDT")).Select(i => i.ToString()));
    }

    [Fact]
    public void Symbols_are_names_and_patterns_and_a_bad_pattern_is_one_line()
    {
        var (_, settings) = OrderFlowConfiguration.Load(overrides:
            [new ConfigOverride("orderflow.symbols", OrderFlowConfiguration.QuoteList("btcusdt,*usdt,BTC???,币安USDT"), "--symbols")]);
        Assert.Equal([Symbol.Parse("BTCUSDT"), Symbol.Parse("币安USDT")], settings.Symbols);
        Assert.Equal(["*USDT", "BTC???"], settings.SymbolPatterns.Select(p => p.Text));
        var usdt = settings.SymbolPatterns[0];
        Assert.True(usdt.Matches(Symbol.Parse("SOLUSDT")) && usdt.Matches(Symbol.Parse("币安USDT")));
        Assert.False(usdt.Matches(Symbol.Parse("BNBBTC")) || usdt.Matches(Symbol.Parse("USDTTRY")));
        Assert.True(settings.SymbolPatterns[1].Matches(Symbol.Parse("BTCEUR")) && !settings.SymbolPatterns[1].Matches(Symbol.Parse("BTCUSDT")));

        var error = Assert.Throws<ConfigurationException>(() => OrderFlowConfiguration.Load(overrides:
            [new ConfigOverride("orderflow.symbols", OrderFlowConfiguration.QuoteList("*/USDT"), "--symbols")]));
        Assert.Equal("--symbols: orderflow.symbols = */USDT: invalid symbol pattern '*/USDT': use letters, digits, * (any run of them) and ? (one), such as *USDT or usdm:*USDT",
            error.Message);
    }

    [Fact]
    public void A_symbol_is_on_the_chosen_market_unless_it_names_its_own_and_futures_symbols_always_carry_theirs()
    {
        var (_, settings) = OrderFlowConfiguration.Load(overrides:
        [
            new ConfigOverride("orderflow.binance.market", "usdm", "--market"),
            new ConfigOverride("orderflow.symbols", OrderFlowConfiguration.QuoteList("btcusdt,spot:ethusdt,COINM:btcusd_perp,*USDC,spot:*EUR"), "--symbols"),
            new ConfigOverride("orderflow.binance.ws-url", OrderFlowConfiguration.Quote("ws://127.0.0.1:9001"), "--ws-url"),
        ], extraHocon: """orderflow.binance.markets.spot.rest-url = "http://127.0.0.1:9002" """);

        Assert.Equal(["usdm:BTCUSDT", "ETHUSDT", "coinm:BTCUSD_PERP"], settings.Symbols.Select(s => s.Value));
        Assert.Equal(("usdm", "BTCUSDT", "btcusdt"), (settings.Symbols[0].Market, settings.Symbols[0].Name, settings.Symbols[0].StreamName));
        Assert.Equal(Symbol.SpotMarket, settings.Symbols[1].Market);
        Assert.Equal(["usdm:*USDC", "*EUR"], settings.SymbolPatterns.Select(p => p.Text));
        Assert.True(settings.SymbolPatterns[0].Matches(Symbol.Parse("usdm:ETHUSDC")));
        Assert.False(settings.SymbolPatterns[0].Matches(Symbol.Parse("ETHUSDC")), "a pattern is resolved on its own market");

        // The keys under binance are the chosen market's; each other market has its own, or its defaults.
        Assert.Equal((new Uri("ws://127.0.0.1:9001"), new Uri("https://fapi.binance.com")), (settings.Binance.WebSocketUrl, settings.Binance.RestUrl));
        Assert.Same(settings.Binance, settings.MarketOf(settings.Symbols[0]));
        var spot = settings.MarketOf(settings.Symbols[1]);
        Assert.Equal((new Uri("wss://stream.binance.com:9443"), new Uri("http://127.0.0.1:9002"), 6000, 5),
            (spot.WebSocketUrl, spot.RestUrl, spot.RequestWeightPerMinute, spot.IncomingMessagesPerSecond));
        Assert.Equal("/dapi/v1", settings.MarketOf(settings.Symbols[2]).Market.RestPath);

        // spot: is never written, so one name means one instrument.
        Assert.Equal(Symbol.Parse("BTCUSDT"), Symbol.Parse("spot:btcusdt"));
        var unknown = Assert.Throws<ConfigurationException>(() => OrderFlowConfiguration.Load(overrides:
            [new ConfigOverride("orderflow.symbols", OrderFlowConfiguration.QuoteList("options:BTCUSDT"), "--symbols")]));
        Assert.Equal("--symbols: orderflow.symbols = options:BTCUSDT: invalid symbol 'options:BTCUSDT': 'options' is not a market (use spot, usdm, coinm)",
            unknown.Message);
    }

    [Fact]
    public void A_malformed_symbol_on_the_command_line_names_the_flag()
    {
        var error = Assert.Throws<ConfigurationException>(() => OrderFlowConfiguration.Load(overrides:
            [new ConfigOverride("orderflow.symbols", OrderFlowConfiguration.QuoteList("BTCUSDT,btc/usdt"), "--symbols")]));
        Assert.Equal("--symbols: orderflow.symbols = btc/usdt: invalid symbol 'btc/usdt': a Binance symbol is 2 to 20 letters, digits, '-', '_' or '.', such as BTCUSDT (on futures, its market first: usdm:BTCUSDT)", error.Message);
    }

    [Theory]
    [InlineData("orderflow.stream.connect-timeout = -1s", "orderflow.stream.connect-timeout = -1s: must be positive")]
    [InlineData("orderflow.stream.connect-timeout = soon", "orderflow.stream.connect-timeout = soon: is not a duration (use 500ms, 10s, 2m, 1h)")]
    [InlineData("orderflow.stream.max-attempts = 0", "orderflow.stream.max-attempts = 0: must be between 1 and 100")]
    [InlineData("orderflow.stream.backoff.random-factor = 2", "orderflow.stream.backoff.random-factor = 2: must be a number from 0 to 1")]
    [InlineData("orderflow.stream.backoff.max = 10ms", "orderflow.stream.backoff.max = 10ms: must not be less than orderflow.stream.backoff.min")]
    [InlineData("orderflow.binance.ws-url = \"https://example.com\"", "orderflow.binance.ws-url = https://example.com: must be an absolute ws or wss URL")]
    [InlineData("orderflow.symbols = []", "orderflow.symbols = []: names no symbol")]
    [InlineData("orderflow.symbols = BTCUSDT", "orderflow.symbols = BTCUSDT: must be a list such as [BTCUSDT, \"*USDT\"]")]
    [InlineData("orderflow.metrics.windows = 5m", "orderflow.metrics.windows = 5m: must be a list such as [1m, 5m, 15m, 1h]")]
    [InlineData("orderflow.log.level = loud", "orderflow.log.level = loud: must be debug, info, warning or error")]
    [InlineData("orderflow.log.format = xml", "orderflow.log.format = xml: must be text or json")]
    [InlineData("orderflow.store.kind = mysql", "orderflow.store.kind = mysql: must be sqlite or postgres or off")]
    [InlineData("orderflow.store.flush-interval = 0s", "orderflow.store.flush-interval = 0s: must be positive")]
    [InlineData("orderflow.log.levels { \"Akka.Remote\" = quiet }", "orderflow.log.levels.\"Akka.Remote\" = quiet: must be debug, info, warning or error")]
    [InlineData("akka.actor.ask-timeout = soon", "akka.actor.ask-timeout = soon: must be a duration such as infinite (Akka's default)")]
    [InlineData("akka.actor.serialize-messages = maybe", "akka.actor.serialize-messages = maybe: must be on or off (Akka's default: off)")]
    [InlineData("akka.remote.dot-netty.tcp.connection-timeout = long", "akka.remote.dot-netty.tcp.connection-timeout = long: must be a duration such as 15 s (Akka's default)")]
    [InlineData("akka.loglevel = DEBUGG", "akka.loglevel = DEBUGG: must be one of DEBUG, INFO, WARNING, ERROR, OFF")]
    [InlineData("orderflow.stream.idle-timeout-per-symbol { BTCUSDT = 0s }", "orderflow.stream.idle-timeout-per-symbol.BTCUSDT = 0s: must be positive")]
    [InlineData("orderflow.cluster.seed-nodes = [\"10.0.0.1:4053\"]", "orderflow.cluster.seed-nodes = 10.0.0.1:4053: is not an akka.tcp://orderflow@HOST:PORT address")]
    [InlineData("orderflow.cluster.seed-nodes = [\"akka.tcp://feed@10.0.0.1:4053\"]",
        "orderflow.cluster.seed-nodes = akka.tcp://feed@10.0.0.1:4053: names the actor system feed; every node's is orderflow")]
    [InlineData("orderflow.cluster { enabled = on }",
        "orderflow.cluster.enabled = on: needs orderflow.cluster.seed-nodes (--seed-nodes): the same list of akka.tcp://orderflow@HOST:PORT on every node; or orderflow.cluster.discovery.method")]
    [InlineData("orderflow.cluster.discovery.method = dns", "orderflow.cluster.discovery.method = dns: must be kubernetes-api or config")]
    [InlineData("orderflow.cluster.discovery.method = config", "orderflow.cluster.discovery.method = config: needs orderflow.cluster.discovery.endpoints: each node's HOST:AKKA-PORT")]
    [InlineData("orderflow.cluster.discovery { method = config, endpoints = [\"10.0.0.1\"] }", "orderflow.cluster.discovery.endpoints = 10.0.0.1: is not HOST:PORT")]
    [InlineData("orderflow.cluster { seed-nodes = [\"akka.tcp://orderflow@10.0.0.1:4053\"], discovery.method = kubernetes-api }",
        "orderflow.cluster.discovery.method = kubernetes-api: and orderflow.cluster.seed-nodes are two ways to find the seeds: set one")]
    [InlineData("orderflow.cluster.shards = 0", "orderflow.cluster.shards = 0: must be between 1 and 10000")]
    [InlineData("orderflow.bars.tick-bars = [0]", "orderflow.bars.tick-bars = 0: must be whole numbers from 1 to 100,000,000, such as [1000]")]
    [InlineData("orderflow.bars.volume-bars-per-symbol { BTCUSDT = [0.000000001] }",
        "orderflow.bars.volume-bars-per-symbol.BTCUSDT = 0.000000001: must be positive amounts with at most 8 decimals, such as [50, 200]")]
    public void A_bad_value_names_the_file_line_and_key(string line, string problem)
    {
        var file = Write("# my settings\n" + line + "\n");
        var error = Assert.Throws<ConfigurationException>(() => OrderFlowConfiguration.Load(file));
        Assert.Equal($"{file}:2: {problem}", error.Message);
    }

    [Theory]
    [InlineData("orderflow {\n  symbols = [BTCUSDT,\n    ETHUSDT\n}\n", 4, "missing ']' for the '[' opened on line 2 (found '}')")]
    [InlineData("orderflow {\n  symbols = [BTCUSDT,\n", 3, "missing ']' for the '[' opened on line 2 (found the end of the file)")]
    [InlineData("orderflow {\n  stream {\n    connect-timeout = 5s\n", 4, "missing '}' for the '{' opened on line 2")]
    [InlineData("orderflow.binance.ws-url = \"wss://x\n", 1, "unterminated string: a '\"' is missing before the end of the line")]
    [InlineData("orderflow.stream { connect-timeout = }\n", 1, "missing value for 'orderflow.stream.connect-timeout'")]
    [InlineData("orderflow.binance.ws-url = wss://stream.binance.com:9443\n", 1, "unexpected ':' in the value of 'orderflow.binance.ws-url': quote values that contain ':', such as URLs")]
    [InlineData("orderflow.stream.conect-timeout = 5s\n", 1, "unknown key 'orderflow.stream.conect-timeout' (see hocon/orderflow.conf for the keys)")]
    [InlineData("orderflow.remote.port = 4053\n", 1, "orderflow.remote.port is now orderflow.remote.akka-port")]
    [InlineData("orderflw.stream.connect-timeout = 5s\n", 1, "unknown top-level key 'orderflw' (settings live under orderflow, Akka's under akka)")]
    [InlineData("# mine\nakka.loglevel = INFO\nlogging { level = debug }\n", 3, "unknown top-level key 'logging' (settings live under orderflow, Akka's under akka)")]
    [InlineData("orderflow.stream.connect-timeout 5s\n", 1, "expected '=' or ':' after the key 'orderflow.stream.connect-timeout', found '5s'")]
    public void An_unparsable_file_names_the_file_and_line(string text, int line, string problem)
    {
        var file = Write(text);
        var error = Assert.Throws<ConfigurationException>(() => OrderFlowConfiguration.Load(file));
        Assert.Equal($"{file}:{line}: {problem}", error.Message);
    }

    [Fact]
    public void Settings_for_Akka_itself_pass_through()
    {
        var (config, _) = OrderFlowConfiguration.Load(Write("akka.loglevel = DEBUG\n"));
        Assert.Equal("DEBUG", config.GetString("akka.loglevel"));
    }

    [Fact]
    public void Log_levels_per_source_take_names_with_dots()
    {
        var (_, settings) = OrderFlowConfiguration.Load(Write("""
            orderflow.log {
              level = warning
              format = json
              levels { "OrderFlow.Actors.Connection" = debug, "Akka.Remote" = error }
            }
            """));
        Assert.Equal(Akka.Event.LogLevel.WarningLevel, settings.Log.Level);
        Assert.Equal(LogFormat.Json, settings.Log.Format);
        Assert.Equal(Akka.Event.LogLevel.DebugLevel, settings.Log.Levels["OrderFlow.Actors.Connection"]);
        Assert.Equal(Akka.Event.LogLevel.ErrorLevel, settings.Log.Levels["Akka.Remote"]);
        Assert.Equal(Akka.Event.LogLevel.DebugLevel, settings.Log.Lowest);
    }

    [Fact]
    public void A_missing_file_says_so()
    {
        var missing = Path.Combine(_directory, "nope.conf");
        var error = Assert.Throws<ConfigurationException>(() => OrderFlowConfiguration.Load(missing));
        Assert.StartsWith($"{missing}: cannot read the configuration file", error.Message);
    }

    private string Write(string text)
    {
        var path = Path.Combine(_directory, $"{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, text);
        return path;
    }
}
