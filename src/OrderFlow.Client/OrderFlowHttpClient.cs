using System.Globalization;
using System.Net;
using System.Runtime.Serialization;
using System.Text.Json;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Bars;
using OrderFlow.Protocol.Cluster;
using OrderFlow.Protocol.Metrics;
using OrderFlow.Protocol.Serialization;
using OrderFlow.Protocol.Streams;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Client;

/// <summary>
/// The same questions as <see cref="OrderFlowClient"/>, over the host's HTTP API (<see cref="HttpApi"/>): no actor
/// system to start, so a one-shot process (the CLI's verbs, a script) has its answer in a fraction of a second. Each
/// problem+json the host answers with becomes the protocol answer it stands for (404 not-streamed is
/// <see cref="SymbolNotFound"/>), so both clients fail alike.
/// </summary>
public sealed class OrderFlowHttpClient : OrderFlowQueryClient
{
    public const string DefaultAddress = "127.0.0.1:4054";

    private readonly HttpClient _http;

    private OrderFlowHttpClient(HttpClient http, string address, TimeSpan timeout) : base(address, timeout) => _http = http;

    /// <summary>A client for the host at <paramref name="address"/> (HOST:PORT); the first query finds out whether one answers.</summary>
    /// <param name="apiKey">The host's orderflow.http.api-key, when it has one.</param>
    public static OrderFlowHttpClient Create(string address = DefaultAddress, TimeSpan? timeout = null, string? apiKey = null)
    {
        var wait = timeout ?? TimeSpan.FromSeconds(5);
        var (host, port) = ParseAddress(address, DefaultAddress);
        var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = wait, UseProxy = false })
        {
            BaseAddress = new UriBuilder(Uri.UriSchemeHttp, host, port).Uri,
            Timeout = wait,
        };
        if (apiKey is not null) http.DefaultRequestHeaders.Add(HttpApi.ApiKeyHeader, apiKey);
        return new OrderFlowHttpClient(http, address, wait);
    }

    public override ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// The host's live events (<c>GET /v1/events</c>), as the protocol's records: <see cref="Connected"/>,
    /// <see cref="Failed"/> and <see cref="TimedOut"/> as they happen, and each symbol's <see cref="MetricsSnapshot"/>
    /// of <paramref name="window"/> every <paramref name="every"/>, until <paramref name="cancel"/>. Ends when the host goes.
    /// </summary>
    public async IAsyncEnumerable<IOrderFlowMessage> EventsAsync(TimeSpan window, TimeSpan every, IReadOnlyList<Symbol>? symbols = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancel = default)
    {
        var path = $"{HttpApi.Events}?window={DurationText.Format(window)}&every={DurationText.Format(every)}" +
                   (symbols is { Count: > 0 } ? $"&symbols={string.Join(',', symbols.Select(Escape))}" : "");
        using var events = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = _http.BaseAddress, Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        foreach (var header in _http.DefaultRequestHeaders) events.DefaultRequestHeaders.Add(header.Key, header.Value);
        HttpResponseMessage response;
        try
        {
            response = await events.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancel).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw Unreachable(Address, $": {e.Message}", e);
        }
        using (response)
        {
            if (response.Content.Headers.ContentType?.MediaType != "text/event-stream")
                throw new OrderFlowClientException($"the host refused the event stream: HTTP {(int)response.StatusCode}");
            await using var body = await response.Content.ReadAsStreamAsync(cancel).ConfigureAwait(false);
            await foreach (var item in System.Net.ServerSentEvents.SseParser.Create(body).EnumerateAsync(cancel).ConfigureAwait(false))
            {
                Type? type = item.EventType switch
                {
                    "metrics" => typeof(MetricsSnapshot),
                    "connected" => typeof(Connected),
                    "failed" => typeof(Failed),
                    "timedOut" => typeof(TimedOut),
                    "problem" => typeof(QueryFailed),
                    _ => null,
                };
                if (type is not null) yield return (IOrderFlowMessage)ProtocolJson.FromUtf8(System.Text.Encoding.UTF8.GetBytes(item.Data), type);
            }
        }
    }

    protected override async Task<object> SendAsync(IOrderFlowQuery query)
    {
        var (method, path, answers) = Route(query);
        try
        {
            using var request = new HttpRequestMessage(method, path);
            using var response = await _http.SendAsync(request).ConfigureAwait(false);
            var content = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            var mediaType = response.Content.Headers.ContentType?.MediaType;
            if (response.IsSuccessStatusCode && mediaType == "application/json")
            {
                var answer = ProtocolJson.FromUtf8(content, answers(response.StatusCode));
                return answer is StreamStatus one ? new StatusReport([one]) : answer;
            }
            if (mediaType == HttpApi.ProblemJson && Problem.Read(content) is { } problem) return problem.ToAnswer(query);
            throw Unreachable(Address, $" (something answered, with HTTP {(int)response.StatusCode}, but not as an OrderFlow host)");
        }
        catch (TaskCanceledException e)
        {
            throw NoAnswer(query, e);
        }
        catch (HttpRequestException e)
        {
            throw Unreachable(Address, $": {e.Message}", e);
        }
        catch (SerializationException e)
        {
            throw new OrderFlowClientException($"the host's answer to {query.GetType().Name} could not be read: {e.Message}", e);
        }
    }

    /// <summary>The route that asks <paramref name="query"/>, and the answer's type by status code.</summary>
    private static (HttpMethod Method, string Path, Func<HttpStatusCode, Type> Answers) Route(IOrderFlowQuery query) => query switch
    {
        GetStatus { Symbol: null } => (HttpMethod.Get, HttpApi.Streams, _ => typeof(StatusReport)),
        GetClusterState => (HttpMethod.Get, HttpApi.Cluster, _ => typeof(ClusterState)),
        GetStatus { Symbol: { } symbol } => (HttpMethod.Get, $"{HttpApi.Streams}/{Escape(symbol)}", _ => typeof(StreamStatus)),
        GetSequenceStats stats => (HttpMethod.Get, $"{HttpApi.Streams}/{Escape(stats.Symbol)}/sequence", _ => typeof(SequenceStats)),
        GetRecentTrades last => (HttpMethod.Get, $"{HttpApi.Trades}/{Escape(last.Symbol)}?last={Number(last.Count)}", _ => typeof(TradesSnapshot)),
        GetTradesFromId byId => (HttpMethod.Get, $"{HttpApi.Trades}/{Escape(byId.Symbol)}?fromId={Number(byId.FromId)}&max={Number(byId.MaxCount)}",
            _ => typeof(TradesSnapshot)),
        GetTradesSince since => (HttpMethod.Get, $"{HttpApi.Trades}/{Escape(since.Symbol)}?since=" +
                                                 $"{Uri.EscapeDataString(since.Since.UtcDateTime.ToString("O", CultureInfo.InvariantCulture))}&max={Number(since.MaxCount)}",
            _ => typeof(TradesSnapshot)),
        GetMetrics metrics => (HttpMethod.Get, $"{HttpApi.Metrics}/{Escape(metrics.Symbol)}?window={DurationText.Format(metrics.Window)}", _ => typeof(MetricsSnapshot)),
        GetBars bars => (HttpMethod.Get, $"{HttpApi.Bars}/{Escape(bars.Symbol)}?interval={bars.Interval}&last={Number(bars.Last)}" +
                                          (bars.Since is { } since ? $"&since={Uri.EscapeDataString(since.UtcDateTime.ToString("O", CultureInfo.InvariantCulture))}" : ""),
            _ => typeof(BarsSnapshot)),
        GetFootprint footprint => (HttpMethod.Get, $"{HttpApi.Footprint}/{Escape(footprint.Symbol)}?interval={footprint.Interval}&last={Number(footprint.Last)}",
            _ => typeof(FootprintSnapshot)),
        AddSymbol add => (HttpMethod.Put, $"{HttpApi.Streams}/{Escape(add.Symbol)}", status => status switch
        {
            HttpStatusCode.Created => typeof(SymbolAdded),
            HttpStatusCode.Accepted => typeof(SymbolNotTrading),
            _ => typeof(SymbolAlreadyStreaming),
        }),
        RemoveSymbol remove => (HttpMethod.Delete, $"{HttpApi.Streams}/{Escape(remove.Symbol)}", _ => typeof(SymbolRemoved)),
        _ => throw new OrderFlowClientException($"{query.GetType().Name} is not asked over HTTP"),
    };

    private static string Escape(Symbol symbol) => Uri.EscapeDataString(symbol.Value);

    private static string Number(long n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>An RFC 9457 problem the host answered with, as the protocol answer it stands for.</summary>
    private sealed record Problem(string Type, string Detail, string? Window, string[]? Tracked)
    {
        public static Problem? Read(byte[] content)
        {
            try
            {
                using var document = JsonDocument.Parse(content);
                var root = document.RootElement;
                if (root.TryGetProperty("type", out var type) is false || type.GetString() is not { } name || !name.StartsWith("urn:orderflow:", StringComparison.Ordinal))
                    return null;
                return new Problem(name, root.TryGetProperty("detail", out var detail) ? detail.GetString() ?? "" : "",
                    root.TryGetProperty("window", out var window) ? window.GetString() : null,
                    root.TryGetProperty("tracked", out var tracked) ? tracked.EnumerateArray().Select(t => t.GetString()!).ToArray() : null);
            }
            catch (JsonException)
            {
                return null;
            }
        }

        public object ToAnswer(IOrderFlowQuery query)
        {
            var symbol = (query as IWithSymbol)?.Symbol ?? (query as GetStatus)?.Symbol;
            return (Type, symbol) switch
            {
                (HttpApi.Problems.NotStreamed, { } s) => new SymbolNotFound(s),
                (HttpApi.Problems.SymbolUnknown, { } s) => new SymbolUnknown(s),
                (HttpApi.Problems.WindowNotTracked, { } s) when query is GetMetrics metrics =>
                    new WindowNotTracked(s, metrics.Window, (Tracked ?? []).Select(t => DurationText.TryParse(t, out var span) ? span : TimeSpan.Zero).ToList()),
                (HttpApi.Problems.IntervalNotTracked, { } s) when ((query as GetBars)?.Interval ?? (query as GetFootprint)?.Interval) is { } interval =>
                    new IntervalNotTracked(s, interval, (Tracked ?? []).Select(t => BarInterval.TryParse(t, out var kept) ? kept : default).ToList()),
                (HttpApi.Problems.Unavailable, _) => new QueryFailed(Detail),
                _ => throw new OrderFlowClientException($"the host refused {query.GetType().Name}: {Detail}", null, Type),
            };
        }
    }

    private static OrderFlowUnreachableException Unreachable(string address, string why, Exception? cause = null) =>
        Unreachable(address, why, DefaultAddress, "orderflow.remote.host/http-port or --http-port", cause);
}
