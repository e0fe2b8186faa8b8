using OrderFlow.Protocol;

namespace OrderFlow.Actors.Binance;

public static class StreamEndpoints
{
    /// <summary>The raw aggTrade stream of one symbol: <c>wss://host:port/ws/btcusdt@aggTrade</c>.</summary>
    public static Uri AggTrades(Uri webSocketBase, Symbol symbol) =>
        new($"{webSocketBase.AbsoluteUri.TrimEnd('/')}/ws/{InUrl(symbol)}");

    /// <summary>
    /// A connection opened carrying <paramref name="symbols"/>: the raw stream for one, else the combined stream
    /// (<c>/stream?streams=btcusdt@aggTrade/ethusdt@aggTrade</c>), whose events arrive wrapped with their stream's name.
    /// Either takes SUBSCRIBE and UNSUBSCRIBE later.
    /// </summary>
    public static Uri Carrying(Uri webSocketBase, IReadOnlyCollection<Symbol> symbols) =>
        symbols.Count == 1
            ? AggTrades(webSocketBase, symbols.First())
            : new($"{webSocketBase.AbsoluteUri.TrimEnd('/')}/stream?streams={string.Join('/', symbols.Select(InUrl))}");

    /// <summary>
    /// Where one symbol's stream is, on a connection carrying others too: the connection's combined URL narrowed to
    /// that one stream (for the log and the Connected event: a 200-stream URL says nothing about one symbol).
    /// </summary>
    public static Uri Of(Uri connection, Symbol symbol) =>
        connection.Query.StartsWith("?streams=", StringComparison.Ordinal)
            ? new Uri($"{connection.GetLeftPart(UriPartial.Path)}?streams={InUrl(symbol)}")
            : connection;

    /// <summary>A symbol's stream as Binance names it: the symbol in lower case, then <c>@aggTrade</c>.</summary>
    public static string StreamName(Symbol symbol) => symbol.StreamName + SymbolRoutes<object>.StreamSuffix;

    private static string InUrl(Symbol symbol) => Uri.EscapeDataString(symbol.StreamName) + SymbolRoutes<object>.StreamSuffix;
}
