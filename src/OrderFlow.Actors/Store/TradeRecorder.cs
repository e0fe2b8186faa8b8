using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Event;
using OrderFlow.Actors.Bars;
using OrderFlow.Actors.Binance;
using OrderFlow.Actors.Metrics;
using OrderFlow.Actors.Sequencing;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Streams;

namespace OrderFlow.Actors.Store;

/// <summary>
/// Writes one symbol's sequenced trades to the tape store (<c>symbol-btcusdt/recorder</c>), beside history and
/// metrics (and on a futures symbol its liquidations): what the sequencer passes on, in id order, gathered and written every flush interval, one write at a time,
/// detached from the feed. A store that is slow or away holds nothing back: the trades wait in
/// <see cref="RecorderBuffer"/> and go when it answers again; the log says when it stopped and when it came back.
/// </summary>
public sealed class TradeRecorder : ReceiveActor, IWithTimers
{
    private sealed record Flush : ILocalMessage
    {
        public static readonly Flush Instance = new();
    }

    private sealed record Written(int Trades) : ILocalMessage;

    private sealed record WriteFailed(string Problem) : ILocalMessage;

    /// <summary>Bars that became final (or came again): written with the next write.</summary>
    public sealed record RecordBars(IReadOnlyList<StoredBar> Bars) : ILocalMessage;

    /// <summary>Told to the symbol's actor after every write: its status answer's part.</summary>
    public sealed record RecordingState(TapeStoreStatus Status) : ILocalMessage;

    /// <summary>Write everything held now; answered with <see cref="RecordingFlushed"/> once it is in the store. For shutdown.</summary>
    public sealed record FlushRecording : ILocalMessage
    {
        public static readonly FlushRecording Instance = new();
    }

    public sealed record RecordingFlushed : ILocalMessage
    {
        public static readonly RecordingFlushed Instance = new();
    }


    /// <summary>At stop, the last trades are written within this (a clean shutdown loses nothing).</summary>
    private static readonly TimeSpan FinalWriteTimeout = TimeSpan.FromSeconds(3);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Symbol _symbol;
    private readonly ITapeStore _store;
    private readonly RecorderBuffer _buffer;
    private readonly TimeSpan _flushInterval;
    private readonly ConcurrentQueue<ForceOrder>? _liquidations;
    private string? _failing;
    private readonly List<IActorRef> _flushWaiters = new();

    /// <param name="liquidations">On a futures symbol, the liquidations its board took, to go with each write.</param>
    public TradeRecorder(TapeId tape, ITapeStore store, int limit, TimeSpan flushInterval, ConcurrentQueue<ForceOrder>? liquidations = null)
    {
        _symbol = tape.Symbol;
        _store = store;
        _flushInterval = flushInterval;
        _liquidations = liquidations;
        _buffer = new RecorderBuffer(tape, limit);

        Receive<TradeBatch>(batch =>
        {
            var dropped = _buffer.Dropped;
            _buffer.Add(batch.Trades.Span);
            batch.Credit?.Release();
            if (_buffer.Dropped > dropped && dropped == 0)
                _log.Error("🚫 {Symbol}: the tape store is too far behind; ids beyond what history holds are recorded as a hole", _symbol);
        });
        Receive<TapeHole>(hole => _buffer.AddHole(hole.Ids));
        Receive<RecordBars>(record => _buffer.AddBars(record.Bars));
        Receive<SymbolListing>(listing => _buffer.SetListing(listing.Listing));
        Receive<ITapeEvent>(_ => { });
        Receive<Flush>(_ =>
        {
            TakeLiquidations();
            Write();
            ScheduleFlush();
        });
        Receive<FlushRecording>(_ =>
        {
            _flushWaiters.Add(Sender);
            TakeLiquidations();
            Write();
            AnswerFlushWaiters();
        });
        Receive<Written>(written =>
        {
            _buffer.Written();
            if (_failing is not null)
                _log.Info("💾 {Symbol}: the tape store answers again; {Pending} trades still to write", _symbol, _buffer.Pending);
            _failing = null;
            ReportState();
            // More waited than one write takes (or a shutdown waits): the next goes at once.
            if (_buffer.Pending > 0 && (written.Trades > 0 || _flushWaiters.Count > 0)) Write();
            AnswerFlushWaiters();
        });
        Receive<WriteFailed>(failed =>
        {
            _buffer.WriteFailed();
            if (_failing is null)
                _log.Warning("💾 {Symbol}: could not write to the tape store ({Problem}); keeping {Pending} trades and trying again every {Interval}",
                    _symbol, failed.Problem, _buffer.Pending, HumanFormat.Duration(_flushInterval));
            _failing = failed.Problem;
            ReportState();
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(TapeId tape, ITapeStore store, int limit, TimeSpan flushInterval, ConcurrentQueue<ForceOrder>? liquidations = null) =>
        Akka.Actor.Props.Create(() => new TradeRecorder(tape, store, limit, flushInterval, liquidations));

    protected override void PreStart()
    {
        ReportState();
        ScheduleFlush();
    }

    /// <summary>The symbol's actor is told after every write, for its status answer: what waits, and why when the store fails.</summary>
    private void ReportState() => Context.Parent.Tell(new RecordingState(new TapeStoreStatus(_buffer.Pending + _buffer.InFlight, _failing, _buffer.Dropped)));

    /// <summary>
    /// At the next multiple of the flush interval on the clock: every symbol's recorder flushes at the same moment, so
    /// the store's writer finds their writes together and commits them as one (each on its own phase, a thousand
    /// symbols made a thousand commits a second).
    /// </summary>
    private void ScheduleFlush()
    {
        var interval = (long)_flushInterval.TotalMilliseconds;
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Timers.StartSingleTimer(nameof(Flush), Flush.Instance, TimeSpan.FromMilliseconds(interval - now % interval));
    }

    protected override void PostStop()
    {
        // Stopping (a clean shutdown, or the symbol removed): all that is still here is written now, write after
        // write, within a bound. A write under way finishes on its own.
        _buffer.Written();
        TakeLiquidations();
        var deadline = DateTime.UtcNow + FinalWriteTimeout;
        while (_buffer.TakeWrite() is { } last)
        {
            try
            {
                if (!_store.WriteAsync(last).Wait(Max(deadline - DateTime.UtcNow, TimeSpan.Zero)))
                {
                    _log.Warning("💾 {Symbol}: {Count} trades were not written at stop within {Timeout}", _symbol, last.Trades.Count + _buffer.Pending,
                        HumanFormat.Duration(FinalWriteTimeout));
                    return;
                }
            }
            catch (AggregateException e)
            {
                _log.Warning("💾 {Symbol}: {Count} trades were not written at stop: {Problem}", _symbol, last.Trades.Count + _buffer.Pending, e.InnerException?.Message);
                return;
            }
            _buffer.Written();
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private void AnswerFlushWaiters()
    {
        if (_buffer.Writing || _buffer.Pending > 0) return;
        foreach (var waiter in _flushWaiters) waiter.Tell(RecordingFlushed.Instance);
        _flushWaiters.Clear();
    }

    private void TakeLiquidations()
    {
        while (_liquidations?.TryDequeue(out var liquidation) == true) _buffer.AddLiquidation(liquidation);
    }

    private void Write()
    {
        if (_buffer.TakeWrite() is not { } write) return;
        _store.WriteAsync(write).PipeTo(Self, success: () => new Written(write.Trades.Count), failure: e => new WriteFailed(e.Message));
    }
}
