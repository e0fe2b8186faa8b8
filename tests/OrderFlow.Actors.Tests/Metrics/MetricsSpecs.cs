using System.Net;
using System.Net.WebSockets;
using System.Text;
using Akka.Actor;
using Akka.TestKit;
using OrderFlow.Actors.Tests.Support;
using OrderFlow.Protocol.Metrics;
using OrderFlow.Protocol.Streams;
using OrderFlow.Protocol.Trades;
using OrderFlow.Simulator;
using Xunit;
using Xunit.Abstractions;

namespace OrderFlow.Actors.Tests.Metrics;

/// <summary>
/// The metrics a planner asks for, against the simulated exchange: after each fault it can inject, every window's
/// figures equal the oracle's over the exchange's own trades, and readiness says what is missing.
/// </summary>
public sealed class MetricsSpecs(ITestOutputHelper output) : StreamSpec(output)
{
    private static readonly TimeSpan[] Windows = [TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(15), TimeSpan.FromHours(1)];

    private const string MetricsConfig = """
        orderflow.metrics.windows = [2s, 1m, 15m, 1h]
        orderflow.metrics.large-trade-notional = 100000
        orderflow.metrics.profile-ticks-per-bin = 1
        """;

    protected override double TradesPerSecond => 200;

    public enum Fault { Drop, CloseFrame, ServerShutdown, Duplicates, RestRefusedFirst, HalfOpen, UpgradeHangs, SilentUpgrade, MalformedFrames }

    [Theory]
    [InlineData(Fault.Drop)]
    [InlineData(Fault.CloseFrame)]
    [InlineData(Fault.ServerShutdown)]
    [InlineData(Fault.Duplicates)]
    [InlineData(Fault.RestRefusedFirst)]
    [InlineData(Fault.HalfOpen)]
    [InlineData(Fault.UpgradeHangs)]
    [InlineData(Fault.SilentUpgrade)]
    [InlineData(Fault.MalformedFrames)]
    public async Task After_a_fault_history_is_the_exchange_sequence_and_every_window_equals_the_oracle(Fault fault)
    {
        var lifecycle = LifecycleProbe();
        var supervisor = StartSupervisor(Settings(extraHocon: MetricsConfig));
        ExpectLifecycle<Connected>(lifecycle, Btc);
        var before = await HeldAtLeastAsync(supervisor, 50);

        switch (fault)
        {
            case Fault.Drop:
                DisconnectForAWhile(lifecycle);
                break;
            case Fault.CloseFrame:
                AwaitAssert(() => Assert.Equal(1, Exchange.CloseConnections("BTCUSDT", WebSocketCloseStatus.PolicyViolation, "too many requests")));
                Assert.Equal(FailureKind.Closed, ExpectLifecycle<Failed>(lifecycle, Btc, skipOthers: true).Kind);
                ExpectLifecycle<Connected>(lifecycle, Btc, skipOthers: true);
                break;
            case Fault.UpgradeHangs:
                BreakWhileReconnectsFail(lifecycle, new UpgradeFault.NeverAnswer(), TimeoutPhase.Connect);
                break;
            case Fault.SilentUpgrade:
                BreakWhileReconnectsFail(lifecycle, new UpgradeFault.SendNothing(), TimeoutPhase.FirstMessage);
                break;
            case Fault.ServerShutdown:
                AwaitAssert(() => Assert.Equal(1, Exchange.AnnounceShutdown("BTCUSDT")));
                ExpectLifecycle<Connected>(lifecycle, Btc, skipOthers: true);
                break;
            case Fault.Duplicates:
                AwaitLiveConnection("BTCUSDT");
                foreach (var trade in before.Take(30).Reverse())
                    Exchange.SendText("BTCUSDT", Encoding.UTF8.GetString(WireFormat.AggTradeEvent("BTCUSDT", trade, 0)));
                break;
            case Fault.RestRefusedFirst:
                await JoinedLiveAsync(supervisor);
                Exchange.SetRestFault(new RestFault(HttpStatusCode.TooManyRequests, Times: 1, RetryAfterSeconds: 1));
                DisconnectForAWhile(lifecycle);
                break;
            case Fault.HalfOpen:
                AwaitAssert(() => Assert.Equal(1, Exchange.FreezeConnections("BTCUSDT")));
                ExpectLifecycle<TimedOut>(lifecycle, Btc, skipOthers: true, within: TimeSpan.FromSeconds(5));
                ExpectLifecycle<Connected>(lifecycle, Btc, skipOthers: true);
                break;
            case Fault.MalformedFrames:
                AwaitLiveConnection("BTCUSDT");
                Exchange.SendText("BTCUSDT", """{"e":"aggTrade","s":"BTCUSDT","a":"not a number"}""");
                Exchange.SendText("BTCUSDT", "{ this is not json");
                Exchange.SendBinary("BTCUSDT", [1, 2, 3]);
                break;
        }

        // The history is the exchange's sequence from its first trade, with no hole and no repeat...
        var held = await HeldThroughAsync(supervisor, Exchange.Market("BTCUSDT").LastAggregateId + 20);
        Assert.Equal(1, held[0].AggregateId);
        AssertIsTheExchangeSequence(held);

        // ...and every window's figures are the oracle's over the exchange's own trades.
        await AwaitAssertAsync(async () =>
        {
            // Longest first: a trade missing anywhere shows in the hour.
            foreach (var window in Windows.Reverse())
            {
                var snapshot = await supervisor.Ask<MetricsSnapshot>(new GetMetrics(Btc, window), Dilated(TimeSpan.FromSeconds(3)));
                // Read after the answer, so the exchange's tape holds every trade the snapshot counted.
                var counted = Exchange.Market("BTCUSDT").Trades.Where(t => t.AggregateId <= snapshot.AsOfAggregateId).ToList();
                FlowOracle.Compute(counted, window, snapshot.To.ToUnixTimeMilliseconds() - 1, 100_000m, 0.01m, 70, TimeSpan.Zero)
                    .AssertMatches(snapshot);
                // The warm-up covers 15 minutes back: the hour is honest about not being covered.
                Assert.Equal(window < TimeSpan.FromHours(1), snapshot.Ready);
                Assert.Equal(0, snapshot.Quality.GapsUnrecovered);
                if (fault == Fault.MalformedFrames) Assert.Equal(3, snapshot.Quality.MalformedDropped);
                if (fault == Fault.Duplicates) Assert.True(snapshot.Quality.DuplicatesDropped >= 30);
                // Repeats and bad frames lose nothing; a broken link loses what the backfill refills. A planned hand-over
                // loses nothing either, though under load the replacement's first trades can reach the sequencer before
                // the old socket's last ones, which shows as a gap, filled.
                if (fault is Fault.Duplicates or Fault.MalformedFrames) Assert.Equal(0, snapshot.Quality.GapsDetected);
                else if (fault is Fault.ServerShutdown) Assert.Equal(snapshot.Quality.GapsDetected, snapshot.Quality.GapsBackfilled);
                else Assert.True(snapshot.Quality.GapsBackfilled >= 1, $"{snapshot.Quality.GapsBackfilled} gaps backfilled");
            }
        }, Dilated(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task While_the_stream_is_down_the_windows_say_they_are_interrupted_and_recover_after_the_backfill()
    {
        var lifecycle = LifecycleProbe();
        var supervisor = StartSupervisor(Settings(extraHocon: MetricsConfig));
        ExpectLifecycle<Connected>(lifecycle, Btc);
        await HeldAtLeastAsync(supervisor, 20);
        await AwaitAssertAsync(async () => Assert.True((await MetricsAsync(supervisor, TimeSpan.FromMinutes(1))).Ready),
            Dilated(TimeSpan.FromSeconds(5)));

        Exchange.SetUpgradeFault("BTCUSDT", new UpgradeFault.Refuse(HttpStatusCode.ServiceUnavailable));
        AwaitAssert(() => Assert.Equal(1, Exchange.DropConnections("BTCUSDT")));
        ExpectLifecycle<Failed>(lifecycle, Btc);
        await AwaitAssertAsync(async () =>
        {
            var down = await MetricsAsync(supervisor, TimeSpan.FromSeconds(2));
            Assert.False(down.Ready);
            Assert.Contains("interrupted", down.Coverage.NotReadyBecause);
            Assert.True(down.Coverage.Fraction < 1m);
        }, Dilated(TimeSpan.FromSeconds(5)));

        Exchange.SetUpgradeFault("BTCUSDT", null);
        ExpectLifecycle<Connected>(lifecycle, Btc, skipOthers: true);
        await AwaitAssertAsync(async () =>
        {
            var back = await MetricsAsync(supervisor, TimeSpan.FromSeconds(2));
            Assert.True(back.Ready, back.Coverage.NotReadyBecause);
            Assert.True(back.Quality.GapsBackfilled >= 1);
        }, Dilated(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task An_unrecovered_gap_keeps_the_windows_holding_it_not_ready_until_it_leaves_them()
    {
        var lifecycle = LifecycleProbe();
        var supervisor = StartSupervisor(Settings(extraHocon: MetricsConfig + """

            orderflow.backfill { max-attempts = 2, retry-delay = 100ms }
            """));
        ExpectLifecycle<Connected>(lifecycle, Btc);
        await JoinedLiveAsync(supervisor);

        Exchange.SetRestFault(new RestFault(HttpStatusCode.InternalServerError, Times: 1_000));
        DisconnectForAWhile(lifecycle);
        var gap = await AwaitResultAsync(async () =>
            (await supervisor.Ask<SequenceStats>(new GetSequenceStats(Btc))).LastUnrecoveredGap);
        Exchange.SetRestFault(null);

        var minute = await MetricsAsync(supervisor, TimeSpan.FromMinutes(1));
        Assert.False(minute.Ready);
        Assert.Contains($"aggregate ids {gap.FromId}..{gap.ToId} are missing", minute.Coverage.NotReadyBecause);
        Assert.Equal((1L, 1), (minute.Quality.GapsUnrecovered, minute.Quality.UnrecoveredGapsInWindow));
        Assert.False(minute.Cvd.Complete);

        // The 2-second window is whole again once the gap has passed out of it.
        await AwaitAssertAsync(async () =>
        {
            var twoSeconds = await MetricsAsync(supervisor, TimeSpan.FromSeconds(2));
            Assert.True(twoSeconds.Ready, twoSeconds.Coverage.NotReadyBecause);
        }, Dilated(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_window_that_is_not_kept_is_answered_with_the_ones_that_are()
    {
        var supervisor = StartSupervisor(Settings(extraHocon: MetricsConfig));
        var answer = await supervisor.Ask<WindowNotTracked>(new GetMetrics(Btc, TimeSpan.FromMinutes(3)), Dilated(TimeSpan.FromSeconds(3)));
        Assert.Equal(Windows, answer.Tracked);
        Assert.Equal(new SymbolNotFound(Eth), await supervisor.Ask<object>(new GetMetrics(Eth, TimeSpan.FromMinutes(1))));
    }

    /// <summary>Drops the connection while reconnects meet <paramref name="fault"/>, until one times out in
    /// <paramref name="phase"/>; then lets the stream back.</summary>
    private void BreakWhileReconnectsFail(TestProbe lifecycle, UpgradeFault fault, TimeoutPhase phase)
    {
        Exchange.SetUpgradeFault("BTCUSDT", fault);
        AwaitAssert(() => Assert.Equal(1, Exchange.DropConnections("BTCUSDT")));
        Assert.Equal(phase, ExpectLifecycle<TimedOut>(lifecycle, Btc, skipOthers: true).Phase);
        Exchange.SetUpgradeFault("BTCUSDT", null);
        ExpectLifecycle<Connected>(lifecycle, Btc, skipOthers: true, within: TimeSpan.FromSeconds(10));
    }

    private Task<MetricsSnapshot> MetricsAsync(IActorRef supervisor, TimeSpan window) =>
        supervisor.Ask<MetricsSnapshot>(new GetMetrics(Btc, window), Dilated(TimeSpan.FromSeconds(3)));

    private async Task<T> AwaitResultAsync<T>(Func<Task<T?>> poll) where T : class
    {
        T? result = null;
        await AwaitAssertAsync(async () => Assert.NotNull(result = await poll()), Dilated(TimeSpan.FromSeconds(10)));
        return result!;
    }
}
