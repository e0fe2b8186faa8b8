using System.Runtime.InteropServices;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.History;

/// <summary>
/// The most recent trades up to a capacity, oldest dropped first, at 30 bytes a trade. Trades live in blocks of
/// <see cref="BlockSize"/>; each block keeps the first trade's aggregate id, time and first trade id, and each trade
/// its offsets from them, so a trade is price + quantity (8 bytes each), a 16-bit id offset (aggregate ids run
/// consecutively; a jump past it starts a new block) and three 32-bit fields, packed without padding. Trades arrive in
/// aggregate-id order with non-decreasing times (the sequencer's order), which lets queries by id or time binary-search
/// the blocks. Blocks are allocated as trades arrive and reused once dropped, so a quiet symbol reserves little.
/// </summary>
public sealed class TradeRing
{
    public const int BlockSize = 1024;

    // Pack = 2: 30 bytes, not 32 with the default 8-byte alignment (x64 reads the unaligned longs at no cost that matters here).
    [StructLayout(LayoutKind.Sequential, Pack = 2)]
    private struct CompactTrade
    {
        public long Price;
        public long Quantity;
        public ushort IdOffset;
        public uint TimeOffset;
        public uint FirstTradeOffset;
        public uint FillsAndSide; // bit 31: sell aggressor; bits 0-30: last trade id − first trade id
    }

    private sealed class Block
    {
        public readonly CompactTrade[] Trades = new CompactTrade[BlockSize];
        public long BaseId;
        public long BaseTimeMs;
        public long BaseFirstTradeId;
        public int Start;
        public int Count;

        public long IdAt(int slot) => BaseId + Trades[slot].IdOffset;

        public long TimeAt(int slot) => BaseTimeMs + Trades[slot].TimeOffset;

        public AggregateTrade At(int slot)
        {
            ref var t = ref Trades[slot];
            var first = BaseFirstTradeId + t.FirstTradeOffset;
            return new AggregateTrade(BaseId + t.IdOffset, new Fixed8(t.Price), new Fixed8(t.Quantity), first,
                first + (t.FillsAndSide & int.MaxValue), BaseTimeMs + t.TimeOffset,
                (t.FillsAndSide & 0x8000_0000u) != 0 ? AggressorSide.Sell : AggressorSide.Buy);
        }

        /// <summary>Stores the trade if its offsets fit this block.</summary>
        public bool TryAppend(in AggregateTrade trade)
        {
            if (Count == BlockSize) return false;
            if (Count == 0) (BaseId, BaseTimeMs, BaseFirstTradeId, Start) = (trade.AggregateId, trade.TradeTimeMs, trade.FirstTradeId, 0);
            var id = trade.AggregateId - BaseId;
            var time = trade.TradeTimeMs - BaseTimeMs;
            var first = trade.FirstTradeId - BaseFirstTradeId;
            var fills = trade.LastTradeId - trade.FirstTradeId;
            if (id is < 0 or > ushort.MaxValue || time is < 0 or > uint.MaxValue || first is < 0 or > uint.MaxValue || fills is < 0 or > int.MaxValue)
                return false;
            Trades[Count++] = new CompactTrade
            {
                Price = trade.Price.Raw,
                Quantity = trade.Quantity.Raw,
                IdOffset = (ushort)id,
                TimeOffset = (uint)time,
                FirstTradeOffset = (uint)first,
                FillsAndSide = (uint)fills | (trade.Side == AggressorSide.Sell ? 0x8000_0000u : 0),
            };
            return true;
        }
    }

    private readonly int _capacity;
    private Block?[] _blocks;
    private int _head;
    private int _blockCount;

    public TradeRing(int capacity)
    {
        _capacity = capacity;
        // One block more than the capacity needs, as the oldest block empties one trade at a time. A block closes
        // early only when an offset overflows (a 49-day silence, say); then the ring grows.
        _blocks = new Block?[(capacity + BlockSize - 1) / BlockSize + 1];
    }

    public int Count { get; private set; }

    /// <summary>The newest trade dropped to make room, if any was.</summary>
    public AggregateTrade? LastDropped { get; private set; }

    public void Append(in AggregateTrade trade)
    {
        if (Count == _capacity) DropOldest();
        if (_blockCount > 0 && BlockAt(_blockCount - 1).TryAppend(trade))
        {
            Count++;
            return;
        }
        if (_blockCount == _blocks.Length) Grow();
        var slot = (_head + _blockCount) % _blocks.Length;
        var block = _blocks[slot] ??= new Block();
        block.Count = 0;
        _blockCount++;
        if (!block.TryAppend(trade)) throw new ArgumentException($"aggregate {trade.AggregateId} cannot be held (fill range too large)");
        Count++;
    }

    public IReadOnlyList<AggregateTrade> Last(int count)
    {
        var take = Math.Clamp(count, 0, Count);
        var result = new AggregateTrade[take];
        var index = take;
        for (var b = _blockCount - 1; b >= 0 && index > 0; b--)
        {
            var block = BlockAt(b);
            for (var slot = block.Count - 1; slot >= block.Start && index > 0; slot--) result[--index] = block.At(slot);
        }
        return result;
    }

    /// <summary>Oldest first, from the first trade with an aggregate id at or above <paramref name="fromId"/>.</summary>
    public IReadOnlyList<AggregateTrade> FromId(long fromId, int maxCount) =>
        From((block, slot) => block.IdAt(slot) >= fromId, maxCount);

    /// <summary>Oldest first, from the first trade at or after <paramref name="fromMs"/> (epoch milliseconds).</summary>
    public IReadOnlyList<AggregateTrade> FromTime(long fromMs, int maxCount) =>
        From((block, slot) => block.TimeAt(slot) >= fromMs, maxCount);

    public AggregateTrade? Oldest => Count == 0 ? null : BlockAt(0).At(BlockAt(0).Start);

    /// <summary>
    /// Collects trades from the first one for which <paramref name="reached"/> holds: a binary search over the blocks
    /// by their last trade, then within the block.
    /// </summary>
    private List<AggregateTrade> From(Func<Block, int, bool> reached, int maxCount)
    {
        int lo = 0, hi = _blockCount;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            var block = BlockAt(mid);
            if (reached(block, block.Count - 1)) hi = mid;
            else lo = mid + 1;
        }

        var result = new List<AggregateTrade>();
        if (lo == _blockCount) return result;
        var first = BlockAt(lo);
        int from = first.Start, to = first.Count - 1;
        while (from < to)
        {
            var mid = (from + to) / 2;
            if (reached(first, mid)) to = mid;
            else from = mid + 1;
        }

        for (var b = lo; b < _blockCount && result.Count < maxCount; b++)
        {
            var block = BlockAt(b);
            for (var slot = b == lo ? from : block.Start; slot < block.Count && result.Count < maxCount; slot++) result.Add(block.At(slot));
        }
        return result;
    }

    private Block BlockAt(int logical) => _blocks[(_head + logical) % _blocks.Length]!;

    private void DropOldest()
    {
        var oldest = BlockAt(0);
        LastDropped = oldest.At(oldest.Start);
        Count--;
        if (++oldest.Start == oldest.Count) RemoveHeadBlock();
    }

    private void RemoveHeadBlock()
    {
        _head = (_head + 1) % _blocks.Length;
        _blockCount--;
    }

    private void Grow()
    {
        var grown = new Block?[_blocks.Length * 2];
        for (var i = 0; i < _blockCount; i++) grown[i] = BlockAt(i);
        (_blocks, _head) = (grown, 0);
    }
}
