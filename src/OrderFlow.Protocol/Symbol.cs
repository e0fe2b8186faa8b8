namespace OrderFlow.Protocol;

/// <summary>
/// A Binance symbol on its market: <c>BTCUSDT</c> on spot, <c>usdm:BTCUSDT</c> on USD-M futures, <c>coinm:BTCUSD_PERP</c>
/// on COIN-M. Spot's symbols are never qualified (<c>spot:BTCUSDT</c> reads as <c>BTCUSDT</c>), every other market's
/// always are, so a name means one instrument whichever markets a host runs: the perpetual and the spot pair trade at
/// different prices and must never share a tape. The name is what Binance lists (upper case; letters, which need not
/// be ASCII, digits, <c>-</c>, <c>_</c> and <c>.</c>: binance.md), validated before it names anything.
/// </summary>
public readonly record struct Symbol : IComparable<Symbol>
{
    private const int MaxLength = 20;
    private const char MarketSeparator = ':';

    /// <summary>The market of every unqualified symbol.</summary>
    public const string SpotMarket = "spot";

    private Symbol(string value, int nameStart) => (Value, _nameStart) = (value, nameStart);

    private readonly int _nameStart;

    /// <summary>The symbol as this service writes it everywhere: its market qualifier, if any, and its name.</summary>
    public string Value { get; }

    /// <summary>The name Binance lists, without the market (what REST calls and streams are asked for).</summary>
    public string Name => _nameStart == 0 ? Value : Value[_nameStart..];

    /// <summary>The market this symbol trades on: <see cref="SpotMarket"/>, <c>usdm</c>, <c>coinm</c>.</summary>
    public string Market => _nameStart == 0 ? SpotMarket : Value[..(_nameStart - 1)];

    /// <summary>The lower-case name Binance uses in stream names (<c>btcusdt@aggTrade</c>).</summary>
    public string StreamName => Name.ToLowerInvariant();

    /// <summary>The symbol named <paramref name="name"/> on <paramref name="market"/>.</summary>
    public static bool TryParse(string market, string? name, out Symbol symbol, out string error) =>
        TryParse(market, name?.Trim() ?? "", name, out symbol, out error);

    public static bool TryParse(string? text, out Symbol symbol, out string error)
    {
        var candidate = text?.Trim() ?? "";
        var separator = candidate.IndexOf(MarketSeparator);
        return TryParse(separator < 0 ? SpotMarket : candidate[..separator], candidate[(separator + 1)..], text, out symbol, out error);
    }

    private static bool TryParse(string market, string name, string? written, out Symbol symbol, out string error)
    {
        symbol = default;
        market = market.ToLowerInvariant();
        name = name.ToUpperInvariant();
        if (market.Length is < 2 or > 10 || !market.All(char.IsAsciiLetterLower))
        {
            error = $"invalid symbol '{written}': its market '{market}' is not a market's name (usdm:BTCUSDT, coinm:BTCUSD_PERP)";
            return false;
        }
        if (name.Length is < 2 or > MaxLength || !name.All(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            error = $"invalid symbol '{written}': a Binance symbol is 2 to {MaxLength} letters, digits, '-', '_' or '.', such as BTCUSDT " +
                    "(on futures, its market first: usdm:BTCUSDT)";
            return false;
        }

        symbol = market == SpotMarket ? new Symbol(name, 0) : new Symbol($"{market}{MarketSeparator}{name}", market.Length + 1);
        error = "";
        return true;
    }

    public static Symbol Parse(string text) =>
        TryParse(text, out var symbol, out var error) ? symbol : throw new FormatException(error);

    public int CompareTo(Symbol other) => string.CompareOrdinal(Value, other.Value);

    public override string ToString() => Value ?? "";
}

/// <summary>Marks a message that concerns one symbol, so it can be routed to that symbol's actors.</summary>
public interface IWithSymbol
{
    Symbol Symbol { get; }
}
