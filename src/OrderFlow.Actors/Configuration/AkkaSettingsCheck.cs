using System.Globalization;
using System.Text.RegularExpressions;
using Akka.Configuration;

namespace OrderFlow.Actors.Configuration;

/// <summary>
/// Checks the <c>akka.*</c> values a user set against the kind of value Akka's own defaults have there (a duration, a
/// flag, a number, a log level). Akka reads them only as the actor system starts, where a bad one is a hosting failure
/// with a stack trace; here it is one line naming the file, line and key.
/// </summary>
internal static partial class AkkaSettingsCheck
{
    private static readonly string[] LogLevels = ["DEBUG", "INFO", "WARNING", "ERROR", "OFF"];
    private static readonly string[] Flags = ["on", "off", "true", "false", "yes", "no"];
    private static readonly Lazy<Config> AkkaDefaults = new(() =>
        ConfigurationFactory.Default().WithFallback(ConfigurationFactory.FromResource<Akka.Remote.RemoteActorRefProvider>("Akka.Remote.Configuration.Remote.conf")));

    public static void Check(Config config, IEnumerable<string> keysSet, Func<string, string> where)
    {
        foreach (var key in keysSet.Where(key => key.StartsWith("akka.", StringComparison.Ordinal)))
        {
            if (ValueOf(config, key) is not { } raw) continue; // an object or a list: Akka's to read
            var problem = key is "akka.loglevel" or "akka.stdout-loglevel"
                ? LogLevels.Contains(raw, StringComparer.OrdinalIgnoreCase) ? null : $"must be one of {string.Join(", ", LogLevels)}"
                : ValueOf(AkkaDefaults.Value, key) is { } standard ? Mismatch(config, key, raw, standard) : null;
            if (problem is not null) throw new ConfigurationException($"{where(key)}: {key} = {raw}: {problem}");
        }
    }

    private static string? Mismatch(Config config, string key, string raw, string standard)
    {
        if (standard == "infinite" || DurationPattern().IsMatch(standard))
            return IsDuration(config, key) ? null : $"must be a duration such as {standard} (Akka's default)";
        if (Flags.Contains(standard, StringComparer.OrdinalIgnoreCase))
            return Flags.Contains(raw.Trim(), StringComparer.OrdinalIgnoreCase) ? null : $"must be on or off (Akka's default: {standard})";
        if (NumberPattern().IsMatch(standard))
            return double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out _) ? null : $"must be a number such as {standard} (Akka's default)";
        return null;
    }

    private static bool IsDuration(Config config, string key)
    {
        try
        {
            config.GetTimeSpan(key, null, allowInfinite: true);
            return true;
        }
        catch (Exception e) when (e is FormatException or OverflowException or Akka.Configuration.ConfigurationException)
        {
            return false;
        }
    }

    private static string? ValueOf(Config config, string key)
    {
        try { return config.HasPath(key) && config.GetValue(key) is { } value && value.IsString() ? value.GetString() : null; }
        catch (Exception) { return null; }
    }

    [GeneratedRegex(@"^\d+(\.\d+)?\s*(ns|us|ms|s|m|h|d|nanos?|micros?|millis?|milliseconds?|seconds?|minutes?|hours?|days?)$")]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"^-?\d+(\.\d+)?$")]
    private static partial Regex NumberPattern();
}
