namespace OrderFlow.Protocol.Streams;

/// <summary>Asks for the state of one stream, or of every stream when <paramref name="Symbol"/> is null. Answered
/// with <see cref="StatusReport"/>, or <see cref="SymbolNotFound"/>.</summary>
public sealed record GetStatus(Symbol? Symbol) : IOrderFlowQuery;

public enum StreamState
{
    /// <summary>An attempt is under way (or the symbol is being checked against exchangeInfo).</summary>
    Connecting,
    /// <summary>Upgraded and streaming.</summary>
    Connected,
    /// <summary>Waiting before the next attempt, after a failure (or in the supervisor's cool-down).</summary>
    BackingOff,
    /// <summary>Will not be streamed: Binance does not list the symbol. Answered by hosts before the cluster (which leave
    /// such a symbol out of their status instead); kept so that their answers still read.</summary>
    Failed,
    /// <summary>Listed, but not trading (BREAK, HALT, CANCEL_ONLY…): watched, and streamed once it trades again.</summary>
    NotTrading,
    /// <summary>Closed, or closing, on request.</summary>
    Stopped,
    /// <summary>Its node did not answer in time: unreachable, or the symbol is moving to another node (shown with the node it was last seen on).</summary>
    Moving,
}

/// <summary>
/// One stream as a planner needs to see it: its state since when, the current attempt, the last failure or timeout,
/// the sequencing counters (see <see cref="Trades.SequenceStats"/>), and how its recording to the tape store goes
/// (null without a store), and the cluster node that runs it (<c>akka.tcp://orderflow@HOST:PORT</c>).
/// </summary>
public sealed record StreamStatus(
    Symbol Symbol,
    StreamState State,
    DateTimeOffset Since,
    int Attempt,
    string? LastError,
    TimeoutPhase? LastTimeoutPhase,
    DateTimeOffset? LastProblemAt,
    long TradesReceived,
    long? LastAggregateId,
    DateTimeOffset? LastTradeTime,
    long Reconnects,
    long DuplicatesDropped,
    long GapsDetected,
    long TradesBackfilled,
    long GapsUnrecovered,
    long MalformedDropped,
    TapeStoreStatus? Store = null,
    string? Node = null);

/// <summary>
/// A symbol's recording: trades passed on but not written yet, why the last write failed (null while writes go
/// through), and ids given up on because the store fell further behind than history holds.
/// </summary>
public sealed record TapeStoreStatus(long Unwritten, string? Problem, long Dropped);

public sealed record StatusReport(IReadOnlyList<StreamStatus> Streams) : IOrderFlowMessage;

/// <summary>The sender receives every Connected, Failed and TimedOut as they happen, until it unsubscribes or stops.
/// Acknowledged with <see cref="LifecycleSubscribed"/>.</summary>
public sealed record SubscribeLifecycle : IOrderFlowMessage
{
    public static readonly SubscribeLifecycle Instance = new();
    private SubscribeLifecycle() { }
}

public sealed record LifecycleSubscribed : IOrderFlowMessage
{
    public static readonly LifecycleSubscribed Instance = new();
    private LifecycleSubscribed() { }
}

public sealed record UnsubscribeLifecycle : IOrderFlowMessage
{
    public static readonly UnsubscribeLifecycle Instance = new();
    private UnsubscribeLifecycle() { }
}
