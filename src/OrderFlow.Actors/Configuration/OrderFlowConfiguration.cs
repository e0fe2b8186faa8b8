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
        ["orderflow.stream.idle-timeout-per-symbol.", "orderflow.metrics.large-trade-notional-per-symbol.", "orderflow.log.levels."];

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
        CheckAkka(config, Where);
        return (config, Bind(config, Where));
    }

    private static readonly string[] AkkaLogLevels = ["DEBUG", "INFO", "WARNING", "ERROR", "OFF"];

    /// <summary>
    /// The Akka settings a user is likely to set and Akka only checks once the actor system starts, where a bad value
    /// would surface as a hosting failure with a stack trace.
    /// </summary>
    private static void CheckAkka(Config config, Func<string, string> where)
    {
        foreach (var key in (string[])["akka.loglevel", "akka.stdout-loglevel"])
        {
            if (!config.HasPath(key)) continue;
            var raw = config.GetString(key);
            if (!AkkaLogLevels.Contains(raw, StringComparer.OrdinalIgnoreCase))
                throw new ConfigurationException($"{where(key)}: {key} = {raw}: must be one of {string.Join(", ", AkkaLogLevels)}");
        }
    }

    /// <summary>Quotes a command-line value so that HOCON takes it literally (URLs contain ':').</summary>
    public static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    /// <summary>A comma-separated flag value as a HOCON list of quoted strings.</summary>
    public static string QuoteList(string commaSeparated) =>
        "[" + string.Join(", ", commaSeparated.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(Quote)) + "]";

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
                throw new ConfigurationException($"{source}:{line}: unknown key '{key}' (see hocon/orderflow.conf for the keys)");
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

    private static OrderFlowSettings Bind(Config config, Func<string, string> where)
    {
        var read = new Reader(config, where);
        var stream = new StreamSettings(
            ConnectTimeout: read.PositiveDuration("orderflow.stream.connect-timeout"),
            FirstMessageTimeout: read.PositiveDuration("orderflow.stream.first-message-timeout"),
            KeepAliveInterval: read.PositiveDuration("orderflow.stream.keepalive-interval"),
            KeepAliveTimeout: read.PositiveDuration("orderflow.stream.keepalive-timeout"),
            IdleTimeout: read.OptionalDuration("orderflow.stream.idle-timeout"),
            IdleTimeoutPerSymbol: read.PerSymbol("orderflow.stream.idle-timeout-per-symbol", read.OptionalDuration),
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
            read.Symbols("orderflow.symbols"),
            new BinanceSettings(
                read.Url("orderflow.binance.ws-url", "ws", "wss"),
                read.Url("orderflow.binance.rest-url", "http", "https"),
                read.PositiveDuration("orderflow.binance.rest-timeout"),
                read.Int("orderflow.binance.request-weight-per-minute", min: 4, max: 1_000_000)),
            stream,
            new BackfillSettings(
                read.Int("orderflow.backfill.max-attempts", min: 1, max: 1000),
                read.PositiveDuration("orderflow.backfill.retry-delay"),
                read.Int("orderflow.backfill.max-held", min: 1, max: 10_000_000)),
            new HistorySettings(read.Int("orderflow.history.capacity", min: 1, max: 100_000_000), read.OptionalDuration("orderflow.history.warmup")),
            new MetricsSettings(
                read.Windows("orderflow.metrics.windows"),
                read.Notional("orderflow.metrics.large-trade-notional"),
                read.PerSymbol("orderflow.metrics.large-trade-notional-per-symbol", read.Notional),
                read.Int("orderflow.metrics.profile-ticks-per-bin", min: 1, max: 1_000_000),
                read.Int("orderflow.metrics.value-area-percent", min: 1, max: 100),
                read.Anchor("orderflow.metrics.cvd-anchor")),
            new RemoteSettings(
                read.Host("orderflow.remote.host"),
                read.Int("orderflow.remote.port", min: 0, max: 65_535),
                read.Int("orderflow.remote.http-port", min: 0, max: 65_535),
                read.PositiveDuration("orderflow.remote.query-timeout")),
            new LogSettings(
                read.LogLevel("orderflow.log.level"),
                read.Choice("orderflow.log.format", LogFormat.Text, LogFormat.Json),
                read.PerSource("orderflow.log.levels", read.LogLevel)));
    }

    private sealed class Reader(Config config, Func<string, string> where)
    {
        public string Raw(string key)
        {
            if (!config.HasPath(key)) throw Problem(key, "", "is missing");
            try { return config.GetString(key) ?? throw Problem(key, "", "is missing"); }
            catch (Exception e) when (e is not ConfigurationException) { throw Problem(key, "", "must be a single value"); }
        }

        public TimeSpan PositiveDuration(string key)
        {
            var raw = Raw(key);
            if (!Durations.TryParse(raw, out var value)) throw Problem(key, raw, "is not a duration (use 500ms, 10s, 2m, 1h)");
            if (value <= TimeSpan.Zero) throw Problem(key, raw, "must be positive");
            return value;
        }

        public TimeSpan? OptionalDuration(string key) =>
            Raw(key).Trim() is "off" or "none" ? null : PositiveDuration(key);

        public int Int(string key, int min, int max)
        {
            var raw = Raw(key);
            if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
                throw Problem(key, raw, "is not a whole number");
            if (value < min || value > max) throw Problem(key, raw, $"must be between {min} and {max}");
            return value;
        }

        public double Fraction(string key)
        {
            var raw = Raw(key);
            if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value is < 0 or > 1)
                throw Problem(key, raw, "must be a number from 0 to 1");
            return value;
        }

        public BackoffSettings Backoff(string key)
        {
            var settings = new BackoffSettings(PositiveDuration($"{key}.min"), PositiveDuration($"{key}.max"), Fraction($"{key}.random-factor"));
            if (settings.Max < settings.Min) throw Problem($"{key}.max", Raw($"{key}.max"), $"must not be less than {key}.min");
            return settings;
        }

        public Uri Url(string key, params string[] schemes)
        {
            var raw = Raw(key);
            if (!Uri.TryCreate(raw, UriKind.Absolute, out var uri) || !schemes.Contains(uri.Scheme))
                throw Problem(key, raw, $"must be an absolute {string.Join(" or ", schemes)} URL");
            return uri;
        }

        /// <summary>A list's items; a single value where a list is wanted is named as written.</summary>
        private IList<string> List(string key, string example)
        {
            IList<string> items;
            try { items = config.GetStringList(key); }
            catch (Exception) { throw Problem(key, "", $"must be a list of single values such as {example}"); }
            // Akka's HOCON reads a single value as an empty list.
            if (items.Count == 0 && Scalar(key) is { Length: > 0 } scalar) throw Problem(key, scalar, $"must be a list such as {example}");
            return items;
        }

        private string? Scalar(string key)
        {
            try { return config.GetString(key); }
            catch (Exception) { return null; }
        }

        public IReadOnlyList<Symbol> Symbols(string key)
        {
            var items = List(key, "[BTCUSDT, ETHUSDT]");

            var symbols = new List<Symbol>();
            foreach (var item in items)
            {
                if (!Symbol.TryParse(item, out var symbol, out var error)) throw Problem(key, item, error);
                if (!symbols.Contains(symbol)) symbols.Add(symbol);
            }
            if (symbols.Count == 0) throw Problem(key, "[]", "names no symbol");
            return symbols;
        }

        public IReadOnlyDictionary<Symbol, T> PerSymbol<T>(string key, Func<string, T> readValue)
        {
            var result = new Dictionary<Symbol, T>();
            var node = config.GetValue(key);
            if (node is null || !node.IsObject()) return result;
            foreach (var name in node.GetObject().Items.Keys)
            {
                if (!Symbol.TryParse(name, out var symbol, out var error)) throw Problem($"{key}.{name}", name, error);
                result[symbol] = readValue($"{key}.{name}");
            }
            return result;
        }

        public IReadOnlyList<TimeSpan> Windows(string key)
        {
            var items = List(key, "[1m, 5m, 15m, 1h]");

            var windows = new List<TimeSpan>();
            foreach (var item in items)
            {
                if (!Durations.TryParse(item, out var window)) throw Problem(key, item, "is not a duration (use 30s, 5m, 1h)");
                if (window < TimeSpan.FromSeconds(1) || window > TimeSpan.FromDays(1) || window.Ticks % TimeSpan.TicksPerSecond != 0)
                    throw Problem(key, item, "must be whole seconds, from 1s to 24h");
                if (!windows.Contains(window)) windows.Add(window);
            }
            if (windows.Count == 0) throw Problem(key, "[]", "names no window");
            windows.Sort();
            return windows;
        }

        /// <summary>A positive amount of quote currency with at most 8 decimals.</summary>
        public decimal Notional(string key)
        {
            var raw = Raw(key);
            if (!decimal.TryParse(raw, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) ||
                value <= 0 || value > 90_000_000_000m || decimal.Round(value, 8) != value)
                throw Problem(key, raw, "must be a positive amount with at most 8 decimals, such as 100000");
            return value;
        }

        public string Host(string key)
        {
            var raw = Raw(key).Trim();
            if (Uri.CheckHostName(raw) == UriHostNameType.Unknown) throw Problem(key, raw, "is not a host name or IP address");
            return raw;
        }

        public Akka.Event.LogLevel LogLevel(string key)
        {
            var raw = Raw(key);
            return raw.Trim().ToLowerInvariant() switch
            {
                "debug" => Akka.Event.LogLevel.DebugLevel,
                "info" => Akka.Event.LogLevel.InfoLevel,
                "warning" => Akka.Event.LogLevel.WarningLevel,
                "error" => Akka.Event.LogLevel.ErrorLevel,
                _ => throw Problem(key, raw, "must be debug, info, warning or error"),
            };
        }

        public T Choice<T>(string key, params T[] choices) where T : struct, Enum
        {
            var raw = Raw(key);
            foreach (var choice in choices)
                if (string.Equals(choice.ToString(), raw.Trim(), StringComparison.OrdinalIgnoreCase)) return choice;
            throw Problem(key, raw, $"must be {string.Join(" or ", choices.Select(c => c.ToString().ToLowerInvariant()))}");
        }

        /// <summary>A map keyed by source names, which may hold dots (quoted in HOCON).</summary>
        public IReadOnlyDictionary<string, T> PerSource<T>(string key, Func<string, T> readValue)
        {
            var result = new Dictionary<string, T>(StringComparer.Ordinal);
            var node = config.GetValue(key);
            if (node is null || !node.IsObject()) return result;
            foreach (var name in node.GetObject().Items.Keys) result[name] = readValue($"{key}.\"{name}\"");
            return result;
        }

        public CvdAnchor Anchor(string key)
        {
            var raw = Raw(key);
            if (!CvdAnchor.TryParse(raw, out var anchor))
                throw Problem(key, raw, "must be utc-day, a UTC time of day such as \"13:30\", or an instant such as \"2026-11-24T00:00:00Z\"");
            return anchor;
        }

        private ConfigurationException Problem(string key, string raw, string problem) =>
            new(raw.Length == 0 ? $"{where(key)}: {key} {problem}" : $"{where(key)}: {key} = {raw}: {problem}");
    }
}

/// <summary>HOCON durations as this project writes them: a whole number and a unit (ms, s, m, h, d).</summary>
public static class Durations
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        var trimmed = text.Trim();
        var split = 0;
        while (split < trimmed.Length && (char.IsAsciiDigit(trimmed[split]) || trimmed[split] is '-' or '.')) split++;
        if (!double.TryParse(trimmed[..split], NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint,
                CultureInfo.InvariantCulture, out var amount)) return false;
        double? milliseconds = trimmed[split..].Trim() switch
        {
            "ms" or "millis" or "milliseconds" => amount,
            "s" or "second" or "seconds" => amount * 1000,
            "m" or "minute" or "minutes" => amount * 60_000,
            "h" or "hour" or "hours" => amount * 3_600_000,
            "d" or "day" or "days" => amount * 86_400_000,
            _ => null,
        };
        if (milliseconds is not { } ms || double.IsInfinity(ms) || Math.Abs(ms) > TimeSpan.MaxValue.TotalMilliseconds / 2) return false;
        value = TimeSpan.FromMilliseconds(ms);
        return true;
    }
}
