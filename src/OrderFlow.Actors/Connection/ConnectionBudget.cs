using OrderFlow.Actors.Configuration;

namespace OrderFlow.Actors.Connection;

/// <summary>
/// Connection attempts allowed across every connection in a sliding window (Binance: 300 per 5 minutes per IP), and
/// the exchange's own word to wait: a 429 or 418 on any upgrade holds every attempt for its Retry-After, since the
/// limit is per IP. Shared by all connections (and, with one stream per connection, counts sockets, never symbols),
/// so a reconnect storm waits instead of getting the IP banned.
/// </summary>
public sealed class ConnectionBudget(ConnectionBudgetSettings settings, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Queue<DateTimeOffset> _attempts = new();
    private readonly Lock _gate = new();
    private DateTimeOffset _heldUntil;
    private string _heldBecause = "";

    private int _sharedBy = 1;

    public ConnectionBudgetSettings Settings => settings;

    /// <summary>This node's attempts per window: the settings' share among the nodes of its egress group (at least one).</summary>
    public int Attempts => Math.Max(1, settings.Attempts / Volatile.Read(ref _sharedBy));

    /// <summary>A hold this node was told by the exchange (a Retry-After), for the nodes that share its address to hold too.</summary>
    public event Action<DateTimeOffset, string>? Held;

    /// <summary>The nodes of this node's egress group, this one included, share the attempts equally.</summary>
    public void Share(int members) => Volatile.Write(ref _sharedBy, Math.Max(1, members));

    /// <summary>The attempts taken in the current window (of <see cref="ConnectionBudgetSettings.Attempts"/> per <see cref="ConnectionBudgetSettings.Per"/>).</summary>
    public int AttemptsInWindow
    {
        get
        {
            var now = _clock.GetUtcNow();
            lock (_gate)
            {
                Expire(now);
                return _attempts.Count;
            }
        }
    }

    /// <summary>Takes one attempt from the budget, or says how long until one is free and why.</summary>
    public bool TryAcquire(out TimeSpan wait, out string why)
    {
        var now = _clock.GetUtcNow();
        lock (_gate)
        {
            if (_heldUntil > now)
            {
                (wait, why) = (_heldUntil - now, $"the exchange asked every connection to wait ({_heldBecause})");
                return false;
            }
            Expire(now);
            if (_attempts.Count < Attempts)
            {
                _attempts.Enqueue(now);
                (wait, why) = (TimeSpan.Zero, "");
                return true;
            }
            (wait, why) = (_attempts.Peek() + settings.Per - now,
                $"the connection budget ({Attempts} attempts per {HumanFormat.Duration(settings.Per)}) is spent");
            return false;
        }
    }

    private void Expire(DateTimeOffset now)
    {
        while (_attempts.Count > 0 && now - _attempts.Peek() >= settings.Per) _attempts.Dequeue();
    }

    /// <summary>Holds every attempt for <paramref name="wait"/> (a Retry-After); a longer hold already in force stays.</summary>
    public void HoldFor(TimeSpan wait, string because)
    {
        var until = _clock.GetUtcNow() + wait;
        if (HoldUntil(until, because)) Held?.Invoke(until, because);
    }

    /// <summary>Holds every attempt until <paramref name="until"/> (another node's Retry-After); false when a longer hold stands.</summary>
    public bool HoldUntil(DateTimeOffset until, string because)
    {
        lock (_gate)
        {
            if (until <= _heldUntil) return false;
            (_heldUntil, _heldBecause) = (until, because);
            return true;
        }
    }
}
