using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Binance;

/// <summary>A REST call that did not give an answer, worded for the log; <see cref="RetryAfter"/> when the server set one.</summary>
public sealed class RestException(string message, TimeSpan? retryAfter = null, Exception? cause = null, int? binanceCode = null,
    bool heldBack = false)
    : Exception(message, cause)
{
    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>Not sent at all: our own request-weight budget said wait. Not a failure of the exchange.</summary>
    public bool HeldBack { get; } = heldBack;

    /// <summary>Binance's error code from the body (<c>{"code":-1121,...}</c>), when it sent one.</summary>
    public int? BinanceCode { get; } = binanceCode;
}

/// <summary>
/// The REST calls the service makes on one market (its path and weights), each bounded by the client's timeout and
/// paid for from the shared <see cref="RequestWeightBudget"/>, which follows the exchange's own count of this IP's
/// weight (<c>X-MBX-USED-WEIGHT-1M</c>). Failures surface as <see cref="RestException"/>s that say what happened.
/// </summary>
public sealed class BinanceRestClient(HttpClient http, Uri restBase, BinanceMarket market, RequestWeightBudget budget)
{
    private const string UsedWeightHeader = "X-MBX-USED-WEIGHT-1M";

    /// <summary>The most aggregates one call returns.</summary>
    public const int MaxAggTradesPerCall = 1000;

    private const int InvalidSymbolCode = -1121;

    /// <summary>Aggregates with id ≥ <paramref name="fromId"/>, in order, at most <paramref name="limit"/>.</summary>
    public Task<IReadOnlyList<AggregateTrade>> AggTradesFromIdAsync(Symbol symbol, long fromId, int limit = MaxAggTradesPerCall) =>
        AggTradesAsync(symbol, string.Create(CultureInfo.InvariantCulture, $"fromId={fromId}&limit={limit}"), limit);

    private async Task<IReadOnlyList<AggregateTrade>> AggTradesAsync(Symbol symbol, string selection, int limit)
    {
        var path = $"{market.RestPath}/aggTrades?symbol={Uri.EscapeDataString(symbol.Value)}&{selection}";
        var body = await GetAsync(path, market.AggTradesWeight).ConfigureAwait(false);
        var trades = new List<AggregateTrade>(limit);
        if (!AggTradeParser.TryParseRestPage(body, trades, out var problem))
            throw new RestException($"GET {path} answered something that is not a page of aggregates: {problem}");
        return trades;
    }

    /// <summary>
    /// Which of <paramref name="symbols"/> Binance lists, each with its tick size (zero if exchangeInfo gives none).
    /// One call for all; when it answers "Invalid symbol" (-1121, which does not say which), one call per symbol
    /// finds out.
    /// </summary>
    public async Task<IReadOnlyDictionary<Symbol, Fixed8>> ListedAsync(IReadOnlyList<Symbol> symbols)
    {
        if (await ListingsAsync(symbols).ConfigureAwait(false) is { } all) return all;
        var listed = new Dictionary<Symbol, Fixed8>();
        if (symbols.Count == 1) return listed;
        foreach (var symbol in symbols)
            if (await ListingsAsync([symbol]).ConfigureAwait(false) is { } one)
                foreach (var (name, tick) in one) listed[name] = tick;
        return listed;
    }

    private async Task<IReadOnlyDictionary<Symbol, Fixed8>?> ListingsAsync(IReadOnlyList<Symbol> symbols)
    {
        var names = Uri.EscapeDataString("[" + string.Join(",", symbols.Select(s => $"\"{s}\"")) + "]");
        byte[] body;
        try
        {
            body = await GetAsync($"{market.RestPath}/exchangeInfo?symbols={names}", market.ExchangeInfoWeight).ConfigureAwait(false);
        }
        catch (RestException e) when (e.BinanceCode == InvalidSymbolCode)
        {
            return null;
        }

        var listed = symbols.ToDictionary(symbol => symbol, _ => Fixed8.Zero);
        try
        {
            using var info = JsonDocument.Parse(body);
            foreach (var entry in info.RootElement.GetProperty("symbols").EnumerateArray())
            {
                if (!Symbol.TryParse(entry.GetProperty("symbol").GetString() ?? "", out var symbol, out _) || !listed.ContainsKey(symbol) ||
                    !entry.TryGetProperty("filters", out var filters)) continue;
                foreach (var filter in filters.EnumerateArray())
                {
                    if (filter.TryGetProperty("filterType", out var type) && type.ValueEquals("PRICE_FILTER") &&
                        filter.TryGetProperty("tickSize", out var tick) && Fixed8.TryParse(Encoding.UTF8.GetBytes(tick.GetString() ?? ""), out var size))
                        listed[symbol] = size;
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            // The listing stands (Binance said 200); only the tick sizes are unknown.
        }
        return listed;
    }

    /// <summary>
    /// Aggregates from <paramref name="startTimeMs"/> on, in order, at most <paramref name="limit"/>. Binance allows
    /// a time range of under an hour per call, so this asks for at most the hour that starts there.
    /// </summary>
    public Task<IReadOnlyList<AggregateTrade>> AggTradesFromTimeAsync(Symbol symbol, long startTimeMs, long endTimeMs,
        int limit = MaxAggTradesPerCall)
    {
        var end = Math.Min(endTimeMs, startTimeMs + (long)TimeSpan.FromHours(1).TotalMilliseconds - 1);
        return AggTradesAsync(symbol, string.Create(CultureInfo.InvariantCulture, $"startTime={startTimeMs}&endTime={end}&limit={limit}"), limit);
    }

    private async Task<byte[]> GetAsync(string path, int weight)
    {
        if (!budget.TryAcquire(weight, out var wait))
            throw new RestException($"the REST request-weight budget is spent; the next request fits in {HumanFormat.Duration(wait)}", wait,
                heldBack: true);

        HttpResponseMessage response;
        try
        {
            response = await http.GetAsync(new Uri(restBase, path)).ConfigureAwait(false);
        }
        catch (TaskCanceledException e)
        {
            throw new RestException($"GET {path} timed out after {HumanFormat.Duration(http.Timeout)}", cause: e);
        }
        catch (HttpRequestException e)
        {
            throw new RestException($"GET {path} failed: {e.Message}", cause: e);
        }

        using (response)
        {
            if (response.Headers.TryGetValues(UsedWeightHeader, out var used) &&
                int.TryParse(used.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var usedWeight))
                budget.Observe(usedWeight);
            var body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            if (response.IsSuccessStatusCode) return body;

            var status = (int)response.StatusCode;
            var retryAfter = response.Headers.RetryAfter?.Delta
                             ?? (response.Headers.RetryAfter?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
            if (response.StatusCode is HttpStatusCode.TooManyRequests or (HttpStatusCode)418)
            {
                // Binance bans IPs that keep asking: hold every symbol's requests, not just this one's.
                var hold = retryAfter ?? TimeSpan.FromSeconds(60);
                budget.HoldFor(hold);
                throw new RestException($"GET {path} answered HTTP {status}; holding REST requests for {HumanFormat.Duration(hold)}", hold);
            }
            var text = System.Text.Encoding.UTF8.GetString(body);
            throw new RestException($"GET {path} answered HTTP {status}: {(text.Length > 200 ? text[..200] : text)}", retryAfter,
                binanceCode: ErrorCode(body));
                }
    }

    private static int? ErrorCode(byte[] body)
    {
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("code", out var code) && code.TryGetInt32(out var value) ? value : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
