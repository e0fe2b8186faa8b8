namespace OrderFlow.Actors.Binance;

/// <summary>
/// One of Binance's markets, with what differs between them: where its streams and REST live, its REST path, what
/// the calls this service makes weigh, the incoming messages per second one connection may send, and the REST weight
/// an IP may spend per minute (binance.md, "Markets and their endpoints" and "Limits").
/// </summary>
public sealed record BinanceMarket(
    string Name,
    bool Testnet,
    Uri WebSocketUrl,
    Uri RestUrl,
    string RestPath,
    int AggTradesWeight,
    int ExchangeInfoWeight,
    int IncomingMessagesPerSecond,
    int RequestWeightPerMinute,
    int MaxStreamsPerConnection)
{
    public static readonly IReadOnlyList<string> Names = ["spot", "usdm", "coinm"];

    /// <summary>The market called <paramref name="name"/> (spot, usdm or coinm), live or its testnet.</summary>
    public static BinanceMarket For(string name, bool testnet) => (name, testnet) switch
    {
        ("spot", false) => Spot(new Uri("wss://stream.binance.com:9443"), new Uri("https://api.binance.com"), testnet),
        ("spot", true) => Spot(new Uri("wss://stream.testnet.binance.vision"), new Uri("https://testnet.binance.vision"), testnet),
        // USD-M aggTrade is routed under /market since 2026-04-23: the legacy root upgrades and then sends nothing.
        ("usdm", false) => Futures(name, new Uri("wss://fstream.binance.com/market"), new Uri("https://fapi.binance.com"), "/fapi/v1", testnet),
        ("usdm", true) => Futures(name, new Uri("wss://fstream.binancefuture.com/market"), new Uri("https://testnet.binancefuture.com"), "/fapi/v1", testnet),
        ("coinm", false) => Futures(name, new Uri("wss://dstream.binance.com"), new Uri("https://dapi.binance.com"), "/dapi/v1", testnet),
        ("coinm", true) => Futures(name, new Uri("wss://dstream.binancefuture.com"), new Uri("https://testnet.binancefuture.com"), "/dapi/v1", testnet),
        _ => throw new ArgumentException($"unknown market '{name}': use {string.Join(", ", Names)}"),
    };

    public bool IsFutures => Name != "spot";

    // Spot: aggTrades weighs 4, exchangeInfo 20; 5 messages a second; 6,000 weight a minute; 1,024 streams.
    private static BinanceMarket Spot(Uri ws, Uri rest, bool testnet) => new("spot", testnet, ws, rest, "/api/v3", 4, 20, 5, 6000, 1024);

    // Futures: aggTrades weighs 20, exchangeInfo 1; 10 messages a second; 2,400 weight a minute; 200 streams (one
    // mirror of the docs says 200, the other 1024: the lower one until measured).
    private static BinanceMarket Futures(string name, Uri ws, Uri rest, string path, bool testnet) =>
        new(name, testnet, ws, rest, path, 20, 1, 10, 2400, 200);
}
