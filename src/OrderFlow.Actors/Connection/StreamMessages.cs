using OrderFlow.Protocol;
using OrderFlow.Protocol.Streams;

namespace OrderFlow.Actors.Connection;

/// <summary>Close the socket with a close frame, then stop. Sent by the symbol's actor on removal and shutdown.</summary>
public sealed record CloseStream : ILocalMessage
{
    public static readonly CloseStream Instance = new();
    private CloseStream() { }
}

/// <summary>Told by the stream (or a replay) to the symbol's actor whenever its state or attempt changes: the status answer's part.</summary>
public sealed record StreamStateReport(StreamState State, DateTimeOffset Since, int Attempt) : ILocalMessage;

/// <summary>Told to the stream's parent when data flows again: the symbol's cool-down starts over from the minimum.</summary>
public sealed record StreamHealthy(Symbol Symbol) : IWithSymbol, ILocalMessage;
