using Akka.Actor;
using Akka.Event;
using OrderFlow.Actors.Bars;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Sequencing;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Bars;
using OrderFlow.Protocol.Metrics;
using OrderFlow.Protocol.Streams;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Metrics;

/// <summary>
/// One symbol's order-flow metrics over the configured rolling windows (see <see cref="RollingOrderFlow"/>), kept on
/// its <see cref="MetricsBoard"/>, which this actor alone writes. Fed by the sequencer: trades in exchange order, the
/// tape events that say what they cover, and the sequencing counters. Logs its shortest window once per summary
/// interval.
/// </summary>
public sealed class MetricsActor : ReceiveActor, IWithTimers
{
    private sealed record LogSummary : ILocalMessage
    {
        public static readonly LogSummary Instance = new();
    }

    /// <summary>A quiet symbol's bar is final by the clock: looked at every second.</summary>
    private sealed record BarClock : ILocalMessage
    {
        public static readonly BarClock Instance = new();
    }

    /// <summary>Told to the symbol's actor, which announces and records them: the bars that became final (or came again).</summary>
    public sealed record BarsFinal(IReadOnlyList<StoredBar> Bars) : ILocalMessage;

    private static readonly TimeSpan BarClockInterval = TimeSpan.FromSeconds(1);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly TimeSpan _summaryInterval;

    public MetricsActor(MetricsBoard board, TimeSpan summaryInterval, Func<DateTimeOffset> clock)
    {
        _summaryInterval = summaryInterval;
        Receive<TradeBatch>(batch =>
        {
            try
            {
                board.Add(batch.Trades.Span);
            }
            finally
            {
                batch.Credit?.Release();
            }
            AnnounceFinalBars(board, clock);
        });
        Receive<ITapeEvent>(tape =>
        {
            board.Apply(tape);
            AnnounceFinalBars(board, clock);
        });
        Receive<BarClock>(_ => AnnounceFinalBars(board, clock));
        Receive<BarsFromStore>(stored => board.Restore(stored.Bars));
        Receive<SequenceStats>(board.Count);
        Receive<SymbolListing>(listing => board.SetListing(listing.Listing));
        Receive<LogSummary>(_ =>
        {
            if (board.Read(board.ShortestWindow, clock().ToUnixTimeMilliseconds()) is MetricsSnapshot snapshot) Log(snapshot);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(MetricsBoard board, TimeSpan summaryInterval, Func<DateTimeOffset>? clock = null) =>
        Akka.Actor.Props.Create(() => new MetricsActor(board, summaryInterval, clock ?? (() => DateTimeOffset.UtcNow)));

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer("summary", LogSummary.Instance, _summaryInterval);
        Timers.StartPeriodicTimer("bars", BarClock.Instance, BarClockInterval);
    }

    private static void AnnounceFinalBars(MetricsBoard board, Func<DateTimeOffset> clock)
    {
        if (board.TakeFinalBars(clock().ToUnixTimeMilliseconds()) is { Count: > 0 } final) Context.Parent.Tell(new BarsFinal(final));
    }

    private void Log(MetricsSnapshot m)
    {
        if (m.TradeCount == 0 || m.Vwap is not { } vwap)
        {
            _log.Info("📐 {Symbol} {Window}: no trades ({Readiness})", m.Symbol, HumanFormat.Window(m.Window), Readiness(m));
            return;
        }
        var flow = $"{m.TradeCount} trades, delta {HumanFormat.Signed(m.Delta)} ({m.DeltaPercent * 100:0.0}%)";
        var price = $"VWAP {HumanFormat.Money(decimal.Round(vwap.Vwap, 2))} σ {HumanFormat.Money(decimal.Round(vwap.StdDev, 2))}, " +
                    $"POC {HumanFormat.Money(m.Profile!.PointOfControl)} VA {HumanFormat.Money(m.Profile.ValueAreaLow)}–{HumanFormat.Money(m.Profile.ValueAreaHigh)}";
        var cvd = $"CVD {HumanFormat.Signed(m.Cvd.Value)} since {m.Cvd.Anchor:HH:mm} UTC" +
                  (m.Cvd.Complete ? "" : $" (counted from {m.Cvd.CountedFrom:HH:mm:ss})");
        _log.Info("📐 {Symbol} {Window}: {Flow}, {Price}, {Cvd}; {Readiness}", m.Symbol, HumanFormat.Window(m.Window), flow, price, cvd, Readiness(m));
    }

    private static string Readiness(MetricsSnapshot m) => m.Ready ? "ready" : $"not ready: {m.Coverage.NotReadyBecause}";
}
