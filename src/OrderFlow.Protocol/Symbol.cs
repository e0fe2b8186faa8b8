namespace OrderFlow.Protocol;

/// <summary>
/// A Binance symbol such as BTCUSDT: letters and digits, upper case, validated before it names anything. Letters
/// need not be ASCII: Binance lists symbols that are not (binance.md), and takes them as exchangeInfo gives them.
/// </summary>
public readonly record struct Symbol : IComparable<Symbol>
{
    private const int MaxLength = 20;

    private Symbol(string value) => Value = value;

    public string Value { get; }

    /// <summary>The lower-case form Binance uses in stream names (<c>btcusdt@aggTrade</c>).</summary>
    public string StreamName => Value.ToLowerInvariant();

    public static bool TryParse(string? text, out Symbol symbol, out string error)
    {
        symbol = default;
        var candidate = text?.Trim() ?? "";
        if (candidate.Length is < 2 or > MaxLength || !candidate.All(char.IsLetterOrDigit))
        {
            error = $"invalid symbol '{text}': a Binance symbol is 2 to {MaxLength} letters and digits, such as BTCUSDT";
            return false;
        }

        symbol = new Symbol(candidate.ToUpperInvariant());
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
