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
        // Retries a few seconds apart, not the shipped 30 s cool-down, so "ready again" comes within the spec's limit.
        var config = Path.Combine(Path.GetTempPath(), $"orderflow-health-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(config, "orderflow.stream.backoff { min = 200ms, max = 1s }\norderflow.stream.cool-down { min = 1s, max = 2s }\n");
        using var host = OrderFlowProcess.Start("run", "--symbols", "BTCUSDT,ETHUSDT", "--ws-url", _exchange.WebSocketUrl.ToString(),
            "--rest-url", _exchange.RestUrl.ToString(), "--akka-port", "0", "--http-port", "0", "--config", config);
        using var http = new HttpClient { BaseAddress = new Uri($"http://{await host.QueryAddressAsync(Limit)}") };

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        await AwaitAssertAsync(async () => Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode), Limit);

        // The exchange drops every connection and refuses new ones (both symbols share one): not ready, each named with why.
        _exchange.SetUpgradeFault("*", new UpgradeFault.Refuse(HttpStatusCode.ServiceUnavailable));
        _exchange.DropAllConnections();
        await AwaitAssertAsync(async () =>
        {
            var answer = await http.GetAsync("/readyz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
            Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
            var reasons = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("reasons");
            Assert.Equal(["BTCUSDT: ", "ETHUSDT: "], reasons.EnumerateArray().Select(reason => reason.GetString()![..9]));
        }, Limit);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);

        _exchange.SetUpgradeFault("*", null);
        await AwaitAssertAsync(async () => Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode), Limit);
    }
}
