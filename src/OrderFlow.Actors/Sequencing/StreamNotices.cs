using OrderFlow.Protocol;

namespace OrderFlow.Actors.Sequencing;

/// <summary>The stream dropped a frame it could not take as a trade; the sequencer counts it with the others.</summary>
public sealed record MalformedFrameDropped(Symbol Symbol, string Problem) : IWithSymbol, ILocalMessage;

/// <summary>
/// The stream's current connection ended or failed: until the sequencer sees trades follow on again, the tape beyond
/// the last trade is unknown. (A planned hand-over to a replacement connection is not an interruption.)
/// </summary>
public sealed record StreamInterrupted(Symbol Symbol, string Reason) : IWithSymbol, ILocalMessage;

/// <summary>The stream is on again: what happened while it was down is fetched now, not when the next trade shows it.</summary>
public sealed record StreamResumed(Symbol Symbol) : IWithSymbol, ILocalMessage;
