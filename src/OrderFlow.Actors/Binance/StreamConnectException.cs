using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Authentication;
using OrderFlow.Protocol.Streams;

namespace OrderFlow.Actors.Binance;

/// <summary>A connection attempt that failed before the upgrade finished, classified for the log and the retry policy.</summary>
public sealed class StreamConnectException(FailureKind kind, string reason, TimeSpan? retryAfter, Exception? cause)
    : Exception(reason, cause)
{
    public FailureKind Kind { get; } = kind;
    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>A failure as it reached the stream: already classified, or anything else as a socket error.</summary>
    public static StreamConnectException From(Exception error) =>
        error as StreamConnectException ?? new StreamConnectException(FailureKind.SocketError, error.Message, null, error);

    public static StreamConnectException Classify(Exception error, ClientWebSocket socket, Uri uri)
    {
        var endpoint = $"{uri.Host}:{uri.Port}";
        if (socket.HttpStatusCode is not 0 and not HttpStatusCode.SwitchingProtocols)
        {
            var status = (int)socket.HttpStatusCode;
            var retryAfter = ParseRetryAfter(socket.HttpResponseHeaders);
            var reason = retryAfter is { } wait
                ? $"HTTP {status} on the upgrade from {endpoint} (Retry-After {wait.TotalSeconds:0}s)"
                : $"HTTP {status} on the upgrade from {endpoint}";
            return new StreamConnectException(FailureKind.HttpStatus, reason, retryAfter, error);
        }

        for (var e = error; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SocketException { SocketErrorCode: SocketError.ConnectionRefused }:
                    return new(FailureKind.Refused, $"connection refused by {endpoint}", null, error);
                case SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData } se:
                    return new(FailureKind.Dns, $"DNS lookup failed for {uri.Host}: {se.Message}", null, error);
                case AuthenticationException:
                    return new(FailureKind.Tls, $"TLS handshake with {endpoint} failed: {e.Message}", null, error);
            }
        }

        return new StreamConnectException(FailureKind.SocketError, $"connecting to {endpoint} failed: {Innermost(error).Message}", null, error);
    }

    private static TimeSpan? ParseRetryAfter(IReadOnlyDictionary<string, IEnumerable<string>>? headers)
    {
        if (headers is null) return null;
        foreach (var (name, values) in headers)
        {
            if (!name.Equals("Retry-After", StringComparison.OrdinalIgnoreCase)) continue;
            var value = values.FirstOrDefault()?.Trim();
            if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
                return TimeSpan.FromSeconds(seconds);
            if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
                return at > DateTimeOffset.UtcNow ? at - DateTimeOffset.UtcNow : TimeSpan.Zero;
        }
        return null;
    }

    internal static Exception Innermost(Exception error)
    {
        while (error.InnerException is not null) error = error.InnerException;
        return error;
    }
}
