using System.Buffers;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Binance;

/// <summary>
/// The frames one receive burst read: its trades in order, lent from a pool until <see cref="Credit"/> is released,
/// and its other frames (a shutdown notice, a control reply, a malformed frame: rare), also in order.
/// </summary>
public sealed record SocketBurst(ReadOnlyMemory<AggregateTrade> Trades, StreamMessage[] OtherFrames, BurstCredit Credit);

/// <summary>
/// Collects one burst's frames on the reader's side, by route: each symbol the connection carries gets its own part
/// (a null route collects the connection's own frames: control replies, a shutdown notice, what names no symbol).
/// Trades go into scratch arrays the reader reuses; taking the burst copies each part once into an array rented at
/// its count, which goes back to the pool when the burst's one credit is released by every part. So a flood
/// allocates nothing per trade and nothing per burst beyond the messages themselves.
/// </summary>
internal sealed class SocketBurstBuilder<TRoute> where TRoute : class
{
    private readonly Part _connectionPart = new(null);
    private readonly List<Part> _parts = new();
    private readonly Stack<Part> _spare = new();
    // Frames of one burst mostly share a symbol: the last part used is checked before the others.
    private Part? _last;

    public int Count { get; private set; }

    public void Add(TRoute? route, in StreamMessage message)
    {
        Count++;
        var part = route is null ? _connectionPart : PartFor(route);
        if (message.Kind != StreamMessageKind.AggregateTrade) part.OtherFrames.Add(message);
        else part.AddTrade(message.Trade);
    }

    /// <summary>Hands out what was collected, one part per route, and starts afresh; <paramref name="release"/> runs once every part is applied.</summary>
    public void Take(Action release, Action<TRoute?, SocketBurst> onPart)
    {
        var parts = _parts.Count + (_connectionPart.IsEmpty ? 0 : 1);
        var lent = new AggregateTrade[parts][];
        var credit = new BurstCredit(() =>
        {
            foreach (var array in lent)
                if (array is { Length: > 0 }) ArrayPool<AggregateTrade>.Shared.Return(array);
            release();
        });
        if (parts == 0)
        {
            credit.Release();
            return;
        }
        credit.ShareWith(parts);
        var index = 0;
        foreach (var part in _parts) onPart(part.Route, part.Take(credit, out lent[index++]));
        if (!_connectionPart.IsEmpty) onPart(null, _connectionPart.Take(credit, out lent[index]));
        foreach (var part in _parts) _spare.Push(part);
        _parts.Clear();
        _last = null;
        Count = 0;
    }

    private Part PartFor(TRoute route)
    {
        if (_last is not null && ReferenceEquals(_last.Route, route)) return _last;
        foreach (var part in _parts)
        {
            if (!ReferenceEquals(part.Route, route)) continue;
            _last = part;
            return part;
        }
        var added = _spare.TryPop(out var spare) ? spare : new Part(null);
        added.Route = route;
        _parts.Add(added);
        return _last = added;
    }

    private sealed class Part(TRoute? route)
    {
        private const int InitialCapacity = 64;
        private AggregateTrade[] _trades = new AggregateTrade[InitialCapacity];
        private int _tradeCount;

        public TRoute? Route { get; set; } = route;

        public List<StreamMessage> OtherFrames { get; } = new();

        public bool IsEmpty => _tradeCount == 0 && OtherFrames.Count == 0;

        public void AddTrade(in AggregateTrade trade)
        {
            if (_tradeCount == _trades.Length) Array.Resize(ref _trades, _trades.Length * 2);
            _trades[_tradeCount++] = trade;
        }

        public SocketBurst Take(BurstCredit credit, out AggregateTrade[] lent)
        {
            var count = _tradeCount;
            lent = count == 0 ? [] : ArrayPool<AggregateTrade>.Shared.Rent(count);
            _trades.AsSpan(0, count).CopyTo(lent);
            var otherFrames = OtherFrames.Count == 0 ? [] : OtherFrames.ToArray();
            _tradeCount = 0;
            OtherFrames.Clear();
            return new SocketBurst(lent.AsMemory(0, count), otherFrames, credit);
        }
    }
}

/// <summary>
/// A socket burst's hold on its reader: the socket reads on only while a few bursts are not yet applied, so a flood
/// waits in the kernel's socket buffer (and then at the sender) rather than in the actors' mailboxes. Released once
/// by whoever applies the burst last.
/// </summary>
public sealed class BurstCredit(Action release)
{
    private int _holders = 1;
    private int _released;

    /// <summary>One holder hands its hold to <paramref name="holders"/> others, each of which releases it once.</summary>
    public void ShareWith(int holders) => Interlocked.Add(ref _holders, holders - 1);

    public void Release()
    {
        if (Interlocked.Decrement(ref _holders) == 0 && Interlocked.Exchange(ref _released, 1) == 0) release();
    }
}
