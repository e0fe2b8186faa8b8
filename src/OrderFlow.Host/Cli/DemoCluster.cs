using System.Diagnostics;
using System.Globalization;
using OrderFlow.Simulator;
using Serilog;

namespace OrderFlow.Host.Cli;

/// <summary>
/// <c>orderflow demo --nodes N</c>: the demo's exchange in this process and a cluster of N real <c>orderflow run --cluster</c>
/// processes on loopback, sharing the demo's tape file; each node's log comes through here prefixed with its number.
/// Unless --calm, a tour kills a node (<c>kill -9</c>) every 40 seconds, so the log shows it found unreachable, downed,
/// and its symbols streaming on the others, and starts it again 30 seconds later to take its share back.
/// </summary>
public sealed class DemoCluster(IReadOnlyList<string> runArguments, string configFile, ILogger log) : IAsyncDisposable
{
    private static readonly TimeSpan KillEvery = TimeSpan.FromSeconds(40);
    private static readonly TimeSpan BackAfter = TimeSpan.FromSeconds(30);

    private readonly List<(int Akka, int Http)> _ports = new();
    private readonly Dictionary<int, Process> _nodes = new();
    private readonly Lock _gate = new();

    private string Seeds => string.Join(",", _ports.Select(port => $"akka.tcp://orderflow@127.0.0.1:{port.Akka.ToString(CultureInfo.InvariantCulture)}"));

    /// <summary>Starts <paramref name="nodes"/> nodes and runs until <paramref name="stop"/>, with the tour unless <paramref name="calm"/>.</summary>
    public async Task RunAsync(int nodes, bool calm, CancellationToken stop)
    {
        _ports.AddRange(LoopbackPorts.Free(2 * nodes).Chunk(2).Select(pair => (pair[0], pair[1])));
        for (var node = 1; node <= nodes; node++) Start(node);
        log.Information("🎭 {Nodes} nodes on loopback; each answers for every symbol: {Pages}", nodes,
            string.Join(", ", _ports.Select(port => $"http://127.0.0.1:{port.Http.ToString(CultureInfo.InvariantCulture)}/")));
        try
        {
            for (var round = 0; ; round++)
            {
                await Task.Delay(calm ? Timeout.InfiniteTimeSpan : KillEvery, stop).ConfigureAwait(false);
                var victim = round % nodes + 1;
                log.Information("🎭 demo fault: kill -9 of node {Node} (127.0.0.1:{Port}); its symbols stream on the others within seconds", victim, _ports[victim - 1].Akka);
                Kill(victim);
                await Task.Delay(BackAfter, stop).ConfigureAwait(false);
                log.Information("🎭 node {Node} starts again and takes its share of the symbols", victim);
                Start(victim);
            }
        }
        catch (OperationCanceledException)
        {
            // The demo is over.
        }
    }

    private void Start(int node)
    {
        var (akka, http) = _ports[node - 1];
        // The same program this demo is: the installed tool, or `dotnet orderflow.dll`.
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet") start.ArgumentList.Add(typeof(DemoCluster).Assembly.Location);
        foreach (var argument in new[] { "run", "--cluster", "--seed-nodes", Seeds, "--config", configFile,
                     "--akka-port", akka.ToString(CultureInfo.InvariantCulture), "--http-port", http.ToString(CultureInfo.InvariantCulture) }.Concat(runArguments))
            start.ArgumentList.Add(argument);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, line) => Relay(node, line.Data);
        process.ErrorDataReceived += (_, line) => Relay(node, line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        lock (_gate) _nodes[node] = process;
    }

    private static void Relay(int node, string? line)
    {
        if (line is not null) Console.WriteLine($"[node {node}] {line}");
    }

    private void Kill(int node)
    {
        lock (_gate)
        {
            if (!_nodes.Remove(node, out var process)) return;
            process.Kill();
            process.Dispose();
        }
    }

    /// <summary>Every node told to stop (SIGTERM): each hands its symbols over and leaves, the last closes its sockets.</summary>
    public async ValueTask DisposeAsync()
    {
        List<Process> nodes;
        lock (_gate) nodes = _nodes.Values.ToList();
        foreach (var node in nodes)
        {
            using var term = Process.Start("kill", ["-TERM", node.Id.ToString(CultureInfo.InvariantCulture)]);
            await term.WaitForExitAsync().ConfigureAwait(false);
            await node.WaitForExitAsync().ConfigureAwait(false);
            node.Dispose();
        }
    }
}
