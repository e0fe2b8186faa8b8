using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Binance;

public enum StreamMessageKind : byte
{
    AggregateTrade,
    /// <summary>The server is going away: reconnect at once.</summary>
    ServerShutdown,
    /// <summary>A reply to a SUBSCRIBE-style request: <c>{"result":null,"id":1}</c> or an error.</summary>
    ControlReply,
    /// <summary>Anything else: dropped, counted, and sampled in the log.</summary>
    Malformed,
}

/// <summary>
/// One frame off the socket, classified. <see cref="Problem"/> says why a malformed frame was dropped, or what a
/// control request's error reply said; <see cref="RequestId"/> is the id a control reply answers.
/// </summary>
public readonly record struct StreamMessage(StreamMessageKind Kind, AggregateTrade Trade = default, string? Problem = null, long RequestId = 0)
{
    public static readonly StreamMessage ServerShutdown = new(StreamMessageKind.ServerShutdown);

    public static StreamMessage ControlReply(long requestId, string? error) => new(StreamMessageKind.ControlReply, Problem: error, RequestId: requestId);

    public static StreamMessage Malformed(string problem) => new(StreamMessageKind.Malformed, Problem: problem);
}
