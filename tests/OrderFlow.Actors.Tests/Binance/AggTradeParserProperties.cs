using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using OrderFlow.Actors.Binance;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;
using OrderFlow.Simulator;

namespace OrderFlow.Actors.Tests.Binance;

public sealed class AggTradeParserProperties
{
    private static readonly SymbolRoutes<string> Routes = SymbolRoutes<string>.Of(OrderFlow.Protocol.Symbol.Parse("BTCUSDT"), "BTCUSDT");

    /// <summary>Valid aggregates over the whole range Binance can send: any positive 8-decimal price and quantity.</summary>
    public static Arbitrary<AggregateTrade> Trades() =>
        (from id in Gen.Choose(0, int.MaxValue).Select(i => (long)i * 3)
         from price in Gen.Choose(1, int.MaxValue).Select(p => new Fixed8((long)p * 4_000))
         from quantity in Gen.Choose(1, int.MaxValue).Select(q => new Fixed8(q))
         from fills in Gen.Choose(0, 50)
         from time in Gen.Choose(0, int.MaxValue).Select(t => 1_500_000_000_000L + t)
         from sell in Gen.Elements(true, false)
         select new AggregateTrade(id, price, quantity, id * 2, id * 2 + fills, time, sell ? AggressorSide.Sell : AggressorSide.Buy))
        .ToArbitrary();

    [Property(Arbitrary = [typeof(AggTradeParserProperties)], MaxTest = 2_000)]
    public bool Every_valid_aggTrade_round_trips_exactly(AggregateTrade trade)
    {
        var message = AggTradeParser.Parse(WireFormat.AggTradeEvent("BTCUSDT", trade, trade.TradeTimeMs + 3), Routes, out _);
        return message.Kind == StreamMessageKind.AggregateTrade && message.Trade == trade;
    }

    [Property(MaxTest = 5_000)]
    public bool No_bytes_make_it_throw(byte[] frame) =>
        Enum.IsDefined(AggTradeParser.Parse(frame ?? [], Routes, out _).Kind);

    [Property(MaxTest = 5_000)]
    public bool No_text_makes_it_throw(string text) =>
        Enum.IsDefined(AggTradeParser.Parse(Encoding.UTF8.GetBytes(text ?? ""), Routes, out _).Kind);

    /// <summary>The fast path decides exactly as the general parser would, word for word, raw or wrapped, corrupted or not.</summary>
    [Property(Arbitrary = [typeof(AggTradeParserProperties)], MaxTest = 5_000)]
    public bool The_fast_path_and_the_general_parser_agree_on_every_frame(AggregateTrade trade, int position, byte value, bool wrap, bool corrupt)
    {
        var frame = WireFormat.AggTradeEvent("BTCUSDT", trade, trade.TradeTimeMs);
        if (wrap) frame = WireFormat.Combined("BTCUSDT", frame);
        if (corrupt) frame[Math.Abs(position % frame.Length)] = value;
        var fast = AggTradeParser.Parse(frame, Routes, out var fastRoute);
        var strict = AggTradeParser.ParseStrictly(frame, Routes, out var strictRoute);
        return fast == strict && fastRoute == strictRoute;
    }

    [Property(Arbitrary = [typeof(AggTradeParserProperties)], MaxTest = 2_000)]
    public bool No_corruption_of_a_valid_frame_makes_it_throw_or_yield_a_non_positive_trade(AggregateTrade trade, int position, byte value)
    {
        var frame = WireFormat.AggTradeEvent("BTCUSDT", trade, trade.TradeTimeMs);
        frame[Math.Abs(position % frame.Length)] = value;
        var message = AggTradeParser.Parse(frame, Routes, out _);
        return message.Kind != StreamMessageKind.AggregateTrade || (message.Trade.Price.Raw > 0 && message.Trade.Quantity.Raw > 0);
    }
}
