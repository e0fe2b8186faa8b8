using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace OrderFlow.Benchmarks;

/// <summary>
/// A throwaway PostgreSQL server for the benchmarks and the specs: Debian's binaries (.ci/run installs the postgresql
/// package when it is absent), a cluster made by initdb in a temporary directory, run as the postgres user (initdb
/// refuses root), on a free loopback port, trust authentication, gone when disposed. It can be stopped and started
/// again while in use.
/// </summary>
public sealed class ThrowawayPostgres : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("orderflow-pg-").FullName;
    private string _bin = "";

    public int Port { get; private set; }

    private string Data => Path.Combine(_directory, "data");

    /// <summary>A connection string for <paramref name="database"/> on this server.</summary>
    public string ConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Timeout=3;Command Timeout=10";

    public async Task StartClusterAsync()
    {
        _bin = Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(dir => Path.Combine(dir, "bin"))
                   .FirstOrDefault(dir => File.Exists(Path.Combine(dir, "initdb")))
               ?? throw new InvalidOperationException("PostgreSQL is not installed: apt-get install postgresql (.ci/run does)");
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await RunAsync("chown", "-R", "postgres:postgres", _directory);
        await AsPostgresAsync("initdb", "-D", Data, "-A", "trust", "-U", "postgres", "--no-sync");
        await StartAsync();
    }

    public async Task StartAsync() =>
        await AsPostgresAsync("pg_ctl", "-D", Data, "-l", Path.Combine(_directory, "server.log"), "-w", "-t", "60",
            "-o", $"-p {Port} -k {_directory} -c listen_addresses=127.0.0.1 -c fsync=off", "start");

    public async Task StopAsync() => await AsPostgresAsync("pg_ctl", "-D", Data, "-m", "fast", "-w", "stop");

    /// <summary>A fresh database, so that each spec's store starts empty.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"tape_{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await create.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try { await StopAsync(); }
        catch (InvalidOperationException) { } // already stopped
        Directory.Delete(_directory, recursive: true);
    }

    private Task AsPostgresAsync(string tool, params string[] args) => RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. args]);

    private static async Task RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited {process.ExitCode}: {await errors}{await output}");
    }
}
