using System.Diagnostics;
using Akka.Event;
using OrderFlow.Actors.Configuration;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Streams;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Connection;

/// <summary>
/// Every line a symbol's stream logs, in the seed's wording, and the counters only the log shows (trades since the
/// last summary, malformed frames since the last warning). One per <see cref="StreamActor"/>.
/// </summary>
internal sealed class StreamLog(ILoggingAdapter log, Symbol symbol, StreamSettings settings)
{
    private static readonly TimeSpan MalformedWarningInterval = TimeSpan.FromSeconds(10);

    private long _tradesSinceSummary;
    private long _tradesTotal;
    private Fixed8 _lastPrice;
    private long _malformedTotal;
    private long _malformedSinceWarning;
    private long _lastMalformedWarningAt;

    public void Attempting(Uri uri, string connection, int attempt)
    {
        log.Info("🔌 Attempting to connect to {Symbol} aggTrades stream...", symbol);
        log.Info("URI: {Uri} ({Connection})", uri, connection);
        log.Info("Connecting {Symbol} (attempt {Attempt}/{MaxAttempts})...", symbol, attempt, settings.MaxAttempts);
    }

    public void Connected(TimeSpan elapsed, int attempt) =>
        log.Info("🐋 Connected to {Symbol} aggTrades stream in {ElapsedMs} ms (attempt {Attempt}/{MaxAttempts})",
            symbol, (long)elapsed.TotalMilliseconds, attempt, settings.MaxAttempts);

    public void Waiting(string why, TimeSpan wait) =>
        log.Warning("⏳ {Symbol} waits {Wait}: {Why}", symbol, HumanFormat.Duration(wait), why);

    public void ConnectionError(string reason) => log.Error("❌ Connection error for {Symbol}: {Reason}", symbol, reason);

    public void TimedOut(TimeoutPhase phase, TimeSpan after) =>
        log.Warning("⏱ Connection timeout for {Symbol} after {After} (phase: {Phase})", symbol, HumanFormat.Duration(after), phase.ToWireName());

    public void Retrying(int nextAttempt, TimeSpan delay) =>
        log.Warning("⚠️ {Symbol} aggTrades connection closed, retrying ({Attempt}/{MaxAttempts}) in {Delay}...",
            symbol, nextAttempt, settings.MaxAttempts, HumanFormat.Duration(delay));

    public void GaveUp(int failures) =>
        log.Error("🧯 {Symbol}: {Attempts} connection attempts failed in a row; handing over to the supervisor", symbol, failures);

    public void ClosedCleanly() => log.Info("🔒 {Symbol} aggTrades stream closed cleanly", symbol);

    public void ClosedWithoutCloseFrame() => log.Warning("🔒 {Symbol} aggTrades stream closed without the server's close frame", symbol);

    public void LetGo() =>
        log.Info("🔒 {Symbol} aggTrades stream closed (its connection unsubscribes it, or closes if it carried nothing else)", symbol);

    public void ServerShutdown() => log.Warning("🔁 {Symbol}: the server announced a shutdown; opening a replacement connection", symbol);

    // ---- make before break ----

    public void ReplacementConnected(Uri uri) =>
        log.Info("🐋 Connected to {Symbol} aggTrades stream (replacement connection {Uri}; switching over at its first trade)", symbol, uri);

    public void ReplacementTimedOut(TimeSpan after) =>
        log.Warning("⏱ Connection timeout for {Symbol} after {After} (phase: connect, replacement connection)", symbol, HumanFormat.Duration(after));

    public void ReplacementError(string reason) => log.Error("❌ Connection error for {Symbol}: {Reason} (replacement connection)", symbol, reason);

    // ---- what streamed ----

    /// <summary>A burst's trades, counted once; only the first few of a connection (<paramref name="before"/> so far) are logged one by one.</summary>
    public void Trades(ReadOnlySpan<AggregateTrade> trades, long before)
    {
        for (var i = 0; i < trades.Length && before + i < settings.TradesLoggedPerConnection; i++)
        {
            var trade = trades[i];
            log.Info("📊 Trade #{TradeNumber}: {Side} {Quantity} @ ${Price} (${Notional})",
                before + i + 1, trade.Side == AggressorSide.Buy ? "BUY" : "SELL", trade.Quantity,
                HumanFormat.Money(trade.Price.ToDecimal()), HumanFormat.Money(decimal.Round(trade.Notional, 2)));
        }
        _tradesSinceSummary += trades.Length;
        _tradesTotal += trades.Length;
        _lastPrice = trades[^1].Price;
    }

    /// <summary>A dropped frame: warned about at most once per ten seconds, with the count since the last warning.</summary>
    public void Malformed(string problem)
    {
        _malformedTotal++;
        _malformedSinceWarning++;
        var now = Stopwatch.GetTimestamp();
        if (_lastMalformedWarningAt != 0 && Stopwatch.GetElapsedTime(_lastMalformedWarningAt, now) < MalformedWarningInterval) return;
        log.Warning("🧪 {Symbol}: dropped {Dropped} malformed frame(s) ({MalformedTotal} since this stream started); latest: {Problem}",
            symbol, _malformedSinceWarning, _malformedTotal, problem);
        _malformedSinceWarning = 0;
        _lastMalformedWarningAt = now;
    }

    public void Summary()
    {
        if (_tradesSinceSummary > 0)
            log.Info("📈 {Symbol}: {Trades} trades in the last {Interval}, last price ${Price}, {TradesTotal} since start",
                symbol, _tradesSinceSummary, HumanFormat.Duration(settings.SummaryInterval), HumanFormat.Money(_lastPrice.ToDecimal()), _tradesTotal);
        else
            log.Info("💤 {Symbol}: no trades in the last {Interval}", symbol, HumanFormat.Duration(settings.SummaryInterval));
        _tradesSinceSummary = 0;
    }
}
