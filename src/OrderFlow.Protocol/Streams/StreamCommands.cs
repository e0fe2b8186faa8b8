namespace OrderFlow.Protocol.Streams;

/// <summary>Starts streaming a symbol. Answered with <see cref="SymbolAdded"/> or <see cref="SymbolAlreadyStreaming"/>.</summary>
public sealed record AddSymbol(Symbol Symbol) : IWithSymbol, IOrderFlowQuery;

/// <summary>Stops a symbol's stream (closing its socket cleanly) and drops its data. Answered with
/// <see cref="SymbolRemoved"/> or <see cref="SymbolNotFound"/>.</summary>
public sealed record RemoveSymbol(Symbol Symbol) : IWithSymbol, IOrderFlowQuery;

public sealed record SymbolAdded(Symbol Symbol) : IWithSymbol, IOrderFlowMessage;

public sealed record SymbolAlreadyStreaming(Symbol Symbol) : IWithSymbol, IOrderFlowMessage;

public sealed record SymbolRemoved(Symbol Symbol) : IWithSymbol, IOrderFlowMessage;

/// <summary>The answer to any per-symbol question about a symbol that is not streamed here.</summary>
public sealed record SymbolNotFound(Symbol Symbol) : IWithSymbol, IOrderFlowMessage;

/// <summary>Lists the symbols being streamed. Answered with <see cref="StreamedSymbols"/>.</summary>
public sealed record GetStreamedSymbols : IOrderFlowQuery
{
    public static readonly GetStreamedSymbols Instance = new();
    private GetStreamedSymbols() { }
}

public sealed record StreamedSymbols(IReadOnlyList<Symbol> Symbols) : IOrderFlowMessage;

/// <summary>The answer to <see cref="AddSymbol"/> when Binance does not list the symbol: nothing is streamed.</summary>
public sealed record SymbolUnknown(Symbol Symbol) : IWithSymbol, IOrderFlowMessage;

/// <summary>
/// The answer to <see cref="AddSymbol"/> when Binance lists the symbol with a status other than TRADING (BREAK, HALT,
/// CANCEL_ONLY…): it is added and watched, and streamed once exchangeInfo says TRADING; nothing streams meanwhile.
/// </summary>
public sealed record SymbolNotTrading(Symbol Symbol, string Status) : IWithSymbol, IOrderFlowMessage;

