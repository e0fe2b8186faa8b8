using System.Diagnostics;
using System.Globalization;

namespace OrderFlow.Benchmarks;

/// <summary>
/// The real <c>orderflow run</c> process, as the README builds it (Release), started with the given arguments. Its log
/// is read line by line until the caller has what it waits for, then drained so the pipe never stalls it. Its data
/// directory (so its tape store) is a temporary one unless given. Disposing stops it as a user would (SIGTERM) and
/// waits for it to exit.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string? _ownDataHome;
    private readonly List<(DateTime At, string Line)> _lines = new();
    private bool _draining;

    private HostProcess(Process process, string? ownDataHome) => (_process, _ownDataHome) = (process, ownDataHome);

    public int Id => _process.Id;

    /// <summary>The remoting address planners ask (<c>HOST:PORT</c>), once <see cref="ReadUntilAsync"/> has seen it.</summary>
    public string? PlannerAddress { get; private set; }

    /// <param name="dataHome">Where its data lives ($XDG_DATA_HOME), kept after it stops; null: a temporary directory.</param>
    /// <param name="akkaPort">Its remoting port (a cluster's seeds name theirs); 0: any free one.</param>
    public static HostProcess Start(IEnumerable<string> runArguments, string? dataHome = null, int akkaPort = 0) =>
        Start("run", runArguments, dataHome, akkaPort);

    /// <summary><c>--config FILE</c> for a file holding <paramref name="hocon"/>.</summary>
    public static async Task<string[]> ConfigArgumentsAsync(string hocon)
    {
        var config = Path.Combine(Path.GetTempPath(), $"orderflow-bench-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(config, hocon);
        return ["--config", config];
    }

    /// <summary><c>orderflow replay</c>, over the store in <paramref name="dataHome"/>.</summary>
    public static HostProcess StartReplay(IEnumerable<string> replayArguments, string dataHome) => Start("replay", replayArguments, dataHome);

    private static HostProcess Start(string verb, IEnumerable<string> arguments, string? dataHome, int akkaPort = 0)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        var ownDataHome = dataHome is null ? Directory.CreateTempSubdirectory("orderflow-bench-").FullName : null;
        start.Environment["XDG_DATA_HOME"] = dataHome ?? ownDataHome;
        start.ArgumentList.Add(HostDll());
        start.ArgumentList.Add(verb);
        foreach (var arg in arguments) start.ArgumentList.Add(arg);
        foreach (var arg in new[] { "--akka-port", akkaPort.ToString(CultureInfo.InvariantCulture), "--http-port", "0" }) start.ArgumentList.Add(arg);
        return new HostProcess(Process.Start(start)!, ownDataHome);
    }

    /// <summary>Reads the log until <paramref name="done"/> says so (it sees every line), then drains the rest.</summary>
    public async Task ReadUntilAsync(Func<string, bool> done, TimeSpan limit)
    {
        using var deadline = new CancellationTokenSource(limit);
        while (true)
        {
            var line = await _process.StandardOutput.ReadLineAsync(deadline.Token)
                       ?? throw new InvalidOperationException($"the host exited: {await _process.StandardError.ReadToEndAsync()}");
            Keep(line);
            if (line.Contains("🛰 Planners ask akka.tcp://orderflow@", StringComparison.Ordinal))
                PlannerAddress = line.Split("akka.tcp://orderflow@")[1].Split('/')[0];
            if (done(line)) break;
        }
        if (_draining) return;
        _draining = true;
        _ = Task.Run(async () =>
        {
            while (await _process.StandardOutput.ReadLineAsync() is { } line) Keep(line);
        });
    }

    /// <summary>The lines that contain <paramref name="text"/>, as read so far, with when they were read.</summary>
    public IReadOnlyList<(DateTime At, string Line)> LinesWith(string text)
    {
        lock (_lines) return _lines.Where(entry => entry.Line.Contains(text, StringComparison.Ordinal)).ToList();
    }

    private void Keep(string line)
    {
        lock (_lines) _lines.Add((DateTime.UtcNow, line));
    }

    /// <summary><c>kill -9</c>: no hand-over, no leaving, the sockets closed by the kernel.</summary>
    public void KillHard() => _process.Kill();

    /// <summary>SIGTERM, as a user stops it; returns its exit code.</summary>
    public async Task<int> TerminateAsync()
    {
        using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])) await term.WaitForExitAsync();
        await _process.WaitForExitAsync();
        return _process.ExitCode;
    }

    /// <summary>User + system time so far, in clock ticks (1/100 s on Linux).</summary>
    public long CpuTicks()
    {
        var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    public long RssBytes() =>
        long.Parse(File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) await TerminateAsync();
        _process.Dispose();
        if (_ownDataHome is not null) Directory.Delete(_ownDataHome, recursive: true);
    }

    private static string HostDll()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var dll = Path.Combine(dir.FullName, "src", "OrderFlow.Host", "bin", "Release", "net10.0", "orderflow.dll");
            if (File.Exists(dll)) return dll;
        }
        throw new InvalidOperationException("build the host first: dotnet build -c Release src/OrderFlow.Host");
    }
}
