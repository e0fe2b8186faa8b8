using System.Text;
using System.Text.Json;
using OrderFlow.Protocol;

namespace OrderFlow.Actors.Binance;

/// <summary>
/// One liquidation order as a <c>forceOrder</c> event carries it, exact: the symbol's name as Binance lists it, the
/// order's side (<c>SELL</c> closes a long), type, time in force, quantity and price, its average price, status, last
/// and accumulated filled quantity, its trade time and the event's time.
/// </summary>
public readonly record struct ForceOrder(
    string Name,
    string Side,
    string OrderType,
    string TimeInForce,
    Fixed8 Quantity,
    Fixed8 Price,
    Fixed8 AveragePrice,
    string Status,
    Fixed8 LastFilled,
    Fixed8 Filled,
    long TradeTimeMs,
    long EventTimeMs)
{
    public bool ClosesLong => Side == "SELL";
}

/// <summary>
/// One symbol's entry of <c>!markPrice@arr@1s</c>: its mark price, index price, estimated settle price, funding rate
/// (signed; none on a delivery contract, which sends <c>""</c>), next funding time (0 on a delivery contract) and the
/// event's time.
/// </summary>
public readonly record struct MarkPriceUpdate(string Name, Fixed8 Mark, Fixed8 Index, Fixed8 EstimatedSettle, Fixed8? FundingRate, long NextFundingTimeMs,
    long EventTimeMs);

public enum MarketFrameKind : byte
{
    ForceOrder,
    /// <summary>Every symbol's mark price, index and funding, once a second.</summary>
    MarkPrices,
    /// <summary>The server is going away: reconnect at once.</summary>
    ServerShutdown,
    /// <summary>A reply to a request, or an event of another kind: nothing to take.</summary>
    Other,
    Malformed,
}

public readonly record struct MarketFrame(MarketFrameKind Kind, ForceOrder Order = default, string? Problem = null,
    IReadOnlyList<MarkPriceUpdate>? Marks = null);

/// <summary>
/// Parses a frame of a futures market's market-wide streams, raw (<c>{"e":"forceOrder",...}</c>, <c>[{"e":"markPriceUpdate",...}]</c>)
/// or combined (<c>{"stream":"!forceOrder@arr","data":{...}}</c>). Strict about what it takes: every field of a
/// liquidation order present with its type, quantities and prices exact, the side BUY or SELL, no more filled than
/// ordered; every mark price entry whole, or the frame is dropped. Unknown fields are skipped. These streams carry at
/// most one event a symbol a second, so a JsonDocument per frame is cheap enough.
/// </summary>
public static class MarketStreamParser
{
    public static MarketFrame Parse(ReadOnlySpan<byte> frame)
    {
        if (frame.IsEmpty) return Malformed("empty frame");
        try
        {
            using var document = JsonDocument.Parse(frame.ToArray());
            var root = document.RootElement;
            var data = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("data", out var wrapped) && root.TryGetProperty("stream", out _)
                ? wrapped
                : root;
            if (data.ValueKind == JsonValueKind.Array) return Marks(data);
            if (data.ValueKind != JsonValueKind.Object) return Malformed("not a JSON object");
            if (!data.TryGetProperty("e", out var type)) return new MarketFrame(MarketFrameKind.Other);
            if (type.ValueKind != JsonValueKind.String) return Malformed("field e is not a string");
            return type.GetString() switch
            {
                "forceOrder" => Order(data),
                "serverShutdown" => new MarketFrame(MarketFrameKind.ServerShutdown),
                _ => new MarketFrame(MarketFrameKind.Other),
            };
        }
        catch (JsonException)
        {
            return Malformed("invalid JSON");
        }
    }

    private static MarketFrame Order(JsonElement data)
    {
        if (!Integer(data, "E", out var eventTime)) return Malformed("field E is not an integer");
        if (!data.TryGetProperty("o", out var o) || o.ValueKind != JsonValueKind.Object) return Malformed("field o is not an object");
        string? problem = null;
        var name = Text(o, "s", ref problem);
        var side = Text(o, "S", ref problem);
        var orderType = Text(o, "o", ref problem);
        var timeInForce = Text(o, "f", ref problem);
        var status = Text(o, "X", ref problem);
        var quantity = Amount(o, "q", ref problem);
        var price = Amount(o, "p", ref problem);
        var averagePrice = Amount(o, "ap", ref problem);
        var lastFilled = Amount(o, "l", ref problem);
        var filled = Amount(o, "z", ref problem);
        if (problem is not null) return Malformed(problem);
        if (!Integer(o, "T", out var tradeTime)) return Malformed("field o.T is not an integer");
        if (name.Length == 0) return Malformed("field o.s is empty");
        if (side is not ("BUY" or "SELL")) return Malformed($"field o.S is '{side}', not BUY or SELL");
        if (filled > quantity) return Malformed($"filled {filled} exceeds the order's quantity {quantity}");
        if (filled > Fixed8.Zero && averagePrice == Fixed8.Zero) return Malformed("filled at an average price of 0");
        return new MarketFrame(MarketFrameKind.ForceOrder,
            new ForceOrder(name, side, orderType, timeInForce, quantity, price, averagePrice, status, lastFilled, filled, tradeTime, eventTime));
    }

    private static MarketFrame Marks(JsonElement entries)
    {
        var marks = new List<MarkPriceUpdate>(entries.GetArrayLength());
        foreach (var entry in entries.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("e", out var type) || !type.ValueEquals("markPriceUpdate"u8))
                return Malformed("an entry is not a markPriceUpdate");
            string? problem = null;
            var name = Text(entry, "s", ref problem);
            var mark = Amount(entry, "p", ref problem);
            var index = Amount(entry, "i", ref problem);
            var settle = Amount(entry, "P", ref problem);
            var rate = entry.TryGetProperty("r", out var r) && r.ValueKind == JsonValueKind.String && r.GetString() is { Length: > 0 } rateText
                ? Signed(rateText, ref problem)
                : null;
            if (!Integer(entry, "T", out var nextFunding)) problem ??= "field T is not an integer";
            if (!Integer(entry, "E", out var eventTime)) problem ??= "field E is not an integer";
            if (problem is not null) return Malformed(problem);
            marks.Add(new MarkPriceUpdate(name, mark, index, settle, rate, nextFunding, eventTime));
        }
        return new MarketFrame(MarketFrameKind.MarkPrices, Marks: marks);
    }

    /// <summary>A funding rate: a decimal string, negative ones with a leading minus.</summary>
    private static Fixed8? Signed(string text, ref string? problem)
    {
        var negative = text.StartsWith('-');
        if (Fixed8.TryParse(Encoding.UTF8.GetBytes(negative ? text[1..] : text), out var value)) return negative ? new Fixed8(-value.Raw) : value;
        problem ??= "field r is not an exact decimal string";
        return null;
    }

    private static string Text(JsonElement o, string field, ref string? problem)
    {
        if (o.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String) return value.GetString()!;
        problem ??= $"field {Path(o, field)} is not a string";
        return "";
    }

    private static Fixed8 Amount(JsonElement o, string field, ref string? problem)
    {
        if (o.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String &&
            Fixed8.TryParse(Encoding.UTF8.GetBytes(value.GetString()!), out var amount)) return amount;
        problem ??= $"field {Path(o, field)} is not an exact decimal string";
        return Fixed8.Zero;
    }

    /// <summary>A field as the problem names it: a liquidation's order fields under <c>o.</c>, a mark price's as they are.</summary>
    private static string Path(JsonElement owner, string field) => owner.TryGetProperty("e", out _) ? field : $"o.{field}";

    private static bool Integer(JsonElement element, string field, out long value)
    {
        value = 0;
        return element.TryGetProperty(field, out var number) && number.ValueKind == JsonValueKind.Number && number.TryGetInt64(out value);
    }

    private static MarketFrame Malformed(string problem) => new(MarketFrameKind.Malformed, Problem: problem);
}
