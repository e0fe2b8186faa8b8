using OrderFlow.Actors.Metrics;
using OrderFlow.Protocol;

namespace OrderFlow.Actors.Configuration;

/// <summary>A configuration problem, already worded for the person who made it: one line, naming the key or file and line.</summary>
public sealed class ConfigurationException(string message) : Exception(message);

/// <summary>
/// Everything the service reads from HOCON, validated (see hocon/orderflow.conf for each key's meaning).
/// <see cref="Binance"/> is the market orderflow.binance.market chose; <see cref="Markets"/> holds every market by name
/// (that one too), for symbols that name their own (<c>usdm:BTCUSDT</c>).
/// </summary>
public sealed record OrderFlowSettings(
    IReadOnlyList<Symbol> Symbols,
    IReadOnlyList<Symbols.SymbolPattern> SymbolPatterns,
    BinanceSettings Binance,
    IReadOnlyDictionary<string, BinanceSettings> Markets,
    StreamSettings Stream,
    BackfillSettings Backfill,
    HistorySettings History,
    StoreSettings Store,
    MetricsSettings Metrics,
    RemoteSettings Remote,
    LogSettings Log,
    ClusterSetup Cluster,
    DerivativesSettings? Derivatives = null)
{
    /// <summary>What is streamed beside the trades on futures markets (all of it, unless configured).</summary>
    public DerivativesSettings DerivativesKept => Derivatives ?? DerivativesSettings.Default;

    /// <summary>The settings of the market <paramref name="symbol"/> trades on.</summary>
    public BinanceSettings MarketOf(Symbol symbol) => Markets[symbol.Market];
}

/// <summary>
/// Each futures market's market-wide streams (orderflow.derivatives): <c>!forceOrder@arr</c> and its liquidations in
/// the answers, <c>!markPrice@arr@1s</c> and each symbol's mark, index and funding, not ready once older than
/// <paramref name="MarkStaleAfter"/>; each futures symbol's open interest per 5 minutes (Binance's record), and for
/// <paramref name="OpenInterestPolled"/> the current value every <paramref name="OpenInterestPollEvery"/>.
/// </summary>
public sealed record DerivativesSettings(bool Liquidations, bool MarkPrice, TimeSpan MarkStaleAfter, bool OpenInterest = true,
    IReadOnlyList<Symbol>? OpenInterestPolled = null, TimeSpan? OpenInterestPollEvery = null)
{
    public static readonly DerivativesSettings Default = new(true, true, TimeSpan.FromSeconds(5));

    /// <summary>Anything beside the trades on a futures market.</summary>
    public bool Any => Liquidations || MarkPrice || OpenInterest;

    /// <summary>A market-wide stream to open (liquidations, mark prices).</summary>
    public bool Streams => Liquidations || MarkPrice;

    /// <summary>The symbols whose open interest is polled now and then (beside every 5 minutes' record).</summary>
    public IReadOnlyList<Symbol> Polled => OpenInterestPolled ?? [];

    public TimeSpan PollEvery => OpenInterestPollEvery ?? TimeSpan.FromSeconds(10);
}

/// <summary>
/// The cluster this host belongs to: with <paramref name="Enabled"/> off, itself alone (a one-node cluster that joins
/// itself); on, the one at <paramref name="SeedNodes"/>. Symbols are spread over <paramref name="Shards"/> shards; nodes
/// in one <paramref name="Egress"/> group reach Binance from one address and share its limits.
/// </summary>
public sealed record ClusterSetup(bool Enabled, IReadOnlyList<string> SeedNodes, IReadOnlyList<string> Roles, int Shards, string Egress,
    SeedDiscovery? Discovery = null)
{
    /// <summary>A host on its own: a one-node cluster of 100 shards.</summary>
    public static readonly ClusterSetup Alone = new(false, [], [], 100, "127.0.0.1");

    /// <summary>The role every node declares for its egress group: the members that share Binance's limits are those with the same.</summary>
    public string EgressRole => $"egress:{Egress}";

    /// <summary>The roles this node declares: the configured ones and its egress group's.</summary>
    public IReadOnlyList<string> AllRoles => Roles.Append(EgressRole).ToList();
}

/// <summary>
/// Seed nodes found rather than listed (Kubernetes): <paramref name="Method"/> <c>kubernetes-api</c> lists the pods
/// matching <paramref name="LabelSelector"/> (<c>{0}</c> is <paramref name="ServiceName"/>) in this pod's namespace and
/// takes each one's container port named <paramref name="PortName"/>; <c>config</c> takes <paramref name="Endpoints"/>
/// (HOST:AKKA-PORT). Once at least <paramref name="Required"/> nodes are found, the same set twice in a row, they are
/// the seed nodes, lowest address first: every node sorts the same set the same way, so one node forms the cluster.
/// </summary>
public sealed record SeedDiscovery(string Method, string ServiceName, string LabelSelector, string PortName, int Required, IReadOnlyList<string> Endpoints)
{
    /// <summary>How the log says where it looks.</summary>
    public string Describe() => Method == "config"
        ? $"the configured endpoints {string.Join(", ", Endpoints)}"
        : $"the Kubernetes API (pods labelled {LabelSelector.Replace("{0}", ServiceName)}, port {PortName})";
}

/// <summary>
/// Time bars per symbol for each of <paramref name="Intervals"/>, tick bars for each of <paramref name="TickBars"/>
/// (aggregates), volume bars for a symbol's <paramref name="VolumeBarsPerSymbol"/> (base asset); the newest
/// <paramref name="Keep"/> of each series, their footprints for the newest <paramref name="FootprintKeep"/>; footprint
/// levels <paramref name="TicksPerLevel"/> ticks apart (0: the smallest multiple of the tick at or above a tenth of a
/// basis point of the first price); a quiet symbol's bar is final <paramref name="Grace"/> after its end; imbalances
/// read with <paramref name="Imbalance"/>.
/// </summary>
public sealed record BarSettings(IReadOnlyList<TimeSpan> Intervals, int Keep, int FootprintKeep, int TicksPerLevel, TimeSpan Grace,
    Bars.ImbalanceRule Imbalance, IReadOnlyList<long>? TickBars = null, IReadOnlyDictionary<Symbol, IReadOnlyList<decimal>>? VolumeBarsPerSymbol = null)
{
    public static readonly BarSettings Default = new([TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15), TimeSpan.FromHours(1)],
        120, 10, 0, TimeSpan.FromSeconds(2), Bars.ImbalanceRule.Default);

    /// <summary>Every series a symbol keeps: time bars, then tick bars, then its volume bars, each smallest first.</summary>
    public IReadOnlyList<Protocol.Bars.BarInterval> IntervalsFor(Symbol symbol) =>
    [
        .. Intervals.Select(Protocol.Bars.BarInterval.Time),
        .. (TickBars ?? []).Select(Protocol.Bars.BarInterval.Ticks),
        .. (VolumeBarsPerSymbol?.GetValueOrDefault(symbol) ?? []).Select(volume => Protocol.Bars.BarInterval.Volume(Fixed8.FromDecimal(volume))),
    ];
}

public enum LogFormat
{
    Text,
    Json,
}

/// <summary>The log's level, its format, and levels per source (by the start of the source's name).</summary>
public sealed record LogSettings(Akka.Event.LogLevel Level, LogFormat Format, IReadOnlyDictionary<string, Akka.Event.LogLevel> Levels)
{
    /// <summary>The lowest level any source logs at: Akka must pass on at least that much.</summary>
    public Akka.Event.LogLevel Lowest => Levels.Values.Append(Level).Min();
}

/// <summary>
/// Where planners reach the service (Akka.Remote on <paramref name="AkkaPort"/>, the HTTP API on
/// <paramref name="HttpPort"/>, both on <paramref name="Host"/>), how long any query may take, and who may ask:
/// <paramref name="ApiKey"/> (orderflow.http.api-key, null for none), whether Akka.Remote runs TLS
/// (<paramref name="RemotingTls"/>) or may run in the clear beyond loopback (<paramref name="AllowPlaintext"/>).
/// </summary>
public sealed record RemoteSettings(string Host, int AkkaPort, int HttpPort, TimeSpan QueryTimeout, string? ApiKey = null, bool RemotingTls = false,
    bool AllowPlaintext = false)
{
    /// <summary>Only this machine can reach it: a loopback address or localhost.</summary>
    public bool LoopbackOnly => Host == "localhost" || (System.Net.IPAddress.TryParse(Host, out var address) && System.Net.IPAddress.IsLoopback(address));
}

/// <summary>The market, where it is (its own endpoints unless overridden), and its limits: streams per connection, the
/// incoming messages per second per connection that it disconnects above (SUBSCRIBE, UNSUBSCRIBE, pings and pongs
/// all count), and the REST weight per minute.</summary>
public sealed record BinanceSettings(
    Binance.BinanceMarket Market,
    Uri WebSocketUrl,
    Uri RestUrl,
    TimeSpan RestTimeout,
    TimeSpan ExchangeInfoRefresh,
    int RequestWeightPerMinute,
    int StreamsPerConnection,
    int IncomingMessagesPerSecond);

/// <summary>How hard to try filling a gap: attempts (each a REST page that brought nothing), the pause between
/// them (a Retry-After is a floor), and how many later trades may wait meanwhile.</summary>
public sealed record BackfillSettings(int MaxAttempts, TimeSpan RetryDelay, int MaxHeld);

public sealed record StreamSettings(
    TimeSpan ConnectTimeout,
    TimeSpan FirstMessageTimeout,
    TimeSpan KeepAliveInterval,
    TimeSpan KeepAliveTimeout,
    TimeSpan? IdleTimeout,
    IReadOnlyDictionary<Symbol, TimeSpan?> IdleTimeoutPerSymbol,
    TimeSpan MaxConnectionAge,
    int MaxAttempts,
    BackoffSettings Backoff,
    BackoffSettings CoolDown,
    ConnectionBudgetSettings ConnectionBudget,
    int MaxFrameBytes,
    int TradesLoggedPerConnection,
    TimeSpan SummaryInterval)
{
    public TimeSpan? IdleTimeoutFor(Symbol symbol) =>
        IdleTimeoutPerSymbol.TryGetValue(symbol, out var perSymbol) ? perSymbol : IdleTimeout;
}

/// <summary>Exponential backoff with jitter: min · 2^(n−1), capped at max, stretched by up to random-factor.</summary>
public sealed record BackoffSettings(TimeSpan Min, TimeSpan Max, double RandomFactor)
{
    public TimeSpan DelayFor(int consecutiveFailures, Random random)
    {
        var exponent = Math.Clamp(consecutiveFailures - 1, 0, 30);
        var baseDelay = Math.Min(Min.TotalMilliseconds * Math.Pow(2, exponent), Max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(baseDelay * (1 + random.NextDouble() * RandomFactor));
    }
}

public sealed record ConnectionBudgetSettings(int Attempts, TimeSpan Per);

/// <summary>Trades kept per symbol, and how far back to fetch them at start (null: no warm-up).</summary>
public sealed record HistorySettings(int Capacity, TimeSpan? WarmUp);

public enum StoreKind
{
    Off,
    Sqlite,
    Postgres,
}

/// <summary>Where the tape is recorded (<see cref="Path"/> for SQLite, <see cref="ConnectionString"/> for PostgreSQL),
/// how long it is kept, and how often each symbol's recorder writes.</summary>
public sealed record StoreSettings(StoreKind Kind, string Path, string ConnectionString, TimeSpan Retention, TimeSpan FlushInterval)
{
    /// <summary>orderflow/tape.db in the user's data directory ($XDG_DATA_HOME, else ~/.local/share).</summary>
    public static string DefaultPath =>
        System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify),
            "orderflow", "tape.db");
}

/// <summary>The rolling windows, the large-trade thresholds (quote currency), the profile's bin and value area, and the
/// CVD anchor.</summary>
public sealed record MetricsSettings(
    IReadOnlyList<TimeSpan> Windows,
    decimal LargeTradeNotional,
    IReadOnlyDictionary<Symbol, decimal> LargeTradeNotionalPerSymbol,
    int ProfileTicksPerBin,
    int ValueAreaPercent,
    CvdAnchor CvdAnchor,
    BarSettings? Bars = null)
{
    /// <summary>The bars kept per symbol (docs/order-flow.md, Bars and Footprint).</summary>
    public BarSettings BarsKept => Bars ?? BarSettings.Default;

    /// <summary>How far back a symbol's figures reach: its longest window, or its kept time bars, whichever is further.</summary>
    public TimeSpan LookBack => TimeSpan.FromTicks(Math.Max(Windows.Max().Ticks, BarsKept.Intervals.DefaultIfEmpty().Max().Ticks * BarsKept.Keep));

    public decimal LargeTradeNotionalFor(Symbol symbol) =>
        LargeTradeNotionalPerSymbol.TryGetValue(symbol, out var threshold) ? threshold : LargeTradeNotional;
}
