using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Sequencing;

/// <summary>
/// What the sequencer tells history and metrics, in order with the trades, about what those trades cover: from when
/// the tape is complete, where a gap could not be filled, and when the tape beyond the last trade is unknown.
/// </summary>
public interface ITapeEvent : IWithSymbol, ILocalMessage;

/// <summary>Every trade from <paramref name="FromMs"/> on is passed on (the warm-up's start, or the first trade).</summary>
public sealed record TapeStarted(Symbol Symbol, long FromMs) : ITapeEvent;

/// <summary>
/// The aggregates in <paramref name="Ids"/> are missing for good; they fell between the trades at
/// <paramref name="AfterMs"/> and <paramref name="BeforeMs"/>.
/// </summary>
public sealed record TapeHole(Symbol Symbol, AggregateIdRange Ids, long AfterMs, long BeforeMs) : ITapeEvent;

/// <summary>
/// Trades after the one at <paramref name="LastTradeMs"/> are not known yet (the stream dropped, or a gap is being
/// filled); until <see cref="TapeResumed"/>, the tape ends there.
/// </summary>
public sealed record TapeInterrupted(Symbol Symbol, long LastTradeMs, string Why) : ITapeEvent;

/// <summary>The tape is continuous again up to the live stream.</summary>
public sealed record TapeResumed(Symbol Symbol) : ITapeEvent;
