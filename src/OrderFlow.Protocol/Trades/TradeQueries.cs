namespace OrderFlow.Protocol.Trades;

/// <summary>Asks a symbol's trade history for its most recent trades, oldest first.</summary>
public sealed record GetRecentTrades(Symbol Symbol, int Count) : IWithSymbol, IOrderFlowQuery;

/// <summary>Asks for the trades whose aggregate id is at or above <paramref name="FromId"/>, oldest first.</summary>
public sealed record GetTradesFromId(Symbol Symbol, long FromId, int MaxCount) : IWithSymbol, IOrderFlowQuery;

/// <summary>Asks for the trades at or after <paramref name="Since"/>, oldest first.</summary>
public sealed record GetTradesSince(Symbol Symbol, DateTimeOffset Since, int MaxCount) : IWithSymbol, IOrderFlowQuery;

/// <summary>
/// The answer to a trade query: the trades held, in aggregate-id order. <see cref="Incomplete"/> says, when it is not
/// null, what the answer lacks: trades from before the history starts (not collected, or dropped beyond its
/// capacity), or an unrecovered gap inside the range. <see cref="Source"/> says where the trades came from: memory (the
/// symbol's history), or the tape store for what memory no longer holds (<see cref="TradeSources"/>).
/// </summary>
public sealed record TradesSnapshot(Symbol Symbol, IReadOnlyList<AggregateTrade> Trades, long TotalHeld, string? Incomplete,
    string Source = TradeSources.Memory) : IWithSymbol, IOrderFlowMessage;

/// <summary>
/// How many trades one answer carries at most: a remoting frame holds 8 MiB and a trade is about 150 bytes of JSON, so
/// a larger answer would be dropped on the way. The host answers with at most this many (asked for more, the oldest
/// this many: ask again from the last id + 1); the typed clients page for their callers.
/// </summary>
public static class TradePages
{
    public const int MostTrades = 20_000;
}

/// <summary>Where a <see cref="TradesSnapshot"/>'s trades came from.</summary>
public static class TradeSources
{
    public const string Memory = "memory";
    public const string Store = "store";
    public const string StoreAndMemory = "store+memory";
}
