using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using OrderFlow.Actors.Hosting;
using OrderFlow.Client;
using OrderFlow.Protocol;

namespace OrderFlow.Benchmarks;

/// <summary>
/// The planner of the query-under-load measurement, in a process of its own as in production: its Ask continuations
/// run on its own idle thread pool, not on the one the flood keeps busy in the benchmark's process. It connects, asks
/// until its JIT is quiet, says "ready", then asks GetMetrics back to back from each "go" to the next "stop" (lines on
/// its stdin), and prints one result line for each round.
/// </summary>
public sealed class PlannerProcess : IAsyncDisposable
{
    public const string Verb = "planner-asks";

    private readonly Process _process;

    private PlannerProcess(Process process) => _process = process;

    /// <summary>Starts the planner against the host at <paramref name="address"/> and waits until it is connected.</summary>
    public static async Task<PlannerProcess> StartAsync(string address, Symbol symbol, TimeSpan limit)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(typeof(PlannerProcess).Assembly.Location);
        foreach (var arg in new[] { Verb, address, symbol.Value }) start.ArgumentList.Add(arg);
        // A planner is its user's process, with the runtime's defaults, unless PLANNER_INLINE_COMPLETIONS=1 says otherwise.
        if (Environment.GetEnvironmentVariable("PLANNER_INLINE_COMPLETIONS") != "1") start.Environment.Remove(InlineSocketCompletions.Variable);
        var planner = new PlannerProcess(Process.Start(start)!);
        using var deadline = new CancellationTokenSource(limit);
        if (await planner._process.StandardOutput.ReadLineAsync(deadline.Token) != "ready")
            throw new InvalidOperationException("the planner process did not connect");
        return planner;
    }

    public Task GoAsync() => _process.StandardInput.WriteLineAsync("go");

    /// <summary>Stops this round of asking and returns the round trips it timed.</summary>
    public async Task<QueryLatency> StopAsync()
    {
        await _process.StandardInput.WriteLineAsync("stop");
        var result = await _process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("the planner process said nothing");
        var fields = result.Split(' ').Select(field => double.Parse(field, CultureInfo.InvariantCulture)).ToArray();
        return new QueryLatency((int)fields[0], fields[1], fields[2], fields[3]);
    }

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    /// <summary>The child's side: <c>planner-asks HOST:PORT SYMBOL</c>.</summary>
    public static async Task<int> AskAsync(string address, string symbol)
    {
        await using var client = await OrderFlowClient.ConnectAsync(address);
        var asked = Symbol.Parse(symbol);
        // Asks before the clock until the JIT is quiet: a new process compiles its code at first use and then again,
        // optimized, once it is hot (tiered compilation). That is a cold start, not the query under load: left to run
        // into a measured round, it compiled 770-1,350 methods (260-570 ms of a core) during the flood.
        await Jit.QuietAsync(() => client.GetMetricsAsync(asked, TimeSpan.FromMinutes(1)));
        Console.WriteLine("ready");
        // Any number of go … stop rounds, one result line each, until stdin closes.
        while (Console.ReadLine() == "go")
        {
            var stop = Task.Run(Console.ReadLine);
            var times = new List<double>();
            while (!stop.IsCompleted)
            {
                var at = Stopwatch.GetTimestamp();
                await client.GetMetricsAsync(asked, TimeSpan.FromMinutes(1));
                times.Add(Stopwatch.GetElapsedTime(at).TotalMilliseconds);
            }
            times.Sort();
            var latency = times.Count == 0 ? new QueryLatency(0, 0, 0, 0)
                : new QueryLatency(times.Count, times[times.Count / 2], times[Math.Min(times.Count - 1, (int)(times.Count * 0.99))], times[^1]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{latency.Count} {latency.P50Millis} {latency.P99Millis} {latency.MaxMillis}"));
        }
        return 0;
    }
}
