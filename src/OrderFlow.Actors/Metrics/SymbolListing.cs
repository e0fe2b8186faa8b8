using OrderFlow.Protocol;

namespace OrderFlow.Actors.Metrics;

/// <summary>What Binance's exchangeInfo says of a symbol it lists: its price tick (zero when it gave none).</summary>
public sealed record SymbolListing(Symbol Symbol, Fixed8 TickSize) : IWithSymbol, ILocalMessage;
