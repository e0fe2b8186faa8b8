using System.Net;
using System.Text.Json;
using OrderFlow.Actors.Tests.Support;
using OrderFlow.Client;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;
using OrderFlow.Simulator;
using Xunit;

namespace OrderFlow.Actors.Tests.Host;

/// <summary>A host streaming BTCUSDT and ETHUSDT from the simulator, asked over HTTP as curl or a planner in any language would.</summary>
public sealed class ApiHost : IAsyncLifetime
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    public ExchangeSimulator Exchange { get; private set; } = null!;
    public OrderFlowProcess Process { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public string Address { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Exchange = await ExchangeSimulator.StartAsync(new SimulatorOptions { TradesPerSecond = 50 });
        Process = OrderFlowProcess.Start("run", "--symbols", "BTCUSDT,ETHUSDT", "--ws-url", Exchange.WebSocketUrl.ToString(),
            "--rest-url", Exchange.RestUrl.ToString(), "--akka-port", "0", "--http-port", "0");
        Address = await Process.QueryAddressAsync(Limit);
        Http = new HttpClient { BaseAddress = new Uri($"http://{Address}") };
        // Ready once both symbols have streamed some trades: asked again at each of the host's metrics events.
        await using var client = OrderFlowHttpClient.Create(Address);
        using var deadline = new CancellationTokenSource(Limit);
        await foreach (var _ in client.EventsAsync(TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(200), cancel: deadline.Token))
            if ((await client.GetStatusAsync()).Streams.All(s => s.TradesReceived > 20)) return;
        throw new InvalidOperationException("the host's event stream ended before it had streamed 20 trades of each symbol");
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        Process.Dispose();
        await Exchange.DisposeAsync();
    }

    public async Task<(HttpStatusCode Status, string? MediaType, JsonElement Body, HttpResponseMessage Response)> SendAsync(HttpMethod method, string path)
    {
        using var request = new HttpRequestMessage(method, path);
        var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, body, response);
    }

    public Task<(HttpStatusCode Status, string? MediaType, JsonElement Body, HttpResponseMessage Response)> GetAsync(string path) => SendAsync(HttpMethod.Get, path);
}

public sealed class HttpApiSpecs(ApiHost host) : IClassFixture<ApiHost>
{
    [Fact]
    public async Task Every_route_answers_with_its_documented_status_and_the_exchanges_figures()
    {
        var streams = await host.GetAsync("/v1/streams");
        Assert.Equal((HttpStatusCode.OK, "application/json"), (streams.Status, streams.MediaType));
        Assert.Equal(["BTCUSDT", "ETHUSDT"], streams.Body.GetProperty("streams").EnumerateArray().Select(s => s.GetProperty("symbol").GetString()));

        var btc = await host.GetAsync("/v1/streams/BTCUSDT");
        Assert.Equal(HttpStatusCode.OK, btc.Status);
        Assert.Equal("Connected", btc.Body.GetProperty("state").GetString());
        var sequence = await host.GetAsync("/v1/streams/BTCUSDT/sequence");
        Assert.True(sequence.Body.GetProperty("received").GetInt64() > 0);

        // Trades by id: the exchange's, to the digit, and a full page links the next.
        var page = await host.GetAsync("/v1/trades/BTCUSDT?fromId=1&max=5");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        var exchange = host.Exchange.Market("BTCUSDT").Trades.Take(6).ToList();
        Assert.Equal(exchange.Take(5).Select(Json), page.Body.GetProperty("trades").EnumerateArray().Select(Json));
        Assert.Equal("</v1/trades/BTCUSDT?fromId=6&max=5>; rel=\"next\"", Assert.Single(page.Response.Headers.GetValues("Link")));
        var next = await host.GetAsync("/v1/trades/BTCUSDT?fromId=6&max=5");
        Assert.Equal(6, next.Body.GetProperty("trades")[0].GetProperty("aggregateId").GetInt64());
        var last = await host.GetAsync("/v1/trades/BTCUSDT?last=3");
        Assert.Equal(3, last.Body.GetProperty("trades").GetArrayLength());
        Assert.False(last.Response.Headers.Contains("Link"));
        var sinceMs = exchange[5].TradeTimeMs;
        var since = await host.GetAsync($"/v1/trades/BTCUSDT?since={sinceMs}&max=10");
        Assert.All(since.Body.GetProperty("trades").EnumerateArray(), t => Assert.True(t.GetProperty("tradeTimeMs").GetInt64() >= sinceMs));

        var metrics = await host.GetAsync("/v1/metrics/BTCUSDT?window=1m");
        Assert.Equal(HttpStatusCode.OK, metrics.Status);
        Assert.Equal("1m", metrics.Body.GetProperty("window").GetString());
        Assert.True(metrics.Body.GetProperty("tradeCount").GetInt64() > 0);

        // Failures: a status that says what happened, problem+json, the parameter named.
        await AssertProblemAsync(HttpMethod.Get, "/v1/streams/DOGEUSDT", HttpStatusCode.NotFound, HttpApi.Problems.NotStreamed, "DOGEUSDT is not streamed");
        await AssertProblemAsync(HttpMethod.Get, "/v1/metrics/DOGEUSDT", HttpStatusCode.NotFound, HttpApi.Problems.NotStreamed, "DOGEUSDT");
        var window = await AssertProblemAsync(HttpMethod.Get, "/v1/metrics/BTCUSDT?window=3m", HttpStatusCode.NotFound, HttpApi.Problems.WindowNotTracked, "no 3m window");
        Assert.Contains("1m", window.GetProperty("tracked").EnumerateArray().Select(t => t.GetString()));
        foreach (var (query, parameter) in new[]
                 {
                     ("/v1/trades/BTCUSDT?last=-5", "last"), ("/v1/trades/BTCUSDT?last=0", "last"), ("/v1/trades/BTCUSDT?last=abc", "last"),
                     ("/v1/trades/BTCUSDT?fromId=1&max=0", "max"), ("/v1/trades/BTCUSDT?fromId=x", "fromId"), ("/v1/trades/BTCUSDT?since=yesterday", "since"),
                     ("/v1/trades/BTCUSDT?limit=5", "limit"), ("/v1/metrics/BTCUSDT?window=5x", "window"), ("/v1/metrics/BTCUSDT?window=1m&window=5m", "window"),
                     ("/v1/streams/btc%2Fusdt", "symbol"),
                 })
        {
            var problem = await AssertProblemAsync(HttpMethod.Get, query, HttpStatusCode.BadRequest, HttpApi.Problems.BadParameter, parameter);
            Assert.Equal(parameter, problem.GetProperty("parameter").GetString());
        }
        await AssertProblemAsync(HttpMethod.Get, "/v1/trades/BTCUSDT", HttpStatusCode.BadRequest, HttpApi.Problems.BadParameter, "exactly one of last, fromId, since");
        await AssertProblemAsync(HttpMethod.Get, "/v1/nothing", HttpStatusCode.NotFound, HttpApi.Problems.NoSuchRoute, "no route GET /v1/nothing");
        await AssertProblemAsync(HttpMethod.Post, "/v1/streams", HttpStatusCode.MethodNotAllowed, HttpApi.Problems.NoSuchRoute, "no route POST /v1/streams");
        await AssertProblemAsync(HttpMethod.Post, "/ask/GetStatus", HttpStatusCode.NotFound, HttpApi.Problems.NoSuchRoute, "no route");
    }

    [Fact]
    public async Task Streams_are_added_and_removed_with_put_and_delete()
    {
        var added = await host.SendAsync(HttpMethod.Put, "/v1/streams/SOLUSDT");
        Assert.Equal(HttpStatusCode.Created, added.Status);
        Assert.Equal("/v1/streams/SOLUSDT", added.Response.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await host.SendAsync(HttpMethod.Put, "/v1/streams/SOLUSDT")).Status);
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync("/v1/streams/SOLUSDT")).Status);
        Assert.Equal(HttpStatusCode.OK, (await host.SendAsync(HttpMethod.Delete, "/v1/streams/SOLUSDT")).Status);
        await AssertProblemAsync(HttpMethod.Delete, "/v1/streams/SOLUSDT", HttpStatusCode.NotFound, HttpApi.Problems.NotStreamed, "SOLUSDT");
        await AssertProblemAsync(HttpMethod.Put, "/v1/streams/NOPEUSDT", HttpStatusCode.NotFound, HttpApi.Problems.SymbolUnknown, "Binance does not list NOPEUSDT");

        // Listed but in BREAK: accepted and watched, streamed once it trades.
        host.Exchange.List(new SimulatedSymbol("XRPUSDT", 2.5m));
        host.Exchange.SetStatus("XRPUSDT", "BREAK");
        var watched = await host.SendAsync(HttpMethod.Put, "/v1/streams/XRPUSDT");
        Assert.Equal(HttpStatusCode.Accepted, watched.Status);
        Assert.Equal("BREAK", watched.Body.GetProperty("status").GetString());
        Assert.Equal("NotTrading", (await host.GetAsync("/v1/streams/XRPUSDT")).Body.GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.OK, (await host.SendAsync(HttpMethod.Delete, "/v1/streams/XRPUSDT")).Status);
    }

    [Fact]
    public async Task The_OpenAPI_document_lists_every_route_and_describes_the_json_they_answer_with()
    {
        var document = await host.GetAsync(HttpApi.OpenApiPath);
        Assert.Equal(HttpStatusCode.OK, document.Status);
        var operations = document.Body.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(op => (Method: op.Name.ToUpperInvariant(), Path: path.Name, Operation: op.Value)))
            .ToList();
        Assert.Equal(new[]
        {
            "DELETE /v1/streams/{symbol}", "GET /healthz", "GET /readyz", "GET /v1/bars/{symbol}", "GET /v1/cluster", "GET /v1/events", "GET /v1/footprint/{symbol}",
            "GET /v1/metrics/{symbol}", "GET /v1/streams", "GET /v1/streams/{symbol}",
            "GET /v1/streams/{symbol}/sequence",
            "GET /v1/trades/{symbol}", "PUT /v1/streams/{symbol}",
        }, operations.Select(o => $"{o.Method} {o.Path}").Order(StringComparer.Ordinal));

        // Each route, asked about a symbol not streamed (or without its parameters), answers with a status it documents.
        foreach (var (method, path, operation) in operations)
        {
            // (The event stream would not end: asked for a symbol not streamed, it answers at once.)
            var asked = await host.SendAsync(new HttpMethod(method), path == HttpApi.Events ? $"{path}?symbols=ZZZUSDT" : path.Replace("{symbol}", "ZZZUSDT"));
            var documented = operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToList();
            Assert.True(documented.Contains(((int)asked.Status).ToString()), $"{method} {path} answered {(int)asked.Status}; it documents {string.Join(", ", documented)}");
        }

        // The schemas name exactly the fields the answers carry.
        var schemas = document.Body.GetProperty("components").GetProperty("schemas");
        AssertSameFields(schemas, "StreamStatus", (await host.GetAsync("/v1/streams/BTCUSDT")).Body);
        var trades = (await host.GetAsync("/v1/trades/BTCUSDT?last=1")).Body;
        AssertSameFields(schemas, "TradesSnapshot", trades);
        AssertSameFields(schemas, "AggregateTrade", trades.GetProperty("trades")[0]);
        // A spot symbol's window has no liquidations, mark or funding at all (a futures symbol's does).
        AssertSameFields(schemas, "MetricsSnapshot", (await host.GetAsync("/v1/metrics/BTCUSDT?window=1m")).Body, absentOnSpot: ["liquidations", "mark", "funding", "openInterest"]);
        var bars = (await host.GetAsync("/v1/bars/BTCUSDT?interval=1m&last=1")).Body;
        AssertSameFields(schemas, "BarsSnapshot", bars);
        AssertSameFields(schemas, "Bar", bars.GetProperty("bars")[0], absentOnSpot: ["liquidations", "mark", "funding", "openInterest"]);
        var footprint = (await host.GetAsync("/v1/footprint/BTCUSDT?interval=1m")).Body;
        AssertSameFields(schemas, "FootprintSnapshot", footprint);
        AssertSameFields(schemas, "FootprintLevel", footprint.GetProperty("bars")[0].GetProperty("levels")[0]);
        var cluster = (await host.GetAsync(HttpApi.Cluster)).Body;
        AssertSameFields(schemas, "ClusterState", cluster);
        AssertSameFields(schemas, "ClusterMember", cluster.GetProperty("members")[0]);
        Assert.Equal(cluster.GetProperty("node").GetString(), cluster.GetProperty("oldest").GetString());
        Assert.Equal((await host.GetAsync(HttpApi.Streams)).Body.GetProperty("streams").GetArrayLength(),
            cluster.GetProperty("members")[0].GetProperty("symbols").GetInt32());
        Assert.Equal(["BUY", "SELL"], schemas.GetProperty("AggressorSide").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task The_CLI_prints_the_json_the_API_answers_the_same_question_with()
    {
        // Byte for byte, but for how many trades the history holds by then.
        var api = await host.Http.GetStringAsync("/v1/trades/BTCUSDT?fromId=1&max=5");
        var cli = await CliAsync("trades", "BTCUSDT", "--from-id", "1", "--max", "5", "--json");
        Assert.Equal(HeldAside(api), HeldAside(cli));

        // A status moves on between two questions; its shape does not.
        var status = JsonDocument.Parse(await CliAsync("status", "ETHUSDT", "--json")).RootElement;
        var http = (await host.GetAsync("/v1/streams/ETHUSDT")).Body;
        Assert.Equal(http.EnumerateObject().Select(p => p.Name), status.EnumerateObject().Select(p => p.Name));
        Assert.Equal(http.GetProperty("since").GetString(), status.GetProperty("since").GetString());
    }

    [Fact]
    public async Task Metrics_is_prometheus_text_whose_per_symbol_counters_are_the_ones_status_shows()
    {
        var before = (await host.GetAsync("/v1/streams")).Body.GetProperty("streams").EnumerateArray().ToDictionary(s => s.GetProperty("symbol").GetString()!);
        using var scrape = await host.Http.GetAsync("/metrics");
        var after = (await host.GetAsync("/v1/streams")).Body.GetProperty("streams").EnumerateArray().ToDictionary(s => s.GetProperty("symbol").GetString()!);
        Assert.Equal("text/plain", scrape.Content.Headers.ContentType?.MediaType);
        var samples = PrometheusText.Parse(await scrape.Content.ReadAsStringAsync());

        foreach (var (metric, field) in new[]
                 {
                     ("orderflow_trades_received_total", "tradesReceived"), ("orderflow_reconnects_total", "reconnects"),
                     ("orderflow_gaps_detected_total", "gapsDetected"), ("orderflow_trades_backfilled_total", "tradesBackfilled"),
                     ("orderflow_gaps_unrecovered_total", "gapsUnrecovered"), ("orderflow_duplicates_dropped_total", "duplicatesDropped"),
                     ("orderflow_malformed_dropped_total", "malformedDropped"),
                 })
        foreach (var symbol in new[] { "BTCUSDT", "ETHUSDT" })
        {
            // Read between two status answers, so it lies between their figures.
            var scraped = samples.Single(x => x.Name == metric && x.Labels["symbol"] == symbol).Value;
            Assert.InRange(scraped, before[symbol].GetProperty(field).GetInt64(), after[symbol].GetProperty(field).GetInt64());
        }
        Assert.True(samples.Single(x => x.Name == "orderflow_trades_received_total" && x.Labels["symbol"] == "BTCUSDT").Value > 20);
        foreach (var symbol in new[] { "BTCUSDT", "ETHUSDT" })
        {
            var states = samples.Where(x => x.Name == "orderflow_stream_state" && x.Labels["symbol"] == symbol).ToDictionary(x => x.Labels["state"], x => x.Value);
            Assert.Equal(Enum.GetNames<Protocol.Streams.StreamState>().Order(), states.Keys.Order());
            Assert.Equal(1, states["Connected"]);
            Assert.Equal(1, states.Values.Sum());
            Assert.InRange(samples.Single(x => x.Name == "orderflow_feed_lag_seconds" && x.Labels["symbol"] == symbol).Value, -1, 30);
        }
        // Per market (per IP): the connection budget and the REST weight being spent, against their limits.
        double Market(string name) => samples.Single(x => x.Name == name && x.Labels["market"] == "spot").Value;
        Assert.InRange(Market("orderflow_connection_attempts"), 1, Market("orderflow_connection_attempts_limit"));
        Assert.Equal(300, Market("orderflow_connection_attempts_limit"));
        Assert.InRange(Market("orderflow_rest_weight"), 0, Market("orderflow_rest_weight_limit"));
        Assert.Equal(6000, Market("orderflow_rest_weight_limit"));
        // Both symbols on one connection, of the 200 streams one may carry (orderflow.binance.streams-per-connection).
        var carried = samples.Where(x => x.Name == "orderflow_connection_streams").ToList();
        Assert.Equal(2, carried.Sum(x => x.Value));
        Assert.All(samples.Where(x => x.Name == "orderflow_connection_streams_limit"), x => Assert.Equal(200, x.Value));
        // The cluster: alone, one member up, and it is the oldest.
        Assert.Equal(1, samples.Single(x => x.Name == "orderflow_cluster_members" && x.Labels["status"] == "Up").Value);
        Assert.Equal(0, samples.Single(x => x.Name == "orderflow_cluster_unreachable").Value);
        Assert.Equal(1, samples.Single(x => x.Name == "orderflow_cluster_oldest").Value);
        // The runtime's own.
        Assert.Contains(samples, x => x.Name == "dotnet_gc_collections_total");
        Assert.Contains(samples, x => x.Name == "dotnet_process_memory_working_set_bytes");
    }

    private static string HeldAside(string json) => System.Text.RegularExpressions.Regex.Replace(json, "\"totalHeld\":\\d+", "\"totalHeld\":0");

    private async Task<string> CliAsync(params string[] args)
    {
        var (exit, process) = await OrderFlowProcess.RunAsync(ApiHost.Limit, [.. args, "--host", host.Address]);
        using var _ = process;
        Assert.True(exit == 0, string.Join('\n', process.Stderr));
        return Assert.Single(process.Stdout);
    }

    private static void AssertSameFields(JsonElement schemas, string name, JsonElement answer, string[]? absentOnSpot = null) =>
        Assert.Equal(answer.EnumerateObject().Select(p => p.Name).Concat(absentOnSpot ?? []).Order(StringComparer.Ordinal),
            schemas.GetProperty(name).GetProperty("properties").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));

    private async Task<JsonElement> AssertProblemAsync(HttpMethod method, string path, HttpStatusCode status, string type, string detail)
    {
        var answer = await host.SendAsync(method, path);
        Assert.True(answer.Status == status, $"{method} {path}: {(int)answer.Status}, expected {(int)status}: {answer.Body}");
        Assert.Equal(HttpApi.ProblemJson, answer.MediaType);
        Assert.Equal(type, answer.Body.GetProperty("type").GetString());
        Assert.Equal((int)status, answer.Body.GetProperty("status").GetInt32());
        Assert.Contains(detail, answer.Body.GetProperty("detail").GetString());
        return answer.Body;
    }

    private static string Json(AggregateTrade trade) => System.Text.Encoding.UTF8.GetString(Protocol.Serialization.ProtocolJson.ToUtf8(trade));

    private static string Json(JsonElement trade) => trade.GetRawText();
}
