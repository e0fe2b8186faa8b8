using System.Globalization;
using Akka.Configuration;
using OrderFlow.Actors.Metrics;
using OrderFlow.Protocol;

namespace OrderFlow.Actors.Configuration;

/// <summary>A key set from the command line: it wins over every file.</summary>
public sealed record ConfigOverride(string Key, string HoconValue, string Flag);

/// <summary>
/// Loads hocon/orderflow.conf (every default, found beside the binaries), layers an optional user file over it, then
/// command-line overrides, and binds the result. Any problem surfaces as one <see cref="ConfigurationException"/>
/// line naming the file and line, or the flag, and the key.
/// </summary>
public static class OrderFlowConfiguration
{
    // Maps keyed by symbol (or by log source): their keys are the user's, not ours.
    private static readonly string[] PerSymbolMaps =
        ["orderflow.stream.idle-timeout-per-symbol.", "orderflow.metrics.large-trade-notional-per-symbol.", "orderflow.bars.volume-bars-per-symbol.",
            "orderflow.log.levels."];

    public static string DefaultsFile => Path.Combine(AppContext.BaseDirectory, "hocon", "orderflow.conf");

    public static (Config Config, OrderFlowSettings Settings) Load(string? userFile = null,
        IReadOnlyList<ConfigOverride>? overrides = null, string? extraHocon = null)
    {
        var where = new Dictionary<string, string>(StringComparer.Ordinal);
        var config = Parse(File.ReadAllText(DefaultsFile), "hocon/orderflow.conf", where, known: null);
        var known = new HashSet<string>(where.Keys, StringComparer.Ordinal);

        if (userFile is not null)
        {
            string text;
            try { text = File.ReadAllText(userFile); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ConfigurationException($"{userFile}: cannot read the configuration file: {e.Message}");
            }
            config = Parse(text, userFile, where, known).WithFallback(config);
        }

        if (extraHocon is not null)
            config = Parse(extraHocon, "(embedded configuration)", where, known).WithFallback(config);

        foreach (var o in overrides ?? [])
        {
            config = ConfigurationFactory.ParseString($"{o.Key} = {o.HoconValue}").WithFallback(config);
            where[o.Key] = o.Flag;
        }

        // A quoted part of a key (a log source with dots) is unquoted in the syntax check's paths.
        string Where(string key) => where.TryGetValue(key.Replace("\"", ""), out var source) ? source : "hocon/orderflow.conf";
        AkkaSettingsCheck.Check(config, where.Keys, Where);
        return (config, Bind(config, Where));
    }

    /// <summary>Quotes a command-line value so that HOCON takes it literally (URLs contain ':').</summary>
    public static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    /// <summary>
    /// A symbol as configuration names it: with its market (<c>usdm:BTCUSDT</c>), or without, on
    /// <paramref name="market"/> (the market orderflow.binance.market chose). The CLI reads symbols this way too.
    /// </summary>
    public static bool TryParseSymbol(string text, string market, out Symbol symbol, out string error)
    {
        if (!text.Contains(':')) return Symbol.TryParse(market, text, out symbol, out error);
        if (!Symbol.TryParse(text, out symbol, out error)) return false;
        if (Actors.Binance.BinanceMarket.Names.Contains(symbol.Market)) return true;
        error = $"invalid symbol '{text}': '{symbol.Market}' is not a market (use {string.Join(", ", Actors.Binance.BinanceMarket.Names)})";
        return false;
    }

    /// <summary>A comma-separated flag value as a HOCON list of quoted strings.</summary>
    public static string QuoteList(string commaSeparated) =>
        "[" + string.Join(", ", commaSeparated.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(Quote)) + "]";

    /// <summary>Keys that were renamed: an old config says what to write now, rather than just "unknown".</summary>
    private static readonly Dictionary<string, string> Renamed = new() { ["orderflow.remote.port"] = "orderflow.remote.akka-port" };

    private static Config Parse(string text, string source, Dictionary<string, string> where, HashSet<string>? known)
    {
        var lines = HoconSyntax.Check(text, source);
        foreach (var (key, line) in lines)
        {
            // A typo in the root key would otherwise be a whole file of settings ignored without a word.
            if (known is not null && key.Split('.')[0] is not ("orderflow" or "akka"))
                throw new ConfigurationException(
                    $"{source}:{line}: unknown top-level key '{key.Split('.')[0]}' (settings live under orderflow, Akka's under akka)");
            if (known is not null && key.StartsWith("orderflow", StringComparison.Ordinal) &&
                !known.Contains(key) && !PerSymbolMaps.Any(map => key.StartsWith(map, StringComparison.Ordinal)))
                throw new ConfigurationException(Renamed.TryGetValue(key, out var now)
                    ? $"{source}:{line}: {key} is now {now}"
                    : $"{source}:{line}: unknown key '{key}' (see hocon/orderflow.conf for the keys)");
            where[key] = $"{source}:{line}";
        }

        try
        {
            return ConfigurationFactory.ParseString(text);
        }
        catch (Exception e)
        {
            throw new ConfigurationException($"{source}: {e.Message}");
        }
    }

    /// <summary>
    /// Every market's endpoints and limits, by name: each its own, replaced where <c>orderflow.binance.markets.NAME</c>
    /// says something other than <c>market</c>, and for the market <c>orderflow.binance.market</c> names, where the
    /// keys directly under <c>orderflow.binance</c> do (what <c>--ws-url</c> and <c>--rest-url</c> set).
    /// </summary>
    private static IReadOnlyDictionary<string, BinanceSettings> Markets(ConfigReader read, string chosen)
    {
        var testnet = read.Flag("orderflow.binance.testnet");
        var markets = new Dictionary<string, BinanceSettings>();
        foreach (var name in Actors.Binance.BinanceMarket.Names)
        {
            var market = Actors.Binance.BinanceMarket.For(name, testnet);
            var section = $"orderflow.binance.markets.{name}";
            // The key that sets it: the top-level one for the chosen market when it is set, else the market's own section.
            string Key(string key) => name == chosen && read.Raw($"orderflow.binance.{key}").Trim() != "market" ? $"orderflow.binance.{key}" : $"{section}.{key}";
            bool Own(string key) => read.Raw(Key(key)).Trim() == "market";
            markets[name] = new BinanceSettings(
                market,
                Own("ws-url") ? market.WebSocketUrl : read.Url(Key("ws-url"), "ws", "wss"),
                Own("rest-url") ? market.RestUrl : read.Url(Key("rest-url"), "http", "https"),
                read.PositiveDuration("orderflow.binance.rest-timeout"),
                read.PositiveDuration("orderflow.binance.exchange-info-refresh"),
                Own("request-weight-per-minute") ? market.RequestWeightPerMinute : read.Int(Key("request-weight-per-minute"), min: 4, max: 1_000_000),
                name == chosen
                    ? read.Int("orderflow.binance.streams-per-connection", min: 1, max: market.MaxStreamsPerConnection)
                    : Math.Min(read.Int("orderflow.binance.streams-per-connection", min: 1, max: 1024), market.MaxStreamsPerConnection),
                Own("incoming-messages-per-second") ? market.IncomingMessagesPerSecond : read.Int(Key("incoming-messages-per-second"), min: 1, max: 1000));
        }
        return markets;
    }

    /// <summary>The futures symbols whose open interest is polled: names only (no patterns), each on a futures market.</summary>
    private static IReadOnlyList<Symbol> Polled(ConfigReader read, string market)
    {
        const string key = "orderflow.derivatives.open-interest-polled";
        var polled = new List<Symbol>();
        foreach (var item in read.List(key, "[\"usdm:BTCUSDT\"]"))
        {
            if (!TryParseSymbol(item, market, out var symbol, out var error)) throw read.Problem(key, item, error);
            if (symbol.Market == Symbol.SpotMarket) throw read.Problem(key, item, "is a spot symbol: only futures have open interest");
            if (!polled.Contains(symbol)) polled.Add(symbol);
        }
        return polled;
    }

    private static StoreSettings Store(ConfigReader read)
    {
        var kind = read.Choice("orderflow.store.kind", StoreKind.Sqlite, StoreKind.Postgres, StoreKind.Off);
        var path = read.Raw("orderflow.store.path").Trim();
        var connectionString = read.Raw("orderflow.store.connection-string").Trim();
        if (kind == StoreKind.Postgres && connectionString.Length == 0)
            throw read.Problem("orderflow.store.connection-string", "", "is needed when orderflow.store.kind = postgres (Host=...;Database=...;Username=...)");
        return new StoreSettings(kind, path is "default" or "" ? StoreSettings.DefaultPath : Path.GetFullPath(path), connectionString,
            read.PositiveDuration("orderflow.store.retention"), read.PositiveDuration("orderflow.store.flush-interval"));
    }

    private static OrderFlowSettings Bind(Config config, Func<string, string> where)
    {
        var read = new ConfigReader(config, where);
        var market = read.Choice("orderflow.binance.market", Actors.Binance.BinanceMarket.Names.ToArray());
        var markets = Markets(read, market);
        var symbols = read.Symbols("orderflow.symbols", market);
        var stream = new StreamSettings(
            ConnectTimeout: read.PositiveDuration("orderflow.stream.connect-timeout"),
            FirstMessageTimeout: read.PositiveDuration("orderflow.stream.first-message-timeout"),
            KeepAliveInterval: read.PositiveDuration("orderflow.stream.keepalive-interval"),
            KeepAliveTimeout: read.PositiveDuration("orderflow.stream.keepalive-timeout"),
            IdleTimeout: read.OptionalDuration("orderflow.stream.idle-timeout"),
            IdleTimeoutPerSymbol: read.PerSymbol("orderflow.stream.idle-timeout-per-symbol", market, read.OptionalDuration),
            MaxConnectionAge: read.PositiveDuration("orderflow.stream.max-connection-age"),
            MaxAttempts: read.Int("orderflow.stream.max-attempts", min: 1, max: 100),
            Backoff: read.Backoff("orderflow.stream.backoff"),
            CoolDown: read.Backoff("orderflow.stream.cool-down"),
            ConnectionBudget: new ConnectionBudgetSettings(
                read.Int("orderflow.stream.connection-budget.attempts", min: 1, max: 100_000),
                read.PositiveDuration("orderflow.stream.connection-budget.per")),
            MaxFrameBytes: read.Int("orderflow.stream.max-frame-bytes", min: 1024, max: 16 * 1024 * 1024),
            TradesLoggedPerConnection: read.Int("orderflow.stream.trades-logged-per-connection", min: 0, max: 1000),
            SummaryInterval: read.PositiveDuration("orderflow.stream.summary-interval"));

        return new OrderFlowSettings(
            symbols.Names,
            symbols.Patterns,
            markets[market],
            markets,
            stream,
            new BackfillSettings(
                read.Int("orderflow.backfill.max-attempts", min: 1, max: 1000),
                read.PositiveDuration("orderflow.backfill.retry-delay"),
                read.Int("orderflow.backfill.max-held", min: 1, max: 10_000_000)),
            new HistorySettings(read.Int("orderflow.history.capacity", min: 1, max: 100_000_000), read.OptionalDuration("orderflow.history.warmup")),
            Store(read),
            new MetricsSettings(
                read.Windows("orderflow.metrics.windows"),
                read.Notional("orderflow.metrics.large-trade-notional"),
                read.PerSymbol("orderflow.metrics.large-trade-notional-per-symbol", market, read.Notional),
                read.Int("orderflow.metrics.profile-ticks-per-bin", min: 0, max: 1_000_000),
                read.Int("orderflow.metrics.value-area-percent", min: 1, max: 100),
                read.Anchor("orderflow.metrics.cvd-anchor"),
                Bars(read, market)),
            new RemoteSettings(
                read.Host("orderflow.remote.host"),
                read.Int("orderflow.remote.akka-port", min: 0, max: 65_535),
                read.Int("orderflow.remote.http-port", min: 0, max: 65_535),
                read.PositiveDuration("orderflow.remote.query-timeout"),
                read.Raw("orderflow.http.api-key").Trim() is { Length: > 0 } key ? key : null,
                config.HasPath("akka.remote.dot-netty.tcp.enable-ssl") && read.Flag("akka.remote.dot-netty.tcp.enable-ssl"),
                read.Flag("orderflow.remote.allow-plaintext")),
            new LogSettings(
                read.LogLevel("orderflow.log.level"),
                read.Choice("orderflow.log.format", LogFormat.Text, LogFormat.Json),
                read.PerSource("orderflow.log.levels", read.LogLevel)),
            Cluster(read),
            new DerivativesSettings(read.Flag("orderflow.derivatives.liquidations"), read.Flag("orderflow.derivatives.mark-price"),
                read.PositiveDuration("orderflow.derivatives.mark-stale-after"), read.Flag("orderflow.derivatives.open-interest"),
                Polled(read, market), read.PositiveDuration("orderflow.derivatives.open-interest-poll-every")));
    }

    private static BarSettings Bars(ConfigReader read, string market)
    {
        const string at = "orderflow.bars";
        var keep = read.Int($"{at}.keep", min: 1, max: 100_000);
        return new BarSettings(read.Windows($"{at}.intervals", noneAllowed: true), keep, read.Int($"{at}.footprint-keep", min: 0, max: keep),
            read.Int($"{at}.footprint-ticks-per-level", min: 0, max: 1_000_000_000), read.PositiveDuration($"{at}.grace"),
            new Actors.Bars.ImbalanceRule(read.Int($"{at}.imbalance.ratio-percent", min: 1, max: 100_000),
                Fixed8.FromDecimal(read.Quantity($"{at}.imbalance.min-volume")).Raw,
                read.Choice($"{at}.imbalance.zero", "skip", "min-qty") == "skip" ? Actors.Bars.ZeroSide.Skip : Actors.Bars.ZeroSide.MinQty,
                read.Int($"{at}.imbalance.stack", min: 2, max: 1_000)),
            read.Counts($"{at}.tick-bars", max: 100_000_000),
            read.PerSymbol($"{at}.volume-bars-per-symbol", market, read.Amounts));
    }

    private static ClusterSetup Cluster(ConfigReader read)
    {
        var enabled = read.Flag("orderflow.cluster.enabled");
        var seeds = read.SeedNodes("orderflow.cluster.seed-nodes");
        var discovery = Discovery(read);
        if (enabled && seeds.Count == 0 && discovery is null)
            throw read.Problem("orderflow.cluster.enabled", read.Raw("orderflow.cluster.enabled"),
                "needs orderflow.cluster.seed-nodes (--seed-nodes): the same list of akka.tcp://orderflow@HOST:PORT on every node; or orderflow.cluster.discovery.method");
        if (seeds.Count > 0 && discovery is not null)
            throw read.Problem("orderflow.cluster.discovery.method", discovery.Method, "and orderflow.cluster.seed-nodes are two ways to find the seeds: set one");
        // Nodes that name no egress group are each their host's own: the address Akka listens on.
        var egress = read.Raw("orderflow.cluster.egress").Trim() is { Length: > 0 } group ? group : read.Host("orderflow.remote.host");
        return new ClusterSetup(enabled, seeds, read.Names("orderflow.cluster.roles"), read.Int("orderflow.cluster.shards", min: 1, max: 10_000), egress,
            enabled ? discovery : null);
    }

    private static SeedDiscovery? Discovery(ConfigReader read)
    {
        const string at = "orderflow.cluster.discovery";
        if (read.Raw($"{at}.method").Trim().Length == 0) return null;
        var method = read.Choice($"{at}.method", "kubernetes-api", "config");
        var endpoints = read.Names($"{at}.endpoints");
        if (method == "config" && endpoints.Count == 0)
            throw read.Problem($"{at}.method", method, $"needs {at}.endpoints: each node's HOST:AKKA-PORT");
        foreach (var endpoint in endpoints)
            if (endpoint.Split(':') is not [{ Length: > 0 }, var port] || !int.TryParse(port, out var number) || number is <= 0 or > 65_535)
                throw read.Problem($"{at}.endpoints", endpoint, "is not HOST:PORT");
        var serviceName = read.Raw($"{at}.service-name").Trim();
        if (serviceName.Length == 0) throw read.Problem($"{at}.service-name", "\"\"", "is empty");
        return new SeedDiscovery(method, serviceName, read.Raw($"{at}.label-selector").Trim(), read.Raw($"{at}.port-name").Trim(),
            read.Int($"{at}.required", min: 1, max: 100), endpoints);
    }
}
