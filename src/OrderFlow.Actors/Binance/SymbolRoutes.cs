using System.Text;
using OrderFlow.Protocol;

namespace OrderFlow.Actors.Binance;

/// <summary>
/// Where the frames of one connection go: each symbol it carries, found by the name a frame gives it, either the
/// event's <c>s</c> (<c>BTCUSDT</c>) or a combined stream's wrapper (<c>btcusdt@aggTrade</c>). Immutable: the
/// connection's owner swaps in a new table when it subscribes or unsubscribes, and the reader picks it up at its next
/// frame. Names are compared as Binance writes them, UTF-8, so a symbol that is not ASCII routes too.
/// </summary>
public sealed class SymbolRoutes<TRoute> where TRoute : class
{
    public const string StreamSuffix = "@aggTrade";
    private const int MaxNameChars = 128;

    private readonly Dictionary<string, TRoute> _bySymbol;
    private readonly Dictionary<string, TRoute> _byStream;
    private readonly Dictionary<string, TRoute>.AlternateLookup<ReadOnlySpan<char>> _symbolLookup;
    private readonly Dictionary<string, TRoute>.AlternateLookup<ReadOnlySpan<char>> _streamLookup;
    // The common case, one symbol per connection, compares bytes and hashes nothing.
    private readonly byte[]? _onlySymbol;
    private readonly TRoute? _onlyRoute;

    public static readonly SymbolRoutes<TRoute> Empty = new([]);

    public SymbolRoutes(IEnumerable<KeyValuePair<Symbol, TRoute>> routes)
    {
        _bySymbol = new Dictionary<string, TRoute>(StringComparer.Ordinal);
        _byStream = new Dictionary<string, TRoute>(StringComparer.Ordinal);
        foreach (var (symbol, route) in routes)
        {
            _bySymbol[symbol.Name] = route;
            _byStream[symbol.StreamName + StreamSuffix] = route;
        }
        _symbolLookup = _bySymbol.GetAlternateLookup<ReadOnlySpan<char>>();
        _streamLookup = _byStream.GetAlternateLookup<ReadOnlySpan<char>>();
        if (_bySymbol.Count == 1)
        {
            var (name, route) = _bySymbol.First();
            (_onlySymbol, _onlyRoute) = (Encoding.UTF8.GetBytes(name), route);
        }
    }

    /// <summary>A table of one symbol (a raw stream, a test, the probe).</summary>
    public static SymbolRoutes<TRoute> Of(Symbol symbol, TRoute route) => new([new(symbol, route)]);

    public int Count => _bySymbol.Count;

    /// <summary>The route of the symbol an event names in its <c>s</c> field (UTF-8, unescaped).</summary>
    public TRoute? FindSymbol(ReadOnlySpan<byte> name)
    {
        if (_onlySymbol is not null) return name.SequenceEqual(_onlySymbol) ? _onlyRoute : null;
        return Find(_symbolLookup, name);
    }

    /// <summary>The route of a combined stream's name, <c>btcusdt@aggTrade</c> (UTF-8, unescaped).</summary>
    public TRoute? FindStream(ReadOnlySpan<byte> name) => Find(_streamLookup, name);

    private static TRoute? Find(Dictionary<string, TRoute>.AlternateLookup<ReadOnlySpan<char>> lookup, ReadOnlySpan<byte> name)
    {
        if (name.Length > MaxNameChars) return null;
        Span<char> chars = stackalloc char[MaxNameChars];
        if (!Encoding.UTF8.TryGetChars(name, chars, out var written)) return null;
        return lookup.TryGetValue(chars[..written], out var route) ? route : null;
    }
}
