using System.Collections.Concurrent;
using System.Diagnostics;

namespace OrderFlow.Actors.Tests.Support;

/// <summary>The real <c>orderflow</c> executable in a child process, with its output captured line by line.</summary>
public sealed class OrderFlowProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly SemaphoreSlim _lineArrived = new(0);

    /// <summary>The user's data directory this process sees ($XDG_DATA_HOME): its own, unless a spec shares one.</summary>
    private readonly string _dataHome;
    private readonly bool _ownDataHome;

    private OrderFlowProcess(string? dataHome, params string[] args)
    {
        (_dataHome, _ownDataHome) = dataHome is null ? (Directory.CreateTempSubdirectory("orderflow-data-").FullName, true) : (dataHome, false);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        // Its tape store in a directory of its own: never the user's, never another spec's.
        start.Environment["XDG_DATA_HOME"] = _dataHome;
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "orderflow.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Collect(_stdout, e.Data);
        _process.ErrorDataReceived += (_, e) => Collect(_stderr, e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public IReadOnlyList<string> Stdout => _stdout.ToArray();

    public IReadOnlyList<string> Stderr => _stderr.ToArray();

    public static OrderFlowProcess Start(params string[] args) => new(null, args);

    /// <summary>A host whose data directory (and so its default tape store) is <paramref name="dataHome"/>, kept after it stops.</summary>
    public static OrderFlowProcess StartWithData(string dataHome, params string[] args) => new(dataHome, args);

    /// <summary>Stops the process at once, as a crash or <c>kill -9</c> does: no shutdown, nothing flushed.</summary>
    public void KillHard()
    {
        Process.Start("kill", ["-KILL", _process.Id.ToString()])!.WaitForExit();
        _process.WaitForExit();
    }

    /// <summary>Runs to the end and returns the exit code.</summary>
    public static Task<(int ExitCode, OrderFlowProcess Process)> RunAsync(TimeSpan limit, params string[] args) => RunWithDataAsync(null, limit, args);

    /// <summary>Runs to the end as a user sharing <paramref name="dataHome"/> with a host (so the CLI finds that host by itself).</summary>
    public static async Task<(int ExitCode, OrderFlowProcess Process)> RunWithDataAsync(string? dataHome, TimeSpan limit, params string[] args)
    {
        var process = new OrderFlowProcess(dataHome, args);
        return (await process.WaitForExitAsync(limit), process);
    }

    /// <summary>Waits until a line of standard output contains <paramref name="text"/>.</summary>
    public async Task<string> WaitForLineAsync(string text, TimeSpan limit)
    {
        using var deadline = new CancellationTokenSource(limit);
        while (true)
        {
            var line = _stdout.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));
            if (line is not null) return line;
            if (_process.HasExited && _stdout.All(l => !l.Contains(text, StringComparison.Ordinal)))
                throw new InvalidOperationException($"orderflow exited ({_process.ExitCode}) without printing '{text}':\n{string.Join('\n', _stdout.Concat(_stderr))}");
            try { await _lineArrived.WaitAsync(TimeSpan.FromMilliseconds(200), deadline.Token); }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"orderflow printed no '{text}' within {limit}:\n{string.Join('\n', _stdout.Concat(_stderr))}");
            }
        }
    }

    /// <summary>The HTTP API's HOST:PORT, from the line a host prints when it is up.</summary>
    public async Task<string> QueryAddressAsync(TimeSpan limit)
    {
        var line = await WaitForLineAsync("the HTTP API (orderflow status|trades|metrics, curl) is at http://", limit);
        return line.Split("is at http://")[1].Split('/')[0];
    }

    /// <summary>Sends SIGTERM, as a service manager does.</summary>
    public void Terminate() => Process.Start("kill", ["-TERM", _process.Id.ToString()])!.WaitForExit();

    public async Task<int> WaitForExitAsync(TimeSpan limit)
    {
        using var deadline = new CancellationTokenSource(limit);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"orderflow did not exit within {limit}:\n{string.Join('\n', _stdout.Concat(_stderr))}");
        }
        _process.WaitForExit(); // flushes the redirected output
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
        _lineArrived.Dispose();
        if (_ownDataHome) Directory.Delete(_dataHome, recursive: true);
    }

    private void Collect(ConcurrentQueue<string> lines, string? line)
    {
        if (line is null) return;
        lines.Enqueue(line);
        _lineArrived.Release();
    }
}
