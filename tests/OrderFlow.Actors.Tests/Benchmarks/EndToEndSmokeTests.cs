using OrderFlow.Benchmarks;
using Xunit;

namespace OrderFlow.Actors.Tests.Benchmarks;

/// <summary>Keeps the flood benchmark working: a short run must finish with every trade counted, no gap, no repeat.
/// Nothing here is timed; the rates are the benchmark's business.</summary>
public sealed class EndToEndSmokeTests
{
    [Fact]
    public async Task A_short_flood_over_two_symbols_arrives_whole_through_the_raw_loop_and_the_pipeline()
    {
        var result = await EndToEnd.RunAsync(symbols: 2, tradesPerSymbol: 5_000, limit: TimeSpan.FromMinutes(2));

        Assert.Equal(10_000, result.Received);
        Assert.Equal((0L, 0L), (result.Gaps, result.Duplicates));
        Assert.True(result.Raw > TimeSpan.Zero && result.Pipeline > TimeSpan.Zero);
    }

    [Fact]
    public async Task A_short_paced_run_stamps_and_applies_every_trade()
    {
        // Returns only once all 1,000 trades were applied (it times out otherwise).
        var result = await Latency.RunAsync(perSecond: 2_000, trades: 1_000, limit: TimeSpan.FromMinutes(2), settle: false);

        // Every trade carried its send stamp through: a latency from the sender's clock, positive and under the run
        // (an id that is not a stamp would read as the machine's uptime).
        Assert.InRange(result.P50Micros, 1, 120_000_000);
        Assert.InRange(result.MaxMicros, result.P50Micros, 120_000_000);
        // Half a second of trades at 2,000/s: one (partial) second, whose p99 is the run's.
        Assert.Equal([result.P99Micros], result.PerSecondP99Micros);
    }
}
