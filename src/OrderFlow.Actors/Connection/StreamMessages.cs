using OrderFlow.Protocol;
using OrderFlow.Protocol.Streams;

namespace OrderFlow.Actors.Connection;

/// <summary>Close the socket with a close frame, then stop. Sent by the symbol's actor on removal and shutdown.</summary>
public sealed record CloseStream : ILocalMessage
{
    public static readonly CloseStream Instance = new();
    private CloseStream() { }
}

/// <summary>Asks what the stream is doing; answered with <see cref="StreamStateReport"/>. For the status query.</summary>
public sealed record GetStreamState : ILocalMessage
{
    public static readonly GetStreamState Instance = new();
    private GetStreamState() { }
}

public sealed record StreamStateReport(StreamState State, DateTimeOffset Since, int Attempt) : ILocalMessage;

/// <summary>Told to the stream's parent when data flows again: the symbol's cool-down starts over from the minimum.</summary>
public sealed record StreamHealthy(Symbol Symbol) : IWithSymbol, ILocalMessage;
