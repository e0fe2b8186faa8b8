using OrderFlow.Protocol;
using OrderFlow.Protocol.Streams;

namespace OrderFlow.Actors.Symbols;

/// <summary>
/// What Binance's exchangeInfo says of a symbol, at start and at each refresh: listed (with its price tick, zero when
/// it gave none, and its status: only TRADING produces trades), not listed, or <c>null</c> when exchangeInfo could
/// not be asked (the symbol then streams anyway).
/// </summary>
public sealed record ListingChecked(Symbol Symbol, bool? Listed, Fixed8 TickSize, string? Status) : IWithSymbol;

/// <summary>Closes the symbol's stream with a close frame, then stops the symbol's actors. For removal and shutdown.</summary>
public sealed record CloseSymbol(Symbol Symbol) : IWithSymbol;

/// <summary>
/// Told by a symbol's actor to its parent: Binance does not list the symbol. The parent stops routing to it, answers
/// <paramref name="AddedBy"/> (when a planner added it), and closes it.
/// </summary>
public sealed record SymbolUnlisted(Failed Failure, Akka.Actor.IActorRef? AddedBy) : IWithSymbol
{
    public Symbol Symbol => Failure.Symbol;
}

/// <summary>Closes every symbol's stream with a close frame; answered with <see cref="AllSymbolsClosed"/>. For shutdown.</summary>
public sealed record CloseAllSymbols
{
    public static readonly CloseAllSymbols Instance = new();
    private CloseAllSymbols() { }
}

public sealed record AllSymbolsClosed
{
    public static readonly AllSymbolsClosed Instance = new();
    private AllSymbolsClosed() { }
}
