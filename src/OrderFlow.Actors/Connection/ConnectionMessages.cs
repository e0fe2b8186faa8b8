using Akka.Actor;
using OrderFlow.Actors.Binance;
using OrderFlow.Protocol;

namespace OrderFlow.Actors.Connection;

// A symbol's stream actor asks the connection pool to carry its stream; the pool puts it on a connection, and that
// connection answers the stream actor directly. Every answer names the lease it is about: a stream actor takes a new
// lease for every attempt, so a late word about an old one is ignored.

/// <summary>Stream actor → pool: carry my symbol's stream (the sender is the stream actor).</summary>
internal sealed record CarryStream(Symbol Symbol, int Lease) : ILocalMessage;

/// <summary>Stream actor → pool: stop carrying it (a timeout, a close).</summary>
internal sealed record DropStream(Symbol Symbol, int Lease) : ILocalMessage;

/// <summary>Pool → connection.</summary>
internal sealed record AddStream(Symbol Symbol, int Lease, IActorRef Stream) : ILocalMessage;

/// <summary>Pool → connection.</summary>
internal sealed record RemoveStream(Symbol Symbol, int Lease) : ILocalMessage;

/// <summary>Connection → pool: the socket ended and this connection is stopping; its streams are told why next.</summary>
internal sealed record ConnectionEnding : ILocalMessage
{
    public static readonly ConnectionEnding Instance = new();
}

/// <summary>Pool → connection: close with a close frame, then stop (coordinated shutdown).</summary>
internal sealed record CloseConnection : ILocalMessage
{
    public static readonly CloseConnection Instance = new();
}

internal interface ILeaseScoped : ILocalMessage
{
    int Lease { get; }
}

/// <summary>The attempt waits before it starts: the connection budget is spent, or the exchange asked every connection to wait.</summary>
internal sealed record StreamWaiting(int Lease, TimeSpan Wait, string Why) : ILeaseScoped;

/// <summary>The attempt started: a connection opens carrying the stream, or an open one sent its SUBSCRIBE.</summary>
internal sealed record StreamAttempting(int Lease, Uri Uri, string Connection) : ILeaseScoped;

/// <summary>The stream is on: the upgrade finished with it in the URL, or the exchange acknowledged its SUBSCRIBE.
/// <paramref name="Replacement"/>: a planned replacement connection now carries it too. <paramref name="Delivering"/>:
/// the socket already delivers other symbols' trades, so its link is proven and silence is this symbol's own.</summary>
internal sealed record StreamSubscribed(int Lease, Uri Uri, bool Replacement, bool Delivering = false) : ILeaseScoped;

/// <summary>The socket carrying the stream delivered its first trade (of any symbol): the link works.</summary>
internal sealed record ConnectionDelivering(int Lease) : ILeaseScoped;

/// <summary>The attempt failed before the stream was on (the upgrade, or an error answer to its SUBSCRIBE).</summary>
internal sealed record StreamRefused(int Lease, StreamConnectException Failure, bool Replacement) : ILeaseScoped;

/// <summary>A planned replacement connection did not finish its upgrade in time; the current one goes on.</summary>
internal sealed record ReplacementTimedOut(int Lease, TimeSpan After) : ILeaseScoped;

/// <summary>The connection that carried the stream ended.</summary>
internal sealed record StreamEnded(int Lease, ConnectionEnd End) : ILeaseScoped;

/// <summary>The connection was closed on request (shutdown), with the server's close frame or without it in time.</summary>
internal sealed record StreamClosed(int Lease, bool Cleanly) : ILeaseScoped;

/// <summary>The server announced a shutdown; the connection is opening its replacement.</summary>
internal sealed record ShutdownAnnounced(int Lease) : ILeaseScoped;

/// <summary>The stream's part of a burst off the socket: its trades, and its frames that were not trades.</summary>
internal sealed record StreamTrades(int Lease, SocketBurst Burst) : ILeaseScoped;

/// <summary>
/// Where a connection's frames for one symbol go: its stream actor, under the lease it asked with. A symbol the
/// connection has let go keeps a route with no stream until it is subscribed again, so that the trades still in
/// flight after an UNSUBSCRIBE are dropped quietly rather than reported as malformed.
/// </summary>
internal sealed class StreamRoute(Symbol symbol, IActorRef? stream, int lease)
{
    public Symbol Symbol { get; } = symbol;

    public IActorRef? Stream { get; } = stream;

    public int Lease { get; } = lease;

    public static StreamRoute LetGo(Symbol symbol) => new(symbol, null, 0);
}
