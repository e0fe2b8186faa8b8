using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Connection;
using Xunit;

namespace OrderFlow.Actors.Tests.Connection;

public sealed class ReconnectPolicyTests
{
    private static ReconnectPolicy Policy(int maxAttempts = 3) =>
        new(OrderFlowConfiguration.Load().Settings.Stream with
        {
            MaxAttempts = maxAttempts,
            Backoff = new BackoffSettings(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0),
        }, new Random(1));

    [Fact]
    public void Attempts_count_from_one_and_the_pause_doubles_until_max_attempts_fail_in_a_row()
    {
        var policy = Policy(maxAttempts: 4);
        policy.Attempting();
        Assert.Equal(1, policy.Attempt);
        Assert.Equal(TimeSpan.FromSeconds(1), policy.AfterFailure(null));
        policy.Attempting();
        Assert.Equal(2, policy.Attempt);
        Assert.Equal(TimeSpan.FromSeconds(2), policy.AfterFailure(null));
        policy.Attempting();
        Assert.Equal(TimeSpan.FromSeconds(4), policy.AfterFailure(null));
        policy.Attempting();
        Assert.Null(policy.AfterFailure(null)); // the fourth failure in a row: give up
        Assert.Equal(4, policy.FailuresInRow);
    }

    [Fact]
    public void The_servers_retry_after_is_a_floor()
    {
        var policy = Policy();
        Assert.Equal(TimeSpan.FromSeconds(7), policy.AfterFailure(TimeSpan.FromSeconds(7)));
        Assert.Equal(TimeSpan.FromSeconds(2), policy.AfterFailure(null)); // the floor was that failure's alone
        Assert.Equal(TimeSpan.FromSeconds(9), Policy().ReplacementRetry(TimeSpan.FromSeconds(9)));
        Assert.Equal(TimeSpan.FromSeconds(1), Policy().ReplacementRetry(null));
    }

    [Fact]
    public void Data_flowing_ends_the_run_of_failures()
    {
        var policy = Policy();
        policy.AfterFailure(null);
        policy.AfterFailure(null);
        policy.DataFlows();
        policy.Attempting();
        Assert.Equal(1, policy.Attempt);
        Assert.Equal(TimeSpan.FromSeconds(1), policy.AfterFailure(null));
    }

    [Fact]
    public void A_replacement_that_took_over_is_a_first_attempt()
    {
        var policy = Policy();
        policy.AfterFailure(null);
        policy.Attempting();
        Assert.Equal(2, policy.Attempt);
        policy.SwitchedOver();
        Assert.Equal(1, policy.Attempt);
    }
}
