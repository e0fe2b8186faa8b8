using System.Net;
using System.Text.Json;
using OrderFlow.Actors.Tests.Support;
using OrderFlow.Protocol;
using OrderFlow.Simulator;
using Xunit;

namespace OrderFlow.Actors.Tests.Host;

/// <summary>Nobody in who does not belong: loopback unless configured, an API key, TLS or a loud opt-out.</summary>
public sealed class AccessSpecs : IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private const string Key = "s3cret-key";
    private readonly string _directory = Directory.CreateTempSubdirectory("orderflow-access-").FullName;
    private ExchangeSimulator _exchange = null!;

    public async Task InitializeAsync() => _exchange = await ExchangeSimulator.StartAsync(new SimulatorOptions { TradesPerSecond = 20 });

    public async Task DisposeAsync()
    {
        await _exchange.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Theory]
    [InlineData("orderflow.remote.host = \"0.0.0.0\"\n", "lets other machines in: set orderflow.http.api-key as well")]
    [InlineData("orderflow.remote.host = \"0.0.0.0\"\norderflow.http.api-key = \"" + Key + "\"\n", "lets other machines in: Akka.Remote needs TLS")]
    public async Task A_host_told_to_listen_beyond_loopback_without_a_key_and_TLS_refuses_to_start_in_one_line(string hocon, string says)
    {
        var (exit, process) = await OrderFlowProcess.RunAsync(Limit, "run", "--symbols", "BTCUSDT", "--config", await ConfigAsync(hocon));
        using var _ = process;

        Assert.Equal(2, exit);
        Assert.Contains(says, Assert.Single(process.Stderr));
    }

    [Fact]
    public async Task With_an_API_key_every_request_but_healthz_needs_it_and_the_CLI_gives_it()
    {
        using var host = Start($"orderflow.http.api-key = \"{Key}\"\n");
        var address = await host.QueryAddressAsync(Limit);
        using var http = new HttpClient { BaseAddress = new Uri($"http://{address}") };

        foreach (var path in new[] { "/v1/streams", "/v1/metrics/BTCUSDT", "/metrics", "/", HttpApi.OpenApiPath, "/v1/streams?apiKey=wrong" })
        {
            using var refused = await http.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal(HttpApi.ProblemJson, refused.Content.Headers.ContentType?.MediaType);
            Assert.Equal(HttpApi.Problems.Unauthorized, JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("type").GetString());
        }
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/v1/streams?apiKey={Key}")).StatusCode);
        using var keyed = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { { HttpApi.ApiKeyHeader, Key } } };
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(keyed)).StatusCode);

        var (refusedExit, refusedCli) = await OrderFlowProcess.RunAsync(Limit, "status", "--host", address);
        using (refusedCli)
        {
            Assert.Equal(1, refusedExit);
            Assert.Contains("API key", Assert.Single(refusedCli.Stderr));
        }
        var (exit, cli) = await OrderFlowProcess.RunAsync(Limit, "status", "BTCUSDT", "--host", address, "--api-key", Key);
        using (cli)
        {
            Assert.True(exit == 0, string.Join('\n', cli.Stderr));
            Assert.Equal("BTCUSDT", cli.Stdout[0]);
        }
    }

    [Fact]
    public async Task Beyond_loopback_with_a_key_and_the_plaintext_opt_out_it_starts_and_says_so_loudly()
    {
        using var host = Start($"orderflow.remote.host = \"0.0.0.0\"\norderflow.http.api-key = \"{Key}\"\norderflow.remote.allow-plaintext = on\n");
        await host.WaitForLineAsync("🔓 Akka.Remote listens on 0.0.0.0 IN THE CLEAR", Limit);
        // Bound to every interface: reached here on loopback.
        var port = (await host.QueryAddressAsync(Limit)).Split(':')[^1];
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/v1/streams")).StatusCode);
    }

    [Fact]
    public async Task With_TLS_on_Akka_Remote_a_planner_with_the_certificate_is_answered_and_one_without_is_not()
    {
        var tls = await TlsAsync();
        using var host = Start(tls);
        await host.WaitForLineAsync("📊 Trade #1:", Limit);
        var akka = (await host.WaitForLineAsync("🛰 Planners ask akka.ssl.tcp://orderflow@", Limit)).Split("://orderflow@")[1].Split('/')[0];

        await using (var planner = await Client.OrderFlowClient.ConnectAsync(akka, TimeSpan.FromSeconds(10), Akka.Configuration.ConfigurationFactory.ParseString(tls)))
            Assert.Equal("BTCUSDT", (await planner.GetStatusAsync()).Streams.Single().Symbol.Value);
        await Assert.ThrowsAsync<Client.OrderFlowUnreachableException>(() => Client.OrderFlowClient.ConnectAsync(akka, TimeSpan.FromSeconds(3)));

        // Beyond loopback with a key and TLS, a host starts, and nothing says it is in the clear.
        using var open = Start(tls + $"orderflow.remote.host = \"0.0.0.0\"\norderflow.http.api-key = \"{Key}\"\n");
        await open.WaitForLineAsync("🛰 Planners ask", Limit);
        Assert.DoesNotContain(open.Stdout, line => line.Contains("IN THE CLEAR", StringComparison.Ordinal));
    }

    /// <summary>Akka.Remote's TLS settings with a self-signed certificate of the spec's own (validation suppressed: no CA here).</summary>
    private async Task<string> TlsAsync()
    {
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=orderflow-spec", key,
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        var path = Path.Combine(_directory, "remoting.pfx");
        await File.WriteAllBytesAsync(path, certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx, "spec-password"));
        return $$"""
            akka.remote.dot-netty.tcp {
              enable-ssl = true
              ssl {
                suppress-validation = true
                certificate {
                  path = "{{path}}"
                  password = "spec-password"
                }
              }
            }

            """;
    }

    private OrderFlowProcess Start(string hocon) =>
        OrderFlowProcess.Start("run", "--symbols", "BTCUSDT", "--ws-url", _exchange.WebSocketUrl.ToString(), "--rest-url", _exchange.RestUrl.ToString(),
            "--akka-port", "0", "--http-port", "0", "--config", ConfigAsync(hocon).GetAwaiter().GetResult());

    private async Task<string> ConfigAsync(string hocon)
    {
        var file = Path.Combine(_directory, $"{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(file, hocon);
        return file;
    }
}
