using System.Text.RegularExpressions;
using OrderFlow.Protocol;

namespace OrderFlow.Actors.Symbols;

/// <summary>
/// A choice of symbols by name on one market, resolved against that market's exchangeInfo: <c>*USDT</c> is every
/// symbol ending in USDT, <c>?</c> one character (<c>BTC???</c>), <c>usdm:*USDT</c> every USD-M one. Case does not
/// matter. New listings that match are picked up at the next refresh.
/// </summary>
public sealed class SymbolPattern
{
    private readonly Regex _regex;

    private SymbolPattern(string market, string glob)
    {
        Market = market;
        Text = market == Symbol.SpotMarket ? glob : $"{market}:{glob}";
        _regex = new Regex("^" + Regex.Escape(glob).Replace(@"\*", ".*").Replace(@"\?", ".") + "$",
            RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.NonBacktracking);
    }

    /// <summary>As a symbol is written: the market first unless it is spot.</summary>
    public string Text { get; }

    /// <summary>The market whose listings it is resolved against.</summary>
    public string Market { get; }

    /// <summary>Whether <paramref name="text"/> is a pattern at all (it holds a <c>*</c> or a <c>?</c>).</summary>
    public static bool IsPattern(string text) => text.Contains('*') || text.Contains('?');

    /// <param name="market">The market of a pattern that names none.</param>
    public static bool TryParse(string text, string market, out SymbolPattern pattern, out string error)
    {
        pattern = null!;
        var separator = text.IndexOf(':');
        if (separator >= 0) market = text[..separator].Trim().ToLowerInvariant();
        var glob = text[(separator + 1)..].Trim().ToUpperInvariant();
        if (!Binance.BinanceMarket.Names.Contains(market))
        {
            error = $"invalid symbol pattern '{text}': '{market}' is not a market (use {string.Join(", ", Binance.BinanceMarket.Names)})";
            return false;
        }
        if (glob.Length is 0 or > 40 || !glob.All(c => char.IsLetterOrDigit(c) || c is '*' or '?' or '-' or '_' or '.'))
        {
            error = $"invalid symbol pattern '{text}': use letters, digits, * (any run of them) and ? (one), such as *USDT or usdm:*USDT";
            return false;
        }
        pattern = new SymbolPattern(market, glob);
        error = "";
        return true;
    }

    public bool Matches(Symbol symbol) => symbol.Market == Market && _regex.IsMatch(symbol.Name);

    public override string ToString() => Text;
}
