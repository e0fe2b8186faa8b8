using System.Globalization;

namespace OrderFlow.Actors.Configuration;

/// <summary>HOCON durations as this project writes them: a whole number and a unit (ms, s, m, h, d).</summary>
public static class Durations
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        var trimmed = text.Trim();
        var split = 0;
        while (split < trimmed.Length && (char.IsAsciiDigit(trimmed[split]) || trimmed[split] is '-' or '.')) split++;
        if (!double.TryParse(trimmed[..split], NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint,
                CultureInfo.InvariantCulture, out var amount)) return false;
        double? milliseconds = trimmed[split..].Trim() switch
        {
            "ms" or "millis" or "milliseconds" => amount,
            "s" or "second" or "seconds" => amount * 1000,
            "m" or "minute" or "minutes" => amount * 60_000,
            "h" or "hour" or "hours" => amount * 3_600_000,
            "d" or "day" or "days" => amount * 86_400_000,
            _ => null,
        };
        if (milliseconds is not { } ms || double.IsInfinity(ms) || Math.Abs(ms) > TimeSpan.MaxValue.TotalMilliseconds / 2) return false;
        value = TimeSpan.FromMilliseconds(ms);
        return true;
    }
}
