using OrderFlow.Actors.Binance;
using OrderFlow.Protocol.Trades;
using Xunit;

namespace OrderFlow.Actors.Tests.Sequencing;

public sealed class BurstCreditTests
{
    [Fact]
    public void A_credit_shared_by_history_and_metrics_frees_the_reader_once_both_have_applied_the_batch()
    {
        var freed = 0;
        var credit = new BurstCredit(() => freed++);
        credit.ShareWith(2);

        credit.Release();
        Assert.Equal(0, freed);
        credit.Release();
        Assert.Equal(1, freed);
        credit.Release(); // a stray release never frees a second slot
        Assert.Equal(1, freed);
    }

    [Fact]
    public void A_credit_not_shared_is_freed_by_its_one_holder()
    {
        var freed = 0;
        new BurstCredit(() => freed++).Release();
        Assert.Equal(1, freed);
    }
}
