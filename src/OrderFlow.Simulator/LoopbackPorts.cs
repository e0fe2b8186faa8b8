using System.Net;
using System.Net.Sockets;

namespace OrderFlow.Simulator;

/// <summary>Ports free on loopback now, for processes that must know each other's before they start (a cluster's seeds).</summary>
public static class LoopbackPorts
{
    /// <summary><paramref name="count"/> distinct ports, each free when asked (held together while chosen, so none repeats).</summary>
    public static int[] Free(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(listener => listener.Start());
        var ports = listeners.Select(listener => ((IPEndPoint)listener.LocalEndpoint).Port).ToArray();
        listeners.ForEach(listener => listener.Stop());
        return ports;
    }
}
