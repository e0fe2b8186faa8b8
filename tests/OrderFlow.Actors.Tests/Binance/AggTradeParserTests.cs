using System.Text;
using OrderFlow.Actors.Binance;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;
using Xunit;

namespace OrderFlow.Actors.Tests.Binance;

public sealed class AggTradeParserTests
{
    private const string Trade =
        """{"e":"aggTrade","E":1732406400123,"s":"BTCUSDT","a":3280912345,"p":"91350.12000000","q":"0.00123000","f":4100000001,"l":4100000003,"T":1732406400120,"m":true,"M":true}""";

    private static StreamMessage Parse(string frame, string symbol = "BTCUSDT") =>
        AggTradeParser.Parse(Encoding.UTF8.GetBytes(frame), SymbolRoutes<string>.Of(Symbol.Parse(symbol), symbol), out _);

    [Fact]
    public void Parses_a_raw_aggTrade_exactly()
    {
        var message = Parse(Trade);

        Assert.Equal(StreamMessageKind.AggregateTrade, message.Kind);
        Assert.Equal(new AggregateTrade(3280912345, Fixed8.Parse("91350.12"), Fixed8.Parse("0.00123"), 4100000001, 4100000003,
            1732406400120, AggressorSide.Sell), message.Trade);
    }

    [Theory]
    [InlineData("true", AggressorSide.Sell)]
    [InlineData("false", AggressorSide.Buy)]
    public void Buyer_is_maker_means_the_aggressor_sold(string m, AggressorSide side) =>
        Assert.Equal(side, Parse(Trade.Replace("\"m\":true", $"\"m\":{m}")).Trade.Side);

    [Fact]
    public void Parses_the_combined_stream_wrapper_in_either_field_order()
    {
        Assert.Equal(Parse(Trade), Parse($$"""{"stream":"btcusdt@aggTrade","data":{{Trade}}}"""));
        Assert.Equal(Parse(Trade), Parse($$"""{"data":{{Trade}},"stream":"btcusdt@aggTrade"}"""));
    }

    [Fact]
    public void Routes_each_frame_of_a_shared_connection_to_the_symbol_it_names_raw_or_wrapped()
    {
        var routes = new SymbolRoutes<string>([new(Symbol.Parse("BTCUSDT"), "btc"), new(Symbol.Parse("ETHUSDT"), "eth")]);
        var eth = Trade.Replace("BTCUSDT", "ETHUSDT");

        Assert.Equal(StreamMessageKind.AggregateTrade, AggTradeParser.Parse(Encoding.UTF8.GetBytes(Trade), routes, out var raw).Kind);
        Assert.Equal("btc", raw);
        Assert.Equal(StreamMessageKind.AggregateTrade,
            AggTradeParser.Parse(Encoding.UTF8.GetBytes($$"""{"stream":"ethusdt@aggTrade","data":{{eth}}}"""), routes, out var wrapped).Kind);
        Assert.Equal("eth", wrapped);

        // A wrapper that names one stream around another symbol's event is not believed.
        var mismatched = AggTradeParser.Parse(Encoding.UTF8.GetBytes($$"""{"stream":"btcusdt@aggTrade","data":{{eth}}}"""), routes, out _);
        Assert.Equal("aggTrade for another symbol", mismatched.Problem);
        // A symbol the connection does not carry routes nowhere.
        var other = AggTradeParser.Parse(Encoding.UTF8.GetBytes(Trade.Replace("BTCUSDT", "SOLUSDT")), routes, out var none);
        Assert.Equal(("aggTrade for another symbol", null), (other.Problem, none));
    }

    [Fact]
    public void A_control_reply_gives_the_id_it_answers_and_an_error_its_message()
    {
        var ok = Parse("""{"result":null,"id":17}""");
        Assert.Equal((StreamMessageKind.ControlReply, 17L, null), (ok.Kind, ok.RequestId, ok.Problem));
        var refused = Parse("""{"error":{"code":2,"msg":"Invalid request: unknown property"},"id":18}""");
        Assert.Equal((StreamMessageKind.ControlReply, 18L, "Invalid request: unknown property"), (refused.Kind, refused.RequestId, refused.Problem));
        var listed = Parse("""{"result":["btcusdt@aggTrade"],"id":19}""");
        Assert.Equal((StreamMessageKind.ControlReply, 19L, null), (listed.Kind, listed.RequestId, listed.Problem));
    }

    [Fact]
    public void Skips_fields_it_does_not_know()
    {
        var message = Parse(Trade.Replace("\"M\":true", "\"M\":true,\"X\":{\"nested\":[1,2,3]},\"extra\":\"x\""));
        Assert.Equal(StreamMessageKind.AggregateTrade, message.Kind);
    }

    [Theory]
    [InlineData("""{"e":"serverShutdown","E":1732406400123}""", StreamMessageKind.ServerShutdown)]
    [InlineData("""{"stream":"!serverShutdown","data":{"e":"serverShutdown","E":1}}""", StreamMessageKind.ServerShutdown)]
    [InlineData("""{"result":null,"id":1}""", StreamMessageKind.ControlReply)]
    [InlineData("""{"error":{"code":2,"msg":"Invalid request"},"id":1}""", StreamMessageKind.ControlReply)]
    public void Recognises_the_other_events_sharing_the_socket(string frame, StreamMessageKind kind) =>
        Assert.Equal(kind, Parse(frame).Kind);

    [Theory]
    [InlineData("", "empty frame")]
    [InlineData("   ", "invalid JSON")]
    [InlineData("[1,2]", "not a JSON object")]
    [InlineData("{\"e\":\"aggTrade\"", "invalid JSON")]
    [InlineData(Trade + " {}", "invalid JSON")]
    [InlineData("""{"e":"aggTrade","E":1,"s":"BTCUSDT","a":1,"p":"1.0","q":"1.0","f":1,"l":1,"T":1}""", "aggTrade is missing fields")]
    [InlineData("""{"e":"aggTrade","E":1,"s":"ETHUSDT","a":1,"p":"1.0","q":"1.0","f":1,"l":1,"T":1,"m":true}""", "aggTrade for another symbol")]
    [InlineData("""{"e":"aggTrade","E":1,"s":"BTCUSDT","a":1,"p":1.0,"q":"1.0","f":1,"l":1,"T":1,"m":true}""", "field p is not a decimal string")]
    [InlineData("""{"e":"aggTrade","E":1,"s":"BTCUSDT","a":1,"p":"1.123456789","q":"1.0","f":1,"l":1,"T":1,"m":true}""", "field p is not a decimal string")]
    [InlineData("""{"e":"aggTrade","E":1,"s":"BTCUSDT","a":1,"p":"99999999999999.0","q":"1.0","f":1,"l":1,"T":1,"m":true}""", "field p is not a decimal string")]
    [InlineData("""{"e":"aggTrade","E":1,"s":"BTCUSDT","a":1,"p":"0.00000000","q":"1.0","f":1,"l":1,"T":1,"m":true}""", "price or quantity is not positive")]
    [InlineData("""{"e":"aggTrade","E":1,"s":"BTCUSDT","a":1,"p":"-1.0","q":"1.0","f":1,"l":1,"T":1,"m":true}""", "field p is not a decimal string")]
    [InlineData("""{"e":"aggTrade","E":1,"s":"BTCUSDT","a":"1","p":"1.0","q":"1.0","f":1,"l":1,"T":1,"m":true}""", "field a is not an integer")]
    [InlineData("""{"e":"aggTrade","E":1,"s":"BTCUSDT","a":1.5,"p":"1.0","q":"1.0","f":1,"l":1,"T":1,"m":true}""", "field a is not an integer")]
    [InlineData("""{"e":"aggTrade","E":1,"s":"BTCUSDT","a":1,"p":"1.0","q":"1.0","f":1,"l":1,"T":1,"m":"yes"}""", "field m is not a boolean")]
    [InlineData("""{"e":"aggTrade","E":1,"s":"BTCUSDT","a":1,"p":"1.0","q":"1.0","f":9,"l":8,"T":1,"m":true}""", "trade id range f..l is not valid")]
    [InlineData("""{"e":"depthUpdate","E":1}""", "unrecognised event type")]
    [InlineData("""{"id":1}""", "no event type")]
    public void Drops_malformed_frames_with_the_reason(string frame, string problem)
    {
        var message = Parse(frame);
        Assert.Equal(StreamMessageKind.Malformed, message.Kind);
        Assert.Equal(problem, message.Problem);
    }

    [Fact]
    public void Survives_deeply_nested_input()
    {
        var deep = "{\"x\":" + string.Concat(Enumerable.Repeat("[", 1000)) + string.Concat(Enumerable.Repeat("]", 1000)) + "}";
        Assert.Equal(StreamMessageKind.Malformed, Parse(deep).Kind);
    }

    [Fact]
    public void Never_throws_on_any_prefix_or_byte_flip_of_a_valid_frame()
    {
        var bytes = Encoding.UTF8.GetBytes(Trade);
        var routes = SymbolRoutes<string>.Of(Symbol.Parse("BTCUSDT"), "BTCUSDT");
        for (var length = 0; length <= bytes.Length; length++) AggTradeParser.Parse(bytes.AsSpan(0, length), routes, out _);
        var random = new Random(7);
        for (var i = 0; i < 20_000; i++)
        {
            var mutated = (byte[])bytes.Clone();
            mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            var message = AggTradeParser.Parse(mutated, routes, out _);
            if (message.Kind == StreamMessageKind.AggregateTrade) Assert.True(message.Trade.Price.Raw > 0 && message.Trade.Quantity.Raw > 0);
        }
    }
}
