using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Benchmarks;

/// <summary>
/// Deterministic tapes: ids from 1, a random walk on a 0.01 tick (at most <c>maxTicks</c> a trade, either way), sizes
/// and sides at random, 100 trades a ms (a flood) unless paced otherwise.
/// </summary>
public static class Tapes
{
    /// <summary>Trades per second of trade time in a flood's tape.</summary>
    public const int FloodPace = 100_000;

    /// <summary>A liquid book: the price moves at most 3 ticks a trade.</summary>
    public const int LiquidTicks = 3;

    /// <summary>A volatile one: up to 2,000 ticks a trade (BTC at 91,350: ±$20), as a crash or a squeeze trades.</summary>
    public const int VolatileTicks = 2_000;

    public static IReadOnlyList<AggregateTrade> Make(int count, int seed, int tradesPerSecond = FloodPace, int maxTicks = LiquidTicks)
    {
        var random = new Random(seed);
        var trades = new AggregateTrade[count];
        var price = 9_135_000L; // ticks of 0.01
        var start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var i = 0; i < count; i++)
        {
            price = Math.Max(1, price + random.Next(-maxTicks, maxTicks + 1));
            trades[i] = new AggregateTrade(i + 1, new Fixed8(price * 1_000_000), new Fixed8(random.Next(1, 200_000) * 1_000L),
                2L * i + 1, 2L * i + 1 + random.Next(2), start + i * 1000L / tradesPerSecond, random.Next(2) == 0 ? AggressorSide.Buy : AggressorSide.Sell);
        }
        return trades;
    }

    public static IReadOnlyList<string> Symbols(int count) =>
        count == 1 ? ["BTCUSDT"] : Enumerable.Range(0, count).Select(i => $"SYM{i:00}USDT").ToList();
}
