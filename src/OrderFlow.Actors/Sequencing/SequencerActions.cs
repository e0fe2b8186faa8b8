using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Sequencing;

/// <summary>What <see cref="TradeSequence"/> decided; its actor carries each out, in order.</summary>
public interface ISequencerAction;

/// <summary>
/// These trades, next in the sequence, go to history and metrics, and to the recorder unless they came from the tape
/// store (<paramref name="FromStore"/>): it holds them already.
/// </summary>
public sealed record PassOn(AggregateTrade[] Trades, bool FromStore = false) : ISequencerAction;

/// <summary>History and metrics hear what the trades passed on so far cover.</summary>
public sealed record Announce(ITapeEvent Event) : ISequencerAction;

/// <summary>Metrics hears the counters, which have changed.</summary>
public sealed record ReportCounters(SequenceStats Counters) : ISequencerAction;

/// <summary>
/// Ask REST for a page: from an aggregate id (<see cref="FromId"/>), or by time from <see cref="FromMs"/> to
/// <see cref="ToMs"/>; its answer comes back as <see cref="TradeSequence.OnPage"/> with <see cref="Request"/>.
/// <see cref="TradesWaiting"/> is how many trades wait on it (the gap, when its end is known; else the live trades held
/// behind it): when REST weight is short, the larger goes first.
/// </summary>
public sealed record FetchPage(int Request, long? FromId, long FromMs, long ToMs, int Limit, long TradesWaiting) : ISequencerAction
{
    public static FetchPage ById(int request, long fromId, int limit, long tradesWaiting) => new(request, fromId, 0, 0, limit, tradesWaiting);

    public static FetchPage ByTime(int request, long fromMs, long toMs, int limit, long tradesWaiting) => new(request, null, fromMs, toMs, limit, tradesWaiting);
}

/// <summary>Call <see cref="TradeSequence.Retry"/> after <see cref="Delay"/>.</summary>
public sealed record RetryLater(TimeSpan Delay) : ISequencerAction;
