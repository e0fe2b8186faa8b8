using System.Diagnostics;
using System.Text.Json;

namespace OrderFlow.Client;

/// <summary>
/// Where a running host listens, in a file of its own (<c>orderflow/hosts/PID.json</c> in the user's data
/// directory) from its start to its stop: the CLI and planners on the same machine read it, so <c>orderflow status</c> finds a host
/// on whatever ports it got (a demo on free ones) without a flag.
/// </summary>
public sealed record HostEndpoints(int Pid, string Http, string Akka, DateTimeOffset Started)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string Folder => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify),
        "orderflow", "hosts");

    private string FilePath => Path.Combine(Folder, $"{Pid}.json");

    /// <summary>Written whole or not at all (a reader never sees half a file).</summary>
    public void Write()
    {
        Directory.CreateDirectory(Folder);
        var temporary = FilePath + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, Json));
        File.Move(temporary, FilePath, overwrite: true);
    }

    public void Delete() => File.Delete(FilePath);

    /// <summary>The most recently started host on this machine that still runs, if any.</summary>
    public static HostEndpoints? FindRunning()
    {
        if (!Directory.Exists(Folder)) return null;
        return Directory.EnumerateFiles(Folder, "*.json").Select(Read).OfType<HostEndpoints>().Where(Runs).MaxBy(host => host.Started);
    }

    private static HostEndpoints? Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<HostEndpoints>(File.ReadAllText(path), Json);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>A host killed with -9 leaves its file behind: only a live process counts.</summary>
    private static bool Runs(HostEndpoints host)
    {
        try
        {
            using var process = Process.GetProcessById(host.Pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
