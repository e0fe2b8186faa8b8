using System.Globalization;
using OrderFlow.Protocol.Metrics;

namespace OrderFlow.Actors.Derivatives;

/// <summary>
/// When a market-wide stream was connected, by the service's clock: the coverage of what it carries, since such a
/// stream has no sequence to find a hole by. Written by the stream's actor, read by every snapshot of the market's
/// symbols (any thread), so it locks. Spans older than <see cref="Kept"/> are forgotten.
/// </summary>
public sealed class ConnectedSpans(string stream)
{
    public static readonly TimeSpan Kept = TimeSpan.FromDays(2);

    private readonly Lock _lock = new();
    private readonly List<(long From, long To)> _closed = new();
    private long? _openSince;

    public string Stream => stream;

    public void Connected(long nowMs)
    {
        lock (_lock) _openSince ??= nowMs;
    }

    /// <summary>A span it was connected, as the store recorded it (a replay's, or a restart's); overlaps count once.</summary>
    public void Add(long fromMs, long toMs)
    {
        lock (_lock)
            if (toMs > fromMs) _closed.Add((fromMs, toMs));
    }

    public void Disconnected(long nowMs)
    {
        lock (_lock)
        {
            if (_openSince is not { } since) return;
            _openSince = null;
            _closed.RemoveAll(span => span.To < nowMs - (long)Kept.TotalMilliseconds);
            if (nowMs > since) _closed.Add((since, nowMs));
        }
    }

    /// <summary>
    /// The share of [from, to) the stream was connected since <paramref name="followedFromMs"/> (when the symbol asking
    /// began to be followed: nothing before reached it), while it is connected now on to the window's end, and in words
    /// the first stretch it was not.
    /// </summary>
    public WindowCoverage Measure(long fromMs, long toMs, long followedFromMs = long.MinValue)
    {
        lock (_lock)
        {
            var start = Math.Max(fromMs, followedFromMs);
            long covered = 0, reached = start;
            (long From, long? To)? gap = null;
            // In time order, each counted from where the last left off: spans restored from the store may overlap live ones.
            foreach (var (from, to) in Spans(toMs).OrderBy(span => span.From))
            {
                var (lo, hi) = (Math.Max(from, start), Math.Min(to, toMs));
                if (hi <= Math.Max(lo, reached)) continue;
                if (lo > reached) gap ??= (reached, lo);
                covered += hi - Math.Max(lo, reached);
                reached = hi;
            }
            if (reached < toMs) gap ??= (reached, null);
            var why = new List<string>();
            if (start > fromMs) why.Add($"liquidations followed since {Clock(start)}");
            if (gap is { } first)
                why.Add(first.To is { } back
                    ? $"{stream} was not connected from {Clock(first.From)} to {Clock(back)}"
                    : $"{stream} was not connected after {Clock(first.From)}");
            if (why.Count == 0) return new WindowCoverage(true, 1m, null);
            return new WindowCoverage(false, decimal.Round((decimal)covered / (toMs - fromMs), 4, MidpointRounding.ToZero), string.Join("; ", why));
        }
    }

    private IEnumerable<(long From, long To)> Spans(long toMs)
    {
        foreach (var span in _closed) yield return span;
        if (_openSince is { } since) yield return (since, toMs);
    }

    private static string Clock(long ms) =>
        DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("HH:mm:ss.fff 'UTC'", CultureInfo.InvariantCulture);
}
