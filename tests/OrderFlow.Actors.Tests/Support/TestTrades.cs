using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Tests.Support;

/// <summary>The plain trade specs use when only its id and time matter: a 0.5 buy at 91,350.</summary>
public static class TestTrades
{
    public const long Start = 1_764_000_000_000;

    /// <summary>Aggregate <paramref name="id"/> at <see cref="Start"/> plus <paramref name="id"/> times <paramref name="spacingMs"/>.</summary>
    public static AggregateTrade Buy(long id, long spacingMs = 1_000) =>
        new(id, Fixed8.Parse("91350"), Fixed8.Parse("0.5"), id, id, Start + id * spacingMs, AggressorSide.Buy);
}
