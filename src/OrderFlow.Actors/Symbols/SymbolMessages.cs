using OrderFlow.Actors.Binance;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Streams;

namespace OrderFlow.Actors.Symbols;

/// <summary>
/// What Binance's exchangeInfo says of a symbol, at start and at each refresh: listed (with its <see cref="Listing"/>:
/// tick, status, assets, contract size; only TRADING produces trades), not listed, or <c>null</c> when exchangeInfo
/// could not be asked (the symbol then streams anyway).
/// </summary>
public sealed record ListingChecked(Symbol Symbol, bool? Listed, Listing? Found) : IWithSymbol, ILocalMessage
{
    public string? Status => Found?.Status;
}

/// <summary>Closes the symbol's stream with a close frame, then stops the symbol's actors. For removal and shutdown.</summary>
public sealed record CloseSymbol(Symbol Symbol) : IWithSymbol, ILocalMessage;

/// <summary>
/// Told by a symbol's actor to its node's <see cref="SymbolDirectory"/>: Binance does not list the symbol, so it leaves
/// the cluster's set, and the actor goes.
/// </summary>
public sealed record SymbolUnlisted(Failed Failure) : IWithSymbol, ILocalMessage
{
    public Symbol Symbol => Failure.Symbol;
}

/// <summary>
/// Told by a symbol's actor to its node's <see cref="SymbolDirectory"/> as it starts (again, until answered), to hear
/// whether the cluster streams it: nothing is asked of Binance nor streamed before the answer.
/// </summary>
public sealed record SymbolStarted(Symbol Symbol) : IWithSymbol, ILocalMessage;

/// <summary>The answer to <see cref="SymbolStarted"/> when the cluster streams the symbol: its actor goes on.</summary>
public sealed record SymbolWanted(Symbol Symbol) : IWithSymbol, ILocalMessage;

/// <summary>The answer to <see cref="SymbolStarted"/> when the cluster does not stream the symbol (removed): its actor goes.</summary>
public sealed record SymbolNotWanted(Symbol Symbol) : IWithSymbol, ILocalMessage;
