using System.Diagnostics;
using Akka.Event;
using OrderFlow.Protocol;

namespace OrderFlow.Actors.Connection;

/// <summary>
/// Every line a connection logs: what happens to the socket as a whole (its streams log their own symbol's lines
/// too). One per <see cref="ConnectionActor"/>.
/// </summary>
internal sealed class ConnectionLog(ILoggingAdapter log, string connection)
{
    private static readonly TimeSpan MalformedWarningInterval = TimeSpan.FromSeconds(10);
    private long _malformedSinceWarning;
    private long _lastMalformedWarningAt;

    public void Opening(int streams, Uri uri)
    {
        log.Info("🔌 {Connection}: opening with {Streams} stream(s)", connection, streams);
        log.Debug("{Connection} URI: {Uri}", connection, uri);
    }

    public void Waiting(string why, TimeSpan wait, int streams) =>
        log.Warning("⏳ {Connection}: {Why}; its {Streams} stream(s) wait {Wait}", connection, why, streams, HumanFormat.Duration(wait));

    public void Connected(TimeSpan elapsed, int streams) =>
        log.Info("🔗 {Connection}: upgraded in {ElapsedMs} ms, carrying {Streams} stream(s)", connection, (long)elapsed.TotalMilliseconds, streams);

    public void Failed(string reason) => log.Error("❌ {Connection}: {Reason}", connection, reason);

    public void HoldingEveryConnection(TimeSpan wait, string reason) =>
        log.Warning("🛑 {Connection}: {Reason}: every connection attempt waits {Wait}, since Binance limits per IP",
            connection, reason, HumanFormat.Duration(wait));

    public void Ended(string reason, int streams) =>
        log.Error("❌ {Connection} ended: {Reason}; its {Streams} stream(s) reconnect", connection, reason, streams);

    public void Sending(string request) => log.Debug("{Connection} → {Request}", connection, request);

    public void RequestRefused(long id, string problem) => log.Error("❌ {Connection}: request {RequestId} refused: {Problem}", connection, id, problem);

    public void ServerShutdown(int streams) =>
        log.Warning("🔁 {Connection}: the server announced a shutdown; opening a replacement for its {Streams} stream(s)", connection, streams);

    public void Rotating(TimeSpan age) =>
        log.Info("🔁 {Connection}: the connection is {Age} old; opening its replacement before Binance's 24-hour cut",
            connection, HumanFormat.Duration(age));

    public void WaitingForReplacement(string why, TimeSpan wait) =>
        log.Warning("⏳ {Connection}: {Why}; the replacement opens in {Wait}", connection, why, HumanFormat.Duration(wait));

    public void OpeningReplacement(string why, int streams) =>
        log.Info("🔌 {Connection}: opening a replacement ({Why}) with {Streams} stream(s); the current socket streams meanwhile", connection, why, streams);

    public void ReplacementConnected(TimeSpan elapsed) =>
        log.Info("🔗 {Connection}: replacement upgraded in {ElapsedMs} ms; switching over at its first trade", connection, (long)elapsed.TotalMilliseconds);

    public void ReplacementTimedOut(TimeSpan after) =>
        log.Warning("⏱ {Connection}: the replacement's upgrade timed out after {After}", connection, HumanFormat.Duration(after));

    public void ReplacementFailed(string reason) => log.Error("❌ {Connection}: replacement failed: {Reason}", connection, reason);

    public void KeepingCurrent(TimeSpan delay) =>
        log.Warning("⚠️ {Connection}: keeping the current socket; the replacement is tried again in {Delay}", connection, HumanFormat.Duration(delay));

    public void SwitchedOver(TimeSpan overlap) =>
        log.Info("🔀 {Connection}: switched to the replacement {Overlap} after opening it; closing the old socket",
            connection, HumanFormat.Duration(overlap));

    public void Empty() => log.Debug("{Connection}: no streams left; stopping", connection);

    public void Closing(int streams) => log.Debug("{Connection}: closing with {Streams} stream(s)", connection, streams);

    public void ClosedCleanly() => log.Info("🔒 {Connection} closed cleanly", connection);

    public void ClosedWithoutCloseFrame() => log.Warning("🔒 {Connection} closed without the server's close frame", connection);

    /// <summary>A frame naming no symbol on a shared connection: warned about at most once per ten seconds.</summary>
    public void Malformed(string problem)
    {
        _malformedSinceWarning++;
        var now = Stopwatch.GetTimestamp();
        if (_lastMalformedWarningAt != 0 && Stopwatch.GetElapsedTime(_lastMalformedWarningAt, now) < MalformedWarningInterval) return;
        log.Warning("🧪 {Connection}: dropped {Dropped} malformed frame(s) naming no stream; latest: {Problem}", connection, _malformedSinceWarning, problem);
        _malformedSinceWarning = 0;
        _lastMalformedWarningAt = now;
    }
}
