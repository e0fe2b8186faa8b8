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
}
