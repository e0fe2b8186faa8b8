using System.Globalization;

namespace OrderFlow.Protocol;

/// <summary>
/// Durations as traders write them, and as every JSON document of this service carries them: a number and a unit
/// (<c>250ms</c>, <c>30s</c>, <c>5m</c>, <c>1h</c>, <c>1d</c>). <see cref="Format"/> picks the largest unit that
/// holds the value whole, so it reads back exactly (a fraction of a millisecond as <c>215.5ms</c>).
/// </summary>
public static class DurationText
{
    public static string Format(TimeSpan span)
    {
        var ticks = span.Ticks;
        if (ticks != 0)
        {
            if (ticks % TimeSpan.TicksPerDay == 0) return Whole(ticks / TimeSpan.TicksPerDay, "d");
            if (ticks % TimeSpan.TicksPerHour == 0) return Whole(ticks / TimeSpan.TicksPerHour, "h");
            if (ticks % TimeSpan.TicksPerMinute == 0) return Whole(ticks / TimeSpan.TicksPerMinute, "m");
            if (ticks % TimeSpan.TicksPerSecond == 0) return Whole(ticks / TimeSpan.TicksPerSecond, "s");
        }
        return ((decimal)ticks / TimeSpan.TicksPerMillisecond).ToString("0.####", CultureInfo.InvariantCulture) + "ms";
    }

    /// <summary>A number (fractions allowed) and one of ms, s, m, h, d; anything else is false.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out TimeSpan value)
    {
        value = default;
        var unitAt = text.Length;
        while (unitAt > 0 && char.IsAsciiLetterLower(text[unitAt - 1])) unitAt--;
        long ticksPerUnit = text[unitAt..] switch
        {
            "ms" => TimeSpan.TicksPerMillisecond,
            "s" => TimeSpan.TicksPerSecond,
            "m" => TimeSpan.TicksPerMinute,
            "h" => TimeSpan.TicksPerHour,
            "d" => TimeSpan.TicksPerDay,
            _ => 0,
        };
        if (ticksPerUnit == 0 || unitAt == 0 || !decimal.TryParse(text[..unitAt], NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint,
                CultureInfo.InvariantCulture, out var amount)) return false;
        var ticks = amount * ticksPerUnit;
        if (ticks != decimal.Truncate(ticks) || Math.Abs(ticks) > TimeSpan.MaxValue.Ticks) return false;
        value = TimeSpan.FromTicks((long)ticks);
        return true;
    }

    private static string Whole(long amount, string unit) => amount.ToString(CultureInfo.InvariantCulture) + unit;
}
