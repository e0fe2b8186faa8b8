using OrderFlow.Actors.Tests.Support;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Connection;
using Xunit;

namespace OrderFlow.Actors.Tests.Connection;

/// <summary>The per-connection and per-IP limits, driven by a clock of their own.</summary>
public sealed class ConnectionLimitsTests
{
    [Fact]
    public void Control_requests_stay_two_under_the_exchange_s_message_limit_in_any_second()
    {
        var pacer = new ControlPacer(incomingMessagesPerSecond: 5);
        Assert.Equal(3, pacer.PerSecond);
        var start = TimeSpan.FromSeconds(100);
        for (var i = 0; i < 3; i++) Assert.True(pacer.TryTake(start + TimeSpan.FromMilliseconds(i * 10), out _));
        Assert.False(pacer.TryTake(start + TimeSpan.FromMilliseconds(500), out var wait));
        Assert.Equal(TimeSpan.FromMilliseconds(500), wait);
        Assert.True(pacer.TryTake(start + TimeSpan.FromSeconds(1), out _));
        // A limit of 1 or 2 still lets one request a second through.
        Assert.Equal(1, new ControlPacer(2).PerSecond);
    }

    [Fact]
    public void The_connection_budget_counts_attempts_and_a_Retry_After_holds_every_one()
    {
        var clock = new ManualClock();
        var budget = new ConnectionBudget(new ConnectionBudgetSettings(Attempts: 2, Per: TimeSpan.FromMinutes(5)), clock);
        Assert.True(budget.TryAcquire(out _, out _));
        Assert.True(budget.TryAcquire(out _, out _));
        Assert.False(budget.TryAcquire(out var wait, out var why));
        Assert.Equal(TimeSpan.FromMinutes(5), wait);
        Assert.Contains("connection budget (2 attempts per", why);

        clock.Now += TimeSpan.FromMinutes(5);
        budget.HoldFor(TimeSpan.FromSeconds(30), "HTTP 429 on the upgrade");
        budget.HoldFor(TimeSpan.FromSeconds(3), "a shorter one"); // never shortens a longer hold
        Assert.False(budget.TryAcquire(out wait, out why));
        Assert.Equal((TimeSpan.FromSeconds(30), true), (wait, why.Contains("HTTP 429 on the upgrade")));
        clock.Now += TimeSpan.FromSeconds(30);
        Assert.True(budget.TryAcquire(out _, out _));
    }
}
