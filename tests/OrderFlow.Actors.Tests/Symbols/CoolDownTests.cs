using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Symbols;
using Xunit;

namespace OrderFlow.Actors.Tests.Symbols;

public sealed class CoolDownTests
{
    private static readonly BackoffSettings NoJitter = new(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5), 0);

    [Fact]
    public void Each_escalation_in_a_row_doubles_the_pause_up_to_the_cap()
    {
        var coolDown = new CoolDown(NoJitter, new Random(1));
        var pauses = Enumerable.Range(0, 6).Select(_ => coolDown.Next()).ToList();
        Assert.Equal([30, 60, 120, 240, 300, 300], pauses.Select(p => p.TotalSeconds));
        Assert.Equal(6, coolDown.EscalationsInRow);
    }

    [Fact]
    public void Data_flowing_again_starts_over_from_the_minimum()
    {
        var coolDown = new CoolDown(NoJitter, new Random(1));
        coolDown.Next();
        coolDown.Next();
        coolDown.Healthy();
        Assert.Equal(TimeSpan.FromSeconds(30), coolDown.Next());
        Assert.Equal(1, coolDown.EscalationsInRow);
    }

    [Fact]
    public void The_servers_retry_after_is_a_floor_until_data_flows_again()
    {
        var coolDown = new CoolDown(NoJitter, new Random(1));
        coolDown.ServerAsked(TimeSpan.FromMinutes(10));
        Assert.Equal(TimeSpan.FromMinutes(10), coolDown.Next());
        coolDown.ServerAsked(TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.FromSeconds(60), coolDown.Next());
        coolDown.ServerAsked(TimeSpan.FromMinutes(10));
        coolDown.Healthy();
        Assert.Equal(TimeSpan.FromSeconds(30), coolDown.Next());
    }

    [Fact]
    public void Jitter_only_lengthens_the_pause_by_up_to_the_random_factor()
    {
        var coolDown = new CoolDown(NoJitter with { RandomFactor = 0.2 }, new Random(7));
        var first = coolDown.Next();
        Assert.InRange(first.TotalSeconds, 30, 36);
    }
}
