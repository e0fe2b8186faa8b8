using System.Text;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Simulator;

/// <summary>Binance's JSON, written the way Binance writes it (decimals as strings with 8 digits).</summary>
public static class WireFormat
{
    public static byte[] AggTradeEvent(string symbol, in AggregateTrade trade, long eventTimeMs, bool futures = false) =>
        Encoding.UTF8.GetBytes(futures
            // Futures: no M, and a field spot does not have.
            ? $$"""{"e":"aggTrade","E":{{eventTimeMs}},"a":{{trade.AggregateId}},"s":"{{symbol}}","p":"{{trade.Price.ToWireString()}}","q":"{{trade.Quantity.ToWireString()}}","nq":"{{trade.Quantity.ToWireString()}}","f":{{trade.FirstTradeId}},"l":{{trade.LastTradeId}},"T":{{trade.TradeTimeMs}},"m":{{(trade.Side == AggressorSide.Sell ? "true" : "false")}}}"""
            : $$"""{"e":"aggTrade","E":{{eventTimeMs}},"s":"{{symbol}}","a":{{trade.AggregateId}},"p":"{{trade.Price.ToWireString()}}","q":"{{trade.Quantity.ToWireString()}}","f":{{trade.FirstTradeId}},"l":{{trade.LastTradeId}},"T":{{trade.TradeTimeMs}},"m":{{(trade.Side == AggressorSide.Sell ? "true" : "false")}},"M":true}""");

    /// <summary>A REST <c>/api/v3/aggTrades</c> element: no e, E or s.</summary>
    public static void AppendRestAggTrade(StringBuilder json, in AggregateTrade trade, bool futures = false) =>
        json.Append($$"""{"a":{{trade.AggregateId}},"p":"{{trade.Price.ToWireString()}}","q":"{{trade.Quantity.ToWireString()}}","f":{{trade.FirstTradeId}},"l":{{trade.LastTradeId}},"T":{{trade.TradeTimeMs}},"m":{{(trade.Side == AggressorSide.Sell ? "true" : "false")}}{{(futures ? "" : ",\"M\":true")}}}""");

    /// <summary>An event as a combined stream sends it: <c>{"stream":"btcusdt@aggTrade","data":{...}}</c>.</summary>
    public static byte[] Combined(string symbol, byte[] data) =>
        [.. Encoding.UTF8.GetBytes($$"""{"stream":"{{symbol.ToLowerInvariant()}}@aggTrade","data":"""), .. data, (byte)'}'];

    public static byte[] ServerShutdownEvent(long eventTimeMs) =>
        Encoding.UTF8.GetBytes($$"""{"e":"serverShutdown","E":{{eventTimeMs}}}""");

    public const string InvalidSymbol = """{"code":-1121,"msg":"Invalid symbol."}""";
}
