using OrderFlow.Actors.Configuration;

namespace OrderFlow.Actors.Connection;

/// <summary>
/// Connection attempts allowed across every stream in a sliding window (Binance: 300 per 5 minutes per IP). Shared
/// by all StreamActors, so a reconnect storm over many symbols waits instead of getting the IP banned.
/// </summary>
public sealed class ConnectionBudget(ConnectionBudgetSettings settings, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Queue<DateTimeOffset> _attempts = new();
    private readonly Lock _gate = new();

    public ConnectionBudgetSettings Settings => settings;

    /// <summary>Takes one attempt from the budget, or says how long until one is free.</summary>
    public bool TryAcquire(out TimeSpan wait)
    {
        var now = _clock.GetUtcNow();
        lock (_gate)
        {
            while (_attempts.Count > 0 && now - _attempts.Peek() >= settings.Per) _attempts.Dequeue();
            if (_attempts.Count < settings.Attempts)
            {
                _attempts.Enqueue(now);
                wait = TimeSpan.Zero;
                return true;
            }
            wait = _attempts.Peek() + settings.Per - now;
            return false;
        }
    }
}
