using Akka.Event;
using OrderFlow.Actors.Configuration;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Sequencing;

/// <summary>
/// The sequencing decisions for one symbol, with no I/O: takes live trades, REST pages and retries, and says what to
/// do (<see cref="ISequencerAction"/>s: pass these trades on, announce this tape event, fetch this page, retry later).
/// By aggregate id: at or below the last one passed on is a duplicate (dropped, counted); above last + 1 is a gap,
/// filled from REST while later trades are held back, so downstream sees one contiguous sequence. A gap that cannot
/// be filled within a bounded effort is recorded as unrecovered and skipped. At start it fetches the last warm-up
/// period by time and fills forward from there to the first live trade: the same mechanism, so warm-up and live join
/// without a hole or a repeat. After an outage longer than the warm-up, only its last warm-up period is fetched.
/// </summary>
public sealed partial class TradeSequence
{
    private enum Retrying { None, Page, WarmUp, OutageTail }

    private const string WarmingUp = "warming up from REST";

    private readonly Symbol _symbol;
    private readonly BackfillSettings _settings;
    private readonly TimeSpan? _warmUp;
    private readonly ILoggingAdapter _log;
    private readonly Func<long> _nowMs;
    private readonly SortedDictionary<long, AggregateTrade> _held = new();
    private readonly List<AggregateTrade> _outgoing = new();
    private readonly List<ISequencerAction> _actions = new();
    private readonly SequenceCounters _counters;

    private long? _lastId;
    private long _lastTradeMs;
    private bool _filling;
    private bool _warmingUp;
    private bool _warmUpReported;
    private long? _warmUpFromMs;
    private long _byTimeFromMs;
    private long? _outageTailFromMs;
    private bool _gapGivenUp;
    private bool _joinedLive;
    private bool _streamDown;
    /// <summary>Fetching what happened while the stream was down; it counts as a gap only once REST shows one.</summary>
    private bool _catchingUp;
    /// <summary>The catch-up found trades: a gap, closed when the fetching is done.</summary>
    private bool _catchUpGap;
    private long? _streamDownSinceMs;
    private readonly TapeState _tape = new();
    private bool _outgoingFromStore;

    // The page asked for: its number, its limit, and (by time) where its range ends.
    private int _request;
    private int _requestLimit;
    private long? _requestToMs;
    /// <summary>The by-time page asked for ends before now (a range is at most an hour): REST may hold more after it.</summary>
    private bool _requestEndsBeforeNow;
    private int _attempts;
    private Retrying _retry;

    public TradeSequence(Symbol symbol, BackfillSettings settings, TimeSpan? warmUp, ILoggingAdapter log, Func<long>? nowMs = null)
    {
        _symbol = symbol;
        _settings = settings;
        _warmUp = warmUp;
        _log = log;
        _nowMs = nowMs ?? (() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        _counters = new SequenceCounters(symbol);
    }

    /// <summary>The counters behind GetSequenceStats, as of now.</summary>
    public SequenceStats Counters() => _counters.Snapshot(_lastId, _lastTradeMs);

    /// <summary>What was decided since the last call, in order; the list is reused.</summary>
    public List<ISequencerAction> TakeActions()
    {
        FlushOutgoing();
        return _actions;
    }

    /// <summary>At start: the warm-up, when there is one.</summary>
    public void Start()
    {
        if (_warmUp is not { } period) return;
        _warmingUp = true;
        _log.Info("🔥 {Symbol}: warming up with the last {Period} of trades from REST", _symbol, HumanFormat.Duration(period));
        _warmUpFromMs = _byTimeFromMs = _nowMs() - (long)period.TotalMilliseconds;
        RequestWarmUpPage();
        _filling = true;
    }

    /// <summary>
    /// The usual case, in one step and without a copy: in sequence, nothing held, and the trades are exactly the next
    /// ids. Then the caller passes them on as they came (after any <see cref="TakeActions"/>); otherwise it calls
    /// <see cref="Take"/>.
    /// </summary>
    public bool TryPassOnWhole(ReadOnlySpan<AggregateTrade> trades)
    {
        if (_filling || _lastId is not { } last || !_tape.Started || _tape.Interrupted || _held.Count > 0 || _outgoing.Count > 0) return false;
        if (trades.IsEmpty || !AreNextAfter(last, trades)) return false;
        _counters.Received += trades.Length;
        _streamDown = false;
        _joinedLive = true;
        _lastId = last + trades.Length;
        _lastTradeMs = trades[^1].TradeTimeMs;
        ReportChangedCounters();
        return true;
    }

    /// <summary>Whether <paramref name="trades"/> are exactly the ids after <paramref name="lastId"/>, in order.</summary>
    public static bool AreNextAfter(long lastId, ReadOnlySpan<AggregateTrade> trades)
    {
        for (var i = 0; i < trades.Length; i++)
            if (trades[i].AggregateId != lastId + 1 + i) return false;
        return true;
    }

    /// <summary>Live trades, one by one, in whichever state the sequence is when it comes to each (one may change it).</summary>
    public void Take(ReadOnlySpan<AggregateTrade> trades)
    {
        foreach (ref readonly var trade in trades) OnLiveTrade(trade);
    }

    public void Malformed() => _counters.Malformed();

    public void StreamInterrupted(string reason)
    {
        // From the first failure since the stream was last on: a late trade from the old connection does not move it.
        _streamDownSinceMs ??= _nowMs();
        _streamDown = true;
        InterruptTape($"stream interrupted: {reason}");
    }

    /// <summary>
    /// The stream is on again after an interruption: what happened meanwhile is fetched by id now. Waiting for the
    /// next live trade to show the gap would leave a quiet symbol's windows short for minutes.
    /// </summary>
    public void StreamResumed()
    {
        _streamDown = false;
        var downSince = _streamDownSinceMs;
        _streamDownSinceMs = null;
        if (_filling || _lastId is null || _held.Count > 0 || !_tape.Interrupted) return;
        // After an outage longer than the warm-up, the next live trade starts the bounded fetch of its last warm-up
        // period instead (see StartFillingGap): paging through all of it by id would cost the REST budget.
        if (_warmUp is { } period && _nowMs() - (downSince ?? _nowMs()) > period.TotalMilliseconds) return;
        _catchingUp = true;
        _attempts = 0;
        _filling = true;
        RequestNextPage();
    }

    /// <summary>A counter changed (a quality counter, or only the trades received) and has not been reported yet.</summary>
    public bool HasUnreportedCounters => _counters.Changed || _counters.Received != _reportedReceived;

    private long _reportedReceived;

    /// <summary>The counters are reported as soon as a quality counter changes (a gap, a duplicate): said at once.</summary>
    public void ReportChangedCounters()
    {
        if (_counters.TakeChanged()) Report();
    }

    /// <summary>The counters are reported if anything changed, the trades received included: within the flush interval.</summary>
    public void ReportDueCounters()
    {
        if (_counters.TakeChanged() || _counters.Received != _reportedReceived) Report();
    }

    private void Report()
    {
        _reportedReceived = _counters.Received;
        _actions.Add(new ReportCounters(Counters()));
    }

    /// <summary>The answer to the <see cref="FetchPage"/> numbered <paramref name="request"/>; a stale one is ignored.</summary>
    public void OnPage(int request, IReadOnlyList<AggregateTrade> page)
    {
        if (!_filling || request != _request) return;
        PageArrived(page);
    }

    public void OnPageFailed(int request, Exception cause)
    {
        if (!_filling || request != _request) return;
        PageFailed(cause);
    }

    /// <summary>The pause of a <see cref="RetryLater"/> is over.</summary>
    public void Retry()
    {
        var retry = _retry;
        _retry = Retrying.None;
        if (!_filling) return;
        switch (retry)
        {
            case Retrying.Page: RequestNextPage(); break;
            case Retrying.WarmUp: RequestWarmUpPage(); break;
            case Retrying.OutageTail: RequestOutageTailPage(); break;
        }
    }

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
            _filling = true;
            return;
        }
        if (_lastId is not { } last || trade.AggregateId == last + 1)
        {
            if (_tape.Interrupted) ResumeTape();
            _joinedLive = true;
            PassOnOne(trade);
            return;
        }
        _held[trade.AggregateId] = trade;
        if (_joinedLive) StartFillingGap();
        else JoinWarmUpToLive();
    }

    /// <summary>Counts the trade, and drops it if it was already passed on or is already held.</summary>
    private bool Accept(AggregateTrade trade)
    {
        _counters.Received++;
        _streamDown = false;
        if (trade.AggregateId <= _lastId || _held.ContainsKey(trade.AggregateId))
        {
            _counters.Duplicate();
            return false;
        }
        return true;
    }

    /// <summary>
    /// The first live trade is ahead of the warm-up's last: the trades in between happened while the warm-up was
    /// answered. Fetching them is still the warm-up, not a gap.
    /// </summary>
    private void JoinWarmUpToLive()
    {
        _warmingUp = true;
        InterruptTape(WarmingUp);
        _attempts = 0;
        RequestNextPage();
        _filling = true;
    }

    private void StartFillingGap()
    {
        var gapEnd = _held.Keys.First();
        _counters.GapDetected();
        _gapGivenUp = false;
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
        _filling = true;
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
            PassOnOne(trade);
        }

        if (_held.Count == 0) CaughtUp();
        else StartFillingGap();
    }

    private void CaughtUp()
    {
        if (_warmingUp)
        {
            // The join to the live stream, when it comes after, only adds the few trades made meanwhile.
            if (_warmUpReported) _log.Debug("🔥 {Symbol}: warm-up joined to the live stream ({WarmedUp} trades)", _symbol, _counters.TradesWarmedUp);
            else _log.Info("🔥 {Symbol}: warmed up with {WarmedUp} trades from REST", _symbol, _counters.TradesWarmedUp);
            _warmUpReported = true;
        }
        _warmingUp = false;
        if (!_tape.Started && _warmUpFromMs is { } from)
        {
            // A warm-up that found no trade still proves the tape empty since its start.
            _lastTradeMs = _nowMs();
            StartTape(from);
        }
        if (_tape.Interrupted && !_streamDown) ResumeTape();
        _filling = false;
    }

    // ---- downstream ----

    private void PassOnOne(AggregateTrade trade)
    {
        // The tape starts at the warm-up's start time, or else at the first trade passed on.
        if (!_tape.Started) StartTape(_warmUpFromMs ?? trade.TradeTimeMs);
        _lastId = trade.AggregateId;
        _lastTradeMs = trade.TradeTimeMs;
        _outgoing.Add(trade);
    }

    private void StartTape(long fromMs)
    {
        _tape.Start();
        Tell(new TapeStarted(_symbol, fromMs));
    }

    private void InterruptTape(string why)
    {
        if (!_tape.TryInterrupt()) return;
        Tell(new TapeInterrupted(_symbol, _lastTradeMs, why));
    }

    private void ResumeTape()
    {
        _tape.Resume();
        ReportChangedCounters();
        Tell(new TapeResumed(_symbol));
    }

    /// <summary>The trades passed on so far go before <paramref name="tapeEvent"/>, so downstream hears both in order.</summary>
    private void Tell(ITapeEvent tapeEvent)
    {
        FlushOutgoing();
        _actions.Add(new Announce(tapeEvent));
    }

    private void FlushOutgoing()
    {
        if (_outgoing.Count == 0) return;
        ReportChangedCounters();
        _actions.Add(new PassOn(_outgoing.ToArray(), _outgoingFromStore));
        _outgoing.Clear();
    }
}
