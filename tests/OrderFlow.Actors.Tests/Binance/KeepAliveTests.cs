using OrderFlow.Actors.Binance;
using Xunit;

namespace OrderFlow.Actors.Tests.Binance;

public sealed class KeepAliveTests
{
    [Theory]
    [InlineData(15_000, 10_000)]
    [InlineData(500, 500)]
    [InlineData(2_000, 2_000)]
    [InlineData(1_000, 60_000)]
    [InlineData(20_000, 1_000)]
    [InlineData(10_000, 15_000)]
    [InlineData(10_000, 15_001)]
    public void The_worst_case_detection_stays_within_interval_plus_timeout(int intervalMs, int timeoutMs)
    {
        var interval = TimeSpan.FromMilliseconds(intervalMs);
        var timeout = TimeSpan.FromMilliseconds(timeoutMs);

        var wait = KeepAlive.PongWait(interval, timeout);

        Assert.InRange(wait, TimeSpan.FromTicks(1), timeout);
        // Within the budget, and using nearly all of it (whole milliseconds, rounded down).
        Assert.InRange(KeepAlive.WorstCaseDetection(interval, wait) - (interval + timeout), TimeSpan.FromMilliseconds(-3), TimeSpan.Zero);
    }

    [Fact]
    public void Giving_the_whole_timeout_to_the_socket_would_overshoot_the_defaults_by_5_seconds() =>
        Assert.Equal(TimeSpan.FromSeconds(30), KeepAlive.WorstCaseDetection(TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(10)));
}
