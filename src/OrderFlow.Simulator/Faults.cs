using System.Net;

namespace OrderFlow.Simulator;

/// <summary>What the simulator does with a new stream connection.</summary>
public abstract record UpgradeFault
{
    /// <summary>Accept TCP, read the request, never answer it.</summary>
    public sealed record NeverAnswer : UpgradeFault;

    /// <summary>Answer the upgrade with an HTTP status (and Retry-After, in seconds, when given).</summary>
    public sealed record Refuse(HttpStatusCode Status, int? RetryAfterSeconds = null) : UpgradeFault;

    /// <summary>Complete the upgrade, answer pings, and never send a frame.</summary>
    public sealed record SendNothing : UpgradeFault;
}

/// <summary>Answers the next <paramref name="Times"/> REST <c>aggTrades</c> requests with an HTTP status instead.</summary>
public sealed record RestFault(HttpStatusCode Status, int Times, int? RetryAfterSeconds = null);
