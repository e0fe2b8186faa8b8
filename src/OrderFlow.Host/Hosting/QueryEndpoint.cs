using System.Net;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Gateway;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Serialization;

namespace OrderFlow.Host.Hosting;

/// <summary>
/// One-shot queries over HTTP (<see cref="HttpQueries"/>), answered by the same gateway, within the same deadlines, as
/// over Akka.Remote. It exists for processes that ask once and exit: starting an actor system with remoting costs
/// such a process most of a second, an HTTP request a few milliseconds.
/// </summary>
public static class QueryEndpoint
{
    // The largest query is a few hundred bytes; anything near this is not a query.
    private const long MaxQueryBytes = 16 * 1024;

    private static readonly string QueryNames = string.Join(", ", ProtocolJson.Manifests
        .Where(m => typeof(IOrderFlowQuery).IsAssignableFrom(m.Value)).Select(m => m.Key).Order(StringComparer.Ordinal));

    /// <summary>Kestrel on orderflow.remote.host and http-port, and nothing else.</summary>
    public static void ListenForQueries(this IWebHostBuilder web, RemoteSettings remote) => web.ConfigureKestrel(kestrel =>
    {
        kestrel.AddServerHeader = false;
        kestrel.Limits.MaxRequestBodySize = MaxQueryBytes;
        if (IPAddress.TryParse(remote.Host, out var address)) kestrel.Listen(address, remote.HttpPort);
        else if (remote.Host == "localhost") kestrel.ListenLocalhost(remote.HttpPort);
        else kestrel.Listen(Dns.GetHostAddresses(remote.Host)[0], remote.HttpPort);
    });

    /// <summary>POST /ask/{Query}: the query's JSON in, the answer's JSON out, within <paramref name="deadline"/>.</summary>
    public static void MapOrderFlowQueries(this WebApplication app, TimeSpan deadline) =>
        app.MapPost(HttpQueries.AskPath + "{manifest}", async (string manifest, HttpContext http, IRequiredActor<OrderFlowGateway> gateway) =>
        {
            if (!ProtocolJson.Manifests.TryGetValue(manifest, out var type) || !typeof(IOrderFlowQuery).IsAssignableFrom(type))
                return Error(StatusCodes.Status404NotFound, $"no query named '{manifest}' (subscriptions need OrderFlow.Client over Akka.Remote); " +
                                                             $"the queries are {QueryNames}");
            object query;
            try
            {
                var body = await ReadBodyAsync(http.Request).ConfigureAwait(false);
                query = ProtocolJson.FromUtf8(body.Length == 0 ? "{}"u8 : body, manifest);
            }
            catch (SerializationException e)
            {
                return Error(StatusCodes.Status400BadRequest, e.Message);
            }
            catch (BadHttpRequestException e)
            {
                return Error(e.StatusCode, e.Message);
            }

            try
            {
                var answer = await gateway.ActorRef.Ask<object>(query, deadline, http.RequestAborted).ConfigureAwait(false);
                http.Response.Headers[HttpQueries.ManifestHeader] = ProtocolJson.Manifest(answer);
                return Results.Bytes(ProtocolJson.ToUtf8(answer), "application/json");
            }
            catch (AskTimeoutException)
            {
                // The gateway answers within its own deadline; this is the last line, should it ever not.
                return Error(StatusCodes.Status504GatewayTimeout, $"no answer to {manifest} within {deadline.TotalSeconds:0.#}s");
            }
        });

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted).ConfigureAwait(false);
        return buffer.ToArray();
    }

    private static IResult Error(int status, string error) => Results.Json(new { error }, statusCode: status);
}
