using System.Globalization;
using Microsoft.AspNetCore.Http;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Bars;

namespace OrderFlow.Host.Api;

/// <summary>
/// A request's query string, read strictly: a parameter the route does not take, given twice, or out of its range is
/// a <see cref="BadParameterException"/> naming it, never ignored or guessed at.
/// </summary>
public static class QueryParameters
{
    public static void Check(IQueryCollection query, params string[] allowed)
    {
        foreach (var (name, values) in query)
        {
            if (name == ApiKeys.QueryParameter) continue;
            if (!allowed.Contains(name))
                throw new BadParameterException(name, allowed.Length == 0 ? $"'{name}': this route takes no parameter"
                    : $"'{name}' is not a parameter of this route; it takes {string.Join(", ", allowed)}");
            if (values.Count != 1) throw new BadParameterException(name, $"'{name}' is given {values.Count} times");
        }
    }

    public static long? Long(string name, string? text, long min, long max)
    {
        if (text is null) return null;
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw new BadParameterException(name, $"{name}={text}: use a whole number from {min} to {max}");
        return value;
    }

    public static int? Int(string name, string? text, int min, int max) => (int?)Long(name, text, min, max);

    public static DateTimeOffset? Time(string name, string? text)
    {
        if (text is null) return null;
        return TimeText.TryParse(text, DateTimeOffset.UtcNow, out var at) ? at
            : throw new BadParameterException(name, $"{name}={text}: use {TimeText.Forms}");
    }

    public static TimeSpan? Duration(string name, string? text, TimeSpan min)
    {
        if (text is null) return null;
        return DurationText.TryParse(text, out var span) && span >= min ? span
            : throw new BadParameterException(name, $"{name}={text}: use a duration of at least {DurationText.Format(min)}, such as 1s, 5m or 1h");
    }

    /// <summary>A bar interval (<c>1m</c>, <c>1000t</c>, <c>50v</c>), or null when not given.</summary>
    public static BarInterval? Interval(string name, string? text)
    {
        if (text is null) return null;
        return Protocol.Bars.BarInterval.TryParse(text, out var interval)
            ? interval
            : throw new BadParameterException(name, $"{name}={text}: use a time interval (1m, 1h), a tick bar's aggregates (1000t) or a volume bar's volume (50v)");
    }

    /// <summary>The route's symbol (Kestrel leaves an escaped slash escaped in a route value).</summary>
    public static Symbol Symbol(string text) =>
        Protocol.Symbol.TryParse(Uri.UnescapeDataString(text), out var symbol, out var error) ? symbol : throw new BadParameterException("symbol", error);
}

public sealed class BadParameterException(string parameter, string message) : Exception(message)
{
    public string Parameter { get; } = parameter;
}
