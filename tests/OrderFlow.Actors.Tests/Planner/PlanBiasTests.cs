using OrderFlow.Planner;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Metrics;
using Xunit;

namespace OrderFlow.Actors.Tests.Planner;

public sealed class PlanBiasTests
{
    private static MetricsSnapshot Window(decimal? deltaPercent, decimal last, decimal vwap, decimal cvd) => new(
        Symbol.Parse("BTCUSDT"), TimeSpan.FromMinutes(5), 1, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch,
        new WindowCoverage(true, 1m, null), 10, 1m, 1m, 1m, 1m, 1m, 0m, deltaPercent, last, last, last, last,
        deltaPercent is null ? null : new VwapBands(vwap, 1m), new LargeTrades(100_000m, new(0, 0, 0), new(0, 0, 0), null), null,
        new CumulativeVolumeDelta(cvd, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, true), new DataQuality(0, 0, 0, 0, 0, 0, 0m));

    [Theory]
    [InlineData(0.10, 101, 100, 5, 3, Bias.Long)]       // buyers dominate, CVD rising, above VWAP
    [InlineData(-0.10, 99, 100, 1, 3, Bias.Short)]      // sellers dominate, CVD falling, below VWAP
    [InlineData(0.10, 99, 100, 5, 3, Bias.Neutral)]     // price disagrees
    [InlineData(0.10, 101, 100, 2, 3, Bias.Neutral)]    // CVD disagrees
    [InlineData(0.02, 101, 100, 5, 3, Bias.Neutral)]    // delta too small to mean anything
    public void The_bias_needs_delta_cvd_slope_and_price_against_vwap_to_agree(double delta, int last, int vwap, int cvd, int previousCvd, Bias expected) =>
        Assert.Equal(expected, PlanBias.Read(Window((decimal)delta, last, vwap, cvd), previousCvd).Bias);

    [Fact]
    public void An_empty_window_or_a_first_look_never_gives_a_direction()
    {
        Assert.Equal(Bias.Neutral, PlanBias.Read(Window(null, 100, 100, 0), null).Bias);
        Assert.Equal(Bias.Neutral, PlanBias.Read(Window(0.10m, 101, 100, 5), null).Bias);
    }
}
