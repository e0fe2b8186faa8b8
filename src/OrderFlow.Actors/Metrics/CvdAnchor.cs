using System.Globalization;

namespace OrderFlow.Actors.Metrics;

/// <summary>
/// Where cumulative volume delta starts counting: every day at a UTC time of day (00:00 by default: the UTC day), or
/// from one fixed instant. The same day's CVD changes sign depending on this, so it is reported with the value.
/// </summary>
public sealed record CvdAnchor
{
    private const long DayMs = 86_400_000;

    private CvdAnchor(TimeSpan? dailyAt, DateTimeOffset? since)
    {
        DailyAt = dailyAt;
        Since = since;
    }

    public static CvdAnchor UtcDay { get; } = new(TimeSpan.Zero, null);

    public TimeSpan? DailyAt { get; }

    public DateTimeOffset? Since { get; }

    /// <summary>"utc-day", a UTC time of day "HH:mm" (a session start), or an ISO-8601 instant.</summary>
    public static bool TryParse(string text, out CvdAnchor anchor)
    {
        anchor = UtcDay;
        var trimmed = text.Trim();
        if (trimmed == "utc-day") return true;
        if (TimeSpan.TryParseExact(trimmed, @"hh\:mm", CultureInfo.InvariantCulture, out var timeOfDay))
        {
            anchor = new CvdAnchor(timeOfDay, null);
            return true;
        }
        if (trimmed.Contains('T') && DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant))
        {
            anchor = new CvdAnchor(null, instant);
            return true;
        }
        return false;
    }

    /// <summary>The latest anchor at or before <paramref name="timeMs"/>.</summary>
    public long AnchorFor(long timeMs)
    {
        if (Since is { } since) return since.ToUnixTimeMilliseconds();
        var offset = (long)DailyAt!.Value.TotalMilliseconds;
        return Floor.Divide(timeMs - offset, DayMs) * DayMs + offset;
    }

    /// <summary>The first anchor after <paramref name="timeMs"/> (never, for a fixed instant).</summary>
    public long NextAfter(long timeMs) => Since is null ? AnchorFor(timeMs) + DayMs : long.MaxValue;
}
