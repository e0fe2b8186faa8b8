using System.Net;
using System.Text.Json;
using Akka.TestKit.Xunit2;
using OrderFlow.Actors.Tests.Support;
using OrderFlow.Simulator;
using Xunit;

namespace OrderFlow.Actors.Tests.Host;

/// <summary><c>/healthz</c> and <c>/readyz</c> on the real host process, streaming from the simulator.</summary>
public sealed class HealthSpecs : TestKit, IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private ExchangeSimulator _exchange = null!;

    public async Task InitializeAsync() => _exchange = await ExchangeSimulator.StartAsync(new SimulatorOptions { TradesPerSecond = 50 });

    public async Task DisposeAsync() => await _exchange.DisposeAsync();

    [Fact]
    public async Task Ready_once_every_symbol_streams_with_its_window_covered_503_with_the_reason_during_a_fault_and_ready_again_after()
    {
        using var host = OrderFlowProcess.Start("run", "--symbols", "BTCUSDT,ETHUSDT", "--ws-url", _exchange.WebSocketUrl.ToString(),
            "--rest-url", _exchange.RestUrl.ToString(), "--remote-port", "0", "--http-port", "0");
        using var http = new HttpClient { BaseAddress = new Uri($"http://{await host.QueryAddressAsync(Limit)}") };

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        await AwaitAssertAsync(async () => Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode), Limit);

        // ETHUSDT's connection refused and dropped: not ready, and the answer says which symbol and why.
        _exchange.SetUpgradeFault("ETHUSDT", new UpgradeFault.Refuse(HttpStatusCode.ServiceUnavailable));
        _exchange.DropConnections("ETHUSDT");
        await AwaitAssertAsync(async () =>
        {
            var answer = await http.GetAsync("/readyz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
            Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
            var reasons = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("reasons");
            Assert.Contains(reasons.EnumerateArray(), reason => reason.GetString()!.StartsWith("ETHUSDT: ", StringComparison.Ordinal));
            Assert.DoesNotContain(reasons.EnumerateArray(), reason => reason.GetString()!.StartsWith("BTCUSDT", StringComparison.Ordinal));
        }, Limit);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);

        _exchange.SetUpgradeFault("ETHUSDT", null);
        await AwaitAssertAsync(async () => Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode), Limit);
    }
}
