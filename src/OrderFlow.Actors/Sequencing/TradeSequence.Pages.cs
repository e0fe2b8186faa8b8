using Akka.Event;
using OrderFlow.Actors.Binance;
using OrderFlow.Actors.Configuration;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Sequencing;

/// <summary>
/// Filling from REST: which page to ask for next (by time for a warm-up or the tail of a long outage, by id for a gap),
/// what each page fills, when to retry, and when to give up and record the ids as unrecovered.
/// </summary>
public sealed partial class TradeSequence
{
    /// <summary>Asks for the trades since <see cref="_byTimeFromMs"/>: where the warm-up, or the last by-time page that
    /// found nothing, left off. A warm-up longer than an hour takes more than one range.</summary>
    private void RequestWarmUpPage()
    {
        var now = _nowMs();
        var to = Math.Min(now, _byTimeFromMs + BinanceRestClient.LongestTimeRangeMs);
        Request(FetchPage.ByTime(++_request, _byTimeFromMs, to, BinanceRestClient.MaxAggTradesPerCall, _held.Count), to);
        _requestEndsBeforeNow = to < now;
    }

    private void RequestOutageTailPage() =>
        Request(FetchPage.ByTime(++_request, _outageTailFromMs!.Value, _held.First().Value.TradeTimeMs, BinanceRestClient.MaxAggTradesPerCall,
            GapBefore(_held.Keys.First())), null);

    /// <summary>The ids missing between the last one passed on and <paramref name="nextId"/>.</summary>
    private long GapBefore(long nextId) => nextId - _lastId!.Value - 1;

    private void RequestNextPage()
    {
        var fromId = _lastId!.Value + 1;
        var gap = _held.Count == 0 ? (long?)null : GapBefore(_held.Keys.First());
        var limit = gap is { } missing ? (int)Math.Min(BinanceRestClient.MaxAggTradesPerCall, missing) : BinanceRestClient.MaxAggTradesPerCall;
        Request(FetchPage.ById(++_request, fromId, limit, gap ?? 0), null);
    }

    /// <param name="searchedToMs">Where a by-time search ends, when what it finds decides where the sequence starts.</param>
    private void Request(FetchPage page, long? searchedToMs)
    {
        (_requestLimit, _requestToMs, _requestEndsBeforeNow) = (page.Limit, searchedToMs, false);
        _actions.Add(page);
    }

    private void PageArrived(IReadOnlyList<AggregateTrade> page)
    {
        if (_outageTailFromMs is { } tailFrom)
        {
            // The tail of a long outage: everything before its first trade is given up on.
            _outageTailFromMs = null;
            var resume = page.FirstOrDefault(t => t.AggregateId > _lastId && t.AggregateId < _held.Keys.First());
            var (resumeId, resumeMs) = resume.AggregateId > 0 ? (resume.AggregateId, resume.TradeTimeMs) : (_held.Keys.First(), _held.First().Value.TradeTimeMs);
            if (resumeId > _lastId + 1)
                RecordUnrecovered(resumeId, resumeMs, $"the outage outlasted the warm-up; trades before {DateTimeOffset.FromUnixTimeMilliseconds(tailFrom):HH:mm:ss} UTC were not fetched");
        }

        var firstAsked = _lastId + 1;
        var passed = 0;
        foreach (var trade in page)
        {
            if (trade.AggregateId <= _lastId) continue;
            if ((_lastId is { } last && trade.AggregateId != last + 1) || (_held.Count > 0 && trade.AggregateId >= _held.Keys.First())) break;
            PassOnOne(trade);
            passed++;
        }
        if (_warmingUp) _counters.TradesWarmedUp += passed;
        else _counters.TradesBackfilled += passed;
        if (_catchingUp)
        {
            _catchingUp = false;
            if (passed == 0 && (_held.Count == 0 || _lastId + 1 == _held.Keys.First()))
            {
                // Nothing was missed: the stream resumed where it left off.
                if (_held.Count == 0) CaughtUp();
                else ReleaseHeld();
                return;
            }
            _counters.GapDetected();
            _catchUpGap = true;
            _log.Warning("🕳 {Symbol}: trades from id {FromId} on happened while the stream was down; backfilling from REST", _symbol, firstAsked);
        }

        if (_lastId is null && _requestToMs is { } searchedTo)
        {
            // Nothing passed on yet: REST has no trade from _byTimeFromMs to searchedTo before the first live one. If
            // the page reached that live trade (in ids or in time), nothing precedes it and the sequence starts there;
            // if no live trade waits and the range reached now, the tape is empty so far; otherwise search on from
            // where this page ended (the millisecond after a past range; now itself again, as more may trade in it).
            _byTimeFromMs = _requestEndsBeforeNow ? searchedTo + 1 : searchedTo;
            if (_held.Count == 0 && !_requestEndsBeforeNow) CaughtUp();
            else if (_held.Count > 0 && (page.Count > 0 || searchedTo >= _held.First().Value.TradeTimeMs))
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
            if (!_warmingUp && !_gapGivenUp) GapClosed();
            ReleaseHeld();
        }
        else if (_held.Count == 0 && (passed == 0 || (page.Count < _requestLimit && !_requestEndsBeforeNow)))
        {
            // REST has nothing newer, and no live trade waits.
            if (_catchUpGap && !_gapGivenUp) GapClosed();
            CaughtUp();
        }
        else if (passed > 0)
        {
            _attempts = 0;
            // A warm-up of more than a page: until it joins the live stream, its windows end at its last trade.
            if (_warmingUp) InterruptTape(WarmingUp);
            RequestNextPage();
        }
        else
        {
            PageFailed(new RestException($"REST has no aggregate {_lastId + 1} yet"));
        }
    }

    private void GapClosed()
    {
        _catchUpGap = false;
        _counters.GapFilled();
        _log.Info("🩹 {Symbol}: gap closed; {Backfilled} trades backfilled in all", _symbol, _counters.TradesBackfilled);
    }

    private void PageFailed(Exception cause)
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
        _retry = _lastId is null ? Retrying.WarmUp : _outageTailFromMs is not null ? Retrying.OutageTail : Retrying.Page;
        _actions.Add(new RetryLater(delay));
    }

    private void GiveUp(string problem)
    {
        _retry = Retrying.None;
        _catchUpGap = false;
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
        _gapGivenUp = true;
        var hole = _counters.Unrecovered(new AggregateIdRange(_lastId!.Value + 1, resumeId - 1));
        if (_tape.Started) Tell(new TapeHole(_symbol, hole, _lastTradeMs, resumeMs));
        _lastId = resumeId - 1;
    }
}
