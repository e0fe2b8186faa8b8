using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Binance;

/// <summary>
/// The fast path: an aggTrade exactly as Binance writes it, raw or wrapped, fields in Binance's order
/// (<c>{"e":"aggTrade","E":…,"s":"…","a":…,"p":"…","q":"…","f":…,"l":…,"T":…,"m":…,"M":…}</c>, <c>M</c> optional, as
/// on futures), read straight off the bytes with the same checks as the general parser. Anything else (another
/// order, an unknown field, whitespace, an escape, a fault) is not decided here: the general parser reads the frame
/// from the start, so what is accepted, and why a frame is dropped, never depends on which path read it.
/// </summary>
public static partial class AggTradeParser
{
    private static bool TryParseFast<TRoute>(ReadOnlySpan<byte> frame, SymbolRoutes<TRoute> routes, out StreamMessage message, out TRoute? route)
        where TRoute : class
    {
        message = default;
        route = null;
        var rest = frame;
        TRoute? wrapper = null;
        var wrapped = rest.StartsWith("{\"stream\":\""u8);
        if (wrapped)
        {
            rest = rest[11..];
            var end = rest.IndexOfAny((byte)'"', (byte)'\\');
            if (end < 0 || rest[end] != (byte)'"') return false;
            wrapper = routes.FindStream(rest[..end]);
            if (wrapper is null && !IsPlainString(rest[..end])) return false;
            rest = rest[(end + 1)..];
            if (!Skip(ref rest, ",\"data\":"u8)) return false;
        }

        if (!Skip(ref rest, "{\"e\":\"aggTrade\",\"E\":"u8) || !Integer(ref rest, out _)) return false;
        if (!Skip(ref rest, ",\"s\":\""u8)) return false;
        var nameEnd = rest.IndexOfAny((byte)'"', (byte)'\\');
        if (nameEnd < 0 || rest[nameEnd] != (byte)'"') return false;
        var named = routes.FindSymbol(rest[..nameEnd]);
        if (named is null && !IsPlainString(rest[..nameEnd])) return false;
        rest = rest[(nameEnd + 1)..];

        if (!Skip(ref rest, ",\"a\":"u8) || !Integer(ref rest, out var aggregateId)) return false;
        if (!Skip(ref rest, ",\"p\":\""u8) || !Decimal(ref rest, out var price)) return false;
        if (!Skip(ref rest, ",\"q\":\""u8) || !Decimal(ref rest, out var quantity)) return false;
        if (!Skip(ref rest, ",\"f\":"u8) || !Integer(ref rest, out var firstTradeId)) return false;
        if (!Skip(ref rest, ",\"l\":"u8) || !Integer(ref rest, out var lastTradeId)) return false;
        if (!Skip(ref rest, ",\"T\":"u8) || !Integer(ref rest, out var tradeTime)) return false;
        if (!Skip(ref rest, ",\"m\":"u8) || !Boolean(ref rest, out var buyerIsMaker)) return false;
        if (Skip(ref rest, ",\"M\":"u8) && !Boolean(ref rest, out _)) return false;
        if (!Skip(ref rest, "}"u8) || (wrapped && !Skip(ref rest, "}"u8)) || !rest.IsEmpty) return false;

        // The general parser's checks and words, in its order.
        route = wrapper ?? named;
        if (named is null || (wrapped && wrapper is not null && !ReferenceEquals(wrapper, named)))
            message = StreamMessage.Malformed("aggTrade for another symbol");
        else if (price.Raw <= 0 || quantity.Raw <= 0)
            message = StreamMessage.Malformed("price or quantity is not positive");
        else if (lastTradeId < firstTradeId || lastTradeId - firstTradeId > int.MaxValue)
            message = StreamMessage.Malformed("trade id range f..l is not valid");
        else
            message = new StreamMessage(StreamMessageKind.AggregateTrade, new AggregateTrade(
                aggregateId, price, quantity, firstTradeId, lastTradeId, tradeTime, buyerIsMaker ? AggressorSide.Sell : AggressorSide.Buy));
        return true;
    }

    /// <summary>A JSON string's bytes as the general parser would take them: valid UTF-8, no control character.</summary>
    private static bool IsPlainString(ReadOnlySpan<byte> text) => text.IndexOfAnyInRange((byte)0, (byte)0x1F) < 0 && System.Text.Unicode.Utf8.IsValid(text);

    private static bool Skip(ref ReadOnlySpan<byte> rest, ReadOnlySpan<byte> literal)
    {
        if (!rest.StartsWith(literal)) return false;
        rest = rest[literal.Length..];
        return true;
    }

    /// <summary>A JSON integer as Binance writes one: digits, no sign, no leading zero, at most 18 of them (no overflow).</summary>
    private static bool Integer(ref ReadOnlySpan<byte> rest, out long value)
    {
        value = 0;
        var length = AsciiDigits.RunLength(rest);
        if (length is 0 or > 18 || (length > 1 && rest[0] == (byte)'0')) return false;
        value = AsciiDigits.Value(rest[..length]);
        rest = rest[length..];
        return true;
    }

    /// <summary>A decimal string and its closing quote.</summary>
    private static bool Decimal(ref ReadOnlySpan<byte> rest, out Fixed8 value)
    {
        value = default;
        var end = rest.IndexOf((byte)'"');
        if (end <= 0 || !Fixed8.TryParse(rest[..end], out value)) return false;
        rest = rest[(end + 1)..];
        return true;
    }

    private static bool Boolean(ref ReadOnlySpan<byte> rest, out bool value)
    {
        value = rest.StartsWith("true"u8);
        if (value || rest.StartsWith("false"u8))
        {
            rest = rest[(value ? 4 : 5)..];
            return true;
        }
        return false;
    }
}
