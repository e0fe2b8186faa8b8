using OrderFlow.Protocol;

namespace OrderFlow.Actors.Binance;

public static class StreamEndpoints
{
    /// <summary>The raw aggTrade stream of one symbol: <c>wss://host:port/ws/btcusdt@aggTrade</c>.</summary>
    public static Uri AggTrades(Uri webSocketBase, Symbol symbol) =>
        new($"{webSocketBase.AbsoluteUri.TrimEnd('/')}/ws/{symbol.StreamName}@aggTrade");
}
