using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using Akka.Actor;
using OrderFlow.Actors.Tests.Support;
using OrderFlow.Protocol.Streams;
using OrderFlow.Simulator;
using Xunit;
using Xunit.Abstractions;

namespace OrderFlow.Actors.Tests.Connection;

/// <summary>Every way a connection attempt or a live connection can end, each against the simulator.</summary>
public sealed class StreamOutcomeSpecs(ITestOutputHelper output) : StreamSpec(output)
{
    [Fact]
    public async Task Streams_every_trade_into_history_exactly_as_the_exchange_generated_it()
    {
        var lifecycle = LifecycleProbe();
        var supervisor = StartSupervisor(Settings());

        var connected = ExpectLifecycle<Connected>(lifecycle, Btc);
        Assert.Equal(1, connected.Attempt);
        Assert.EndsWith("/ws/btcusdt@aggTrade", connected.Uri.AbsoluteUri);

        AssertIsTheExchangeSequence(await HeldAtLeastAsync(supervisor, 100));
    }

    [Fact]
    public async Task A_hanging_upgrade_times_out_within_the_connect_deadline_retries_while_other_symbols_stream_and_recovers()
    {
        Exchange.SetUpgradeFault("BTCUSDT", new UpgradeFault.NeverAnswer());
        var lifecycle = LifecycleProbe();
        // A socket each: on a shared connection, a hanging upgrade holds every symbol it carries.
        var settings = Settings("BTCUSDT,ETHUSDT", extraHocon: "orderflow.binance.streams-per-connection = 1");
        var supervisor = StartSupervisor(settings);

        // The bound is on the actor's own measure, from the attempt's start to the deadline; the probe waits longer,
        // because on a loaded machine the first attempt may start late.
        var bound = settings.Stream.ConnectTimeout + TimeSpan.FromSeconds(1);
        var first = ExpectLifecycle<TimedOut>(lifecycle, Btc, skipOthers: true);
        Assert.Equal(TimeoutPhase.Connect, first.Phase);
        Assert.InRange(first.After, settings.Stream.ConnectTimeout, bound);
        Assert.Equal(1, first.Attempt);

        var second = ExpectLifecycle<TimedOut>(lifecycle, Btc, skipOthers: true);
        Assert.Equal(2, second.Attempt);
        Assert.InRange(second.After, settings.Stream.ConnectTimeout, bound);

        // Live trades, generated long after the warm-up: ETHUSDT streams meanwhile.
        var generated = Exchange.Market("ETHUSDT").LastAggregateId;
        await AwaitAssertAsync(async () => Assert.True((await HeldTradesAsync(supervisor, Eth)).Last().AggregateId >= generated),
            Dilated(TimeSpan.FromSeconds(5)));
        Assert.True(Exchange.UpgradeRequests("BTCUSDT") >= 2);

        // Once the server answers again, the stream recovers on its own (a retry, or a fresh stream after a cool-down).
        Exchange.SetUpgradeFault("BTCUSDT", null);
        ExpectLifecycle<Connected>(lifecycle, Btc, within: TimeSpan.FromSeconds(5), skipOthers: true);
        await AwaitAssertAsync(async () => Assert.NotEmpty(await HeldTradesAsync(supervisor, Btc)), Dilated(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void An_upgrade_that_sends_nothing_times_out_in_the_first_message_phase()
    {
        Exchange.SetUpgradeFault("BTCUSDT", new UpgradeFault.SendNothing());
        var lifecycle = LifecycleProbe();
        var settings = Settings();
        StartSupervisor(settings);

        ExpectLifecycle<Connected>(lifecycle, Btc);
        var timedOut = ExpectLifecycle<TimedOut>(lifecycle, Btc);
        Assert.Equal(TimeoutPhase.FirstMessage, timedOut.Phase);
        Assert.InRange(timedOut.After, settings.Stream.FirstMessageTimeout, settings.Stream.FirstMessageTimeout + TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task A_half_open_link_is_detected_by_keepalive_and_the_stream_reconnects()
    {
        var lifecycle = LifecycleProbe();
        var settings = Settings();
        var supervisor = StartSupervisor(settings);
        ExpectLifecycle<Connected>(lifecycle, Btc);
        // A live trade has come (not only the warm-up's): the link is past its first message when it goes half-open.
        await JoinedLiveAsync(supervisor);

        AwaitLiveConnection("BTCUSDT");
        var frozenAt = Stopwatch.GetTimestamp();
        Assert.Equal(1, Exchange.FreezeConnections("BTCUSDT"));
        var bound = settings.Stream.KeepAliveInterval + settings.Stream.KeepAliveTimeout + TimeSpan.FromSeconds(1);
        var timedOut = ExpectLifecycle<TimedOut>(lifecycle, Btc);
        Assert.Equal(TimeoutPhase.KeepAlive, timedOut.Phase);
        Assert.True(Stopwatch.GetElapsedTime(frozenAt) <= Dilated(bound), $"detected after {Stopwatch.GetElapsedTime(frozenAt)}");

        var reconnected = ExpectLifecycle<Connected>(lifecycle, Btc);
        Assert.Equal(2, reconnected.Attempt);
        var heldBefore = (await HeldTradesAsync(supervisor, Btc)).Count;
        await AwaitAssertAsync(async () => Assert.True((await HeldTradesAsync(supervisor, Btc)).Count > heldBefore), Dilated(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void A_symbol_silent_past_its_idle_limit_times_out_in_the_idle_phase()
    {
        Exchange.SetUpgradeFault("BTCUSDT", new UpgradeFault.SendNothing());
        var lifecycle = LifecycleProbe();
        StartSupervisor(Settings(extraHocon: """
            orderflow.stream.first-message-timeout = 30s
            orderflow.stream.idle-timeout-per-symbol { BTCUSDT = 700ms }
            """));

        ExpectLifecycle<Connected>(lifecycle, Btc);
        var timedOut = ExpectLifecycle<TimedOut>(lifecycle, Btc);
        Assert.Equal(TimeoutPhase.Idle, timedOut.Phase);
        Assert.InRange(timedOut.After, TimeSpan.FromMilliseconds(700), TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void A_refused_connection_fails_with_the_reason()
    {
        var lifecycle = LifecycleProbe();
        StartSupervisor(Settings(webSocketUrl: new Uri($"ws://127.0.0.1:{UnusedPort()}")));

        var failed = ExpectLifecycle<Failed>(lifecycle, Btc);
        Assert.Equal(FailureKind.Refused, failed.Kind);
        Assert.Contains("connection refused", failed.Reason);
        Assert.Equal(1, failed.Attempt);
    }

    [Fact]
    public void A_host_that_does_not_resolve_fails_as_dns()
    {
        var lifecycle = LifecycleProbe();
        StartSupervisor(Settings(webSocketUrl: new Uri("ws://no-such-host.invalid:9443")));

        var failed = ExpectLifecycle<Failed>(lifecycle, Btc);
        Assert.Equal(FailureKind.Dns, failed.Kind);
        Assert.Contains("no-such-host.invalid", failed.Reason);
    }

    [Fact]
    public void A_tls_handshake_failure_is_reported_as_tls()
    {
        var lifecycle = LifecycleProbe();
        StartSupervisor(Settings(webSocketUrl: new Uri($"wss://127.0.0.1:{Exchange.Port}")));

        var failed = ExpectLifecycle<Failed>(lifecycle, Btc);
        Assert.Equal(FailureKind.Tls, failed.Kind);
        Assert.Contains("TLS", failed.Reason);
    }

    [Theory]
    [InlineData(429)]
    [InlineData(418)]
    public void A_rate_limit_status_on_the_upgrade_is_reported_and_its_Retry_After_honoured(int status)
    {
        Exchange.SetUpgradeFault("BTCUSDT", new UpgradeFault.Refuse((HttpStatusCode)status, RetryAfterSeconds: 2));
        var lifecycle = LifecycleProbe();
        StartSupervisor(Settings());

        var first = ExpectLifecycle<Failed>(lifecycle, Btc);
        Assert.Equal(FailureKind.HttpStatus, first.Kind);
        Assert.Contains($"HTTP {status}", first.Reason);
        Assert.Equal(TimeSpan.FromSeconds(2), first.RetryAfter);

        var second = ExpectLifecycle<Failed>(lifecycle, Btc, within: TimeSpan.FromSeconds(4));
        Assert.Equal(2, second.Attempt);
        // Backoff alone would retry within 120 ms; the server asked for 2 s.
        Assert.True(second.At - first.At >= TimeSpan.FromSeconds(1.95), $"retried after {second.At - first.At}");
    }

    [Fact]
    public void A_429_on_one_symbol_s_upgrade_holds_every_connection_attempt_for_its_Retry_After()
    {
        var lifecycle = LifecycleProbe();
        StartSupervisor(Settings("ETHUSDT", extraHocon: "orderflow.binance.streams-per-connection = 1"));
        ExpectLifecycle<Connected>(lifecycle, Eth);

        // BTCUSDT, on a socket of its own, is refused with 429 and Retry-After 2 s: the limit is the IP's.
        Exchange.SetUpgradeFault("BTCUSDT", new UpgradeFault.Refuse(HttpStatusCode.TooManyRequests, RetryAfterSeconds: 2));
        Sys.ActorSelection("/user/symbols").Tell(new Protocol.Streams.AddSymbol(Btc));
        var refused = ExpectLifecycle<Failed>(lifecycle, Btc, skipOthers: true);
        Assert.Equal(FailureKind.HttpStatus, refused.Kind);

        // ETHUSDT's connection drops now: its reconnect, 100 ms of backoff away, waits for the hold instead.
        AwaitAssert(() => Assert.Equal(1, Exchange.DropConnections("ETHUSDT")));
        ExpectLifecycle<Failed>(lifecycle, Eth, skipOthers: true);
        var reconnected = ExpectLifecycle<Connected>(lifecycle, Eth, skipOthers: true, within: TimeSpan.FromSeconds(6));
        Assert.True(reconnected.At - refused.At >= TimeSpan.FromSeconds(1.9), $"reconnected {reconnected.At - refused.At} after the 429");
    }

    [Theory]
    [InlineData(true, FailureKind.Closed, "closed by the server with code 1008 (too many requests)")]
    [InlineData(false, FailureKind.SocketError, "connection broke")]
    public void A_connection_ended_by_the_server_is_reported_and_the_stream_reconnects(bool closeFrame, FailureKind kind, string reason)
    {
        var lifecycle = LifecycleProbe();
        StartSupervisor(Settings());
        ExpectLifecycle<Connected>(lifecycle, Btc);

        // With a close frame (code and reason), or by dropping TCP without one.
        AwaitAssert(() => Assert.Equal(1, closeFrame
            ? Exchange.CloseConnections("BTCUSDT", WebSocketCloseStatus.PolicyViolation, "too many requests")
            : Exchange.DropConnections("BTCUSDT")));
        var failed = ExpectLifecycle<Failed>(lifecycle, Btc);
        Assert.Equal(kind, failed.Kind);
        Assert.StartsWith(reason, failed.Reason);
        Assert.Equal(2, ExpectLifecycle<Connected>(lifecycle, Btc).Attempt);
    }

    [Fact]
    public void A_server_shutdown_announcement_reconnects_at_once()
    {
        var lifecycle = LifecycleProbe();
        StartSupervisor(Settings());
        ExpectLifecycle<Connected>(lifecycle, Btc);

        AwaitAssert(() => Assert.Equal(1, Exchange.AnnounceShutdown("BTCUSDT")));
        var failed = ExpectLifecycle<Failed>(lifecycle, Btc);
        Assert.Equal(FailureKind.ServerShutdown, failed.Kind);
        var reconnected = ExpectLifecycle<Connected>(lifecycle, Btc, within: TimeSpan.FromSeconds(3));
        Assert.Equal(1, reconnected.Attempt);
    }

    [Fact]
    public async Task Malformed_frames_are_dropped_and_logged_without_a_reconnect()
    {
        var lifecycle = LifecycleProbe();
        var supervisor = StartSupervisor(Settings());
        ExpectLifecycle<Connected>(lifecycle, Btc);
        await JoinedLiveAsync(supervisor);

        AwaitLiveConnection("BTCUSDT");
        await EventFilter.Warning(contains: "malformed frame").ExpectOneAsync(() =>
        {
            Exchange.SendText("BTCUSDT", "{not json");
            Exchange.SendText("BTCUSDT", """{"e":"aggTrade","E":1,"s":"ETHUSDT","a":1,"p":"1.0","q":"1.0","f":1,"l":1,"T":1,"m":true}""");
            Exchange.SendBinary("BTCUSDT", [1, 2, 3]);
            Exchange.SendText("BTCUSDT", new string(' ', 70_000));
            return Task.CompletedTask;
        });

        var held = (await HeldTradesAsync(supervisor, Btc)).Count;
        await AwaitAssertAsync(async () => Assert.True((await HeldTradesAsync(supervisor, Btc)).Count > held + 20), Dilated(TimeSpan.FromSeconds(5)));
        lifecycle.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Equal(1, Exchange.UpgradeRequests("BTCUSDT"));
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
