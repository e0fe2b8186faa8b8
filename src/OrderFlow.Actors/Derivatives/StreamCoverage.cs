using Akka.Event;
using OrderFlow.Actors.Store;

namespace OrderFlow.Actors.Derivatives;

/// <summary>
/// A market-wide stream's coverage as it happens: the <see cref="ConnectedSpans"/> the answers read, and with a tape
/// store each span written there too (when it opens, as it grows, when it closes), so a replay knows what its recorded
/// liquidations covered. A write that fails is said once in the log; the next one tries again.
/// </summary>
public sealed class StreamCoverage(ConnectedSpans spans, ITapeStore? store, string recordedAs, ILoggingAdapter log)
{
    private long? _since;
    private bool _failing;

    public void Connected(long nowMs)
    {
        spans.Connected(nowMs);
        _since ??= nowMs;
        Record(nowMs);
    }

    /// <summary>Still connected: the open span is written up to now.</summary>
    public void StillConnected(long nowMs) => Record(nowMs);

    public void Disconnected(long nowMs)
    {
        spans.Disconnected(nowMs);
        Record(nowMs);
        _since = null;
    }

    private void Record(long nowMs)
    {
        if (store is null || _since is not { } since) return;
        store.WriteConnectedSpanAsync(recordedAs, since, nowMs).ContinueWith(write =>
        {
            if (write.IsFaulted && !_failing) log.Warning("💾 {Stream}: could not record its coverage ({Problem}); trying again", recordedAs, write.Exception?.GetBaseException().Message);
            _failing = write.IsFaulted;
        }, TaskScheduler.Default);
    }
}
