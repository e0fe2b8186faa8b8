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
        Assert.Equal("orderflow: configuration error: --symbols: orderflow.symbols = btc/usdt: invalid symbol 'btc/usdt': a Binance symbol is 2 to 20 letters, digits, '-', '_' or '.', such as BTCUSDT (on futures, its market first: usdm:BTCUSDT)", line);
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
            "--rest-url", _exchange.RestUrl.ToString(), "--akka-port", "0", "--http-port", "0");
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
    public async Task With_log_json_every_line_is_one_JSON_object_Akkas_own_included_with_the_templates_properties()
    {
        using var host = OrderFlowProcess.Start("run", "--symbols", "BTCUSDT", "--ws-url", _exchange.WebSocketUrl.ToString(),
            "--rest-url", _exchange.RestUrl.ToString(), "--akka-port", "0", "--http-port", "0", "--log-json");
        await host.WaitForLineAsync("Trade #{TradeNumber}", Limit);
        host.Terminate();
        Assert.Equal(0, await host.WaitForExitAsync(Limit));

        var events = host.Stdout.Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement).ToList();
        Assert.All(events, e => Assert.Equal(System.Text.Json.JsonValueKind.Object, e.ValueKind));
        var connected = Assert.Single(events, e => e.GetProperty("@mt").GetString()!.StartsWith("🐋 Connected to {Symbol}", StringComparison.Ordinal));
        Assert.Equal("BTCUSDT", connected.GetProperty("Symbol").GetString());
        Assert.Equal("OrderFlow.Actors.Connection.StreamActor", connected.GetProperty("SourceContext").GetString());
        // Akka's own lines, remoting's included, in the same pipeline.
        Assert.Contains(events, e => e.TryGetProperty("LogSource", out var source) && source.GetString()!.StartsWith("remoting", StringComparison.Ordinal));
        Assert.Contains(events, e => e.GetProperty("@mt").GetString()!.Contains("{Symbol} aggTrades stream closed cleanly", StringComparison.Ordinal));
        Assert.Empty(host.Stderr);
    }

    [Fact]
    public async Task A_level_per_source_quiets_that_source_alone()
    {
        var file = Path.Combine(_directory, "quiet.conf");
        await File.WriteAllTextAsync(file, "orderflow.log.levels { \"OrderFlow.Actors.Connection\" = warning }\n");
        using var host = OrderFlowProcess.Start("run", "--symbols", "BTCUSDT", "--ws-url", _exchange.WebSocketUrl.ToString(),
            "--rest-url", _exchange.RestUrl.ToString(), "--akka-port", "0", "--http-port", "0", "--config", file);
        // The sequencer's warm-up line is info from another source; the stream's info lines are quiet.
        await host.WaitForLineAsync("🔥 BTCUSDT: warmed up", Limit);
        await AwaitAssertAsync(() => Assert.True(_exchange.OpenConnections("BTCUSDT") == 1), Dilated(TimeSpan.FromSeconds(10)));
        host.Terminate();
        Assert.Equal(0, await host.WaitForExitAsync(Limit));
        Assert.DoesNotContain(host.Stdout, line => line.Contains("🐋 Connected") || line.Contains("🔌 Attempting") || line.Contains("📊 Trade"));
    }

    [Fact]
    public async Task Run_against_a_server_that_never_answers_logs_the_timeout_within_the_deadline_and_keeps_retrying()
    {
        // The Python service's failure: the upgrade never answers. Both symbols share the connection that hangs, and
        // each says so, in its own words, within the deadline, and tries again.
        _exchange.SetUpgradeFault("*", new UpgradeFault.NeverAnswer());
        var file = Path.Combine(_directory, "fast.conf");
        await File.WriteAllTextAsync(file, "orderflow.stream { connect-timeout = 1s, backoff { min = 200ms, max = 400ms } }\n");

        using var host = OrderFlowProcess.Start("run", "--config", file, "--symbols", "BTCUSDT,ETHUSDT",
            "--ws-url", _exchange.WebSocketUrl.ToString(), "--rest-url", _exchange.RestUrl.ToString(), "--akka-port", "0", "--http-port", "0");
        foreach (var symbol in new[] { "BTCUSDT", "ETHUSDT" })
        {
            var first = await host.WaitForLineAsync($"⏱ Connection timeout for {symbol} after", Limit);
            Assert.Matches(@"after 1(\.\d)?s \(phase: connect\)", first);
            await host.WaitForLineAsync($"Connecting {symbol} (attempt 2/3)...", Limit);
        }
        _exchange.SetUpgradeFault("*", null);
        await host.WaitForLineAsync("📊 Trade #1:", Limit);
        Assert.Contains(host.Stdout, line => line.Contains("🐋 Connected to ETHUSDT aggTrades stream"));
        Assert.Contains(host.Stdout, line => line.Contains("🐋 Connected to BTCUSDT aggTrades stream"));
    }

    [Fact]
    public async Task One_port_for_both_remoting_and_queries_exits_2_with_one_line()
    {
        var (exitCode, process) = await OrderFlowProcess.RunAsync(Limit, "run", "--symbols", "BTCUSDT", "--akka-port", "45123", "--http-port", "45123");
        using var _ = process;

        Assert.Equal(2, exitCode);
        Assert.Equal("orderflow: configuration error: orderflow.remote.akka-port and orderflow.remote.http-port are both 45123: " +
                     "Akka.Remote and the HTTP API need a port each", Assert.Single(process.Stderr));
    }

    [Fact]
    public async Task A_query_port_in_use_exits_2_with_one_line_naming_the_flag()
    {
        var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        try
        {
            var port = ((IPEndPoint)taken.LocalEndpoint).Port;
            var (exitCode, process) = await OrderFlowProcess.RunAsync(Limit, "run", "--symbols", "BTCUSDT", "--ws-url", _exchange.WebSocketUrl.ToString(),
                "--rest-url", _exchange.RestUrl.ToString(), "--akka-port", "0", "--http-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            using var _ = process;

            Assert.Equal(2, exitCode);
            Assert.Equal($"orderflow: configuration error: cannot listen on 127.0.0.1:{port}: the port is in use (another orderflow host?). " +
                         "Stop it, or choose another port with --http-port or orderflow.remote.http-port", Assert.Single(process.Stderr));
        }
        finally
        {
            taken.Stop();
        }
    }

    [Fact]
    public async Task The_query_verbs_ask_a_running_host_from_another_process_and_agree_with_the_exchange()
    {
        using var host = OrderFlowProcess.Start("run", "--symbols", "BTCUSDT,ETHUSDT", "--ws-url", _exchange.WebSocketUrl.ToString(),
            "--rest-url", _exchange.RestUrl.ToString(), "--akka-port", "0", "--http-port", "0");
        var address = await host.QueryAddressAsync(Limit);
        await host.WaitForLineAsync("📊 Trade #1:", Limit);

        // Status: both streams, connected, with trades counted.
        using var status = await JsonOfAsync(0, "status", "--json", "--host", address);
        var streams = status.RootElement.GetProperty("streams").EnumerateArray().ToList();
        Assert.Equal(["BTCUSDT", "ETHUSDT"], streams.Select(s => s.GetProperty("symbol").GetString()));
        Assert.All(streams, s => Assert.Equal("Connected", s.GetProperty("state").GetString()));

        // Trades: exactly the exchange's, price and quantity to the last digit.
        using var trades = await JsonOfAsync(0, "trades", "BTCUSDT", "--last", "1000", "--json", "--host", address);
        var held = trades.RootElement.GetProperty("trades").EnumerateArray().ToList();
        Assert.NotEmpty(held);
        var exchange = _exchange.Market("BTCUSDT").Trades.ToDictionary(t => t.AggregateId);
        foreach (var trade in held)
        {
            var expected = exchange[trade.GetProperty("aggregateId").GetInt64()];
            Assert.Equal(expected.Price.ToDecimal(), trade.GetProperty("price").GetDecimal());
            Assert.Equal(expected.Quantity.ToDecimal(), trade.GetProperty("quantity").GetDecimal());
            Assert.Equal(expected.TradeTimeMs, trade.GetProperty("tradeTimeMs").GetInt64());
            Assert.Equal(expected.Side == Protocol.Trades.AggressorSide.Buy ? "BUY" : "SELL", trade.GetProperty("side").GetString());
        }

        // Metrics: the window's trade count and volumes are the exchange's over the window the answer names.
        using var metrics = await JsonOfAsync(0, "metrics", "BTCUSDT", "--window", "1m", "--json", "--host", address);
        var m = metrics.RootElement;
        Assert.True(m.GetProperty("coverage").GetProperty("ready").GetBoolean());
        var (from, to) = (m.GetProperty("from").GetDateTimeOffset(), m.GetProperty("to").GetDateTimeOffset());
        // Read after the answer, so the exchange's tape holds every trade the answer counted.
        var inWindow = _exchange.Market("BTCUSDT").Trades.Where(t => t.AggregateId <= m.GetProperty("asOfAggregateId").GetInt64() &&
                                                  t.TradeTime >= from && t.TradeTime < to).ToList();
        Assert.Equal(inWindow.Count, m.GetProperty("tradeCount").GetInt64());
        Assert.Equal(inWindow.Where(t => t.Side == Protocol.Trades.AggressorSide.Buy).Sum(t => t.Quantity.ToDecimal()), m.GetProperty("buyVolume").GetDecimal());

        // Not found, not there, and a usage error each have their exit code and one line on stderr.
        using var notStreamed = await JsonOfAsync(1, "metrics", "XRPUSDT", "--json", "--host", address);
        Assert.Equal(Protocol.HttpApi.Problems.NotStreamed, notStreamed.RootElement.GetProperty("type").GetString());
        // Nonsense is refused, naming the option, before anything is asked.
        foreach (var nonsense in new[] { new[] { "--last", "-5" }, ["--last", "0"], ["--last", "abc"], ["--from-id", "1", "--max", "-1"] })
            await JsonOfAsync(2, ["trades", "BTCUSDT", .. nonsense, "--host", address]);
        using var usage = await JsonOfAsync(2, "trades", "BTCUSDT", "--last", "abc", "--json", "--host", address);
        Assert.Contains("--last abc", usage.RootElement.GetProperty("detail").GetString());
        await JsonOfAsync(2, "status", "--josn", "--host", address);
        await JsonOfAsync(3, "status", "--host", "127.0.0.1:1", "--timeout", "2s");
        await JsonOfAsync(2, "trades", "BTCUSDT", "--host", address);
        // Something that answers HTTP but is no OrderFlow host (the exchange's own server) is not mistaken for one.
        await JsonOfAsync(3, "status", "--host", $"127.0.0.1:{_exchange.RestUrl.Port}");

        // After all that, the host still answers.
        await JsonOfAsync(0, "status", "--json", "--host", address);
    }

    [Fact]
    public async Task The_demo_takes_free_ports_when_4053_and_4054_are_taken_and_status_and_watch_find_it_with_no_flags()
    {
        using var akka = Hold(4053);
        using var http = Hold(4054);
        using var demo = OrderFlowProcess.StartWithData(_directory, "demo", "--calm");
        await demo.WaitForLineAsync("Port 4054 is taken", Limit);
        await demo.WaitForLineAsync("📊 Trade #1:", Limit);

        var (exit, status) = await OrderFlowProcess.RunWithDataAsync(_directory, Limit, "status");
        using var _ = status;
        Assert.True(exit == 0, string.Join('\n', status.Stderr));
        Assert.Contains(status.Stdout, line => line.StartsWith("BTCUSDT ", StringComparison.Ordinal) && line.Contains(" Connected "));
        Assert.All(status.Stdout, line => Assert.True(line.Length <= 120, $"{line.Length} columns: {line}"));

        var (watchExit, watch) = await OrderFlowProcess.RunWithDataAsync(_directory, Limit, "watch", "--once");
        using var __ = watch;
        Assert.True(watchExit == 0, string.Join('\n', watch.Stderr));
        Assert.Contains(watch.Stdout, line => line.StartsWith("usdm:BTCUSDT ", StringComparison.Ordinal));
        Assert.All(watch.Stdout, line => Assert.True(line.Length <= 120, $"{line.Length} columns: {line}"));
    }

    /// <summary>Holds a loopback port, as another program would, if nothing else holds it already.</summary>
    private static IDisposable? Hold(int port)
    {
        try
        {
            var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return new Releaser(listener.Stop);
        }
        catch (System.Net.Sockets.SocketException)
        {
            return null;
        }
    }

    private sealed class Releaser(Action release) : IDisposable
    {
        public void Dispose() => release();
    }

    /// <summary>Runs a verb, expects its exit code, and parses its stdout as one JSON document when it answered.</summary>
    private static async Task<System.Text.Json.JsonDocument> JsonOfAsync(int exitCode, params string[] args)
    {
        var (code, process) = await OrderFlowProcess.RunAsync(Limit, args);
        using var _ = process;
        Assert.True(code == exitCode, $"exit {code}, expected {exitCode}: {string.Join('\n', process.Stdout.Concat(process.Stderr))}");
        if (exitCode != 0 && args.Contains("--json"))
        {
            // With --json, the failure too is one JSON document on stdout: a problem, with its exit code.
            Assert.Empty(process.Stderr);
            var problem = System.Text.Json.JsonDocument.Parse(Assert.Single(process.Stdout));
            Assert.Equal(exitCode, problem.RootElement.GetProperty("exitCode").GetInt32());
            Assert.StartsWith("urn:orderflow:problem:", problem.RootElement.GetProperty("type").GetString());
            return problem;
        }
        if (exitCode != 0)
        {
            Assert.Single(process.Stderr);
            return System.Text.Json.JsonDocument.Parse("{}");
        }
        Assert.Empty(process.Stderr);
        return System.Text.Json.JsonDocument.Parse(Assert.Single(process.Stdout));
    }
}
