namespace OrderFlow.Protocol.Trades;

/// <summary>Asks a symbol's trade history for its most recent trades, oldest first.</summary>
public sealed record GetRecentTrades(Symbol Symbol, int Count) : IWithSymbol;

/// <summary>Asks for the trades whose aggregate id is at or above <paramref name="FromId"/>, oldest first.</summary>
public sealed record GetTradesFromId(Symbol Symbol, long FromId, int MaxCount) : IWithSymbol;

/// <summary>The answer to a trade query: the trades held, in aggregate-id order.</summary>
public sealed record TradesSnapshot(Symbol Symbol, IReadOnlyList<AggregateTrade> Trades, long TotalHeld) : IWithSymbol;
