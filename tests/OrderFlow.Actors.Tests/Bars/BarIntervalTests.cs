using OrderFlow.Protocol;
using OrderFlow.Protocol.Bars;
using Xunit;

namespace OrderFlow.Actors.Tests.Bars;

public sealed class BarIntervalTests
{
    [Theory]
    [InlineData("1m", BarCloser.Time, 60_000L)]
    [InlineData("90s", BarCloser.Time, 90_000L)]
    [InlineData("1000t", BarCloser.Ticks, 1_000L)]
    [InlineData("250v", BarCloser.Volume, 25_000_000_000L)]
    [InlineData("0.5v", BarCloser.Volume, 50_000_000L)]
    public void A_series_reads_as_traders_write_it_and_writes_back_the_same(string text, BarCloser closer, long size)
    {
        Assert.True(BarInterval.TryParse(text, out var interval));
        Assert.Equal(new BarInterval(closer, size), interval);
        Assert.Equal(text, interval.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("7q")]
    [InlineData("0t")]
    [InlineData("-5t")]
    [InlineData("1.5t")]
    [InlineData("0v")]
    [InlineData("0.000000001v")]
    [InlineData("0s")]
    [InlineData("t")]
    public void Anything_else_is_not_a_series(string text) => Assert.False(BarInterval.TryParse(text, out _));

    [Fact]
    public void Time_bars_sort_first_then_tick_then_volume_bars_each_smallest_first()
    {
        BarInterval[] sorted = [TimeSpan.FromMinutes(1), TimeSpan.FromHours(1), BarInterval.Ticks(100), BarInterval.Ticks(1_000), BarInterval.Volume(Fixed8.Parse("5"))];
        Assert.Equal(sorted, sorted.Reverse().Order());
    }
}
