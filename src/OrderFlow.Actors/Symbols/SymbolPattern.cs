using System.Text.RegularExpressions;
using OrderFlow.Protocol;

namespace OrderFlow.Actors.Symbols;

/// <summary>
/// A choice of symbols by name, resolved against exchangeInfo: <c>*USDT</c> is every symbol ending in USDT, <c>?</c>
/// one character (<c>BTC???</c>). Case does not matter. New listings that match are picked up at the next refresh.
/// </summary>
public sealed class SymbolPattern
{
    private readonly Regex _regex;

    private SymbolPattern(string text)
    {
        Text = text;
        _regex = new Regex("^" + Regex.Escape(text).Replace(@"\*", ".*").Replace(@"\?", ".") + "$",
            RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.NonBacktracking);
    }

    public string Text { get; }

    /// <summary>Whether <paramref name="text"/> is a pattern at all (it holds a <c>*</c> or a <c>?</c>).</summary>
    public static bool IsPattern(string text) => text.Contains('*') || text.Contains('?');

    public static bool TryParse(string text, out SymbolPattern pattern, out string error)
    {
        var candidate = text.Trim().ToUpperInvariant();
        pattern = null!;
        if (candidate.Length is 0 or > 40 || !candidate.All(c => char.IsLetterOrDigit(c) || c is '*' or '?'))
        {
            error = $"invalid symbol pattern '{text}': use letters, digits, * (any run of them) and ? (one), such as *USDT";
            return false;
        }
        pattern = new SymbolPattern(candidate);
        error = "";
        return true;
    }

    public bool Matches(Symbol symbol) => _regex.IsMatch(symbol.Value);

    public override string ToString() => Text;
}
