using OrderFlow.Actors.History;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;
using Xunit;

namespace OrderFlow.Actors.Tests.History;

public sealed class TradeRingTests
{
    /// <summary>
    /// A tape with everything the compact form must survive: same-millisecond bursts, gaps in aggregate ids (some past
    /// a block's 16-bit id offset), quiet
    /// spells longer than a block's 49-day time offset, trade-id jumps past 32 bits, and both sides.
    /// </summary>
    private static List<AggregateTrade> Tape(int count, int seed)
    {
        var random = new Random(seed);
        var trades = new List<AggregateTrade>(count);
        long id = 3_000_000_000, time = 1_764_000_000_000, tradeId = 5_000_000_000;
        for (var i = 0; i < count; i++)
        {
            id += random.Next(50) == 0 ? random.Next(2, 5_000) : random.Next(5_000) == 0 ? random.Next(70_000, 200_000) : 1;
            time += random.Next(2_000) == 0 ? 60L * 86_400_000 : random.Next(3) == 0 ? 0 : random.Next(1, 500);
            tradeId += random.Next(3_000) == 0 ? 10_000_000_000L : random.Next(1, 4);
            var fills = random.Next(20) == 0 ? random.Next(1_000, 1_000_000) : random.Next(0, 3);
            trades.Add(new AggregateTrade(id, new Fixed8(random.NextInt64(1, 10_000_000_000_000)), new Fixed8(random.NextInt64(1, long.MaxValue / 2)),
                tradeId, tradeId + fills, time, random.Next(2) == 0 ? AggressorSide.Buy : AggressorSide.Sell));
            tradeId += fills;
        }
        return trades;
    }

    [Fact]
    public void Every_field_of_every_trade_comes_back_exactly()
    {
        var tape = Tape(20_000, seed: 1);
        var ring = new TradeRing(50_000);
        foreach (var trade in tape) ring.Append(trade);
        Assert.Equal(tape.Count, ring.Count);
        Assert.Equal(tape, ring.Last(tape.Count));
        Assert.Null(ring.LastDropped);
    }

    [Fact]
    public void Beyond_its_capacity_it_drops_the_oldest_one_at_a_time_and_says_which_went_last()
    {
        var tape = Tape(10_000, seed: 2);
        var ring = new TradeRing(2_500);
        foreach (var trade in tape) ring.Append(trade);
        Assert.Equal(2_500, ring.Count);
        Assert.Equal(tape.TakeLast(2_500), ring.Last(int.MaxValue));
        Assert.Equal(tape[7_499], ring.LastDropped);
        Assert.Equal(tape[7_500], ring.Oldest);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public void Queries_by_id_and_by_time_find_what_a_scan_finds(int seed)
    {
        var tape = Tape(12_000, seed);
        var ring = new TradeRing(9_000);
        foreach (var trade in tape) ring.Append(trade);
        var held = tape.TakeLast(9_000).ToList();
        var random = new Random(seed);
        for (var i = 0; i < 300; i++)
        {
            var probe = tape[random.Next(tape.Count)];
            var fromId = probe.AggregateId + random.Next(-2, 3);
            Assert.Equal(held.Where(t => t.AggregateId >= fromId).Take(100), ring.FromId(fromId, 100));
            var fromMs = probe.TradeTimeMs + random.Next(-2, 3);
            Assert.Equal(held.Where(t => t.TradeTimeMs >= fromMs).Take(100), ring.FromTime(fromMs, 100));
        }
        Assert.Empty(ring.FromId(tape[^1].AggregateId + 1, 10));
        Assert.Equal(held.Take(5), ring.FromTime(0, 5));
    }
}
