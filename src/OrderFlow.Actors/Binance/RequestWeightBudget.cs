using OrderFlow.Protocol;

namespace OrderFlow.Actors.Binance;

/// <summary>
/// Binance's REST request weight, shared by every symbol: a sliding minute of spent weight (6,000 by default), and a
/// hold after a 429 or 418 until its Retry-After has passed, because retrying a 418 early extends the IP's ban.
/// When weight is short, backfills take turns by how many trades wait on them (<see cref="BackfillTurn"/>): a symbol that
/// was held back keeps a claim, and a smaller backfill gives way while the weight left would not also cover every
/// larger one still claiming. After every connection drops at once, the busiest symbols' gaps are filled first.
/// </summary>
public sealed class RequestWeightBudget(int weightPerMinute, TimeProvider? clock = null)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>How long a smaller backfill waits before asking again while a larger one claims the weight.</summary>
    public static readonly TimeSpan GiveWay = TimeSpan.FromMilliseconds(250);

    /// <summary>How long past its turn a claim stands: a symbol that never asks again (removed) stops blocking then.</summary>
    private static readonly TimeSpan ClaimLapses = TimeSpan.FromSeconds(5);

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Queue<(DateTimeOffset At, int Weight)> _spent = new();
    private readonly Dictionary<Symbol, Claim> _claims = new();
    private readonly Lock _gate = new();
    private int _spentWeight;
    private DateTimeOffset _heldUntil;
    private int _sharedBy = 1;

    /// <summary>Until when every request waits (a 429 or 418, here or on a node of the same egress group); past: none.</summary>
    public DateTimeOffset HeldUntil
    {
        get
        {
            lock (_gate) return _heldUntil;
        }
    }

    /// <summary>The weight a minute for the whole egress group (its address), as configured.</summary>
    public int GroupPerMinute => weightPerMinute;

    /// <summary>This node's weight a minute: the configured weight's share among the nodes of its egress group.</summary>
    public int PerMinute => Math.Max(1, weightPerMinute / Volatile.Read(ref _sharedBy));

    /// <summary>A hold this node was told by the exchange (a 429 or 418), for the nodes that share its address to hold too.</summary>
    public event Action<DateTimeOffset>? Held;

    /// <summary>The nodes of this node's egress group, this one included, share the weight equally.</summary>
    public void Share(int members) => Volatile.Write(ref _sharedBy, Math.Max(1, members));

    /// <summary>The weight spent in the last minute, as this process counts it (or as the exchange does, when it counts more).</summary>
    public int SpentInLastMinute
    {
        get
        {
            var now = _clock.GetUtcNow();
            lock (_gate)
            {
                Expire(now);
                return _spentWeight;
            }
        }
    }

    /// <summary>Spends <paramref name="weight"/>, or says how long until it can be spent.</summary>
    public bool TryAcquire(int weight, out TimeSpan wait) => TryAcquire(weight, null, out wait);

    /// <summary>
    /// Spends <paramref name="weight"/> for <paramref name="backfill"/> (null: a request that takes no turn, such as
    /// exchangeInfo), or says how long until it should ask again.
    /// </summary>
    public bool TryAcquire(int weight, BackfillTurn? backfill, out TimeSpan wait)
    {
        var now = _clock.GetUtcNow();
        lock (_gate)
        {
            Expire(now);
            if (now < _heldUntil) wait = _heldUntil - now;
            else if (_spentWeight + weight > PerMinute) wait = _spent.Count > 0 ? _spent.Peek().At + Window - now : Window;
            else if (backfill is { } turn && _spentWeight + weight + WeightClaimedAhead(turn) > PerMinute) wait = GiveWay;
            else
            {
                _spent.Enqueue((now, weight));
                _spentWeight += weight;
                if (backfill is { } taken) _claims.Remove(taken.Symbol);
                wait = TimeSpan.Zero;
                return true;
            }
            if (backfill is { } held) _claims[held.Symbol] = new Claim(held.TradesWaiting, weight, now + wait + ClaimLapses);
            return false;
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
            Expire(now);
            if (exchangeCount <= _spentWeight) return;
            _spent.Enqueue((now, exchangeCount - _spentWeight));
            _spentWeight = exchangeCount;
        }
    }

    /// <summary>Holds every request until <paramref name="retryAfter"/> from now (a 429 or 418 answer).</summary>
    public void HoldFor(TimeSpan retryAfter)
    {
        var until = _clock.GetUtcNow() + retryAfter;
        if (HoldUntil(until)) Held?.Invoke(until);
    }

    /// <summary>Holds every request until <paramref name="until"/> (another node's 429 or 418); false when a longer hold stands.</summary>
    public bool HoldUntil(DateTimeOffset until)
    {
        lock (_gate)
        {
            if (until <= _heldUntil) return false;
            _heldUntil = until;
            return true;
        }
    }

    private void Expire(DateTimeOffset now)
    {
        while (_spent.Count > 0 && now - _spent.Peek().At >= Window) _spentWeight -= _spent.Dequeue().Weight;
        if (_claims.Count == 0) return;
        foreach (var (symbol, claim) in _claims)
            if (claim.Lapses <= now) _claims.Remove(symbol);
    }

    private int WeightClaimedAhead(BackfillTurn backfill)
    {
        var ahead = 0;
        foreach (var (symbol, claim) in _claims)
            if (claim.TradesWaiting > backfill.TradesWaiting && symbol != backfill.Symbol) ahead += claim.Weight;
        return ahead;
    }

    private readonly record struct Claim(long TradesWaiting, int Weight, DateTimeOffset Lapses);
}

/// <summary>A backfill's turn: whose it is, and how many trades wait on its page (its gap, or the live trades held behind it).</summary>
public readonly record struct BackfillTurn(Symbol Symbol, long TradesWaiting);
