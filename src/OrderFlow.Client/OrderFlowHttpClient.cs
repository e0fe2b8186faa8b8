using System.Net.Http.Headers;
using System.Runtime.Serialization;
using System.Text.Json;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Serialization;

namespace OrderFlow.Client;

/// <summary>
/// The same questions as <see cref="OrderFlowClient"/>, over the host's HTTP query endpoint: no actor system to
/// start, so a one-shot process (the CLI's verbs, a script) has its answer in a fraction of a second. Queries only:
/// lifecycle events and metrics subscriptions need <see cref="OrderFlowClient"/>.
/// </summary>
public sealed class OrderFlowHttpClient : OrderFlowQueryClient
{
    public const string DefaultAddress = "127.0.0.1:4054";

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly HttpClient _http;

    private OrderFlowHttpClient(HttpClient http, string address, TimeSpan timeout) : base(address, timeout) => _http = http;

    /// <summary>A client for the host at <paramref name="address"/> (HOST:PORT); the first query finds out whether one answers.</summary>
    public static OrderFlowHttpClient Create(string address = DefaultAddress, TimeSpan? timeout = null)
    {
        var wait = timeout ?? TimeSpan.FromSeconds(5);
        var (host, port) = ParseAddress(address, DefaultAddress);
        var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = wait, UseProxy = false })
        {
            BaseAddress = new UriBuilder(Uri.UriSchemeHttp, host, port).Uri,
            Timeout = wait,
        };
        return new OrderFlowHttpClient(http, address, wait);
    }

    public override ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }

    protected override async Task<object> SendAsync(IOrderFlowQuery query)
    {
        var manifest = ProtocolJson.Manifest(query);
        using var body = new ByteArrayContent(ProtocolJson.ToUtf8(query));
        body.Headers.ContentType = Json;
        try
        {
            using var response = await _http.PostAsync(HttpQueries.AskPath + manifest, body).ConfigureAwait(false);
            var content = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            var answeredAs = response.Headers.TryGetValues(HttpQueries.ManifestHeader, out var values) ? values.FirstOrDefault() : null;
            if (response.IsSuccessStatusCode && answeredAs is not null) return ProtocolJson.FromUtf8(content, answeredAs);
            if (ErrorOf(content) is { } error) throw new OrderFlowClientException($"the host refused {manifest}: {error}");
            throw Unreachable(Address, $" (something answered, with HTTP {(int)response.StatusCode}, but not as an OrderFlow host)");
        }
        catch (TaskCanceledException e)
        {
            throw NoAnswer(query, e);
        }
        catch (HttpRequestException e)
        {
            throw Unreachable(Address, $": {e.Message}", e);
        }
        catch (SerializationException e)
        {
            throw new OrderFlowClientException($"the host's answer to {manifest} could not be read: {e.Message}", e);
        }
    }

    private static string? ErrorOf(byte[] content)
    {
        try
        {
            using var document = JsonDocument.Parse(content);
            return document.RootElement.TryGetProperty("error", out var error) ? error.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static OrderFlowUnreachableException Unreachable(string address, string why, Exception? cause = null) =>
        Unreachable(address, why, DefaultAddress, "orderflow.remote.host/http-port or --http-port", cause);
}
