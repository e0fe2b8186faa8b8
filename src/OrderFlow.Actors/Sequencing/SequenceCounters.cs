using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Sequencing;

/// <summary>
/// The counters behind GetSequenceStats. Those that tell metrics about the tape's quality (duplicates, malformed
/// frames, gaps) mark them changed, so metrics hears them soon; the per-trade counts are read when asked.
/// </summary>
internal sealed class SequenceCounters(Symbol symbol)
{
    private bool _changed;
    private long _duplicatesDropped;
    private long _malformedDropped;
    private long _gapsDetected;
    private long _gapsFilled;
    private long _gapsUnrecovered;
    private AggregateIdRange? _lastUnrecoveredGap;

    public long Received;
    public long TradesBackfilled;
    public long TradesWarmedUp;

    public void Duplicate() => Mark(ref _duplicatesDropped);

    public void Malformed() => Mark(ref _malformedDropped);

    public void GapDetected() => Mark(ref _gapsDetected);

    public void GapFilled() => Mark(ref _gapsFilled);

    public AggregateIdRange Unrecovered(AggregateIdRange ids)
    {
        Mark(ref _gapsUnrecovered);
        return _lastUnrecoveredGap = ids;
    }

    /// <summary>Whether a quality counter changed since <see cref="TakeChanged"/> last said so.</summary>
    public bool Changed => _changed;

    /// <summary>Whether a quality counter changed since the last call.</summary>
    public bool TakeChanged()
    {
        var changed = _changed;
        _changed = false;
        return changed;
    }

    public SequenceStats Snapshot(long? lastId, long lastTradeMs) => new(symbol, Received, _duplicatesDropped, _gapsDetected, _gapsFilled,
        TradesBackfilled, TradesWarmedUp, _gapsUnrecovered, _lastUnrecoveredGap, _malformedDropped, lastId,
        lastId is null ? null : DateTimeOffset.FromUnixTimeMilliseconds(lastTradeMs));

    private void Mark(ref long counter)
    {
        counter++;
        _changed = true;
    }
}
