using OrderFlow.Actors.Binance;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;
using OrderFlow.Actors.Tests.Support;
using Xunit;

namespace OrderFlow.Actors.Tests.Binance;

public sealed class SocketBurstTests
{
    private static StreamMessage Trade(long id) => new(StreamMessageKind.AggregateTrade, TestTrades.Buy(id, spacingMs: 1));

    [Fact]
    public void A_burst_keeps_its_trades_and_other_frames_in_order_and_the_next_burst_starts_empty()
    {
        var builder = new SocketBurstBuilder();
        // More trades than the scratch array starts with, so it grows mid-burst.
        for (var id = 1; id <= 5_000; id++)
        {
            builder.Add(Trade(id));
            if (id == 2_500) builder.Add(StreamMessage.Malformed("not JSON"));
        }
        builder.Add(StreamMessage.ServerShutdown);
        Assert.Equal(5_002, builder.Count);

        var burst = builder.Take(() => { });
        Assert.Equal(Enumerable.Range(1, 5_000).Select(id => (long)id), burst.Trades.ToArray().Select(t => t.AggregateId));
        Assert.Equal([StreamMessageKind.Malformed, StreamMessageKind.ServerShutdown], burst.OtherFrames.Select(f => f.Kind));
        Assert.Equal(0, builder.Count);

        builder.Add(Trade(5_001));
        var next = builder.Take(() => { });
        Assert.Equal([5_001L], next.Trades.ToArray().Select(t => t.AggregateId));
        Assert.Empty(next.OtherFrames);
        // The first burst's trades are still its own until it is released.
        Assert.Equal(1, burst.Trades.Span[0].AggregateId);
    }

    [Fact]
    public void A_burst_frees_its_reader_once_every_holder_has_released_it()
    {
        var builder = new SocketBurstBuilder();
        builder.Add(Trade(1));
        var freed = 0;
        var burst = builder.Take(() => freed++);
        burst.Credit.ShareWith(2);

        burst.Credit.Release();
        Assert.Equal(0, freed);
        burst.Credit.Release();
        Assert.Equal(1, freed);
    }

    [Fact]
    public void A_burst_of_other_frames_only_lends_no_trades()
    {
        var builder = new SocketBurstBuilder();
        builder.Add(StreamMessage.ControlReply);
        var freed = 0;
        var burst = builder.Take(() => freed++);
        Assert.True(burst.Trades.IsEmpty);
        burst.Credit.Release();
        Assert.Equal(1, freed);
    }
}
