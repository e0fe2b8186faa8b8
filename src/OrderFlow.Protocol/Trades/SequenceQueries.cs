namespace OrderFlow.Protocol.Trades;

/// <summary>Asks a symbol's sequencer how the exactly-once work is going.</summary>
public sealed record GetSequenceStats(Symbol Symbol) : IWithSymbol, IOrderFlowQuery;

/// <summary>An inclusive range of aggregate ids.</summary>
public sealed record AggregateIdRange(long FromId, long ToId);

/// <summary>
/// Counters of the sequencing work since start: trades received from the stream, duplicates dropped, gaps detected,
/// gaps filled from REST and the trades that filled them, trades fetched by the warm-up, gaps given up on (with the
/// last one, so a planner knows which ids are missing), frames dropped as malformed before they became trades, and the
/// last trade passed on.
/// </summary>
public sealed record SequenceStats(
    Symbol Symbol,
    long Received,
    long DuplicatesDropped,
    long GapsDetected,
    long GapsFilled,
    long TradesBackfilled,
    long TradesWarmedUp,
    long GapsUnrecovered,
    AggregateIdRange? LastUnrecoveredGap,
    long MalformedDropped,
    long? LastAggregateId,
    DateTimeOffset? LastTradeTime) : IWithSymbol, IOrderFlowMessage;

