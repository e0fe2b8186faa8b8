namespace OrderFlow.Protocol.Trades;

/// <summary>Asks a symbol's sequencer how the exactly-once work is going.</summary>
public sealed record GetSequenceStats(Symbol Symbol) : IWithSymbol;

/// <summary>An inclusive range of aggregate ids.</summary>
public sealed record AggregateIdRange(long FromId, long ToId);

/// <summary>
/// Counters of the sequencing work since start: trades received from the stream, duplicates dropped, gaps detected,
/// trades backfilled from REST, trades fetched by the warm-up, and gaps given up on (with the last one, so a planner
/// knows which ids are missing).
/// </summary>
public sealed record SequenceStats(
    Symbol Symbol,
    long Received,
    long DuplicatesDropped,
    long GapsDetected,
    long TradesBackfilled,
    long TradesWarmedUp,
    long GapsUnrecovered,
    AggregateIdRange? LastUnrecoveredGap) : IWithSymbol;
