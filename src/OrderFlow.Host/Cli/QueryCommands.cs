using System.CommandLine;
using System.Globalization;
using OrderFlow.Actors;
using OrderFlow.Actors.Configuration;
using OrderFlow.Client;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Derivatives;
using OrderFlow.Protocol.Metrics;
using OrderFlow.Protocol.Serialization;
using OrderFlow.Protocol.Streams;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Host.Cli;

/// <summary>
/// The verbs that ask a running host, each in its own process: status, cluster, trades, metrics, add, remove. Readable tables
/// by default; with --json, the answer as the HTTP API gives it (<see cref="ProtocolJson"/>), one document on stdout. Exit codes: 0 answered, 1 not found or not ready, 2 usage, 3 host unreachable.
/// </summary>
public static class QueryCommands
{
    public static Command Status()
    {
        var symbol = CliErrors.NoOptionLike(new Argument<string?>("SYMBOL") { Description = "One symbol (default: every stream)", Arity = ArgumentArity.ZeroOrOne });
        return Verb("status", "The state of the host's streams", [symbol], async (parsed, client, json) =>
        {
            var one = parsed.GetValue(symbol) is { } name ? ParseSymbol(name) : (Protocol.Symbol?)null;
            var report = await client.GetStatusAsync(one).ConfigureAwait(false);
            if (json)
            {
                // As the API answers: GET /v1/streams, or /v1/streams/{symbol} for one.
                Write(one is null ? report : report.Streams.Single());
                return OrderFlowCli.Success;
            }
            if (one is not null) PrintStream(report.Streams.Single());
            else
                Table(["SYMBOL", "STATE", "SINCE", "TRADES", "LAST TRADE", "RECONN", "GAPS", "DUPS", "STORE", "NODE", "LAST PROBLEM"], report.Streams.Select(s => new[]
                {
                    s.Symbol.Value, s.State.ToString(), Clock(s.Since), Count(s.TradesReceived), s.LastTradeTime is { } t ? Clock(t) : "-", Count(s.Reconnects),
                    s.GapsUnrecovered > 0 ? $"{Count(s.GapsDetected)} ({Count(s.GapsUnrecovered)} lost)" : Count(s.GapsDetected), Count(s.DuplicatesDropped),
                    Store(s.Store), Node(s.Node), s.LastError is { } e ? $"{Clock(s.LastProblemAt!.Value)} {e}" : "-",
                }), TerminalWidth);
            return OrderFlowCli.Success;
        });
    }

    public static Command Cluster() => Verb("cluster", "The cluster's members: status, reachability, the oldest, shards and symbols on each", [],
        async (_, client, json) =>
        {
            var state = await client.GetClusterStateAsync().ConfigureAwait(false);
            if (json)
            {
                Write(state);
                return OrderFlowCli.Success;
            }
            Table(["NODE", "STATUS", "REACHABLE", "SHARDS", "SYMBOLS", "ROLES", ""], state.Members.Select(m => new[]
            {
                Node(m.Node), m.Status, m.Reachable ? "yes" : "NO", m.Shards is { } shards ? Count(shards) : "?", m.Symbols is { } symbols ? Count(symbols) : "?",
                m.Roles.Count > 0 ? string.Join(",", m.Roles) : "-",
                string.Join(", ", new[] { m.Node == state.Oldest ? "oldest" : null, m.Node == state.Node ? "answered" : null }.OfType<string>()),
            }), TerminalWidth);
            return OrderFlowCli.Success;
        });

    /// <summary>The cluster node that runs a symbol, as HOST:PORT (its actor system is always orderflow).</summary>
    private static string Node(string? node) =>
        node is not null && Akka.Actor.Address.TryParse(node, out var address) ? $"{address.Host}:{address.Port}" : "-";

    /// <summary>The table fits this many columns: its last column is cut to fit (status SYMBOL shows it whole).</summary>
    private const int TerminalWidth = 120;

    /// <summary>One stream, every field, one per line.</summary>
    private static void PrintStream(StreamStatus s)
    {
        var lines = new (string Label, string Value)[]
        {
            ("state", $"{s.State} since {s.Since:yyyy-MM-dd HH:mm:ss} UTC (attempt {s.Attempt})"),
            ("trades", $"{Count(s.TradesReceived)} received, last id {s.LastAggregateId?.ToString(CultureInfo.InvariantCulture) ?? "-"} at {(s.LastTradeTime is { } t ? $"{t:HH:mm:ss.fff}" : "-")}"),
            ("reconnects", Count(s.Reconnects)),
            ("gaps", $"{Count(s.GapsDetected)} detected, {Count(s.TradesBackfilled)} trades backfilled, {Count(s.GapsUnrecovered)} unrecovered"),
            ("dropped", $"{Count(s.DuplicatesDropped)} duplicates, {Count(s.MalformedDropped)} malformed frames"),
            ("store", s.Store is { } store ? $"{Store(store)} ({Count(store.Unwritten)} unwritten, {Count(store.Dropped)} given up)" : "off"),
            ("node", s.Node ?? "-"),
            ("last problem", s.LastError is { } e ? $"{e} at {s.LastProblemAt:HH:mm:ss}" + (s.LastTimeoutPhase is { } phase ? $" (phase: {phase.ToWireName()})" : "") : "-"),
        };
        Console.WriteLine(s.Symbol.Value);
        foreach (var (label, value) in lines) Console.WriteLine($"  {label,-13}{value}");
    }

    public static Command Trades()
    {
        var symbol = CliErrors.NoOptionLike(new Argument<string>("SYMBOL") { Description = "The symbol, e.g. BTCUSDT" });
        var last = CliErrors.WholeNumber("--last", $"The last N trades (1 to {TradePages.MostTrades})", 1, TradePages.MostTrades);
        var fromId = CliErrors.WholeLong("--from-id", "Trades from this aggregate id on", 0);
        var since = new Option<string?>("--since") { Description = "Trades since a time: ISO-8601 (2026-11-24T09:30:00Z), epoch ms, or a duration ago (5m)" };
        var max = CliErrors.WholeNumber("--max", "At most this many trades with --from-id or --since (default 100000; fetched in pages)", 1, 10_000_000);
        return Verb("trades", "A symbol's trades, oldest first", [symbol, last, fromId, since, max], async (parsed, client, json) =>
        {
            var s = ParseSymbol(parsed.GetValue(symbol)!);
            var chosen = new object?[] { parsed.GetValue(last), parsed.GetValue(fromId), parsed.GetValue(since) }.Count(v => v is not null);
            if (chosen != 1) throw new UsageException("give exactly one of --last N, --from-id ID, --since TIME", "--last");
            if (parsed.GetValue(last) is not null && parsed.GetValue(max) is not null) throw new UsageException("--max goes with --from-id or --since; --last says how many itself", "--max");
            var answer = parsed.GetValue(last) is { } n ? await client.GetLastTradesAsync(s, n).ConfigureAwait(false)
                : parsed.GetValue(fromId) is { } id ? await client.GetTradesFromIdAsync(s, id, parsed.GetValue(max) ?? 100_000).ConfigureAwait(false)
                : await client.GetTradesSinceAsync(s, ParseTime(parsed.GetValue(since)!), parsed.GetValue(max) ?? 100_000).ConfigureAwait(false);
            if (json)
            {
                Write(answer);
                return OrderFlowCli.Success;
            }
            Table(["ID", "TIME (UTC)", "SIDE", "PRICE", "QUANTITY"], answer.Trades.Select(t => new[]
            {
                t.AggregateId.ToString(CultureInfo.InvariantCulture), t.TradeTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture),
                t.Side == AggressorSide.Buy ? "BUY" : "SELL", HumanFormat.Money(t.Price.ToDecimal()), t.Quantity.ToString(),
            }));
            Console.WriteLine($"{answer.Trades.Count} trades of {answer.TotalHeld} held" +
                              (answer.Source == TradeSources.Memory ? "" : $", from the {(answer.Source == TradeSources.Store ? "tape store" : "tape store and memory")}") +
                              (answer.Incomplete is { } why ? $"; incomplete: {why}" : ""));
            return OrderFlowCli.Success;
        });
    }

    public static Command Metrics()
    {
        var symbol = CliErrors.NoOptionLike(new Argument<string>("SYMBOL") { Description = "The symbol, e.g. BTCUSDT" });
        var window = new Option<string>("--window") { Description = "The window: 1m, 5m, 15m, 1h (default 1m)", DefaultValueFactory = _ => "1m" };
        return Verb("metrics", "A symbol's order-flow metrics over one rolling window", [symbol, window], async (parsed, client, json) =>
        {
            var span = ParseWindow(parsed.GetValue(window)!, "--window");
            var m = await client.GetMetricsAsync(ParseSymbol(parsed.GetValue(symbol)!), span).ConfigureAwait(false);
            if (json) Write(m);
            else PrintMetrics(m);
            return m.Ready ? OrderFlowCli.Success : OrderFlowCli.Failure;
        });
    }

    public static Command Add()
    {
        var symbol = CliErrors.NoOptionLike(new Argument<string>("SYMBOL") { Description = "The symbol to start streaming" });
        return Verb("add", "Start streaming a symbol", [symbol], async (parsed, client, json) =>
        {
            var s = ParseSymbol(parsed.GetValue(symbol)!);
            var added = await client.AddSymbolAsync(s).ConfigureAwait(false);
            if (json) Write(added ? new SymbolAdded(s) : (object)new SymbolAlreadyStreaming(s));
            else Console.WriteLine(added ? $"{s} added" : $"{s} was already streamed");
            return OrderFlowCli.Success;
        });
    }

    public static Command Remove()
    {
        var symbol = CliErrors.NoOptionLike(new Argument<string>("SYMBOL") { Description = "The symbol to stop streaming" });
        return Verb("remove", "Stop streaming a symbol (its socket closed cleanly, its data dropped)", [symbol], async (parsed, client, json) =>
        {
            var s = ParseSymbol(parsed.GetValue(symbol)!);
            await client.RemoveSymbolAsync(s).ConfigureAwait(false);
            if (json) Write(new SymbolRemoved(s));
            else Console.WriteLine($"{s} removed");
            return OrderFlowCli.Success;
        });
    }

    /// <summary>A positive duration (<c>1m</c>, <c>500ms</c>), else a usage error naming <paramref name="flag"/>.</summary>
    internal static TimeSpan ParseWindow(string text, string flag) =>
        Durations.TryParse(text, out var span) && span > TimeSpan.Zero ? span
            : throw new UsageException($"{flag} {text}: use a duration such as 1s, 1m, 5m or 1h", flag);

    private static Command Verb(string name, string description, IReadOnlyList<System.CommandLine.Symbol> arguments,
        Func<ParseResult, OrderFlowQueryClient, bool, Task<int>> ask) => Verb(name, description, arguments, (parsed, client, json, _) => ask(parsed, client, json));

    /// <summary>A verb with --host, --json and --timeout that connects, asks, and turns the client's errors into exit codes.</summary>
    internal static Command Verb(string name, string description, IReadOnlyList<System.CommandLine.Symbol> arguments,
        Func<ParseResult, OrderFlowQueryClient, bool, CancellationToken, Task<int>> ask)
    {
        var host = new Option<string?>("--host")
        {
            Description = $"Another machine's host, http://HOST:PORT (default: the host running here, found by itself; else {OrderFlowHttpClient.DefaultAddress})",
        };
        var apiKey = new Option<string?>("--api-key")
        {
            Description = "The host's API key, when it has one (default: $ORDERFLOW_API_KEY)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ORDERFLOW_API_KEY") is { Length: > 0 } key ? key : null,
        };
        var json = new Option<bool>("--json") { Description = "One JSON document on stdout" };
        var timeout = new Option<string>("--timeout") { Description = "How long to wait for the host (default 5s)", DefaultValueFactory = _ => "5s" };
        var command = new Command(name, description) { host, apiKey, json, timeout };
        foreach (var argument in arguments)
        {
            if (argument is Argument a) command.Add(a);
            else if (argument is Option o) command.Add(o);
        }
        command.SetAction(async (parsed, cancel) =>
        {
            var rawTimeout = parsed.GetValue(timeout)!;
            if (!Durations.TryParse(rawTimeout, out var wait) || wait <= TimeSpan.Zero)
                throw new UsageException($"--timeout {rawTimeout}: use a positive duration such as 5s");
            var address = HostAddress(parsed.GetValue(host));
            var asJson = parsed.GetValue(json);
            try
            {
                await using var client = OrderFlowHttpClient.Create(address, wait, parsed.GetValue(apiKey));
                return await ask(parsed, client, asJson, cancel).ConfigureAwait(false);
            }
            catch (OrderFlowClientException e)
            {
                var exit = e is OrderFlowUnreachableException ? OrderFlowCli.Unreachable : OrderFlowCli.Failure;
                return CliErrors.Report(asJson, exit, e.Problem, CliErrors.Title(e.Problem), e.Message);
            }
        });
        return command;
    }

    /// <summary>
    /// The HTTP API to ask: <c>--host</c> (<c>http://HOST:PORT</c> or <c>HOST:PORT</c>); else the host running on this
    /// machine (its endpoints file); else the default port.
    /// </summary>
    private static string HostAddress(string? given)
    {
        if (given is null) return HostEndpoints.FindRunning() is { } running ? new Uri(running.Http).Authority : OrderFlowHttpClient.DefaultAddress;
        var authority = Uri.TryCreate(given, UriKind.Absolute, out var url) && url.Scheme == Uri.UriSchemeHttp && url.AbsolutePath == "/" ? url.Authority : given;
        return OrderFlowQueryClient.TryParseAddress(authority, out _, out _) ? authority
            : throw new UsageException($"--host {given}: use http://HOST:PORT, such as http://{OrderFlowHttpClient.DefaultAddress}");
    }

    /// <summary>The recording, in a word when it goes well: <c>ok</c>, or what waits and why.</summary>
    private static string Store(TapeStoreStatus? store) => store switch
    {
        null => "-",
        { Problem: { } problem } => $"{Count(store.Unwritten)} unwritten: {problem}",
        { Dropped: > 0 } => $"ok ({Count(store.Dropped)} given up)",
        _ => "ok",
    };

    internal static Protocol.Symbol ParseSymbol(string text) =>
        Protocol.Symbol.TryParse(text, out var symbol, out var error) ? symbol : throw new UsageException(error);

    internal static DateTimeOffset ParseTime(string text, string flag = "--since") =>
        TimeText.TryParse(text, DateTimeOffset.UtcNow, out var at) ? at : throw new UsageException($"{flag} {text}: use {TimeText.Forms}");

    private static void PrintMetrics(MetricsSnapshot m)
    {
        string Price(decimal? p) => p is { } v ? HumanFormat.Money(v) : "-";
        Console.WriteLine($"{m.Symbol} {HumanFormat.Window(m.Window)} window, {Clock(m.From)} to {Clock(m.To)} UTC: " +
                          (m.Ready ? "ready" : $"NOT READY ({m.Coverage.Fraction * 100:0.0}% covered: {m.Coverage.NotReadyBecause})"));
        Console.WriteLine($"  trades          {m.TradeCount} ({m.TradesPerSecond:0.###}/s)");
        Console.WriteLine($"  buy / sell      {m.BuyVolume} / {m.SellVolume}  (notional {HumanFormat.Money(m.BuyNotional)} / {HumanFormat.Money(m.SellNotional)})");
        Console.WriteLine($"  delta           {HumanFormat.Signed(m.Delta)}" + (m.DeltaPercent is { } d ? $" ({d * 100:0.00}%)" : ""));
        Console.WriteLine($"  CVD             {HumanFormat.Signed(m.Cvd.Value)} since {m.Cvd.Anchor:yyyy-MM-dd HH:mm} UTC" +
                          (m.Cvd.Complete ? "" : $" (incomplete: counted from {m.Cvd.CountedFrom:HH:mm:ss})"));
        Console.WriteLine($"  O / H / L / C   {Price(m.Open)} / {Price(m.High)} / {Price(m.Low)} / {Price(m.Last)}");
        if (m.Vwap is { } v)
            Console.WriteLine($"  VWAP            {Price(decimal.Round(v.Vwap, 8))}  σ {decimal.Round(v.StdDev, 8)}  bands ±1σ {Price(decimal.Round(v.Lower(1), 2))}–{Price(decimal.Round(v.Upper(1), 2))}");
        if (m.Profile is { } p)
            Console.WriteLine($"  profile         POC {Price(p.PointOfControl)}  VA {Price(p.ValueAreaLow)}–{Price(p.ValueAreaHigh)} ({p.ValueAreaPercent}%, bin {p.BinSize})");
        var large = m.LargeTrades;
        Console.WriteLine($"  large (≥{HumanFormat.Money(large.Threshold)})  buy {large.Buy.Count} ({large.Buy.Volume}), sell {large.Sell.Count} ({large.Sell.Volume})" +
                          (large.Largest is { } t ? $", largest {(t.Side == AggressorSide.Buy ? "BUY" : "SELL")} {t.Quantity} @ {Price(t.Price.ToDecimal())}" : ""));
        if (m.Liquidations is { } liquidations)
        {
            string Side(LiquidationTally tally) =>
                $"{tally.Count} ({tally.Volume}, {HumanFormat.Money(tally.Notional)})" +
                (tally.Largest is { } largest ? $", largest {largest.Volume} @ {Price(largest.AveragePrice)}" : "");
            var coverage = liquidations.Coverage.Ready ? "stream connected throughout"
                : $"{liquidations.Coverage.Fraction * 100:0.0}% covered: {liquidations.Coverage.NotReadyBecause}";
            Console.WriteLine($"  liquidations    longs {Side(liquidations.Longs)}; shorts {Side(liquidations.Shorts)}");
            Console.WriteLine($"                  {liquidations.Snapshots} snapshots, sampled (at most one a symbol a second); {coverage}");
        }
        if (m.Mark is { } mark)
            Console.WriteLine($"  mark / index    {Price(mark.Mark)} / {Price(mark.Index)}, basis {HumanFormat.Signed(mark.Basis)}, as of {Clock(mark.At)}" +
                              (mark.Ready ? "" : $" (NOT READY: {mark.NotReadyBecause})"));
        if (m.Funding is { } funding)
            Console.WriteLine($"  funding         {HumanFormat.Signed(funding.Rate * 100)}% a period, next at {funding.NextFundingTime:yyyy-MM-dd HH:mm} UTC");
        if (m.OpenInterest is { } oi)
            Console.WriteLine($"  open interest   {oi.Quantity}" + (oi.Value is { } value ? $" (value {HumanFormat.Money(value)})" : "") +
                              $" as of {Clock(oi.At)} UTC, {(oi.Sampled ? "polled" : "Binance's 5-minute record")}");
        var q = m.Quality;
        Console.WriteLine($"  quality         gaps {q.GapsDetected} (backfilled {q.GapsBackfilled}, unrecovered {q.GapsUnrecovered}), duplicates {q.DuplicatesDropped}, " +
                          $"malformed {q.MalformedDropped}, last trade {q.SecondsSinceLastTrade?.ToString("0.0", CultureInfo.InvariantCulture) ?? "-"}s ago");
    }

    /// <summary>The answer as <see cref="ProtocolJson"/>: the document the HTTP API answers the same question with.</summary>
    internal static void Write(object answer) => Console.WriteLine(System.Text.Encoding.UTF8.GetString(ProtocolJson.ToUtf8(answer)));

    internal static void Table(string[] header, IEnumerable<string[]> rows, int? width = null)
    {
        var all = rows.Prepend(header).ToList();
        var widths = header.Select((_, i) => all.Max(row => row[i].Length)).ToArray();
        if (width is { } most)
        {
            // The last column takes what the others leave; a cut cell ends in "…".
            var room = Math.Max(header[^1].Length, most - widths[..^1].Sum() - 2 * (widths.Length - 1));
            widths[^1] = Math.Min(widths[^1], room);
            foreach (var row in all.Where(row => row[^1].Length > room)) row[^1] = row[^1][..(room - 1)] + "…";
        }
        foreach (var row in all) Console.WriteLine(string.Join("  ", row.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd());
    }

    private static string Clock(DateTimeOffset at) => at.ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    private static string Count(long n) => n.ToString(CultureInfo.InvariantCulture);
}
