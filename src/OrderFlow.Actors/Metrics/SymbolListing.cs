using OrderFlow.Actors.Binance;
using OrderFlow.Protocol;

namespace OrderFlow.Actors.Metrics;

/// <summary>What Binance's exchangeInfo says of a symbol it lists (its tick, its assets, COIN-M's contract size), for metrics and the recorder.</summary>
public sealed record SymbolListing(Symbol Symbol, Listing Listing) : IWithSymbol, ILocalMessage;
