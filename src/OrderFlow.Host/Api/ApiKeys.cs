using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using OrderFlow.Actors.Configuration;
using OrderFlow.Protocol;

namespace OrderFlow.Host.Api;

/// <summary>
/// Nobody in who does not belong. With orderflow.http.api-key set, every request needs it (header
/// <see cref="HttpApi.ApiKeyHeader"/>, or <c>?apiKey=</c> for a browser's page and event stream), else 401
/// problem+json. Open without it: <c>/healthz</c> (a liveness probe knows nothing) and the page's own script and
/// style files (code, no data). A host that listens beyond loopback must have a key, and TLS for Akka.Remote or the
/// explicit opt-out (<see cref="EnsureOnlyThoseWhoBelong"/>).
/// </summary>
public static class ApiKeys
{
    public const string QueryParameter = "apiKey";

    public static void UseApiKey(this WebApplication app, string? key)
    {
        if (key is null) return;
        var expected = Encoding.UTF8.GetBytes(key);
        app.Use(async (http, next) =>
        {
            var path = http.Request.Path;
            var given = http.Request.Headers[HttpApi.ApiKeyHeader].FirstOrDefault() ?? http.Request.Query[QueryParameter].FirstOrDefault();
            if (path == "/healthz" || path.StartsWithSegments("/page") ||
                (given is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), expected)))
            {
                await next(http).ConfigureAwait(false);
                return;
            }
            await ApiAnswers.Problem(StatusCodes.Status401Unauthorized, HttpApi.Problems.Unauthorized, "API key needed",
                given is null ? $"this host needs its API key: the {HttpApi.ApiKeyHeader} header, or ?{QueryParameter}= (orderflow --api-key, $ORDERFLOW_API_KEY)"
                    : "that API key is not this host's").ExecuteAsync(http).ConfigureAwait(false);
        });
    }

    /// <summary>Refuses, in one line, to listen beyond loopback without a key and TLS (or the opt-out, which it logs loudly).</summary>
    public static void EnsureOnlyThoseWhoBelong(RemoteSettings remote)
    {
        if (remote.LoopbackOnly) return;
        if (remote.ApiKey is null)
            throw new ConfigurationException($"orderflow.remote.host = {remote.Host} lets other machines in: set orderflow.http.api-key as well " +
                                             "(every request then needs it), or listen on 127.0.0.1");
        if (!remote.RemotingTls && !remote.AllowPlaintext)
            throw new ConfigurationException($"orderflow.remote.host = {remote.Host} lets other machines in: Akka.Remote needs TLS " +
                                             "(akka.remote.dot-netty.tcp.enable-ssl = on, with its ssl.certificate), or orderflow.remote.allow-plaintext = on " +
                                             "to let planners' messages cross the network in the clear");
    }
}
