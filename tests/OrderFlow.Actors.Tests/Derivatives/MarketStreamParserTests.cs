using OrderFlow.Actors.Binance;
using OrderFlow.Protocol;
using Xunit;

namespace OrderFlow.Actors.Tests.Derivatives;

public sealed class MarketStreamParserTests
{
    // Binance's own example (USD-M "Liquidation Order Streams"), wrapped as a combined stream sends it.
    private const string Example = """
        {"stream":"!forceOrder@arr","data":{"e":"forceOrder","E":1568014460893,"o":{"s":"BTCUSDT","S":"SELL","o":"LIMIT","f":"IOC",
        "q":"0.014","p":"9910","ap":"9910","X":"FILLED","l":"0.014","z":"0.014","T":1568014460893}}}
        """;

    [Fact]
    public void Binance_s_example_is_read_field_by_field_exactly()
    {
        var frame = MarketStreamParser.Parse(System.Text.Encoding.UTF8.GetBytes(Example));

        Assert.Equal(MarketFrameKind.ForceOrder, frame.Kind);
        Assert.Equal(new ForceOrder("BTCUSDT", "SELL", "LIMIT", "IOC", Fixed8.Parse("0.014"), Fixed8.Parse("9910"), Fixed8.Parse("9910"), "FILLED",
            Fixed8.Parse("0.014"), Fixed8.Parse("0.014"), 1568014460893, 1568014460893), frame.Order);
        Assert.True(frame.Order.ClosesLong);
    }

    [Fact]
    public void A_raw_event_reads_as_the_combined_one_does_and_unknown_fields_are_skipped()
    {
        var raw = """{"e":"forceOrder","E":5,"x":[1,{"y":2}],"o":{"s":"ETHUSDT","S":"BUY","o":"LIMIT","f":"IOC","q":"2","p":"3000.5","ap":"3001.25","X":"PARTIALLY_FILLED","l":"0.5","z":"1.5","T":4,"new":"field"}}""";

        var frame = MarketStreamParser.Parse(System.Text.Encoding.UTF8.GetBytes(raw));

        Assert.Equal(MarketFrameKind.ForceOrder, frame.Kind);
        Assert.Equal(("ETHUSDT", false, 1.5m, 3001.25m, 4L, 5L),
            (frame.Order.Name, frame.Order.ClosesLong, frame.Order.Filled.ToDecimal(), frame.Order.AveragePrice.ToDecimal(), frame.Order.TradeTimeMs, frame.Order.EventTimeMs));
    }

    [Theory]
    [InlineData("""{"e":"forceOrder","E":1,"o":{"s":"BTCUSDT","S":"SELL","o":"LIMIT","f":"IOC","q":"1","p":"1","ap":"1","X":"FILLED","l":"1","T":1}}""", "field o.z is not an exact decimal string")]
    [InlineData("""{"e":"forceOrder","E":1,"o":{"s":"BTCUSDT","S":"HOLD","o":"LIMIT","f":"IOC","q":"1","p":"1","ap":"1","X":"FILLED","l":"1","z":"1","T":1}}""", "field o.S is 'HOLD', not BUY or SELL")]
    [InlineData("""{"e":"forceOrder","E":1,"o":{"s":"BTCUSDT","S":"SELL","o":"LIMIT","f":"IOC","q":"1","p":"1","ap":"1","X":"FILLED","l":"1","z":"2","T":1}}""", "filled 2 exceeds the order's quantity 1")]
    [InlineData("""{"e":"forceOrder","E":1,"o":{"s":"BTCUSDT","S":"SELL","o":"LIMIT","f":"IOC","q":"1","p":"1","ap":"0","X":"FILLED","l":"1","z":"1","T":1}}""", "filled at an average price of 0")]
    [InlineData("""{"e":"forceOrder","E":1,"o":{"s":"BTCUSDT","S":"SELL","o":"LIMIT","f":"IOC","q":"-1","p":"1","ap":"1","X":"FILLED","l":"1","z":"1","T":1}}""", "field o.q is not an exact decimal string")]
    [InlineData("""{"e":"forceOrder","E":1,"o":{"s":"BTCUSDT","S":"SELL","o":"LIMIT","f":"IOC","q":"1","p":"1","ap":"1","X":"FILLED","l":"1","z":"1","T":"soon"}}""", "field o.T is not an integer")]
    [InlineData("""{"e":"forceOrder","E":1,"o":"BTCUSDT"}""", "field o is not an object")]
    [InlineData("""{"e":"forceOrder","o":{}}""", "field E is not an integer")]
    [InlineData("""[1,2]""", "an entry is not a markPriceUpdate")]
    [InlineData("""42""", "not a JSON object")]
    [InlineData("""{"e":"forceOrder",""", "invalid JSON")]
    public void A_malformed_liquidation_is_dropped_with_its_reason(string frame, string problem)
    {
        var parsed = MarketStreamParser.Parse(System.Text.Encoding.UTF8.GetBytes(frame));

        Assert.Equal((MarketFrameKind.Malformed, problem), (parsed.Kind, parsed.Problem));
    }

    [Fact]
    public void A_server_shutdown_and_a_request_s_reply_are_told_apart_from_liquidations()
    {
        Assert.Equal(MarketFrameKind.ServerShutdown, MarketStreamParser.Parse("""{"e":"serverShutdown","E":1}"""u8).Kind);
        Assert.Equal(MarketFrameKind.Other, MarketStreamParser.Parse("""{"result":null,"id":1}"""u8).Kind);
        Assert.Equal(MarketFrameKind.Malformed, MarketStreamParser.Parse(""u8).Kind);
    }

    [Fact]
    public void Every_symbol_s_mark_price_is_read_from_one_frame_a_negative_funding_rate_and_a_delivery_contract_s_empty_one_too()
    {
        var frame = MarketStreamParser.Parse("""
            {"stream":"!markPrice@arr@1s","data":[
             {"e":"markPriceUpdate","E":1562305380000,"s":"BTCUSDT","p":"11794.15000000","i":"11784.62659091","P":"11784.25641265","r":"0.00038167","T":1562306400000},
             {"e":"markPriceUpdate","E":1562305380000,"s":"ETHUSDT","p":"3120.5","i":"3121","P":"3120.75","r":"-0.0001","T":1562306400000},
             {"e":"markPriceUpdate","E":1562305380001,"s":"BTCUSD_251226","p":"91000.1","i":"90990.2","P":"91000.1","r":"","T":0}]}
            """u8);

        Assert.Equal(MarketFrameKind.MarkPrices, frame.Kind);
        Assert.Equal([
            new MarkPriceUpdate("BTCUSDT", Fixed8.Parse("11794.15"), Fixed8.Parse("11784.62659091"), Fixed8.Parse("11784.25641265"), Fixed8.Parse("0.00038167"),
                1562306400000, 1562305380000),
            new MarkPriceUpdate("ETHUSDT", Fixed8.Parse("3120.5"), Fixed8.Parse("3121"), Fixed8.Parse("3120.75"), new Fixed8(-10_000), 1562306400000, 1562305380000),
            new MarkPriceUpdate("BTCUSD_251226", Fixed8.Parse("91000.1"), Fixed8.Parse("90990.2"), Fixed8.Parse("91000.1"), null, 0, 1562305380001),
        ], frame.Marks!);
    }

    [Theory]
    [InlineData("""[{"e":"markPriceUpdate","E":1,"s":"BTCUSDT","i":"1","P":"1","r":"0","T":1}]""", "field p is not an exact decimal string")]
    [InlineData("""[{"e":"markPriceUpdate","E":1,"s":"BTCUSDT","p":"1","i":"1","P":"1","r":"0.1x","T":1}]""", "field r is not an exact decimal string")]
    [InlineData("""[{"e":"markPriceUpdate","E":"now","s":"BTCUSDT","p":"1","i":"1","P":"1","r":"0","T":1}]""", "field E is not an integer")]
    [InlineData("""[{"e":"kline"}]""", "an entry is not a markPriceUpdate")]
    public void A_mark_price_frame_with_one_bad_entry_is_dropped_whole_with_its_reason(string frame, string problem)
    {
        var parsed = MarketStreamParser.Parse(System.Text.Encoding.UTF8.GetBytes(frame));

        Assert.Equal((MarketFrameKind.Malformed, problem), (parsed.Kind, parsed.Problem));
    }
}
