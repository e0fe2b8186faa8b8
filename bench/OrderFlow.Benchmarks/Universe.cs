using System.Diagnostics;
using System.Globalization;
using OrderFlow.Protocol;
using OrderFlow.Simulator;

namespace OrderFlow.Benchmarks;

public sealed record UniverseResult(int Symbols, double TradesPerSecond, TimeSpan AllStreaming, int Connections, double CpuPercentOfOneCore,
    long RssBytes, QueryLatency Queries);

/// <summary>
/// A universe through what a user runs: the real <c>orderflow run</c> process, with <c>--symbols '*USDT'</c>, fed by
/// the simulated exchange in this process (the sender) with a skewed load, and a planner in a third process. Measures
/// the time from the host's start until every symbol has said Connected, the connections used, the host's CPU and
/// RSS once all stream and it has settled, and the planner's GetMetrics round trips.
/// </summary>
public static class Universe
{
    public static async Task<UniverseResult> RunAsync(int symbols, double tradesPerSecond, TimeSpan settle, TimeSpan cpuWindow, TimeSpan queryWindow)
    {
        await using var exchange = await ExchangeSimulator.StartAsync(new SimulatorOptions
        {
            Symbols = SimulatorOptions.Universe(symbols, tradesPerSecond),
            TradesKept = 100_000,
        });
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { HostDll(), "run", "--symbols", "*USDT", "--ws-url", exchange.WebSocketUrl.ToString(),
                     "--rest-url", exchange.RestUrl.ToString(), "--remote-port", "0", "--http-port", "0" })
            start.ArgumentList.Add(arg);
        var clock = Stopwatch.StartNew();
        using var host = Process.Start(start)!;
        try
        {
            var connected = new HashSet<string>();
            string? planners = null;
            var allStreaming = TimeSpan.Zero;
            using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            while (allStreaming == TimeSpan.Zero)
            {
                var line = await host.StandardOutput.ReadLineAsync(deadline.Token) ?? throw new InvalidOperationException("the host exited");
                if (line.Contains("🛰 Planners ask akka.tcp://orderflow@", StringComparison.Ordinal))
                    planners = line.Split("akka.tcp://orderflow@")[1].Split('/')[0];
                var at = line.IndexOf("🐋 Connected to ", StringComparison.Ordinal);
                if (at >= 0 && connected.Add(line[(at + 16)..].Split(' ')[0]) && connected.Count == symbols) allStreaming = clock.Elapsed;
            }
            // The rest of its log, unread, would fill the pipe and stall it.
            _ = Task.Run(async () => { while (await host.StandardOutput.ReadLineAsync() is not null) { } });

            // Steady state, not the start's tail (warm-ups, tiered JIT): the CPU is what a day of streaming costs.
            await Task.Delay(settle);
            var (cpuBefore, at0) = (CpuTicks(host.Id), Stopwatch.GetTimestamp());
            await Task.Delay(cpuWindow);
            var cpu = (CpuTicks(host.Id) - cpuBefore) / 100.0 / Stopwatch.GetElapsedTime(at0).TotalSeconds * 100;
            var rss = RssBytes(host.Id);

            await using var planner = await PlannerProcess.StartAsync(planners!, Symbol.Parse("U0001USDT"), TimeSpan.FromMinutes(2));
            await planner.GoAsync();
            await Task.Delay(queryWindow);
            var queries = await planner.StopAsync();
            return new UniverseResult(symbols, tradesPerSecond, allStreaming, exchange.OpenConnections(), cpu, rss, queries);
        }
        finally
        {
            if (!host.HasExited)
            {
                using var term = Process.Start("kill", ["-TERM", host.Id.ToString(CultureInfo.InvariantCulture)]);
                await term.WaitForExitAsync();
                await host.WaitForExitAsync();
            }
        }
    }

    /// <summary>The Release build of the host, as the README builds it.</summary>
    private static string HostDll()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var dll = Path.Combine(dir.FullName, "src", "OrderFlow.Host", "bin", "Release", "net10.0", "orderflow.dll");
            if (File.Exists(dll)) return dll;
        }
        throw new InvalidOperationException("build the host first: dotnet build -c Release src/OrderFlow.Host");
    }

    /// <summary>User + system time of a process, in clock ticks (1/100 s on Linux).</summary>
    private static long CpuTicks(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    private static long RssBytes(int pid) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
}
