using System.Globalization;
using OrderFlow.Actors.Sequencing;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Metrics;

/// <summary>
/// What stretch of time the trades received cover, from the sequencer's tape events: complete from a start, up to now
/// while the tape is live (or up to the last trade while it is interrupted), minus the unrecovered gaps.
/// </summary>
public sealed class TapeCoverage
{
    private readonly List<TapeHole> _holes = new();
    private long? _from;
    private TapeInterrupted? _interruption;

    public long? From => _from;

    public bool Interrupted => _interruption is not null;

    public void Started(long fromMs)
    {
        _from ??= fromMs;
        _interruption = null;
    }

    public void Interrupt(TapeInterrupted interruption) => _interruption ??= interruption;

    public void Resume() => _interruption = null;

    /// <summary>Records a gap given up on; forgets those that ended before <paramref name="keepAfterMs"/>.</summary>
    public void Hole(TapeHole hole, long keepAfterMs)
    {
        _holes.RemoveAll(h => h.BeforeMs < keepAfterMs);
        _holes.Add(hole);
    }

    public int HolesBetween(long fromMs, long toMs)
    {
        // A loop, not Count(predicate): every snapshot asks, and a capturing lambda is an allocation per ask.
        var count = 0;
        foreach (var hole in _holes)
            if (Within(hole, fromMs, toMs)) count++;
        return count;
    }

    private static bool Within(TapeHole hole, long fromMs, long toMs) => hole.BeforeMs >= fromMs && hole.AfterMs < toMs;

    /// <summary>The share of [from, to) covered, and in words why that is not all of it.</summary>
    public (decimal Fraction, string? Missing) Measure(long fromMs, long toMs)
    {
        if (_from is not { } start) return (0m, "no trades collected yet");
        var lo = Math.Max(fromMs, start);
        var hi = _interruption is { } stop ? Math.Min(toMs, stop.LastTradeMs + 1) : toMs;
        var covered = Math.Max(0, hi - lo);
        TapeHole? firstHole = null;
        foreach (var hole in _holes)
        {
            if (!Within(hole, fromMs, toMs)) continue;
            firstHole ??= hole;
            covered -= Math.Max(0, Math.Min(hi, hole.BeforeMs + 1) - Math.Max(lo, hole.AfterMs));
        }

        var fraction = decimal.Round((decimal)Math.Max(0, covered) / (toMs - fromMs), 4, MidpointRounding.ToZero);
        if (_interruption is { } interruption && hi < toMs)
            return (fraction, $"the tape is interrupted after {Clock(interruption.LastTradeMs)} ({interruption.Why})");
        if (firstHole is not null)
            return (fraction, $"aggregate ids {firstHole.Ids.FromId}..{firstHole.Ids.ToId} are missing (an unrecovered gap after {Clock(firstHole.AfterMs)})");
        if (lo > fromMs)
            return (fraction, $"trades collected since {Clock(start)}: {Seconds(toMs - lo)} of {Seconds(toMs - fromMs)}");
        return (1m, null);
    }

    private static string Clock(long ms) =>
        DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("HH:mm:ss.fff 'UTC'", CultureInfo.InvariantCulture);

    private static string Seconds(long ms) => string.Create(CultureInfo.InvariantCulture, $"{ms / 1000}s");
}
