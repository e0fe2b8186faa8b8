using System.Text.Json;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Binance;

/// <summary>
/// Parses a Binance stream frame, raw (<c>{"e":"aggTrade",...}</c>) or combined (<c>{"stream":..,"data":{..}}</c>),
/// with one Utf8JsonReader pass and no allocation. Strict: every aggTrade field must be present with its type, price
/// and quantity exact and positive, and the symbol one the connection carries (its route is given back, so that a
/// shared connection's frames reach their symbols). Unknown fields are skipped so that Binance can add some without
/// breaking us.
/// </summary>
public static partial class AggTradeParser
{
    [Flags]
    private enum Seen : ushort
    {
        None = 0,
        EventTime = 1 << 0,
        Symbol = 1 << 1,
        AggregateId = 1 << 2,
        Price = 1 << 3,
        Quantity = 1 << 4,
        FirstTradeId = 1 << 5,
        LastTradeId = 1 << 6,
        TradeTime = 1 << 7,
        BuyerIsMaker = 1 << 8,
        Id = 1 << 9,
        ResultOrError = 1 << 10,
        RestTradeFields = AggregateId | Price | Quantity | FirstTradeId | LastTradeId | TradeTime | BuyerIsMaker,
        AllTradeFields = RestTradeFields | EventTime | Symbol,
    }

    private enum EventType : byte { None, AggTrade, ServerShutdown, Other }

    private static readonly JsonReaderOptions Options = new() { MaxDepth = 8 };

    /// <summary>
    /// Parses one frame. <paramref name="route"/> is the symbol's route when the frame names one the connection
    /// carries (a malformed frame included, when its name was read before the fault), else null.
    /// </summary>
    public static StreamMessage Parse<TRoute>(ReadOnlySpan<byte> frame, SymbolRoutes<TRoute> routes, out TRoute? route) where TRoute : class =>
        TryParseFast(frame, routes, out var message, out route) ? message : ParseStrictly(frame, routes, out route);

    /// <summary>The general parser alone: any field order, every check. <see cref="Parse{TRoute}"/> tries the fast path first.</summary>
    internal static StreamMessage ParseStrictly<TRoute>(ReadOnlySpan<byte> frame, SymbolRoutes<TRoute> routes, out TRoute? route) where TRoute : class
    {
        route = null;
        if (frame.IsEmpty) return StreamMessage.Malformed("empty frame");
        try
        {
            var reader = new Utf8JsonReader(frame, Options);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return StreamMessage.Malformed("not a JSON object");
            var message = ParseObject(ref reader, routes, ref route, allowWrapper: true);
            // Reading on rejects trailing content: the reader throws on a second root value.
            if (message.Kind != StreamMessageKind.Malformed) reader.Read();
            return message;
        }
        catch (JsonException)
        {
            return StreamMessage.Malformed("invalid JSON");
        }
    }

    /// <summary>
    /// Parses a REST <c>/api/v3/aggTrades</c> answer: an array of aggregates without e, E or s. All or nothing: a
    /// malformed element rejects the page, since a page with a hole would pass a gap off as filled.
    /// </summary>
    public static bool TryParseRestPage(ReadOnlySpan<byte> json, List<AggregateTrade> trades, out string problem)
    {
        problem = "";
        object? none = null;
        try
        {
            var reader = new Utf8JsonReader(json, Options);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                problem = "not a JSON array";
                return false;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                var element = ParseObject(ref reader, SymbolRoutes<object>.Empty, ref none, allowWrapper: false, restElement: true);
                if (element.Kind != StreamMessageKind.AggregateTrade)
                {
                    problem = element.Problem ?? "not an aggregate trade";
                    return false;
                }
                trades.Add(element.Trade);
            }
            if (reader.TokenType != JsonTokenType.EndArray) problem = "an element is not an object";
            else reader.Read(); // throws on trailing content
            return problem.Length == 0;
        }
        catch (JsonException)
        {
            problem = "invalid JSON";
            return false;
        }
    }

    private static StreamMessage ParseObject<TRoute>(ref Utf8JsonReader reader, SymbolRoutes<TRoute> routes, ref TRoute? route,
        bool allowWrapper, bool restElement = false) where TRoute : class
    {
        var seen = Seen.None;
        var eventType = EventType.None;
        StreamMessage? wrapped = null;
        long aggregateId = 0, firstTradeId = 0, lastTradeId = 0, tradeTime = 0;
        Fixed8 price = default, quantity = default;
        var buyerIsMaker = false;
        var symbolMatches = false;
        long requestId = 0;
        string? error = null;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueSpan;
            if (reader.ValueIsEscaped || name.Length > 6)
            {
                reader.Read();
                reader.Skip();
                continue;
            }

            reader.Read();
            switch (name.Length == 1 ? (char)name[0] : '\0')
            {
                case 'e':
                    if (reader.TokenType != JsonTokenType.String) return StreamMessage.Malformed("field e is not a string");
                    eventType = reader.ValueTextEquals("aggTrade"u8) ? EventType.AggTrade
                        : reader.ValueTextEquals("serverShutdown"u8) ? EventType.ServerShutdown
                        : EventType.Other;
                    break;
                case 'E':
                    if (!reader.TryGetInt64Strict(out _)) return StreamMessage.Malformed("field E is not an integer");
                    seen |= Seen.EventTime;
                    break;
                case 's':
                    if (reader.TokenType != JsonTokenType.String) return StreamMessage.Malformed("field s is not a string");
                    var named = routes.FindSymbol(Unescaped(ref reader));
                    // A combined stream's wrapper named the stream first: its event must be about the same symbol.
                    symbolMatches = named is not null && (route is null || ReferenceEquals(route, named));
                    route ??= named;
                    seen |= Seen.Symbol;
                    break;
                case 'a':
                    if (!reader.TryGetInt64Strict(out aggregateId)) return StreamMessage.Malformed("field a is not an integer");
                    seen |= Seen.AggregateId;
                    break;
                case 'f':
                    if (!reader.TryGetInt64Strict(out firstTradeId)) return StreamMessage.Malformed("field f is not an integer");
                    seen |= Seen.FirstTradeId;
                    break;
                case 'l':
                    if (!reader.TryGetInt64Strict(out lastTradeId)) return StreamMessage.Malformed("field l is not an integer");
                    seen |= Seen.LastTradeId;
                    break;
                case 'T':
                    if (!reader.TryGetInt64Strict(out tradeTime)) return StreamMessage.Malformed("field T is not an integer");
                    seen |= Seen.TradeTime;
                    break;
                case 'p':
                    if (!reader.TryGetFixed8(out price)) return StreamMessage.Malformed("field p is not a decimal string");
                    seen |= Seen.Price;
                    break;
                case 'q':
                    if (!reader.TryGetFixed8(out quantity)) return StreamMessage.Malformed("field q is not a decimal string");
                    seen |= Seen.Quantity;
                    break;
                case 'm':
                    if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False))
                        return StreamMessage.Malformed("field m is not a boolean");
                    buyerIsMaker = reader.TokenType == JsonTokenType.True;
                    seen |= Seen.BuyerIsMaker;
                    break;
                default:
                    if (name.SequenceEqual("id"u8))
                    {
                        if (reader.TokenType == JsonTokenType.Number) reader.TryGetInt64(out requestId);
                        seen |= Seen.Id;
                    }
                    else if (name.SequenceEqual("result"u8))
                        seen |= Seen.ResultOrError;
                    else if (name.SequenceEqual("error"u8))
                    {
                        error = ErrorMessage(ref reader);
                        seen |= Seen.ResultOrError;
                        continue;
                    }
                    else if (allowWrapper && name.SequenceEqual("stream"u8) && reader.TokenType == JsonTokenType.String)
                    {
                        route = routes.FindStream(Unescaped(ref reader));
                        break;
                    }
                    else if (allowWrapper && name.SequenceEqual("data"u8))
                    {
                        if (reader.TokenType != JsonTokenType.StartObject) return StreamMessage.Malformed("field data is not an object");
                        wrapped = ParseObject(ref reader, routes, ref route, allowWrapper: false);
                        if (wrapped.Value.Kind == StreamMessageKind.Malformed) return wrapped.Value;
                        continue;
                    }
                    reader.Skip();
                    break;
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject) return StreamMessage.Malformed("invalid JSON");
        if (wrapped is { } inner) return inner;
        if (restElement)
        {
            // REST elements carry no event type or symbol: the request named the symbol.
            if (eventType != EventType.None) return StreamMessage.Malformed("unexpected event type in a REST element");
            eventType = EventType.AggTrade;
            symbolMatches = true;
            seen |= Seen.EventTime | Seen.Symbol;
        }

        switch (eventType)
        {
            case EventType.AggTrade:
                if ((seen & Seen.AllTradeFields) != Seen.AllTradeFields) return StreamMessage.Malformed("aggTrade is missing fields");
                if (!symbolMatches) return StreamMessage.Malformed("aggTrade for another symbol");
                if (price.Raw <= 0 || quantity.Raw <= 0) return StreamMessage.Malformed("price or quantity is not positive");
                if (aggregateId < 0 || tradeTime < 0) return StreamMessage.Malformed("negative aggregate id or trade time");
                if (firstTradeId < 0 || lastTradeId < firstTradeId || lastTradeId - firstTradeId > int.MaxValue)
                    return StreamMessage.Malformed("trade id range f..l is not valid");
                return new StreamMessage(StreamMessageKind.AggregateTrade, new AggregateTrade(
                    aggregateId, price, quantity, firstTradeId, lastTradeId, tradeTime,
                    buyerIsMaker ? AggressorSide.Sell : AggressorSide.Buy));
            case EventType.ServerShutdown:
                return StreamMessage.ServerShutdown;
            case EventType.None when (seen & (Seen.Id | Seen.ResultOrError)) == (Seen.Id | Seen.ResultOrError):
                return StreamMessage.ControlReply(requestId, error);
            case EventType.None:
                return StreamMessage.Malformed("no event type");
            default:
                return StreamMessage.Malformed("unrecognised event type");
        }
    }

    /// <summary>A string token's UTF-8 bytes, unescaped (Binance may escape a name that is not ASCII: rare, so it may allocate).</summary>
    private static ReadOnlySpan<byte> Unescaped(ref Utf8JsonReader reader) =>
        !reader.ValueIsEscaped && !reader.HasValueSequence ? reader.ValueSpan : System.Text.Encoding.UTF8.GetBytes(reader.GetString() ?? "");

    /// <summary>An error reply's message, <c>{"code":2,"msg":"Invalid request"}</c>, read to the end of its object.</summary>
    private static string ErrorMessage(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return "error";
        }
        var message = "error";
        var depth = reader.CurrentDepth;
        while (reader.Read() && reader.CurrentDepth > depth)
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("msg"u8) && reader.Read() &&
                reader.TokenType == JsonTokenType.String)
                message = reader.GetString() ?? message;
            else if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                reader.Skip();
        }
        return message;
    }

    private static bool TryGetInt64Strict(this ref Utf8JsonReader reader, out long value)
    {
        value = 0;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out value);
    }

    private static bool TryGetFixed8(this ref Utf8JsonReader reader, out Fixed8 value)
    {
        value = default;
        return reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && !reader.HasValueSequence &&
               Fixed8.TryParse(reader.ValueSpan, out value);
    }
}
