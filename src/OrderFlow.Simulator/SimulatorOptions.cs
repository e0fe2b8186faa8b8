namespace OrderFlow.Simulator;

/// <summary>
/// A symbol the simulated exchange lists, with where its price starts, its tick size, and its own rate of trades
/// (null: <see cref="SimulatorOptions.TradesPerSecond"/>).
/// </summary>
/// <param name="ContractSize">On COIN-M, the USD a contract is worth (null: Binance's, 100 for BTC, 10 for the rest); ignored elsewhere.</param>
public sealed record SimulatedSymbol(string Name, decimal StartPrice, decimal TickSize = 0.01m, double? TradesPerSecond = null, decimal? ContractSize = null);

public sealed record SimulatorOptions
{
    /// <summary>
    /// A universe of <paramref name="count"/> generated symbols (<c>U0001USDT</c>, …) trading
    /// <paramref name="totalTradesPerSecond"/> in all, skewed as real markets are: the n-th busiest trades in
    /// proportion to 1/n, so a few are busy and most are quiet.
    /// </summary>
    public static IReadOnlyList<SimulatedSymbol> Universe(int count, double totalTradesPerSecond)
    {
        var harmonic = Enumerable.Range(1, count).Sum(n => 1.0 / n);
        return Enumerable.Range(1, count)
            .Select(n => new SimulatedSymbol($"U{n:D4}USDT", 10m + n, 0.01m, totalTradesPerSecond / harmonic / n))
            .ToArray();
    }

    public IReadOnlyList<SimulatedSymbol> Symbols { get; init; } =
        [new("BTCUSDT", 91_350m), new("ETHUSDT", 3_120m, 0.01m), new("SOLUSDT", 182.5m)];

    /// <summary>Aggregate trades generated per second per symbol without a rate of its own, listened to or not (0: only on demand).</summary>
    public double TradesPerSecond { get; init; } = 20;

    /// <summary>The server pings every interval and drops a client that has not answered within the timeout.</summary>
    public TimeSpan PingInterval { get; init; } = TimeSpan.FromSeconds(20);

    public TimeSpan PongTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The market's layout: spot (<c>/ws</c>, <c>/stream</c>, <c>/api/v3</c>), usdm (<c>/market/ws</c>,
    /// <c>/market/stream</c>, <c>/fapi/v1</c>; the legacy root <c>/ws</c> and <c>/stream</c> upgrade and stay silent,
    /// as Binance's do since 2026-04-23) or coinm (<c>/ws</c>, <c>/stream</c>, <c>/dapi/v1</c>). Futures events carry
    /// no <c>M</c> and a field spot does not have.
    /// </summary>
    public string Market { get; init; } = "spot";

    /// <summary>REST weight one IP may spend per minute; over it, requests are answered 429.</summary>
    public int RequestWeightPerMinute { get; init; } = 6000;

    /// <summary>Messages a client may send on one connection per second; one more and the connection is closed.</summary>
    public int IncomingMessagesPerSecond { get; init; } = 5;

    /// <summary>
    /// Trades already made when the exchange starts: each symbol's tape begins this long ago, at its rate, so a client
    /// can warm up (or a store can hold) an hour that passed before the test. Zero: the tape begins at start.
    /// </summary>
    public TimeSpan History { get; init; }

    /// <summary>Loopback port; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>Seeds prices, sizes and sides, so a run can be repeated.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>
    /// On a futures layout, the chance each trading symbol is liquidated in a round of <see cref="LiquidationEvery"/>
    /// (pushed on <c>!forceOrder@arr</c>); 0: none. Ignored on spot, which has no liquidations.
    /// </summary>
    public double LiquidationChance { get; init; } = 0.3;

    /// <summary>How often a round of liquidations is pushed: Binance's 1 s, or faster for a spec that wants many.</summary>
    public TimeSpan LiquidationEvery { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Trades kept per symbol for the REST routes.</summary>
    public int TradesKept { get; init; } = 1_000_000;
}
