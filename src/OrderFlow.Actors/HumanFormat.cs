using System.Globalization;

namespace OrderFlow.Actors;

/// <summary>How figures read in logs and the console: money with thousands separators, durations short.</summary>
public static class HumanFormat
{
    /// <summary>91350 → "91,350.00"; 0.00001234 → "0.00001234" (never rounds a price away).</summary>
    public static string Money(decimal value) =>
        value == decimal.Round(value, 2)
            ? value.ToString("#,##0.00", CultureInfo.InvariantCulture)
            : value.ToString("#,##0.########", CultureInfo.InvariantCulture);

    /// <summary>"10s", "2.5s", "800ms".</summary>
    public static string Duration(TimeSpan span) =>
        span.TotalSeconds >= 1
            ? span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + "s"
            : ((int)span.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";

    /// <summary>A window's length as it is configured and as JSON carries it: "2s", "1m", "15m", "1h", "90s".</summary>
    public static string Window(TimeSpan span) => Protocol.DurationText.Format(span);

    /// <summary>A signed quantity: "+3.2", "-0.5".</summary>
    public static string Signed(decimal value) =>
        value.ToString("+#,##0.########;-#,##0.########;0", CultureInfo.InvariantCulture);
}
