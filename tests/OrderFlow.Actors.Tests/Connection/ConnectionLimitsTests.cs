using OrderFlow.Actors.Tests.Support;
using OrderFlow.Actors.Binance;
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

    [Fact]
    public void Shared_by_an_egress_group_each_node_takes_its_part_and_says_what_the_exchange_held_it_for()
    {
        var clock = new ManualClock();
        var budget = new ConnectionBudget(new ConnectionBudgetSettings(Attempts: 10, Per: TimeSpan.FromMinutes(5)), clock);
        var weight = new RequestWeightBudget(6000, clock);
        budget.Share(3);
        weight.Share(3);
        Assert.Equal((3, 2000, 6000), (budget.Attempts, weight.PerMinute, weight.GroupPerMinute));
        for (var i = 0; i < 3; i++) Assert.True(budget.TryAcquire(out _, out _));
        Assert.False(budget.TryAcquire(out _, out var why));
        Assert.Contains("(3 attempts per ", why);
        Assert.False(weight.TryAcquire(2001, out _));
        budget.Share(40); // never below one attempt
        Assert.Equal(1, budget.Attempts);

        // A hold told here is said (for the group); one heard from another node is applied and not said again.
        var said = new List<DateTimeOffset>();
        budget.Held += (until, _) => said.Add(until);
        weight.Held += said.Add;
        budget.HoldFor(TimeSpan.FromSeconds(30), "HTTP 429");
        weight.HoldFor(TimeSpan.FromSeconds(30));
        Assert.Equal([clock.Now + TimeSpan.FromSeconds(30), clock.Now + TimeSpan.FromSeconds(30)], said);
        Assert.True(weight.HoldUntil(clock.Now + TimeSpan.FromSeconds(60)));
        Assert.False(weight.HoldUntil(clock.Now + TimeSpan.FromSeconds(10)));
        Assert.Equal(clock.Now + TimeSpan.FromSeconds(60), weight.HeldUntil);
        Assert.Equal(2, said.Count);
    }
}
