namespace OrderFlow.Actors.Binance;

public enum ConnectionEndKind
{
    /// <summary>The server sent a close frame.</summary>
    ClosedByServer,
    /// <summary>Our close frame was answered (a clean shutdown).</summary>
    ClosedByUs,
    /// <summary>A keep-alive ping went unanswered: the link was half-open.</summary>
    KeepAliveTimedOut,
    /// <summary>The connection broke without a close frame (reset, aborted, protocol error).</summary>
    Broken,
    /// <summary>We aborted the socket ourselves (a deadline or a stop); nothing to report.</summary>
    Aborted,
}

/// <summary>How a live connection ended; the reason names the server's close code when it sent one.</summary>
public sealed record ConnectionEnd(ConnectionEndKind Kind, string Reason);
