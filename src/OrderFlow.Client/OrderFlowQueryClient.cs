using System.Globalization;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Bars;
using OrderFlow.Protocol.Cluster;
using OrderFlow.Protocol.Metrics;
using OrderFlow.Protocol.Streams;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Client;

/// <summary>
/// The typed questions a planner asks a running host, whatever carries them (<see cref="OrderFlowClient"/> over
/// Akka.Remote, <see cref="OrderFlowHttpClient"/> over HTTP). Every call ends within its timeout, in an answer or an
/// <see cref="OrderFlowClientException"/> that says what to check.
/// </summary>
public abstract class OrderFlowQueryClient(string address, TimeSpan timeout) : IAsyncDisposable
{
    /// <summary>The host's HOST:PORT.</summary>
    public string Address { get; } = address;

    protected TimeSpan Timeout { get; } = timeout;

    public Task<StatusReport> GetStatusAsync(Symbol? symbol = null) => AskAsync<StatusReport>(new GetStatus(symbol));

    /// <summary>The cluster as the asked node sees it: members, reachability, the oldest, the shards and symbols on each.</summary>
    public Task<ClusterState> GetClusterStateAsync() => AskAsync<ClusterState>(GetClusterState.Instance);

    public Task<TradesSnapshot> GetLastTradesAsync(Symbol symbol, int count) => AskAsync<TradesSnapshot>(new GetRecentTrades(symbol, count));

    public Task<TradesSnapshot> GetTradesFromIdAsync(Symbol symbol, long fromId, int maxCount = 100_000) =>
        PagedAsync(symbol, limit => new GetTradesFromId(symbol, fromId, limit), maxCount);

    public Task<TradesSnapshot> GetTradesSinceAsync(Symbol symbol, DateTimeOffset since, int maxCount = 100_000) =>
        PagedAsync(symbol, limit => new GetTradesSince(symbol, since, limit), maxCount);

    /// <summary>
    /// Up to <paramref name="maxCount"/> trades in answers of at most <see cref="TradePages.MostTrades"/>: the first as
    /// asked, the rest by id from the last one received, joined into one snapshot.
    /// </summary>
    private async Task<TradesSnapshot> PagedAsync(Symbol symbol, Func<int, IOrderFlowQuery> first, int maxCount)
    {
        var limit = Math.Min(maxCount, TradePages.MostTrades);
        var page = await AskAsync<TradesSnapshot>(first(limit)).ConfigureAwait(false);
        if (page.Trades.Count < limit || page.Trades.Count >= maxCount) return page;
        var (trades, incomplete, sources) = (page.Trades.ToList(), page.Incomplete, new HashSet<string> { page.Source });
        while (trades.Count < maxCount)
        {
            limit = Math.Min(maxCount - trades.Count, TradePages.MostTrades);
            page = await AskAsync<TradesSnapshot>(new GetTradesFromId(symbol, trades[^1].AggregateId + 1, limit)).ConfigureAwait(false);
            trades.AddRange(page.Trades);
            incomplete ??= page.Incomplete;
            sources.Add(page.Source);
            if (page.Trades.Count < limit) break;
        }
        return page with { Trades = trades, Incomplete = incomplete, Source = sources.Count == 1 ? sources.Single() : TradeSources.StoreAndMemory };
    }

    public Task<MetricsSnapshot> GetMetricsAsync(Symbol symbol, TimeSpan window) => AskAsync<MetricsSnapshot>(new GetMetrics(symbol, window));

    /// <summary>The newest <paramref name="last"/> bars of <paramref name="interval"/>, or those from <paramref name="since"/> on.</summary>
    public Task<BarsSnapshot> GetBarsAsync(Symbol symbol, BarInterval interval, int last = 100, DateTimeOffset? since = null) =>
        AskAsync<BarsSnapshot>(new GetBars(symbol, interval, last, since));

    /// <summary>The footprints of the newest <paramref name="last"/> bars of <paramref name="interval"/>.</summary>
    public Task<FootprintSnapshot> GetFootprintAsync(Symbol symbol, BarInterval interval, int last = 1) =>
        AskAsync<FootprintSnapshot>(new GetFootprint(symbol, interval, last));

    /// <summary>Starts streaming a symbol: true when added, false when it was already streamed.</summary>
    public async Task<bool> AddSymbolAsync(Symbol symbol) => await AskAsync<object>(new AddSymbol(symbol)).ConfigureAwait(false) switch
    {
        SymbolAdded => true,
        SymbolAlreadyStreaming => false,
        SymbolUnknown => throw new OrderFlowNotFoundException($"Binance does not list {symbol}: it will not be streamed", HttpApi.Problems.SymbolUnknown),
        SymbolNotTrading notTrading => throw new OrderFlowNotReadyException(
            $"{symbol} was added, but Binance lists it with status {notTrading.Status}: it streams once it is TRADING"),
        SymbolRemoved => throw new OrderFlowClientException($"{symbol} was removed while it was being added"),
        var other => throw Unexpected(other),
    };

    public async Task RemoveSymbolAsync(Symbol symbol) => await AskAsync<SymbolRemoved>(new RemoveSymbol(symbol)).ConfigureAwait(false);

    /// <summary>
    /// Waits until the window is ready (covered, no unrecovered gap) and returns it; throws
    /// <see cref="OrderFlowNotReadyException"/>, saying what is missing, if it is not within <paramref name="timeout"/>.
    /// </summary>
    public async Task<MetricsSnapshot> WaitUntilReadyAsync(Symbol symbol, TimeSpan window, TimeSpan timeout, CancellationToken cancel = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        deadline.CancelAfter(timeout);
        MetricsSnapshot? last = null;
        try
        {
            while (true)
            {
                last = await GetMetricsAsync(symbol, window).ConfigureAwait(false);
                if (last.Ready) return last;
                await Task.Delay(TimeSpan.FromMilliseconds(250), deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            throw new OrderFlowNotReadyException(
                $"{symbol}'s {window} window was not ready within {timeout.TotalSeconds:0.#}s: {last?.Coverage.NotReadyBecause ?? "no answer yet"}");
        }
    }

    public abstract ValueTask DisposeAsync();

    /// <summary>Carries the query to the host and returns its answer, or throws <see cref="OrderFlowUnreachableException"/>.</summary>
    protected abstract Task<object> SendAsync(IOrderFlowQuery query);

    private async Task<T> AskAsync<T>(IOrderFlowQuery query)
    {
        var answer = await SendAsync(query).ConfigureAwait(false);
        return answer switch
        {
            T expected => expected,
            SymbolNotFound notFound => throw new OrderFlowNotFoundException($"{notFound.Symbol} is not streamed by the host at {Address}"),
            WindowNotTracked window => throw new OrderFlowNotFoundException(
                $"the host keeps no {DurationText.Format(window.Window)} window; it keeps {string.Join(", ", window.Tracked.Select(DurationText.Format))}",
                HttpApi.Problems.WindowNotTracked),
            IntervalNotTracked interval => throw new OrderFlowNotFoundException(
                $"the host keeps no {interval.Interval} bars for {interval.Symbol}; it keeps {string.Join(", ", interval.Tracked)}",
                HttpApi.Problems.IntervalNotTracked),
            QueryFailed failed => throw new OrderFlowClientException($"the host could not answer: {failed.Reason}"),
            _ => throw Unexpected(answer),
        };
    }

    /// <summary>The host did not answer within the timeout.</summary>
    protected OrderFlowUnreachableException NoAnswer(IOrderFlowQuery query, Exception cause) =>
        new($"the host at {Address} did not answer {query.GetType().Name} within {Timeout.TotalSeconds:0.#}s: is it still running?", cause);

    /// <summary>Nothing that is an OrderFlow host answered at <paramref name="address"/>; says how to start one.</summary>
    protected static OrderFlowUnreachableException Unreachable(string address, string why, string listensOn, string configuredBy, Exception? cause = null) =>
        new($"no OrderFlow host answered at {address}{why}. Start one with `orderflow run` (it listens on {listensOn} " +
            $"unless {configuredBy} say otherwise)", cause);

    protected static OrderFlowClientException Unexpected(object answer) => new($"the host answered with an unexpected {answer.GetType().Name}");

    protected static (string Host, int Port) ParseAddress(string address, string example) =>
        TryParseAddress(address, out var host, out var port) ? (host, port)
            : throw new OrderFlowClientException($"'{address}' is not HOST:PORT, such as {example}");

    public static bool TryParseAddress(string address, out string host, out int port)
    {
        var colon = address.LastIndexOf(':');
        host = colon > 0 ? address[..colon] : "";
        port = 0;
        return colon > 0 && int.TryParse(address[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) &&
               port is >= 1 and <= 65_535 && Uri.CheckHostName(host) != UriHostNameType.Unknown;
    }
}
