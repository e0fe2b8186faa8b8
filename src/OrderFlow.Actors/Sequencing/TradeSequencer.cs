using Akka.Actor;
using Akka.Event;
using OrderFlow.Actors.Binance;
using OrderFlow.Actors.Configuration;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Sequencing;

/// <summary>
/// Puts one symbol's trades in the exchange's order, each exactly once, before history and metrics see them. By
/// aggregate id: at or below the last one passed on is a duplicate (dropped, counted); above last + 1 is a gap, which
/// is filled from REST (<c>/api/v3/aggTrades?fromId=</c>, pages of 1000) while later trades are held back, so
/// downstream sees one contiguous sequence. A gap that cannot be filled within a bounded effort is recorded as
/// unrecovered and skipped. On start it first fetches the last warm-up period by time and fills forward from there
/// to the first live trade: the same mechanism, so warm-up and live join without a hole or a repeat. Lives beside the
/// StreamActor, so its place in the sequence survives reconnects.
/// Downstream also hears, in order with the trades, what they cover (<see cref="ITapeEvent"/>: from when, where a gap
/// was given up, when the tape beyond the last trade is unknown); metrics also hears the counters when they change.
/// </summary>
public sealed class TradeSequencer : ReceiveActor, IWithTimers
{
    /// <summary>A page of aggregates; <paramref name="TimeToMs"/> ends the range of a by-time request.</summary>
    private sealed record PageArrived(int Request, IReadOnlyList<AggregateTrade> Trades, int Limit, long? TimeToMs);

    private sealed record PageFailed(int Request, Exception Cause);

    private sealed record RequestPage
    {
        public static readonly RequestPage Instance = new();
    }

    private sealed record RequestWarmUp
    {
        public static readonly RequestWarmUp Instance = new();
    }

    private sealed record RequestOutageTail
    {
        public static readonly RequestOutageTail Instance = new();
    }

    private sealed record FlushCounters
    {
        public static readonly FlushCounters Instance = new();
    }

    private const string RetryTimer = "page-retry";
    private const string FlushTimer = "counters-flush";
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Symbol _symbol;
    private readonly BackfillSettings _settings;
    private readonly TimeSpan? _warmUp;
    private readonly BinanceRestClient _rest;
    private readonly IActorRef _history;
    private readonly IActorRef _metrics;
    private readonly SortedDictionary<long, AggregateTrade> _held = new();

    private long? _lastId;
    private long _lastTradeMs;
    private bool _warmingUp;
    private long? _warmUpFromMs;
    private long _byTimeFromMs;
    private long? _outageTailFromMs;
    private bool _gapGivenUp;
    private bool _tapeStarted;
    private bool _tapeInterrupted;
    private bool _streamDown;
    private bool _joinedLive;
    private bool _filling;
    private readonly List<AggregateTrade> _outgoing = new();
    private BurstCredit? _credit;
    private bool _warmUpReported;
    private bool _countersChanged;
    private int _request;
    private int _attempts;

    // The counters behind GetSequenceStats: plain fields, since Received moves on every trade.
    private long _received;
    private long _duplicatesDropped;
    private long _gapsDetected;
    private long _gapsFilled;
    private long _tradesBackfilled;
    private long _tradesWarmedUp;
    private long _gapsUnrecovered;
    private AggregateIdRange? _lastUnrecoveredGap;
    private long _malformedDropped;

    public TradeSequencer(Symbol symbol, BackfillSettings settings, TimeSpan? warmUp, BinanceRestClient rest, IActorRef history, IActorRef metrics)
    {
        _symbol = symbol;
        _settings = settings;
        _warmUp = warmUp;
        _rest = rest;
        _history = history;
        _metrics = metrics;
        InSequence();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(Symbol symbol, BackfillSettings settings, TimeSpan? warmUp, BinanceRestClient rest, IActorRef history,
        IActorRef metrics) =>
        Akka.Actor.Props.Create(() => new TradeSequencer(symbol, settings, warmUp, rest, history, metrics));

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer(FlushTimer, FlushCounters.Instance, FlushInterval);
        if (_warmUp is not { } period) return;
        _warmingUp = true;
        _log.Info("🔥 {Symbol}: warming up with the last {Period} of trades from REST", _symbol, HumanFormat.Duration(period));
        _warmUpFromMs = _byTimeFromMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (long)period.TotalMilliseconds;
        RequestWarmUpPage();
        Filling();
    }

    /// <summary>Asks for the trades since <see cref="_byTimeFromMs"/>: where the warm-up, or the last by-time page that
    /// found nothing, left off.</summary>
    private void RequestWarmUpPage()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Request(_rest.AggTradesFromTimeAsync(_symbol, _byTimeFromMs, now), BinanceRestClient.MaxAggTradesPerCall, now);
    }

    private void InSequence()
    {
        _filling = false;
        Become(CommonReceives);
    }

    /// <summary>A live trade, in whichever state the sequencer is when it comes to it (a batch may change it).</summary>
    private void OnLiveTrade(AggregateTrade trade)
    {
        if (!Accept(trade)) return;
        if (_filling)
        {
            _held[trade.AggregateId] = trade;
            if (_held.Count > _settings.MaxHeld) GiveUp($"more than {_settings.MaxHeld} trades held back while waiting");
            return;
        }
        if (_lastId is null && _warmUpFromMs is not null)
        {
            // A warm-up that found nothing proved the tape empty only up to its request: fetch what happened
            // between then and this first live trade.
            _held[trade.AggregateId] = trade;
            _warmingUp = true;
            RequestWarmUpPage();
            Filling();
            return;
        }
        if (_lastId is not { } last || trade.AggregateId == last + 1)
        {
            if (_tapeInterrupted) ResumeTape();
            _joinedLive = true;
            PassOn(trade);
            return;
        }
        _held[trade.AggregateId] = trade;
        if (_joinedLive) StartFillingGap();
        else JoinWarmUpToLive();
    }

    /// <summary>Fetching from REST (a warm-up or a gap) while live trades are held back.</summary>
    private void Filling()
    {
        _filling = true;
        Become(() =>
        {
            Receive<RequestPage>(_ => RequestNextPage());
            Receive<RequestWarmUp>(_ => RequestWarmUpPage());
            Receive<RequestOutageTail>(_ => RequestOutageTailPage());
            Receive<PageArrived>(page => page.Request == _request, OnPage);
            Receive<PageFailed>(failure => failure.Request == _request, failure => OnPageFailed(failure.Cause));
            Receive<PageArrived>(_ => { });
            Receive<PageFailed>(_ => { });
            CommonReceives();
        });
    }

    private void CommonReceives()
    {
        Receive<TradeBatch>(batch =>
        {
            if (TryPassOnWhole(batch)) return;
            _credit = batch.Credit;
            foreach (ref readonly var trade in batch.Trades.Span) OnLiveTrade(trade);
        });
        Receive<GetSequenceStats>(_ => Sender.Tell(Counters()));
        Receive<MalformedFrameDropped>(_ =>
        {
            _malformedDropped++;
            _countersChanged = true;
        });
        Receive<FlushCounters>(_ => TellChangedCounters());
        Receive<StreamInterrupted>(interrupted =>
        {
            _streamDown = true;
            InterruptTape($"stream interrupted: {interrupted.Reason}");
        });
    }

    private SequenceStats Counters() => new(_symbol, _received, _duplicatesDropped, _gapsDetected, _gapsFilled, _tradesBackfilled,
        _tradesWarmedUp, _gapsUnrecovered, _lastUnrecoveredGap, _malformedDropped, _lastId,
        _lastId is null ? null : DateTimeOffset.FromUnixTimeMilliseconds(_lastTradeMs));

    private void TellChangedCounters()
    {
        if (!_countersChanged) return;
        _countersChanged = false;
        _metrics.Tell(Counters());
    }

    /// <summary>
    /// The usual case, in one step and without a copy: in sequence, nothing held, and the batch is exactly the next
    /// ids. Anything else goes trade by trade.
    /// </summary>
    private bool TryPassOnWhole(TradeBatch batch)
    {
        if (_filling || _lastId is not { } last || !_tapeStarted || _tapeInterrupted || _held.Count > 0 || _outgoing.Count > 0) return false;
        var trades = batch.Trades.Span;
        if (trades.IsEmpty || !AreNextAfter(last, trades)) return false;
        _received += trades.Length;
        _streamDown = false;
        _joinedLive = true;
        _lastId = last + trades.Length;
        _lastTradeMs = trades[^1].TradeTimeMs;
        Send(batch);
        return true;
    }

    /// <summary>Whether <paramref name="trades"/> are exactly the ids after <paramref name="lastId"/>, in order.</summary>
    public static bool AreNextAfter(long lastId, ReadOnlySpan<AggregateTrade> trades)
    {
        for (var i = 0; i < trades.Length; i++)
            if (trades[i].AggregateId != lastId + 1 + i) return false;
        return true;
    }

    /// <summary>Counts the trade, and drops it if it was already passed on or is already held.</summary>
    private bool Accept(AggregateTrade trade)
    {
        _received++;
        _streamDown = false;
        if (trade.AggregateId <= _lastId || _held.ContainsKey(trade.AggregateId))
        {
            _duplicatesDropped++;
            _countersChanged = true;
            return false;
        }
        return true;
    }

    private void StartTape(long fromMs)
    {
        _tapeStarted = true;
        _tapeInterrupted = false;
        Tell(new TapeStarted(_symbol, fromMs));
    }

    private void InterruptTape(string why)
    {
        if (!_tapeStarted || _tapeInterrupted) return;
        _tapeInterrupted = true;
        Tell(new TapeInterrupted(_symbol, _lastTradeMs, why));
    }

    private void ResumeTape()
    {
        _tapeInterrupted = false;
        TellChangedCounters();
        Tell(new TapeResumed(_symbol));
    }

    /// <summary>
    /// The first live trade is ahead of the warm-up's last: the trades in between happened while the warm-up was
    /// answered. Fetching them is still the warm-up, not a gap.
    /// </summary>
    private void JoinWarmUpToLive()
    {
        _warmingUp = true;
        _attempts = 0;
        RequestNextPage();
        Filling();
    }

    private void StartFillingGap()
    {
        var gapEnd = _held.Keys.First();
        _gapsDetected++;
        _gapGivenUp = false;
        _countersChanged = true;
        InterruptTape($"filling a gap of {gapEnd - _lastId - 1} trades from REST");
        _log.Warning("🕳 {Symbol}: gap in aggregate ids {FromId}..{ToId} ({Missing} trades); backfilling from REST",
            _symbol, _lastId + 1, gapEnd - 1, gapEnd - _lastId - 1);
        _attempts = 0;
        var outage = _held[gapEnd].TradeTimeMs - _lastTradeMs;
        if (_warmUp is { } period && outage > period.TotalMilliseconds)
        {
            // After a long outage only the last warm-up period is fetched (by time), as at start; what came before it
            // is recorded as missing rather than paged through at the cost of the REST budget and held memory.
            _log.Warning("🕳 {Symbol}: the gap spans {Outage}, more than the warm-up; fetching its last {Period} only",
                _symbol, HumanFormat.Duration(TimeSpan.FromMilliseconds(outage)), HumanFormat.Duration(period));
            _outageTailFromMs = _held[gapEnd].TradeTimeMs - (long)period.TotalMilliseconds;
            RequestOutageTailPage();
        }
        else RequestNextPage();
        Filling();
    }

    private void RequestOutageTailPage() =>
        Request(_rest.AggTradesFromTimeAsync(_symbol, _outageTailFromMs!.Value, _held.First().Value.TradeTimeMs), BinanceRestClient.MaxAggTradesPerCall);

    private void RequestNextPage()
    {
        var fromId = _lastId!.Value + 1;
        var limit = _held.Count == 0
            ? BinanceRestClient.MaxAggTradesPerCall
            : (int)Math.Min(BinanceRestClient.MaxAggTradesPerCall, _held.Keys.First() - fromId);
        Request(_rest.AggTradesFromIdAsync(_symbol, fromId, limit), limit);
    }

    private void Request(Task<IReadOnlyList<AggregateTrade>> page, int limit, long? timeToMs = null)
    {
        var request = ++_request;
        page.PipeTo(Self,
            success: trades => new PageArrived(request, trades, limit, timeToMs),
            failure: error => new PageFailed(request, error));
    }

    private void OnPage(PageArrived page)
    {
        if (_outageTailFromMs is { } tailFrom)
        {
            // The tail of a long outage: everything before its first trade is given up on.
            _outageTailFromMs = null;
            var resume = page.Trades.FirstOrDefault(t => t.AggregateId > _lastId && t.AggregateId < _held.Keys.First());
            var (resumeId, resumeMs) = resume.AggregateId > 0 ? (resume.AggregateId, resume.TradeTimeMs) : (_held.Keys.First(), _held.First().Value.TradeTimeMs);
            if (resumeId > _lastId + 1)
                RecordUnrecovered(resumeId, resumeMs, $"the outage outlasted the warm-up; trades before {DateTimeOffset.FromUnixTimeMilliseconds(tailFrom):HH:mm:ss} UTC were not fetched");
        }

        var passed = 0;
        foreach (var trade in page.Trades)
        {
            if (trade.AggregateId <= _lastId) continue;
            if ((_lastId is { } last && trade.AggregateId != last + 1) || (_held.Count > 0 && trade.AggregateId >= _held.Keys.First())) break;
            PassOn(trade);
            passed++;
        }
        if (_warmingUp) _tradesWarmedUp += passed;
        else _tradesBackfilled += passed;

        if (_lastId is null && page.TimeToMs is { } searchedTo)
        {
            // Nothing passed on yet: REST has no trade from _byTimeFromMs to searchedTo before the first live one. If
            // the page reached that live trade (in ids or in time), nothing precedes it and the sequence starts there;
            // if no live trade waits, the tape is empty so far; otherwise search on from where this page ended.
            _byTimeFromMs = searchedTo;
            if (_held.Count == 0) CaughtUp();
            else if (page.Trades.Count > 0 || searchedTo >= _held.First().Value.TradeTimeMs)
            {
                _lastId = _held.Keys.First() - 1;
                ReleaseHeld();
            }
            else RequestWarmUpPage();
            return;
        }
        if (_held.Count > 0 && _lastId + 1 == _held.Keys.First())
        {
            // Joined the live trades (or the warm-up found nothing before them).
            if (!_warmingUp && !_gapGivenUp)
            {
                _gapsFilled++;
                _countersChanged = true;
                _log.Info("🩹 {Symbol}: gap closed; {Backfilled} trades backfilled in all", _symbol, _tradesBackfilled);
            }
            ReleaseHeld();
        }
        else if (_held.Count == 0 && (passed == 0 || page.Trades.Count < page.Limit))
        {
            CaughtUp(); // REST has nothing newer, and no live trade waits
        }
        else if (passed > 0)
        {
            _attempts = 0;
            RequestNextPage();
        }
        else
        {
            OnPageFailed(new RestException($"REST has no aggregate {_lastId + 1} yet"));
        }
    }

    private void OnPageFailed(Exception cause)
    {
        var heldBack = cause is RestException { HeldBack: true };
        if (!heldBack && ++_attempts >= _settings.MaxAttempts)
        {
            GiveUp(cause.Message);
            return;
        }
        var delay = cause is RestException { RetryAfter: { } wait } && wait > _settings.RetryDelay ? wait : _settings.RetryDelay;
        if (!heldBack)
            _log.Warning("🕳 {Symbol}: REST attempt {Attempt}/{MaxAttempts} failed: {Problem}; retrying in {Delay}",
                _symbol, _attempts, _settings.MaxAttempts, cause.Message, HumanFormat.Duration(delay));
        // A warm-up whose first page failed starts over by time; anything else goes on from the last id passed on.
        Timers.StartSingleTimer(RetryTimer,
            _lastId is null ? RequestWarmUp.Instance : _outageTailFromMs is not null ? RequestOutageTail.Instance : RequestPage.Instance, delay);
    }

    private void GiveUp(string problem)
    {
        Timers.Cancel(RetryTimer);
        if (_held.Count == 0 || _lastId is null)
        {
            // Only the warm-up is incomplete: no gap in what was passed on, and the tape starts with the live trades.
            _warmUpFromMs = null;
            _log.Warning("🔥 {Symbol}: warm-up incomplete ({Problem}); going on from the live stream", _symbol, problem);
            if (_held.Count == 0) CaughtUp();
            else
            {
                _lastId = _held.Keys.First() - 1;
                ReleaseHeld();
            }
            return;
        }

        _outageTailFromMs = null;
        var gapEnd = _held.Keys.First();
        RecordUnrecovered(gapEnd, _held[gapEnd].TradeTimeMs, problem);
        ReleaseHeld();
    }

    /// <summary>Gives up on the ids from the last one passed on up to <paramref name="resumeId"/>, and says so.</summary>
    private void RecordUnrecovered(long resumeId, long resumeMs, string problem)
    {
        _log.Error("🚫 {Symbol}: gap {FromId}..{ToId} ({Missing} trades) is unrecovered: {Problem}",
            _symbol, _lastId + 1, resumeId - 1, resumeId - _lastId - 1, problem);
        _gapsUnrecovered++;
        _gapGivenUp = true;
        _countersChanged = true;
        _lastUnrecoveredGap = new AggregateIdRange(_lastId!.Value + 1, resumeId - 1);
        if (_tapeStarted) Tell(new TapeHole(_symbol, _lastUnrecoveredGap, _lastTradeMs, resumeMs));
        _lastId = resumeId - 1;
    }

    /// <summary>Passes on the held trades that now follow in sequence; a further hole among them is a new gap.</summary>
    private void ReleaseHeld()
    {
        while (_held.Count > 0)
        {
            var (id, trade) = _held.First();
            if (id != _lastId + 1) break;
            _held.Remove(id);
            _joinedLive = true;
            PassOn(trade);
        }

        if (_held.Count == 0) CaughtUp();
        else StartFillingGap();
    }

    private void CaughtUp()
    {
        if (_warmingUp)
        {
            // The join to the live stream, when it comes after, only adds the few trades made meanwhile.
            if (_warmUpReported) _log.Debug("🔥 {Symbol}: warm-up joined to the live stream ({WarmedUp} trades)", _symbol, _tradesWarmedUp);
            else _log.Info("🔥 {Symbol}: warmed up with {WarmedUp} trades from REST", _symbol, _tradesWarmedUp);
            _warmUpReported = true;
        }
        _warmingUp = false;
        if (!_tapeStarted && _warmUpFromMs is { } from)
        {
            // A warm-up that found no trade still proves the tape empty since its start.
            _lastTradeMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            StartTape(from);
        }
        if (_tapeInterrupted && !_streamDown) ResumeTape();
        InSequence();
    }

    private void PassOn(AggregateTrade trade)
    {
        // The tape starts at the warm-up's start time, or else at the first trade passed on.
        if (!_tapeStarted) StartTape(_warmUpFromMs ?? trade.TradeTimeMs);
        _lastId = trade.AggregateId;
        _lastTradeMs = trade.TradeTimeMs;
        _outgoing.Add(trade);
    }

    /// <summary>Whatever a message passed on goes downstream as one batch when the message is done.</summary>
    protected override bool AroundReceive(Receive receive, object message)
    {
        try
        {
            return base.AroundReceive(receive, message);
        }
        finally
        {
            // The burst's credit goes with the batch it became, to be released by history and metrics once applied;
            // a burst that passed nothing on (repeats, or trades held for a gap) releases it now. Always: a credit
            // never released would stop the socket's reader for good.
            var credit = _credit;
            _credit = null;
            if (!FlushOutgoing(credit)) credit?.Release();
        }
    }

    private bool FlushOutgoing(BurstCredit? credit = null)
    {
        if (_outgoing.Count == 0) return false;
        var batch = new TradeBatch(_symbol, _outgoing.ToArray(), credit);
        _outgoing.Clear();
        Send(batch);
        return true;
    }

    private void Send(TradeBatch batch)
    {
        batch.Credit?.ShareWith(2);
        TellChangedCounters();
        _history.Tell(batch);
        _metrics.Tell(batch);
    }

    /// <summary>History and metrics hear the trades and the tape events in the same order.</summary>
    private void Tell(object message)
    {
        FlushOutgoing();
        _history.Tell(message);
        _metrics.Tell(message);
    }
}
