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
/// is backfilled from REST (<c>/api/v3/aggTrades?fromId=</c>, pages of 1000) while later trades are held back, so
/// downstream sees one contiguous sequence. A gap that cannot be filled within a bounded effort is recorded as
/// unrecovered and skipped. Lives beside the StreamActor, so its place in the sequence survives reconnects.
/// </summary>
public sealed class TradeSequencer : ReceiveActor, IWithTimers
{
    private sealed record PageArrived(long FromId, IReadOnlyList<AggregateTrade> Trades);

    private sealed record PageFailed(long FromId, Exception Cause);

    private sealed record RequestPage
    {
        public static readonly RequestPage Instance = new();
    }

    private const string RetryTimer = "backfill-retry";

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Symbol _symbol;
    private readonly BackfillSettings _settings;
    private readonly BinanceRestClient _rest;
    private readonly IActorRef[] _downstream;
    private readonly SortedDictionary<long, AggregateTrade> _held = new();

    private long? _lastId;
    private int _attempts;
    private string _lastProblem = "";
    private SequenceStats _stats;

    public TradeSequencer(Symbol symbol, BackfillSettings settings, BinanceRestClient rest, params IActorRef[] downstream)
    {
        _symbol = symbol;
        _settings = settings;
        _rest = rest;
        _downstream = downstream;
        _stats = new SequenceStats(symbol, 0, 0, 0, 0, 0, null);
        InSequence();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(Symbol symbol, BackfillSettings settings, BinanceRestClient rest, params IActorRef[] downstream) =>
        Akka.Actor.Props.Create(() => new TradeSequencer(symbol, settings, rest, downstream));

    private void InSequence()
    {
        Become(() =>
        {
            Receive<AggregateTrade>(trade =>
            {
                if (!Accept(trade)) return;
                if (_lastId is not { } last || trade.AggregateId == last + 1)
                {
                    PassOn(trade);
                    return;
                }
                _held[trade.AggregateId] = trade;
                _stats = _stats with { GapsDetected = _stats.GapsDetected + 1 };
                _log.Warning("🕳 {Symbol}: gap in aggregate ids {FromId}..{ToId} ({Missing} trades); backfilling from REST",
                    _symbol, last + 1, trade.AggregateId - 1, trade.AggregateId - last - 1);
                _attempts = 0;
                Self.Tell(RequestPage.Instance);
                Backfilling();
            });
            CommonReceives();
        });
    }

    private void Backfilling()
    {
        Become(() =>
        {
            Receive<AggregateTrade>(trade =>
            {
                if (!Accept(trade)) return;
                _held[trade.AggregateId] = trade;
                if (_held.Count > _settings.MaxHeld) GiveUp($"more than {_settings.MaxHeld} trades held back while waiting");
            });
            Receive<RequestPage>(_ => RequestNextPage());
            Receive<PageArrived>(page => page.FromId == _lastId + 1, OnPage);
            Receive<PageFailed>(failure => failure.FromId == _lastId + 1, failure => OnPageFailed(failure.Cause));
            Receive<PageArrived>(_ => { });
            Receive<PageFailed>(_ => { });
            CommonReceives();
        });
    }

    private void CommonReceives() => Receive<GetSequenceStats>(_ => Sender.Tell(_stats));

    /// <summary>Counts the trade, and drops it if it was already passed on or is already held.</summary>
    private bool Accept(AggregateTrade trade)
    {
        _stats = _stats with { Received = _stats.Received + 1 };
        if (trade.AggregateId <= _lastId || _held.ContainsKey(trade.AggregateId))
        {
            _stats = _stats with { DuplicatesDropped = _stats.DuplicatesDropped + 1 };
            return false;
        }
        return true;
    }

    private void RequestNextPage()
    {
        var fromId = _lastId!.Value + 1;
        var limit = (int)Math.Min(BinanceRestClient.MaxAggTradesPerCall, _held.Keys.First() - fromId);
        _rest.AggTradesFromIdAsync(_symbol, fromId, limit).PipeTo(Self,
            success: trades => new PageArrived(fromId, trades),
            failure: error => new PageFailed(fromId, error));
    }

    private void OnPage(PageArrived page)
    {
        var gapEnd = _held.Keys.First();
        var filled = 0;
        foreach (var trade in page.Trades)
        {
            if (trade.AggregateId != _lastId + 1 || trade.AggregateId >= gapEnd) break;
            PassOn(trade);
            filled++;
        }
        _stats = _stats with { TradesBackfilled = _stats.TradesBackfilled + filled };

        if (_lastId + 1 == gapEnd)
        {
            _log.Info("🩹 {Symbol}: gap closed; {Backfilled} trades backfilled in all", _symbol, _stats.TradesBackfilled);
            ReleaseHeld();
            return;
        }
        if (filled > 0)
        {
            _attempts = 0;
            Self.Tell(RequestPage.Instance);
            return;
        }
        OnPageFailed(new RestException($"REST has no aggregate {_lastId + 1} yet"));
    }

    private void OnPageFailed(Exception cause)
    {
        _lastProblem = cause.Message;
        if (++_attempts >= _settings.MaxAttempts)
        {
            GiveUp(_lastProblem);
            return;
        }
        var delay = cause is RestException { RetryAfter: { } wait } && wait > _settings.RetryDelay ? wait : _settings.RetryDelay;
        _log.Warning("🕳 {Symbol}: backfill attempt {Attempt}/{MaxAttempts} failed: {Problem}; retrying in {Delay}",
            _symbol, _attempts, _settings.MaxAttempts, cause.Message, HumanFormat.Duration(delay));
        Timers.StartSingleTimer(RetryTimer, RequestPage.Instance, delay);
    }

    private void GiveUp(string problem)
    {
        var gapEnd = _held.Keys.First();
        var missing = gapEnd - _lastId!.Value - 1;
        _log.Error("🚫 {Symbol}: gap {FromId}..{ToId} ({Missing} trades) is unrecovered: {Problem}",
            _symbol, _lastId + 1, gapEnd - 1, missing, problem);
        _stats = _stats with
        {
            GapsUnrecovered = _stats.GapsUnrecovered + 1,
            LastUnrecoveredGap = new AggregateIdRange(_lastId.Value + 1, gapEnd - 1),
        };
        Timers.Cancel(RetryTimer);
        _lastId = gapEnd - 1;
        ReleaseHeld();
    }

    /// <summary>Passes on the held trades that now follow in sequence; a further hole among them is a new gap.</summary>
    private void ReleaseHeld()
    {
        while (_held.Count > 0)
        {
            var (id, trade) = _held.First();
            if (id != _lastId + 1) break;
            _held.Remove(id);
            PassOn(trade);
        }

        if (_held.Count == 0)
        {
            InSequence();
            return;
        }
        _stats = _stats with { GapsDetected = _stats.GapsDetected + 1 };
        _attempts = 0;
        Self.Tell(RequestPage.Instance);
    }

    private void PassOn(AggregateTrade trade)
    {
        _lastId = trade.AggregateId;
        foreach (var target in _downstream) target.Tell(trade);
    }
}
