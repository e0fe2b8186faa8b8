namespace OrderFlow.Actors.Binance;

/// <summary>
/// Binance's REST request weight, shared by every symbol: a sliding minute of spent weight (6,000 by default), and a
/// hold after a 429 or 418 until its Retry-After has passed, because retrying a 418 early extends the IP's ban.
/// </summary>
public sealed class RequestWeightBudget(int weightPerMinute, TimeProvider? clock = null)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Queue<(DateTimeOffset At, int Weight)> _spent = new();
    private readonly Lock _gate = new();
    private int _spentWeight;
    private DateTimeOffset _heldUntil;

    /// <summary>Spends <paramref name="weight"/>, or says how long until it can be spent.</summary>
    public bool TryAcquire(int weight, out TimeSpan wait)
    {
        var now = _clock.GetUtcNow();
        lock (_gate)
        {
            if (now < _heldUntil)
            {
                wait = _heldUntil - now;
                return false;
            }
            while (_spent.Count > 0 && now - _spent.Peek().At >= Window) _spentWeight -= _spent.Dequeue().Weight;
            if (_spentWeight + weight > weightPerMinute)
            {
                wait = _spent.Peek().At + Window - now;
                return false;
            }
            _spent.Enqueue((now, weight));
            _spentWeight += weight;
            wait = TimeSpan.Zero;
            return true;
        }
    }

    /// <summary>
    /// The exchange's own count of the weight this IP spent in its current minute (<c>X-MBX-USED-WEIGHT-1M</c>): the
    /// budget never counts less than that, since other processes on the same IP spend from it too.
    /// </summary>
    public void Observe(int exchangeCount)
    {
        var now = _clock.GetUtcNow();
        lock (_gate)
        {
            while (_spent.Count > 0 && now - _spent.Peek().At >= Window) _spentWeight -= _spent.Dequeue().Weight;
            if (exchangeCount <= _spentWeight) return;
            _spent.Enqueue((now, exchangeCount - _spentWeight));
            _spentWeight = exchangeCount;
        }
    }

    /// <summary>Holds every request until <paramref name="retryAfter"/> from now (a 429 or 418 answer).</summary>
    public void HoldFor(TimeSpan retryAfter)
    {
        var until = _clock.GetUtcNow() + retryAfter;
        lock (_gate)
        {
            if (until > _heldUntil) _heldUntil = until;
        }
    }
}
