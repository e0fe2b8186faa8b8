using OrderFlow.Protocol;

namespace OrderFlow.Actors.Connection;

/// <summary>
/// Thrown by a StreamActor after max-attempts consecutive failures: its supervisor stops it and starts a fresh one
/// after a cool-down (at least <see cref="RetryAfter"/>, when the server asked for one).
/// </summary>
public sealed class StreamGaveUpException(Symbol symbol, int attempts, string lastProblem, TimeSpan? retryAfter)
    : Exception($"{symbol}: {attempts} connection attempts failed in a row; last: {lastProblem}")
{
    public Symbol Symbol { get; } = symbol;
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
