using OrderFlow.Actors.Binance;
using OrderFlow.Protocol.Trades;
using OrderFlow.Actors.Tests.Support;
using Xunit;

namespace OrderFlow.Actors.Tests.Binance;

public sealed class SocketBurstTests
{
    private static StreamMessage Trade(long id) => new(StreamMessageKind.AggregateTrade, TestTrades.Buy(id, spacingMs: 1));

    private static List<(string? Route, SocketBurst Burst)> Take(SocketBurstBuilder<string> builder, Action release)
    {
        var parts = new List<(string?, SocketBurst)>();
        builder.Take(release, (route, burst) => parts.Add((route, burst)));
        return parts;
    }

    [Fact]
    public void A_burst_keeps_its_trades_and_other_frames_in_order_and_the_next_burst_starts_empty()
    {
        var builder = new SocketBurstBuilder<string>();
        // More trades than the scratch array starts with, so it grows mid-burst.
        for (var id = 1; id <= 5_000; id++)
        {
            builder.Add("btc", Trade(id));
            if (id == 2_500) builder.Add("btc", StreamMessage.Malformed("not JSON"));
        }
        builder.Add(null, StreamMessage.ServerShutdown);
        Assert.Equal(5_002, builder.Count);

        var parts = Take(builder, () => { });
        Assert.Equal(["btc", null], parts.Select(p => p.Route));
        var burst = parts[0].Burst;
        Assert.Equal(Enumerable.Range(1, 5_000).Select(id => (long)id), burst.Trades.ToArray().Select(t => t.AggregateId));
        Assert.Equal([StreamMessageKind.Malformed], burst.OtherFrames.Select(f => f.Kind));
        Assert.Equal([StreamMessageKind.ServerShutdown], parts[1].Burst.OtherFrames.Select(f => f.Kind));
        Assert.Equal(0, builder.Count);

        builder.Add("btc", Trade(5_001));
        var next = Take(builder, () => { }).Single().Burst;
        Assert.Equal([5_001L], next.Trades.ToArray().Select(t => t.AggregateId));
        Assert.Empty(next.OtherFrames);
        // The first burst's trades are still its own until it is released.
        Assert.Equal(1, burst.Trades.Span[0].AggregateId);
    }

    [Fact]
    public void A_shared_connection_s_burst_is_split_by_symbol_in_order_and_frees_its_reader_once_every_part_is_applied()
    {
        var builder = new SocketBurstBuilder<string>();
        for (var id = 1; id <= 9; id++) builder.Add(id % 3 == 0 ? "eth" : "btc", Trade(id));
        var freed = 0;
        var parts = Take(builder, () => freed++);

        Assert.Equal(["btc", "eth"], parts.Select(p => p.Route));
        Assert.Equal([1L, 2, 4, 5, 7, 8], parts[0].Burst.Trades.ToArray().Select(t => t.AggregateId));
        Assert.Equal([3L, 6, 9], parts[1].Burst.Trades.ToArray().Select(t => t.AggregateId));
        Assert.Same(parts[0].Burst.Credit, parts[1].Burst.Credit);

        // The sequencer of one symbol hands its hold to history and metrics: two holders for its part.
        parts[0].Burst.Credit.ShareWith(2);
        parts[0].Burst.Credit.Release();
        parts[1].Burst.Credit.Release();
        Assert.Equal(0, freed);
        parts[0].Burst.Credit.Release();
        Assert.Equal(1, freed);
    }

    [Fact]
    public void A_burst_of_other_frames_only_lends_no_trades()
    {
        var builder = new SocketBurstBuilder<string>();
        builder.Add(null, StreamMessage.ControlReply(1, null));
        var freed = 0;
        var burst = Take(builder, () => freed++).Single().Burst;
        Assert.True(burst.Trades.IsEmpty);
        burst.Credit.Release();
        Assert.Equal(1, freed);
    }
}
