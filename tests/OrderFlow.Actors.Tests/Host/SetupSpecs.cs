using System.Diagnostics;
using Xunit;

namespace OrderFlow.Actors.Tests.Host;

/// <summary>The README's setup line, run as a new user runs it (into a tool folder of its own instead of the global one).</summary>
public sealed class SetupSpecs : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(6);
    private readonly string _tools = Directory.CreateTempSubdirectory("orderflow-tool-").FullName;

    public void Dispose() => Directory.Delete(_tools, recursive: true);

    [Fact]
    public async Task The_readmes_setup_line_installs_an_orderflow_command()
    {
        var root = RepositoryRoot();
        var line = File.ReadLines(Path.Combine(root, "README.md")).Single(l => l.StartsWith("dotnet pack src/OrderFlow.Host", StringComparison.Ordinal));
        Assert.Contains("dotnet tool update --global --add-source artifacts orderflow", line);
        var asTested = line.Replace("-o artifacts", $"-o {_tools}/artifacts").Replace("--global --add-source artifacts", $"--tool-path {_tools} --add-source {_tools}/artifacts");

        Assert.Equal(0, await RunAsync("bash", root, "-c", asTested));
        var command = Path.Combine(_tools, "orderflow");
        Assert.True(File.Exists(command), $"no {command}");
        Assert.Equal(0, await RunAsync(command, root, "--help"));
    }

    private static async Task<int> RunAsync(string file, string directory, params string[] args)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = Task.WhenAll(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
        using var deadline = new CancellationTokenSource(Limit);
        await process.WaitForExitAsync(deadline.Token);
        var (stdout, stderr) = ((await output)[0], (await output)[1]);
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)} exited {process.ExitCode}:\n{stdout}\n{stderr}");
        return process.ExitCode;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "OrderFlow.Actors.sln"))) return dir.FullName;
        throw new InvalidOperationException("the tests run outside the repository");
    }
}
