namespace OrderFlow.Simulator;

/// <summary>A symbol the simulated exchange lists, with where its price starts and its tick size.</summary>
public sealed record SimulatedSymbol(string Name, decimal StartPrice, decimal TickSize = 0.01m);

public sealed record SimulatorOptions
{
    public IReadOnlyList<SimulatedSymbol> Symbols { get; init; } =
        [new("BTCUSDT", 91_350m), new("ETHUSDT", 3_120m, 0.01m), new("SOLUSDT", 182.5m)];

    /// <summary>Aggregate trades generated per second per symbol, listened to or not (0: only on demand).</summary>
    public double TradesPerSecond { get; init; } = 20;

    /// <summary>The server pings every interval and drops a client that has not answered within the timeout.</summary>
    public TimeSpan PingInterval { get; init; } = TimeSpan.FromSeconds(20);

    public TimeSpan PongTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Messages a client may send on one connection per second; one more and the connection is closed.</summary>
    public int IncomingMessagesPerSecond { get; init; } = 5;

    /// <summary>Loopback port; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>Seeds prices, sizes and sides, so a run can be repeated.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Trades kept per symbol for the REST routes.</summary>
    public int TradesKept { get; init; } = 1_000_000;
}
