using OrderFlow.Actors.Configuration;

namespace OrderFlow.Actors.Connection;

/// <summary>
/// A stream's decisions after a failure: which attempt this is, how long to back off before the next one (never less
/// than the server's Retry-After), and when to give up and hand over to the symbol's actor. Data flowing again ends
/// the run of failures.
/// </summary>
public sealed class ReconnectPolicy(StreamSettings settings, Random random)
{
    public int FailuresInRow { get; private set; }

    /// <summary>The attempt under way, counted from 1 since data last flowed.</summary>
    public int Attempt { get; private set; }

    public void Attempting() => Attempt = FailuresInRow + 1;

    public void DataFlows() => FailuresInRow = 0;

    /// <summary>A replacement that took over counts as a first attempt.</summary>
    public void SwitchedOver() => Attempt = 1;

    /// <summary>The current connection failed: the pause before the next attempt, or null when it is time to give up.</summary>
    public TimeSpan? AfterFailure(TimeSpan? retryAfter)
    {
        FailuresInRow++;
        return FailuresInRow >= settings.MaxAttempts ? null : AtLeast(settings.Backoff.DelayFor(FailuresInRow, random), retryAfter);
    }

    /// <summary>A replacement failed while the current connection streams on: the pause before it is tried again.</summary>
    public TimeSpan ReplacementRetry(TimeSpan? retryAfter) => AtLeast(settings.Backoff.DelayFor(1, random), retryAfter);

    private static TimeSpan AtLeast(TimeSpan delay, TimeSpan? floor) => floor > delay ? floor.Value : delay;
}
