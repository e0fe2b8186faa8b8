using System.Net;
using OrderFlow.Actors.Tests.Support;
using OrderFlow.Simulator;
using Akka.TestKit.Xunit2;
using Xunit;

namespace OrderFlow.Actors.Tests.Host;

/// <summary>The <c>orderflow</c> executable, run as a user runs it.</summary>
public sealed class CommandLineTests : TestKit, IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private readonly string _directory = Directory.CreateTempSubdirectory("orderflow-cli-").FullName;
    private ExchangeSimulator _exchange = null!;

    public async Task InitializeAsync() => _exchange = await ExchangeSimulator.StartAsync(new SimulatorOptions { TradesPerSecond = 50 });

    public async Task DisposeAsync() => await _exchange.DisposeAsync();

    protected override void Dispose(bool disposing)
    {
        if (disposing) Directory.Delete(_directory, recursive: true);
        base.Dispose(disposing);
    }

    [Fact]
    public async Task A_malformed_symbol_exits_2_with_one_line_naming_the_flag()
    {
        var (exitCode, process) = await OrderFlowProcess.RunAsync(Limit, "run", "--symbols", "btc/usdt");
        using var _ = process;

        Assert.Equal(2, exitCode);
        var line = Assert.Single(process.Stderr);
        Assert.Equal("orderflow: configuration error: --symbols: orderflow.symbols = btc/usdt: invalid symbol 'btc/usdt': a Binance symbol is 2 to 20 letters and digits, such as BTCUSDT", line);
        Assert.Empty(process.Stdout);
    }

    [Fact]
    public async Task A_bad_config_file_exits_2_with_one_line_naming_file_line_and_key()
    {
        var file = Path.Combine(_directory, "bad.conf");
        await File.WriteAllTextAsync(file, "orderflow {\n  stream.connect-timeout = -5s\n}\n");

        var (exitCode, process) = await OrderFlowProcess.RunAsync(Limit, "--config", file);
        using var _ = process;

        Assert.Equal(2, exitCode);
        Assert.Equal($"orderflow: configuration error: {file}:2: orderflow.stream.connect-timeout = -5s: must be positive", Assert.Single(process.Stderr));
    }

    [Fact]
    public async Task An_unparsable_config_file_exits_2_with_its_line()
    {
        var file = Path.Combine(_directory, "broken.conf");
        await File.WriteAllTextAsync(file, "orderflow {\n  symbols = [BTCUSDT,\n    ETHUSDT\n}\n");

        var (exitCode, process) = await OrderFlowProcess.RunAsync(Limit, "run", "--config", file);
        using var _ = process;

        Assert.Equal(2, exitCode);
        Assert.Equal($"orderflow: configuration error: {file}:4: missing ']' for the '[' opened on line 2 (found '}}')", Assert.Single(process.Stderr));
    }

    [Fact]
    public async Task An_unknown_option_is_a_usage_error()
    {
        var (exitCode, process) = await OrderFlowProcess.RunAsync(Limit, "run", "--symbol", "BTCUSDT");
        using var _ = process;

        Assert.Equal(2, exitCode);
        Assert.Contains(process.Stderr, line => line.Contains("--symbol"));
        Assert.DoesNotContain(process.Stderr, line => line.Contains("   at "));
    }

    [Fact]
    public async Task Probe_reports_each_step_and_exits_0_when_trades_arrive()
    {
        var (exitCode, process) = await OrderFlowProcess.RunAsync(Limit, "probe", "BTCUSDT", "--ws-url", _exchange.WebSocketUrl.ToString());
        using var _ = process;

        Assert.Equal(0, exitCode);
        Assert.Contains(process.Stdout, line => line.Contains("handshake   finished in"));
        Assert.Contains(process.Stdout, line => line.Contains("first frame arrived after") && line.Contains("aggTrade #"));
    }

    [Theory]
    [InlineData("BTCUSDT", "did not finish within 1s (phase: connect)")]
    [InlineData("NOSUCHCOIN", "none within 1s (phase: first-message)")]
    public async Task Probe_exits_1_naming_the_phase_where_it_stopped(string symbol, string expected)
    {
        // BTCUSDT's upgrade is never answered; the exchange answers an unlisted symbol with a silent socket, as Binance does.
        _exchange.SetUpgradeFault("BTCUSDT", new UpgradeFault.NeverAnswer());

        var (exitCode, process) = await OrderFlowProcess.RunAsync(Limit, "probe", symbol, "--ws-url", _exchange.WebSocketUrl.ToString(), "--timeout", "1s");
        using var _ = process;

        Assert.Equal(1, exitCode);
        Assert.Contains(process.Stdout, line => line.Contains(expected));
    }

    [Fact]
    public async Task Run_streams_and_SIGTERM_closes_every_socket_with_a_close_frame_and_exits_0()
    {
        using var host = OrderFlowProcess.Start("run", "--symbols", "BTCUSDT,ETHUSDT", "--ws-url", _exchange.WebSocketUrl.ToString(),
            "--rest-url", _exchange.RestUrl.ToString());
        await host.WaitForLineAsync("🐋 Connected to BTCUSDT aggTrades stream", Limit);
        await host.WaitForLineAsync("🐋 Connected to ETHUSDT aggTrades stream", Limit);
        await host.WaitForLineAsync("📊 Trade #1:", Limit);

        host.Terminate();

        Assert.Equal(0, await host.WaitForExitAsync(Limit));
        Assert.Contains(host.Stdout, line => line.Contains("🔒 BTCUSDT aggTrades stream closed cleanly"));
        Assert.Contains(host.Stdout, line => line.Contains("🔒 ETHUSDT aggTrades stream closed cleanly"));
        // The process has exited, so both close handshakes are done; the exchange counts them as it finishes.
        await AwaitAssertAsync(() => Assert.Equal((1, 1), (_exchange.ClientCloseFrames("BTCUSDT"), _exchange.ClientCloseFrames("ETHUSDT"))),
            Dilated(TimeSpan.FromSeconds(5)));
        Assert.Empty(host.Stderr);
    }

    [Fact]
    public async Task Run_against_a_server_that_never_answers_logs_the_timeout_within_the_deadline_and_keeps_retrying()
    {
        _exchange.SetUpgradeFault("BTCUSDT", new UpgradeFault.NeverAnswer());
        var file = Path.Combine(_directory, "fast.conf");
        await File.WriteAllTextAsync(file, "orderflow.stream { connect-timeout = 1s, backoff { min = 200ms, max = 400ms } }\n");

        using var host = OrderFlowProcess.Start("run", "--config", file, "--symbols", "BTCUSDT,ETHUSDT",
            "--ws-url", _exchange.WebSocketUrl.ToString(), "--rest-url", _exchange.RestUrl.ToString());
        var first = await host.WaitForLineAsync("⏱ Connection timeout for BTCUSDT after", Limit);
        Assert.Matches(@"after 1(\.\d)?s \(phase: connect\)", first);
        await host.WaitForLineAsync("Connecting BTCUSDT (attempt 2/3)...", Limit);
        await host.WaitForLineAsync("📊 Trade #1:", Limit);
        Assert.Contains(host.Stdout, line => line.Contains("🐋 Connected to ETHUSDT aggTrades stream"));
        Assert.DoesNotContain(host.Stdout, line => line.Contains("🐋 Connected to BTCUSDT"));
    }
}
