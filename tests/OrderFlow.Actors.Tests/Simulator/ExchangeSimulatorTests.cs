using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using OrderFlow.Simulator;
using Akka.TestKit.Xunit2;
using Xunit;

namespace OrderFlow.Actors.Tests.Simulator;

/// <summary>The simulated exchange answers as Binance does, so tests built on it mean something.</summary>
public sealed class ExchangeSimulatorTests : TestKit, IAsyncLifetime
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private ExchangeSimulator _exchange = null!;

    public async Task InitializeAsync() => _exchange = await ExchangeSimulator.StartAsync(new SimulatorOptions
    {
        TradesPerSecond = 0,
        PingInterval = TimeSpan.FromMilliseconds(200),
        PongTimeout = TimeSpan.FromMilliseconds(300),
    });

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _exchange.DisposeAsync();
    }

    [Fact]
    public async Task ExchangeInfo_lists_known_symbols_and_refuses_unknown_ones_with_code_1121()
    {
        using var known = await JsonDocument.ParseAsync(await _http.GetStreamAsync(new Uri(_exchange.RestUrl, "/api/v3/exchangeInfo?symbols=[\"BTCUSDT\",\"ETHUSDT\"]")));
        Assert.Equal(["BTCUSDT", "ETHUSDT"], known.RootElement.GetProperty("symbols").EnumerateArray().Select(s => s.GetProperty("symbol").GetString()));

        using var response = await _http.GetAsync(new Uri(_exchange.RestUrl, "/api/v3/exchangeInfo?symbol=NOSUCHCOIN"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(-1121, error.RootElement.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task AggTrades_pages_from_an_id_in_order_with_Binance_fields()
    {
        var published = _exchange.Market("BTCUSDT").Publish(25);

        using var page = await JsonDocument.ParseAsync(await _http.GetStreamAsync(new Uri(_exchange.RestUrl, "/api/v3/aggTrades?symbol=BTCUSDT&fromId=11&limit=10")));
        var trades = page.RootElement.EnumerateArray().ToList();

        Assert.Equal(Enumerable.Range(11, 10).Select(i => (long)i), trades.Select(t => t.GetProperty("a").GetInt64()));
        var first = published[10];
        Assert.Equal(first.Price.ToWireString(), trades[0].GetProperty("p").GetString());
        Assert.Equal(first.Quantity.ToWireString(), trades[0].GetProperty("q").GetString());
        Assert.Equal(first.TradeTimeMs, trades[0].GetProperty("T").GetInt64());
        Assert.False(trades[0].TryGetProperty("e", out _));
    }

    [Fact]
    public async Task A_client_that_never_answers_pings_is_dropped()
    {
        // A raw socket that completes the upgrade and then never reads: the server's pings go unanswered.
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, _exchange.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"GET /ws/btcusdt@aggTrade HTTP/1.1\r\nHost: 127.0.0.1:{_exchange.Port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"));
        var response = new StringBuilder();
        var buffer = new byte[1];
        while (!response.ToString().EndsWith("\r\n\r\n") && await stream.ReadAsync(buffer) == 1) response.Append((char)buffer[0]);
        Assert.StartsWith("HTTP/1.1 101", response.ToString());
        // The server registers the connection just after it answers, and drops it no sooner than a ping interval later.
        await AwaitAssertAsync(() => Assert.Equal(1, _exchange.OpenConnections("BTCUSDT")), Dilated(TimeSpan.FromSeconds(5)), TimeSpan.FromMilliseconds(10));

        await AwaitAssertAsync(() => Assert.Equal(0, _exchange.OpenConnections("BTCUSDT")), Dilated(TimeSpan.FromSeconds(10)));
    }
}
