using OrderFlow.Actors.Configuration;

namespace OrderFlow.Actors.Symbols;

/// <summary>
/// The pause before a symbol's stream starts afresh after it gave up: growing with each escalation in a row, spread
/// by jitter so that many symbols do not reconnect in the same instant, never shorter than the server's Retry-After,
/// and back to the minimum once data flows again.
/// </summary>
public sealed class CoolDown(BackoffSettings settings, Random random)
{
    private TimeSpan? _retryAfter;

    public int EscalationsInRow { get; private set; }

    /// <summary>The stream gave up; the server had asked for <paramref name="retryAfter"/> (null: it did not say).</summary>
    public void ServerAsked(TimeSpan? retryAfter) => _retryAfter = retryAfter;

    public void Healthy()
    {
        EscalationsInRow = 0;
        _retryAfter = null;
    }

    /// <summary>Counts one more escalation and says how long to wait before the next stream.</summary>
    public TimeSpan Next()
    {
        EscalationsInRow++;
        var delay = settings.DelayFor(EscalationsInRow, random);
        return _retryAfter > delay ? _retryAfter.Value : delay;
    }
}
