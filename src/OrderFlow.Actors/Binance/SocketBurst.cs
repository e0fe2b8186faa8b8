using System.Buffers;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Binance;

/// <summary>
/// The frames one receive burst read: its trades in order, lent from a pool until <see cref="Credit"/> is released,
/// and its other frames (a shutdown notice, a control reply, a malformed frame: rare), also in order.
/// </summary>
public sealed record SocketBurst(ReadOnlyMemory<AggregateTrade> Trades, StreamMessage[] OtherFrames, BurstCredit Credit);

/// <summary>
/// Collects one burst's frames on the reader's side. Trades go into a scratch array the reader reuses; taking the
/// burst copies them once into an array rented at their count, which goes back to the pool when the burst's credit
/// is released. So a flood allocates nothing per trade and nothing per burst beyond the messages themselves.
/// </summary>
internal sealed class SocketBurstBuilder
{
    private const int InitialCapacity = 64;

    private AggregateTrade[] _trades = new AggregateTrade[InitialCapacity];
    private int _tradeCount;
    private readonly List<StreamMessage> _otherFrames = new();

    public int Count => _tradeCount + _otherFrames.Count;

    public void Add(in StreamMessage message)
    {
        if (message.Kind != StreamMessageKind.AggregateTrade)
        {
            _otherFrames.Add(message);
            return;
        }
        if (_tradeCount == _trades.Length) Array.Resize(ref _trades, _trades.Length * 2);
        _trades[_tradeCount++] = message.Trade;
    }

    /// <summary>Hands out what was collected and starts afresh; <paramref name="release"/> runs once the burst is applied.</summary>
    public SocketBurst Take(Action release)
    {
        var count = _tradeCount;
        var lent = count == 0 ? [] : ArrayPool<AggregateTrade>.Shared.Rent(count);
        _trades.AsSpan(0, count).CopyTo(lent);
        var otherFrames = _otherFrames.Count == 0 ? [] : _otherFrames.ToArray();
        _tradeCount = 0;
        _otherFrames.Clear();
        return new SocketBurst(lent.AsMemory(0, count), otherFrames, new BurstCredit(() =>
        {
            if (count > 0) ArrayPool<AggregateTrade>.Shared.Return(lent);
            release();
        }));
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

    /// <summary>Hands the credit to <paramref name="holders"/> actors, each of which releases it once.</summary>
    public void ShareWith(int holders) => Interlocked.Exchange(ref _holders, holders);

    public void Release()
    {
        if (Interlocked.Decrement(ref _holders) == 0 && Interlocked.Exchange(ref _released, 1) == 0) release();
    }
}
