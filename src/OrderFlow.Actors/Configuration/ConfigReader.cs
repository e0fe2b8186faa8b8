using System.Globalization;
using Akka.Configuration;
using OrderFlow.Actors.Metrics;
using OrderFlow.Protocol;

namespace OrderFlow.Actors.Configuration;

/// <summary>Reads and validates one value at a time; a problem is one line naming where the key was set, the key and the value.</summary>
internal sealed class ConfigReader(Config config, Func<string, string> where)
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
    public IList<string> List(string key, string example)
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

    /// <summary>The symbols named, and the patterns (<c>*USDT</c>) to resolve against exchangeInfo.</summary>
    public (IReadOnlyList<Symbol> Names, IReadOnlyList<Symbols.SymbolPattern> Patterns) Symbols(string key, string market)
    {
        var items = List(key, "[BTCUSDT, \"*USDT\"]");

        var symbols = new List<Symbol>();
        var patterns = new List<Symbols.SymbolPattern>();
        foreach (var item in items)
        {
            if (Actors.Symbols.SymbolPattern.IsPattern(item))
            {
                if (!Actors.Symbols.SymbolPattern.TryParse(item, market, out var pattern, out var patternError)) throw Problem(key, item, patternError);
                if (patterns.All(p => p.Text != pattern.Text)) patterns.Add(pattern);
                continue;
            }
            if (!OrderFlowConfiguration.TryParseSymbol(item, market, out var symbol, out var error)) throw Problem(key, item, error);
            if (!symbols.Contains(symbol)) symbols.Add(symbol);
        }
        if (symbols.Count == 0 && patterns.Count == 0) throw Problem(key, "[]", "names no symbol");
        return (symbols, patterns);
    }

    /// <summary>Seed nodes: each an <c>akka.tcp://orderflow@HOST:PORT</c> address, as every node of the cluster must write them.</summary>
    public IReadOnlyList<string> SeedNodes(string key)
    {
        var seeds = new List<string>();
        foreach (var item in List(key, "[\"akka.tcp://orderflow@10.0.0.1:4053\"]"))
        {
            var seed = item.Trim();
            if (!Akka.Actor.Address.TryParse(seed, out var address) || address.Protocol != "akka.tcp" || address.Host is null || address.Port is null or <= 0)
                throw Problem(key, seed, "is not an akka.tcp://orderflow@HOST:PORT address");
            if (address.System != "orderflow") throw Problem(key, seed, "names the actor system " + address.System + "; every node's is orderflow");
            if (!seeds.Contains(seed)) seeds.Add(seed);
        }
        return seeds;
    }

    /// <summary>A list of plain names (roles).</summary>
    public IReadOnlyList<string> Names(string key) => List(key, "[feed]").Select(name => name.Trim()).Where(name => name.Length > 0).Distinct().ToList();

    public IReadOnlyDictionary<Symbol, T> PerSymbol<T>(string key, string market, Func<string, T> readValue)
    {
        var result = new Dictionary<Symbol, T>();
        var node = config.GetValue(key);
        if (node is null || !node.IsObject()) return result;
        foreach (var name in node.GetObject().Items.Keys)
        {
            if (!OrderFlowConfiguration.TryParseSymbol(name, market, out var symbol, out var error)) throw Problem($"{key}.{name}", name, error);
            result[symbol] = readValue($"{key}.{name}");
        }
        return result;
    }

    /// <param name="noneAllowed">An empty list is allowed (bars: none kept), not an error.</param>
    public IReadOnlyList<TimeSpan> Windows(string key, bool noneAllowed = false)
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
        if (windows.Count == 0 && !noneAllowed) throw Problem(key, "[]", "names no window");
        windows.Sort();
        return windows;
    }

    /// <summary>A quantity that may be zero, with at most 8 decimals.</summary>
    public decimal Quantity(string key) => Amount(key, zero: true, "must be zero or a positive amount with at most 8 decimals, such as 0.5");

    /// <summary>A positive amount of quote currency with at most 8 decimals.</summary>
    public decimal Notional(string key) => Amount(key, zero: false, "must be a positive amount with at most 8 decimals, such as 100000");

    /// <summary>A list of positive amounts with at most 8 decimals, each once, smallest first (a volume bar's sizes).</summary>
    public IReadOnlyList<decimal> Amounts(string key)
    {
        var amounts = new SortedSet<decimal>();
        foreach (var item in List(key, "[50, 200]"))
        {
            if (!decimal.TryParse(item, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value <= 0 ||
                value > 90_000_000_000m || decimal.Round(value, 8) != value)
                throw Problem(key, item, "must be positive amounts with at most 8 decimals, such as [50, 200]");
            amounts.Add(value);
        }
        return amounts.ToList();
    }

    /// <summary>A list of whole numbers from 1 to <paramref name="max"/>, each once, smallest first (tick bars' sizes).</summary>
    public IReadOnlyList<long> Counts(string key, long max)
    {
        var counts = new SortedSet<long>();
        foreach (var item in List(key, "[1000]"))
        {
            if (!long.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1 || value > max)
                throw Problem(key, item, $"must be whole numbers from 1 to {max:N0}, such as [1000]");
            counts.Add(value);
        }
        return counts.ToList();
    }

    private decimal Amount(string key, bool zero, string problem)
    {
        var raw = Raw(key);
        if (!decimal.TryParse(raw, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) ||
            value < 0 || value == 0 && !zero || value > 90_000_000_000m || decimal.Round(value, 8) != value)
            throw Problem(key, raw, problem);
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

    /// <summary>One of <paramref name="choices"/>, as written (lower case).</summary>
    public string Choice(string key, params string[] choices)
    {
        var raw = Raw(key);
        var chosen = raw.Trim().ToLowerInvariant();
        return choices.Contains(chosen) ? chosen : throw Problem(key, raw, $"must be {string.Join(", ", choices.SkipLast(1))} or {choices[^1]}");
    }

    /// <summary>on/off (HOCON's booleans: on, off, true, false, yes, no).</summary>
    public bool Flag(string key)
    {
        var raw = Raw(key);
        return raw.Trim().ToLowerInvariant() switch
        {
            "on" or "true" or "yes" => true,
            "off" or "false" or "no" => false,
            _ => throw Problem(key, raw, "must be on or off"),
        };
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

    public ConfigurationException Problem(string key, string raw, string problem) =>
        new(raw.Length == 0 ? $"{where(key)}: {key} {problem}" : $"{where(key)}: {key} = {raw}: {problem}");
}
