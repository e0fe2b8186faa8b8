using System.Net;
using Microsoft.AspNetCore.Hosting;
using OrderFlow.Actors.Configuration;

namespace OrderFlow.Host.Api;

public static class HttpListening
{
    // No route takes a body larger than this; anything near it is not a request of ours.
    private const long MaxRequestBytes = 16 * 1024;

    /// <summary>Kestrel on orderflow.remote.host and http-port, and nothing else.</summary>
    public static void ListenForApi(this IWebHostBuilder web, RemoteSettings remote) => web.ConfigureKestrel(kestrel =>
    {
        kestrel.AddServerHeader = false;
        kestrel.Limits.MaxRequestBodySize = MaxRequestBytes;
        if (IPAddress.TryParse(remote.Host, out var address)) kestrel.Listen(address, remote.HttpPort);
        else if (remote.Host == "localhost") kestrel.ListenLocalhost(remote.HttpPort);
        else kestrel.Listen(Dns.GetHostAddresses(remote.Host)[0], remote.HttpPort);
    });
}
