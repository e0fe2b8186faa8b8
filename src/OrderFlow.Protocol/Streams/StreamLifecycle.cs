namespace OrderFlow.Protocol.Streams;

/// <summary>
/// How a connection attempt ended. Every attempt ends in exactly one of <see cref="Connected"/>,
/// <see cref="Failed"/> or <see cref="TimedOut"/>, within a bound: a stream never hangs silently.
/// </summary>
public interface IStreamLifecycleEvent : IWithSymbol, IOrderFlowMessage
{
    int Attempt { get; }

    /// <summary>When it happened, by the service's clock.</summary>
    DateTimeOffset At { get; }
}

/// <summary>The WebSocket upgrade finished; <paramref name="Elapsed"/> covers TCP, TLS and the HTTP upgrade.</summary>
public sealed record Connected(Symbol Symbol, Uri Uri, int Attempt, TimeSpan Elapsed, DateTimeOffset At) : IStreamLifecycleEvent;

/// <summary>
/// The attempt or the live connection failed. <paramref name="RetryAfter"/> is the server's Retry-After on a 429 or
/// 418, which the next attempt honours.
/// </summary>
public sealed record Failed(Symbol Symbol, FailureKind Kind, string Reason, int Attempt, TimeSpan? RetryAfter, DateTimeOffset At)
    : IStreamLifecycleEvent;

/// <summary>A deadline passed in <paramref name="Phase"/> after <paramref name="After"/>.</summary>
public sealed record TimedOut(Symbol Symbol, TimeoutPhase Phase, TimeSpan After, int Attempt, DateTimeOffset At) : IStreamLifecycleEvent;

public enum FailureKind
{
    /// <summary>Nothing listens on the host and port.</summary>
    Refused,
    /// <summary>The host name did not resolve.</summary>
    Dns,
    /// <summary>The TLS handshake failed.</summary>
    Tls,
    /// <summary>The server answered the upgrade with an HTTP status (429 and 418 carry Retry-After).</summary>
    HttpStatus,
    /// <summary>The server closed the WebSocket with a close frame.</summary>
    Closed,
    /// <summary>The connection broke without a close frame.</summary>
    SocketError,
    /// <summary>The server announced it is going away (<c>serverShutdown</c> event).</summary>
    ServerShutdown,
    /// <summary>Binance lists the symbol with a status other than TRADING (BREAK, HALT, CANCEL_ONLY…): nothing to stream.</summary>
    NotTrading,
    /// <summary>Binance does not list the symbol.</summary>
    UnknownSymbol,
}

public enum TimeoutPhase
{
    /// <summary>TCP, TLS and the HTTP upgrade did not finish within connect-timeout.</summary>
    Connect,
    /// <summary>Upgraded, but no message arrived within first-message-timeout.</summary>
    FirstMessage,
    /// <summary>A keep-alive ping went unanswered: the link is half-open.</summary>
    KeepAlive,
    /// <summary>No data for longer than the symbol's idle limit.</summary>
    Idle,
}

public static class TimeoutPhaseNames
{
    /// <summary>The phase as the logs and the CLI write it: connect, first-message, keepalive, idle.</summary>
    public static string ToWireName(this TimeoutPhase phase) => phase switch
    {
        TimeoutPhase.Connect => "connect",
        TimeoutPhase.FirstMessage => "first-message",
        TimeoutPhase.KeepAlive => "keepalive",
        TimeoutPhase.Idle => "idle",
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, null),
    };
}
