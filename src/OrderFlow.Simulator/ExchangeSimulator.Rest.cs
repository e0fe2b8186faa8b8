using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace OrderFlow.Simulator;

/// <summary>The simulator's REST side: exchangeInfo, aggTrades and klines, each paid for in request weight as Binance counts it.</summary>
public sealed partial class ExchangeSimulator
{
    private long _weightMinute;
    private int _weightUsed;

    /// <summary>
    /// Counts a request's weight against the IP's minute, as Binance does, and says the count in
    /// <c>X-MBX-USED-WEIGHT-1M</c>; over the limit, answers 429 and says so.
    /// </summary>
    private async Task<bool> SpendWeightAsync(HttpContext context, int weight)
    {
        int used;
        lock (_restGate)
        {
            var minute = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 60_000;
            if (minute != _weightMinute) (_weightMinute, _weightUsed) = (minute, 0);
            used = _weightUsed += weight;
        }
        context.Response.Headers["X-MBX-USED-WEIGHT-1M"] = used.ToString(CultureInfo.InvariantCulture);
        if (used <= _options.RequestWeightPerMinute) return true;
        Interlocked.Increment(ref _refusedForWeight);
        context.Response.Headers.RetryAfter = "60";
        await WriteJsonAsync(context, 429, """{"code":-1003,"msg":"Too much request weight used."}""").ConfigureAwait(false);
        return false;
    }

    private bool Futures => _options.Market != "spot";

    private async Task ExchangeInfoAsync(HttpContext context)
    {
        if (!await SpendWeightAsync(context, Futures ? 1 : 20).ConfigureAwait(false)) return;
        var requested = new List<string>();
        if (context.Request.Query.TryGetValue("symbol", out var one)) requested.Add(one.ToString());
        if (context.Request.Query.TryGetValue("symbols", out var many))
        {
            try { requested.AddRange(JsonSerializer.Deserialize<string[]>(many.ToString()) ?? []); }
            catch (JsonException)
            {
                await WriteJsonAsync(context, 400, """{"code":-1100,"msg":"Illegal characters found in parameter 'symbols'."}""").ConfigureAwait(false);
                return;
            }
        }
        if (requested.Any(name => !_markets.ContainsKey(name)))
        {
            await WriteJsonAsync(context, 400, WireFormat.InvalidSymbol).ConfigureAwait(false);
            return;
        }

        var listed = requested.Count == 0 ? _markets.Values : requested.Select(name => _markets[name]);
        // COIN-M says contractStatus where spot and USD-M say status.
        var statusField = _options.Market == "coinm" ? "contractStatus" : "status";
        var symbols = string.Join(",", listed.Select(m =>
            $$"""{"symbol":"{{m.Symbol}}","{{statusField}}":"{{m.Status}}",{{Assets(m)}}"filters":[{"filterType":"PRICE_FILTER","tickSize":"{{m.TickSize.ToString("0.00000000", CultureInfo.InvariantCulture)}}"}]}"""));
        await WriteJsonAsync(context, 200,
            $$"""{"timezone":"UTC","serverTime":{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}},"symbols":[{{symbols}}]}""").ConfigureAwait(false);
    }

    /// <summary>
    /// The assets as exchangeInfo names them, and on COIN-M the contract size (BTCUSD_PERP: base BTC, quote USD, 100 USD
    /// a contract; the rest 10, as Binance lists them).
    /// </summary>
    private string Assets(SimulatedMarket market)
    {
        if (_options.Market == "coinm")
        {
            var at = market.Symbol.IndexOf("USD", StringComparison.Ordinal);
            var coin = at > 0 ? market.Symbol[..at] : market.Symbol;
            var size = market.ContractSize ?? (coin == "BTC" ? 100m : 10m);
            return $$"""
                "baseAsset":"{{coin}}","quoteAsset":"USD","marginAsset":"{{coin}}","contractSize":{{size.ToString(CultureInfo.InvariantCulture)}},
                """.Trim();
        }
        var quote = new[] { "FDUSD", "USDT", "USDC", "BTC", "ETH", "BNB", "EUR", "TRY" }.FirstOrDefault(q => market.Symbol.EndsWith(q, StringComparison.Ordinal) && market.Symbol.Length > q.Length);
        return quote is null ? "" : $$"""
            "baseAsset":"{{market.Symbol[..^quote.Length]}}","quoteAsset":"{{quote}}",
            """.Trim();
    }

    private async Task AggTradesAsync(HttpContext context)
    {
        _aggTradesRequests.AddOrUpdate(context.Request.Query["symbol"].ToString(), 1, (_, n) => n + 1);
        if (!await SpendWeightAsync(context, Futures ? 20 : 4).ConfigureAwait(false)) return;
        RestFault? fault;
        lock (_restGate)
        {
            fault = _restFault;
            if (fault is not null) _restFault = fault.Times > 1 ? fault with { Times = fault.Times - 1 } : null;
        }
        if (fault is not null)
        {
            if (fault.RetryAfterSeconds is { } seconds) context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            await WriteJsonAsync(context, (int)fault.Status, """{"code":-1003,"msg":"Too many requests."}""").ConfigureAwait(false);
            return;
        }

        var query = context.Request.Query;
        if (!_markets.TryGetValue(query["symbol"].ToString(), out var market))
        {
            await WriteJsonAsync(context, 400, WireFormat.InvalidSymbol).ConfigureAwait(false);
            return;
        }

        static long? Number(IQueryCollection q, string name) =>
            long.TryParse(q[name].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
        var limit = (int)Math.Clamp(Number(query, "limit") ?? 500, 1, 1000);
        var trades = market.Query(Number(query, "fromId"), Number(query, "startTime"), Number(query, "endTime"), limit);

        var json = new StringBuilder("[");
        for (var i = 0; i < trades.Count; i++)
        {
            if (i > 0) json.Append(',');
            WireFormat.AppendRestAggTrade(json, trades[i], Futures);
        }
        await WriteJsonAsync(context, 200, json.Append(']').ToString()).ConfigureAwait(false);
    }

    private async Task KlinesAsync(HttpContext context)
    {
        if (!await SpendWeightAsync(context, 2).ConfigureAwait(false)) return;
        var query = context.Request.Query;
        if (!_markets.TryGetValue(query["symbol"].ToString(), out var market))
        {
            await WriteJsonAsync(context, 400, WireFormat.InvalidSymbol).ConfigureAwait(false);
            return;
        }
        if (!Klines.TryInterval(query["interval"].ToString(), out var intervalMs))
        {
            await WriteJsonAsync(context, 400, """{"code":-1120,"msg":"Invalid interval."}""").ConfigureAwait(false);
            return;
        }
        static long? Number(IQueryCollection q, string name) =>
            long.TryParse(q[name].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
        var limit = (int)Math.Clamp(Number(query, "limit") ?? 500, 1, 1000);
        await WriteJsonAsync(context, 200, Klines.Json(market.Trades, intervalMs, Number(query, "startTime"), Number(query, "endTime"), limit)).ConfigureAwait(false);
    }

    /// <summary>A futures layout's open interest per 5 minutes (USD-M by symbol; COIN-M by a perpetual's pair).</summary>
    private async Task OpenInterestHistoryAsync(HttpContext context)
    {
        if (!await SpendWeightAsync(context, 1).ConfigureAwait(false)) return;
        var query = context.Request.Query;
        var coinMargined = _options.Market == "coinm";
        var name = coinMargined ? $"{query["pair"]}_PERP" : query["symbol"].ToString();
        if (!_markets.TryGetValue(name, out var market))
        {
            await WriteJsonAsync(context, 400, WireFormat.InvalidSymbol).ConfigureAwait(false);
            return;
        }
        var limit = int.TryParse(query["limit"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var asked) ? Math.Clamp(asked, 1, 500) : 30;
        var price = _options.Symbols.FirstOrDefault(symbol => symbol.Name == market.Symbol)?.StartPrice ?? market.LastPrice;
        await WriteJsonAsync(context, 200, SimulatedOpenInterest.History(market.Symbol, price, limit, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), coinMargined))
            .ConfigureAwait(false);
    }

    private async Task OpenInterestNowAsync(HttpContext context)
    {
        if (!await SpendWeightAsync(context, 1).ConfigureAwait(false)) return;
        if (!_markets.TryGetValue(context.Request.Query["symbol"].ToString(), out var market))
        {
            await WriteJsonAsync(context, 400, WireFormat.InvalidSymbol).ConfigureAwait(false);
            return;
        }
        await WriteJsonAsync(context, 200, SimulatedOpenInterest.Now(market.Symbol, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())).ConfigureAwait(false);
    }

    private static Task WriteJsonAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json);
    }
}
