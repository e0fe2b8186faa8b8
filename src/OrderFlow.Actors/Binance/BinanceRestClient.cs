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
/// What exchangeInfo says of a listed symbol: its price tick (zero when it gives none), its status, its assets, and on
/// COIN-M the USD a contract is worth (<c>contractSize</c>; zero elsewhere: quantities there are the base asset). Only
/// TRADING produces trades; BREAK, HALT, END_OF_DAY, CANCEL_ONLY and the rest are listed and silent.
/// </summary>
public sealed record Listing(Fixed8 TickSize, string Status, Fixed8 ContractSize = default, string? BaseAsset = null, string? QuoteAsset = null)
{
    public const string Trading = "TRADING";

    /// <summary>Listed, with nothing more known (exchangeInfo's body could not be read): streamed as trading.</summary>
    public static readonly Listing Unknown = new(Fixed8.Zero, Trading);

    public bool IsTrading => Status == Trading;
}

/// <summary>
/// Open interest as Binance gives it: the quantity open (USD-M: the base asset; COIN-M: contracts), its value when the
/// exchange states one (USD-M: the quote asset; COIN-M: the base coin), at a time in ms.
/// </summary>
public readonly record struct OpenInterestSample(Fixed8 Quantity, Fixed8? Value, long TimeMs);

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

    /// <summary>The market's request weight, shared by every symbol on it.</summary>
    public RequestWeightBudget Budget => budget;

    /// <summary>The longest time range one by-time call covers: Binance wants endTime − startTime under an hour.</summary>
    public const long LongestTimeRangeMs = 3_600_000 - 1;

    private const int InvalidSymbolCode = -1121;

    /// <summary>
    /// Aggregates with id ≥ <paramref name="fromId"/>, in order, at most <paramref name="limit"/>.
    /// <paramref name="tradesWaiting"/> is the page's place in the queue when weight is short (the larger, the sooner).
    /// </summary>
    public Task<IReadOnlyList<AggregateTrade>> AggTradesFromIdAsync(Symbol symbol, long fromId, int limit = MaxAggTradesPerCall, long tradesWaiting = 0) =>
        AggTradesAsync(symbol, string.Create(CultureInfo.InvariantCulture, $"fromId={fromId}&limit={limit}"), limit, tradesWaiting);

    private async Task<IReadOnlyList<AggregateTrade>> AggTradesAsync(Symbol symbol, string selection, int limit, long tradesWaiting)
    {
        var path = $"{market.RestPath}/aggTrades?symbol={Uri.EscapeDataString(symbol.Name)}&{selection}";
        var body = await GetAsync(path, market.AggTradesWeight, new BackfillTurn(symbol, tradesWaiting)).ConfigureAwait(false);
        var trades = new List<AggregateTrade>(limit);
        if (!AggTradeParser.TryParseRestPage(body, trades, out var problem))
            throw new RestException($"GET {path} answered something that is not a page of aggregates: {problem}");
        return trades;
    }

    /// <summary>Spot's exchangeInfo takes this many symbols by name in one call; beyond it, the whole list is asked.</summary>
    private const int MaxSymbolsByName = 100;

    /// <summary>
    /// Which of <paramref name="symbols"/> Binance lists, each with its tick size and status. On spot, one call names
    /// them all; when it answers "Invalid symbol" (-1121, which does not say which), one call per symbol finds out.
    /// Futures' exchangeInfo takes no names: the whole list is asked and filtered.
    /// </summary>
    public async Task<IReadOnlyDictionary<Symbol, Listing>> ListedAsync(IReadOnlyList<Symbol> symbols)
    {
        if (market.IsFutures || symbols.Count > MaxSymbolsByName)
        {
            var all = await ListAllAsync().ConfigureAwait(false);
            return symbols.Where(all.ContainsKey).ToDictionary(symbol => symbol, symbol => all[symbol]);
        }
        if (await ListingsAsync(symbols).ConfigureAwait(false) is { } named) return named;
        var listed = new Dictionary<Symbol, Listing>();
        if (symbols.Count == 1) return listed;
        foreach (var symbol in symbols)
            if (await ListingsAsync([symbol]).ConfigureAwait(false) is { } one)
                foreach (var (name, listing) in one) listed[name] = listing;
        return listed;
    }

    /// <summary>Every symbol the market lists, with its tick size and status: what patterns are resolved against.</summary>
    public async Task<IReadOnlyDictionary<Symbol, Listing>> ListAllAsync()
    {
        var body = await GetAsync($"{market.RestPath}/exchangeInfo", market.ExchangeInfoWeight).ConfigureAwait(false);
        return ParseListings(body, requested: null);
    }

    private async Task<IReadOnlyDictionary<Symbol, Listing>?> ListingsAsync(IReadOnlyList<Symbol> symbols)
    {
        var names = Uri.EscapeDataString("[" + string.Join(",", symbols.Select(s => $"\"{s.Name}\"")) + "]");
        byte[] body;
        try
        {
            body = await GetAsync($"{market.RestPath}/exchangeInfo?symbols={names}", market.ExchangeInfoWeight).ConfigureAwait(false);
        }
        catch (RestException e) when (e.BinanceCode == InvalidSymbolCode)
        {
            return null;
        }
        return ParseListings(body, symbols);
    }

    /// <summary>
    /// exchangeInfo's symbols, each with its PRICE_FILTER tick (zero when it gives none) and its status (spot and
    /// USD-M say <c>status</c>, COIN-M <c>contractStatus</c>). When <paramref name="requested"/> names symbols, Binance
    /// answered 200 for all of them: each is listed even if the body cannot be read.
    /// </summary>
    private IReadOnlyDictionary<Symbol, Listing> ParseListings(byte[] body, IReadOnlyList<Symbol>? requested)
    {
        var listed = requested?.ToDictionary(symbol => symbol, _ => Listing.Unknown) ?? new Dictionary<Symbol, Listing>();
        try
        {
            using var info = JsonDocument.Parse(body);
            foreach (var entry in info.RootElement.GetProperty("symbols").EnumerateArray())
            {
                if (!Symbol.TryParse(market.Name, entry.GetProperty("symbol").GetString() ?? "", out var symbol, out _)) continue;
                if (requested is not null && !listed.ContainsKey(symbol)) continue;
                var status = (entry.TryGetProperty("status", out var s) || entry.TryGetProperty("contractStatus", out s)) && s.ValueKind == JsonValueKind.String
                    ? s.GetString()! : Listing.Unknown.Status;
                var tickSize = Fixed8.Zero;
                if (entry.TryGetProperty("filters", out var filters))
                    foreach (var filter in filters.EnumerateArray())
                        if (filter.TryGetProperty("filterType", out var type) && type.ValueEquals("PRICE_FILTER") &&
                            filter.TryGetProperty("tickSize", out var tick) && Fixed8.TryParse(Encoding.UTF8.GetBytes(tick.GetString() ?? ""), out var size))
                            tickSize = size;
                var contractSize = entry.TryGetProperty("contractSize", out var contract) && contract.ValueKind == JsonValueKind.Number &&
                                   Fixed8.TryParse(Encoding.UTF8.GetBytes(contract.GetRawText()), out var size8) ? size8 : Fixed8.Zero;
                listed[symbol] = new Listing(tickSize, status, contractSize, Text(entry, "baseAsset"), Text(entry, "quoteAsset"));
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            // What Binance said 200 for stands; only what the body would have added is unknown.
        }
        return listed;
    }

    private static string? Text(JsonElement entry, string name) =>
        entry.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>
    /// Aggregates from <paramref name="startTimeMs"/> on, in order, at most <paramref name="limit"/>. Binance allows
    /// a time range of under an hour per call, so this asks for at most the hour that starts there.
    /// </summary>
    public Task<IReadOnlyList<AggregateTrade>> AggTradesFromTimeAsync(Symbol symbol, long startTimeMs, long endTimeMs,
        int limit = MaxAggTradesPerCall, long tradesWaiting = 0)
    {
        var end = Math.Min(endTimeMs, startTimeMs + LongestTimeRangeMs);
        return AggTradesAsync(symbol, string.Create(CultureInfo.InvariantCulture, $"startTime={startTimeMs}&endTime={end}&limit={limit}"), limit,
            tradesWaiting);
    }

    /// <summary>
    /// The symbol's open interest per 5 minutes, as Binance samples it (<c>/futures/data/openInterestHist</c>, the last
    /// 30 days only), oldest first, the newest <paramref name="limit"/> (at most 500). USD-M names the symbol; COIN-M
    /// names a perpetual's pair (BTCUSD_PERP: pair BTCUSD, PERPETUAL); a delivery contract has none here (empty).
    /// </summary>
    public async Task<IReadOnlyList<OpenInterestSample>> OpenInterestHistoryAsync(Symbol symbol, int limit)
    {
        var selection = market.Name == "coinm"
            ? symbol.Name.EndsWith("_PERP", StringComparison.Ordinal) ? $"pair={Uri.EscapeDataString(symbol.Name[..^5])}&contractType=PERPETUAL" : null
            : $"symbol={Uri.EscapeDataString(symbol.Name)}";
        if (selection is null) return [];
        var path = string.Create(CultureInfo.InvariantCulture, $"/futures/data/openInterestHist?{selection}&period=5m&limit={Math.Clamp(limit, 1, 500)}");
        var body = await GetAsync(path, 1).ConfigureAwait(false);
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.EnumerateArray().Select(sample => new OpenInterestSample(
                Fixed8.Parse(sample.GetProperty("sumOpenInterest").GetString()!), Fixed8.Parse(sample.GetProperty("sumOpenInterestValue").GetString()!),
                Timestamp(sample.GetProperty("timestamp")))).OrderBy(sample => sample.TimeMs).ToList();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            throw new RestException($"GET {path} answered something that is not open interest: {e.Message}");
        }
    }

    /// <summary>The symbol's open interest now (<c>/fapi/v1/openInterest</c>, <c>/dapi/v1/openInterest</c>; weight 1): its quantity and when.</summary>
    public async Task<OpenInterestSample> OpenInterestAsync(Symbol symbol)
    {
        var path = $"{market.RestPath}/openInterest?symbol={Uri.EscapeDataString(symbol.Name)}";
        var body = await GetAsync(path, 1).ConfigureAwait(false);
        try
        {
            using var json = JsonDocument.Parse(body);
            return new OpenInterestSample(Fixed8.Parse(json.RootElement.GetProperty("openInterest").GetString()!), null, Timestamp(json.RootElement.GetProperty("time")));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            throw new RestException($"GET {path} answered something that is not open interest: {e.Message}");
        }
    }

    /// <summary>A time in ms, as a number or (openInterestHist) a string.</summary>
    private static long Timestamp(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? long.Parse(value.GetString()!, NumberStyles.None, CultureInfo.InvariantCulture) : value.GetInt64();

    private async Task<byte[]> GetAsync(string path, int weight, BackfillTurn? turn = null)
    {
        if (!budget.TryAcquire(weight, turn, out var wait))
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
