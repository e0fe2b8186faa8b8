using System.Globalization;

namespace OrderFlow.Protocol;

/// <summary>A moment as a user gives one: ISO-8601 (<c>2026-11-24T09:30:00Z</c>, UTC unless it says), epoch milliseconds, or a duration ago (<c>5m</c>).</summary>
public static class TimeText
{
    public const string Forms = "an ISO-8601 time (2026-11-24T09:30:00Z), epoch milliseconds, or a duration ago (5m)";

    public static bool TryParse(string? text, DateTimeOffset now, out DateTimeOffset at)
    {
        at = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
        {
            if (ms > 253_402_300_799_999) return false;
            at = DateTimeOffset.FromUnixTimeMilliseconds(ms);
            return true;
        }
        if (DurationText.TryParse(text, out var ago))
        {
            if (ago <= TimeSpan.Zero || ago > now - DateTimeOffset.UnixEpoch) return false;
            at = now - ago;
            return true;
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out at);
    }
}
