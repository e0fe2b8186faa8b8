using Akka.Actor;
using Akka.Event;
using OrderFlow.Actors.Bars;
using OrderFlow.Actors.Binance;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Store;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Bars;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Sequencing;

/// <summary>
/// Where a sequencer starts from when there is a tape store: its tape's trades of the last <paramref name="Span"/> (from
/// the open of the longest time bar then under way, so that bar is rebuilt whole), at most <paramref name="Max"/>, and
/// the newest <paramref name="BarsKept"/> stored bars of each of its <paramref name="BarSeries"/>.
/// </summary>
public sealed record TapeAtStart(ITapeStore Store, TapeId Tape, TimeSpan Span, int Max, IReadOnlyList<BarInterval> BarSeries, int BarsKept)
{
    public long ReadsFromMs(long nowMs) => ReadsFromMs(nowMs, Span, [.. BarSeries.Select(series => series.Span).OfType<TimeSpan>()]);

    /// <summary><paramref name="span"/> before now, moved back to the open of the longest bar interval's bar then under way.</summary>
    public static long ReadsFromMs(long nowMs, TimeSpan span, IReadOnlyList<TimeSpan> barIntervals)
    {
        var fromMs = nowMs - (long)span.TotalMilliseconds;
        if (barIntervals.Count == 0) return fromMs;
        var longest = (long)barIntervals.Max().TotalMilliseconds;
        return fromMs - (fromMs % longest + longest) % longest;
    }
}

/// <summary>
/// Puts one symbol's trades in the exchange's order, each exactly once, before history and metrics see them: the
/// decisions are <see cref="TradeSequence"/>'s; this actor carries them out (REST pages, the retry timer, telling
/// history and metrics) and hands it what comes back. Lives beside the StreamActor under the symbol's actor, so its
/// place in the sequence survives reconnects. Downstream hears, in order with the trades, what they cover
/// (<see cref="ITapeEvent"/>); metrics also hears the counters when they change.
/// </summary>
public sealed class TradeSequencer : ReceiveActor, IWithTimers
{
    private sealed record PageArrived(int Request, IReadOnlyList<AggregateTrade> Trades) : ILocalMessage;

    private sealed record PageFailed(int Request, Exception Cause) : ILocalMessage;

    private sealed record StoreRead(StoredTape Tape, IReadOnlyList<StoredBar> Bars) : ILocalMessage;

    private sealed record StoreReadFailed(string Problem) : ILocalMessage;

    private sealed record RetryPage : ILocalMessage
    {
        public static readonly RetryPage Instance = new();
    }

    private sealed record FlushCounters : ILocalMessage
    {
        public static readonly FlushCounters Instance = new();
    }

    private const string RetryTimer = "page-retry";
    private const string FlushTimer = "counters-flush";
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);

    private readonly Symbol _symbol;
    private readonly BinanceRestClient _rest;
    private readonly IActorRef _history;
    private readonly IActorRef _metrics;
    private readonly TapeAtStart? _start;
    private readonly IActorRef? _recorder;
    private readonly TradeSequence _sequence;
    private BurstCredit? _credit;

    /// <param name="start">The tape store's recent tape to start from, when there is a store.</param>
    /// <param name="recorder">Where every trade passed on is also written, when there is a store.</param>
    public TradeSequencer(Symbol symbol, BackfillSettings settings, TimeSpan? warmUp, BinanceRestClient rest, IActorRef history, IActorRef metrics,
        TapeAtStart? start = null, IActorRef? recorder = null)
    {
        _symbol = symbol;
        _rest = rest;
        _history = history;
        _metrics = metrics;
        _start = start;
        _recorder = recorder;
        _sequence = new TradeSequence(symbol, settings, warmUp, Context.GetLogger());

        Receive<TradeBatch>(batch =>
        {
            if (_sequence.TryPassOnWhole(batch.Trades.Span))
            {
                // Exactly the next ids: on as they came, without a copy.
                Act();
                Send(batch);
                return;
            }
            _credit = batch.Credit;
            _sequence.Take(batch.Trades.Span);
        });
        Receive<PageArrived>(page => _sequence.OnPage(page.Request, page.Trades));
        Receive<PageFailed>(failure => _sequence.OnPageFailed(failure.Request, failure.Cause));
        Receive<RetryPage>(_ => _sequence.Retry());
        Receive<GetSequenceStats>(_ => Sender.Tell(_sequence.Counters()));
        Receive<MalformedFrameDropped>(_ => _sequence.Malformed());
        Receive<FlushCounters>(_ => _sequence.ReportDueCounters());
        Receive<StreamInterrupted>(interrupted => _sequence.StreamInterrupted(interrupted.Reason));
        Receive<StreamResumed>(_ => _sequence.StreamResumed());
        Receive<StoreRead>(read =>
        {
            // The stored bars before the stored trades: metrics sets them up first, then skips what they hold.
            if (read.Bars.Count > 0) _metrics.Tell(new BarsFromStore(read.Bars));
            _sequence.StartFromStore(read.Tape);
        });
        Receive<StoreReadFailed>(failed =>
        {
            Context.GetLogger().Warning("💾 {Symbol}: could not read the tape store ({Problem}); warming up from REST instead", _symbol, failed.Problem);
            _sequence.StartFromStore(new StoredTape([], 0));
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(Symbol symbol, BackfillSettings settings, TimeSpan? warmUp, BinanceRestClient rest, IActorRef history,
        IActorRef metrics, TapeAtStart? start = null, IActorRef? recorder = null) =>
        Akka.Actor.Props.Create(() => new TradeSequencer(symbol, settings, warmUp, rest, history, metrics, start, recorder));

    protected override void PreStart()
    {
        if (_start is { } start)
        {
            // The store first; REST only for what it lacks. Live trades wait meanwhile.
            _sequence.AwaitStore();
            ReadAtStartAsync(start, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).PipeTo(Self, failure: e => new StoreReadFailed(e.Message));
            return;
        }
        _sequence.Start();
        Act();
    }

    private static async Task<StoreRead> ReadAtStartAsync(TapeAtStart start, long nowMs)
    {
        var tape = await start.Store.ReadRecentAsync(start.Tape, start.ReadsFromMs(nowMs), start.Max).ConfigureAwait(false);
        var bars = new List<StoredBar>();
        foreach (var interval in start.BarSeries)
            bars.AddRange(await start.Store.ReadBarsAsync(start.Tape, interval, long.MaxValue, start.BarsKept).ConfigureAwait(false));
        return new StoreRead(tape, bars);
    }

    /// <summary>What a message decided is carried out when the message is done.</summary>
    protected override bool AroundReceive(Receive receive, object message)
    {
        try
        {
            return base.AroundReceive(receive, message);
        }
        finally
        {
            // The burst's credit goes with the last batch it became, to be released by history and metrics once
            // applied; a burst that passed nothing on (repeats, or trades held for a gap) releases it now. Always: a
            // credit never released would stop the socket's reader for good.
            var credit = _credit;
            _credit = null;
            if (!Act(credit)) credit?.Release();
            // A counter that changed without being reported (the trades received, between gaps) goes within the
            // flush interval: one tick a second while trades flow, none on a quiet symbol.
            if (_sequence.HasUnreportedCounters && !Timers.IsTimerActive(FlushTimer))
                Timers.StartSingleTimer(FlushTimer, FlushCounters.Instance, FlushInterval);
        }
    }

    /// <summary>Carries out the sequence's decisions in order; says whether <paramref name="credit"/> went with a batch.</summary>
    private bool Act(BurstCredit? credit = null)
    {
        var actions = _sequence.TakeActions();
        var lastBatch = actions.FindLastIndex(action => action is PassOn);
        for (var i = 0; i < actions.Count; i++)
        {
            switch (actions[i])
            {
                case PassOn passOn: Send(new TradeBatch(_symbol, passOn.Trades, i == lastBatch ? credit : null), record: !passOn.FromStore); break;
                case Announce announce:
                    _history.Tell(announce.Event);
                    _metrics.Tell(announce.Event);
                    if (announce.Event is TapeHole) _recorder?.Tell(announce.Event);
                    break;
                case ReportCounters report:
                    _metrics.Tell(report.Counters);
                    Context.Parent.Tell(report.Counters); // the symbol's status answer
                    break;
                case FetchPage page: Fetch(page); break;
                case RetryLater retry: Timers.StartSingleTimer(RetryTimer, RetryPage.Instance, retry.Delay); break;
            }
        }
        actions.Clear();
        return lastBatch >= 0 && credit is not null;
    }

    private void Fetch(FetchPage page)
    {
        var request = page.Request;
        var trades = page.FromId is { } fromId
            ? _rest.AggTradesFromIdAsync(_symbol, fromId, page.Limit, page.TradesWaiting)
            : _rest.AggTradesFromTimeAsync(_symbol, page.FromMs, page.ToMs, page.Limit, page.TradesWaiting);
        trades.PipeTo(Self,
            success: received => new PageArrived(request, received),
            failure: error => new PageFailed(request, error));
    }

    private void Send(TradeBatch batch, bool record = true)
    {
        var recorder = record ? _recorder : null;
        batch.Credit?.ShareWith(recorder is null ? 2 : 3);
        _history.Tell(batch);
        _metrics.Tell(batch);
        recorder?.Tell(batch);
    }
}
