using OrderFlow.Actors.Binance;
using OrderFlow.Protocol;
using Xunit;

namespace OrderFlow.Actors.Tests.Derivatives;

public sealed class ForceOrderParserTests
{
    // Binance's own example (USD-M "Liquidation Order Streams"), wrapped as a combined stream sends it.
    private const string Example = """
        {"stream":"!forceOrder@arr","data":{"e":"forceOrder","E":1568014460893,"o":{"s":"BTCUSDT","S":"SELL","o":"LIMIT","f":"IOC",
        "q":"0.014","p":"9910","ap":"9910","X":"FILLED","l":"0.014","z":"0.014","T":1568014460893}}}
        """;

    [Fact]
    public void Binance_s_example_is_read_field_by_field_exactly()
    {
        var frame = ForceOrderParser.Parse(System.Text.Encoding.UTF8.GetBytes(Example));

        Assert.Equal(MarketFrameKind.ForceOrder, frame.Kind);
        Assert.Equal(new ForceOrder("BTCUSDT", "SELL", "LIMIT", "IOC", Fixed8.Parse("0.014"), Fixed8.Parse("9910"), Fixed8.Parse("9910"), "FILLED",
            Fixed8.Parse("0.014"), Fixed8.Parse("0.014"), 1568014460893, 1568014460893), frame.Order);
        Assert.True(frame.Order.ClosesLong);
    }

    [Fact]
    public void A_raw_event_reads_as_the_combined_one_does_and_unknown_fields_are_skipped()
    {
        var raw = """{"e":"forceOrder","E":5,"x":[1,{"y":2}],"o":{"s":"ETHUSDT","S":"BUY","o":"LIMIT","f":"IOC","q":"2","p":"3000.5","ap":"3001.25","X":"PARTIALLY_FILLED","l":"0.5","z":"1.5","T":4,"new":"field"}}""";

        var frame = ForceOrderParser.Parse(System.Text.Encoding.UTF8.GetBytes(raw));

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
    [InlineData("""[1,2]""", "not a JSON object")]
    [InlineData("""{"e":"forceOrder",""", "invalid JSON")]
    public void A_malformed_liquidation_is_dropped_with_its_reason(string frame, string problem)
    {
        var parsed = ForceOrderParser.Parse(System.Text.Encoding.UTF8.GetBytes(frame));

        Assert.Equal((MarketFrameKind.Malformed, problem), (parsed.Kind, parsed.Problem));
    }

    [Fact]
    public void A_server_shutdown_and_a_request_s_reply_are_told_apart_from_liquidations()
    {
        Assert.Equal(MarketFrameKind.ServerShutdown, ForceOrderParser.Parse("""{"e":"serverShutdown","E":1}"""u8).Kind);
        Assert.Equal(MarketFrameKind.Other, ForceOrderParser.Parse("""{"result":null,"id":1}"""u8).Kind);
        Assert.Equal(MarketFrameKind.Malformed, ForceOrderParser.Parse(""u8).Kind);
    }
}
