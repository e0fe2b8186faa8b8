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

/// <summary>One frame off the socket, classified. <see cref="Problem"/> says why a malformed frame was dropped.</summary>
public readonly record struct StreamMessage(StreamMessageKind Kind, AggregateTrade Trade = default, string? Problem = null)
{
    public static readonly StreamMessage ServerShutdown = new(StreamMessageKind.ServerShutdown);
    public static readonly StreamMessage ControlReply = new(StreamMessageKind.ControlReply);

    public static StreamMessage Malformed(string problem) => new(StreamMessageKind.Malformed, Problem: problem);
}
