namespace OrderFlow.Actors.Tests.Support;

/// <summary>A clock the test moves by hand, for the budgets and pacers that take a <see cref="TimeProvider"/>.</summary>
public sealed class ManualClock : TimeProvider
{
    public DateTimeOffset Now { get; set; } = DateTimeOffset.UnixEpoch;

    public override DateTimeOffset GetUtcNow() => Now;
}
