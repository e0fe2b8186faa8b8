using System.Net;
using System.Text.Json;
using OrderFlow.Actors.Tests.Support;
using OrderFlow.Simulator;
using Xunit;

namespace OrderFlow.Actors.Tests.Host;

/// <summary><c>/healthz</c> and <c>/readyz</c> on the real host process, streaming from the simulator.</summary>
public sealed class HealthSpecs() : FaultedHostSpec(tradesPerSecond: 50)
{
    [Fact]
    public async Task Ready_once_every_symbol_streams_with_its_window_covered_503_with_the_reason_during_a_fault_and_ready_again_after()
    {
        using var host = await StartHostAsync("BTCUSDT", "ETHUSDT");
        using var http = new HttpClient { BaseAddress = new Uri($"http://{await host.QueryAddressAsync(Limit)}") };

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        await AwaitAssertAsync(async () => Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode), Limit);

        // The exchange drops every connection and refuses new ones (both symbols share one): not ready, each named with why.
        Exchange.SetUpgradeFault("*", new UpgradeFault.Refuse(HttpStatusCode.ServiceUnavailable));
        Exchange.DropAllConnections();
        await AwaitAssertAsync(async () =>
        {
            var answer = await http.GetAsync("/readyz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
            Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
            var reasons = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("reasons");
            Assert.Equal(["BTCUSDT: ", "ETHUSDT: "], reasons.EnumerateArray().Select(reason => reason.GetString()![..9]));
        }, Limit);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);

        Exchange.SetUpgradeFault("*", null);
        await AwaitAssertAsync(async () => Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode), Limit);
        // Alone, the node's symbols are the cluster's.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz?scope=cluster")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/readyz?scope=planet")).StatusCode);
    }
}
