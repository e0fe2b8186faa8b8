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

public enum MarketFrameKind : byte
{
    ForceOrder,
    /// <summary>The server is going away: reconnect at once.</summary>
    ServerShutdown,
    /// <summary>A reply to a request, or an event of another kind: nothing to take.</summary>
    Other,
    Malformed,
}

public readonly record struct MarketFrame(MarketFrameKind Kind, ForceOrder Order = default, string? Problem = null);

/// <summary>
/// Parses a frame of a market-wide stream, raw (<c>{"e":"forceOrder",...}</c>) or combined
/// (<c>{"stream":"!forceOrder@arr","data":{...}}</c>). Strict about what it takes: every field of the order present
/// with its type, quantities and prices exact, the side BUY or SELL, no more filled than ordered. Unknown fields are
/// skipped. These streams carry at most one event a symbol a second, so a JsonDocument per frame is cheap enough.
/// </summary>
public static class ForceOrderParser
{
    public static MarketFrame Parse(ReadOnlySpan<byte> frame)
    {
        if (frame.IsEmpty) return Malformed("empty frame");
        try
        {
            using var document = JsonDocument.Parse(frame.ToArray());
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return Malformed("not a JSON object");
            var data = root.TryGetProperty("data", out var wrapped) && root.TryGetProperty("stream", out _) ? wrapped : root;
            if (data.ValueKind != JsonValueKind.Object) return Malformed("its data is not an object");
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

    private static string Text(JsonElement o, string field, ref string? problem)
    {
        if (o.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String) return value.GetString()!;
        problem ??= $"field o.{field} is not a string";
        return "";
    }

    private static Fixed8 Amount(JsonElement o, string field, ref string? problem)
    {
        if (o.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String &&
            Fixed8.TryParse(Encoding.UTF8.GetBytes(value.GetString()!), out var amount)) return amount;
        problem ??= $"field o.{field} is not an exact decimal string";
        return Fixed8.Zero;
    }

    private static bool Integer(JsonElement element, string field, out long value)
    {
        value = 0;
        return element.TryGetProperty(field, out var number) && number.ValueKind == JsonValueKind.Number && number.TryGetInt64(out value);
    }

    private static MarketFrame Malformed(string problem) => new(MarketFrameKind.Malformed, Problem: problem);
}
