using Akka.Actor;
using OrderFlow.Actors.Binance;
using OrderFlow.Protocol.Streams;

namespace OrderFlow.Actors.Connection;

/// <summary>
/// Make before break, for planned reconnects (a serverShutdown announcement, the 24-hour cut): a replacement opens
/// beside the current connection and takes over at its first trade; the old one closes with a close frame. A
/// replacement that fails is tried again later while the current connection streams on.
/// </summary>
public sealed partial class StreamActor
{
    /// <summary>Streaming on the current connection while its replacement connects beside it.</summary>
    private void HandingOver()
    {
        Become(() =>
        {
            Receive<ConnectSucceeded>(IsReplacement, _ => OnReplacementConnected());
            Receive<ConnectFailed>(IsReplacement, m => OnReplacementFailed(StreamConnectException.From(m.Cause)));
            Receive<DeadlinePassed>(IsReplacement, m => OnReplacementTimedOut(m.Phase));
            Receive<MessagesArrived>(IsReplacement, m =>
            {
                if (!m.Burst.Trades.IsEmpty) SwitchOver();
                OnMessages(m);
            });
            Receive<ConnectionEnded>(IsReplacement, m => OnReplacementFailed(
                new StreamConnectException(FailureKind.SocketError, m.End.Reason, null, null)));
            // The old connection ended first (a server that shut down as announced): the replacement takes over now.
            Receive<ConnectionEnded>(m => IsCurrent(m) && _replacement is { IsOpen: true }, _ => SwitchOver());
            Receive<Rotate>(IsCurrent, _ => { });
            Receive<HandOver>(IsCurrent, _ => { });
            StreamingReceives();
        });
    }

    private void BeginHandOver(string why)
    {
        if (!_budget.TryAcquire(out var wait))
        {
            _log.BudgetSpentForReplacement(wait);
            Timers.StartSingleTimer(RetryTimer, new HandOver(_current!.Number, why), wait);
            return;
        }
        _log.OpeningReplacement(why);
        _replacement = Open(ReplacementDeadlineTimer);
        HandingOver();
    }

    private void OnReplacementConnected()
    {
        var elapsed = _replacement!.SinceOpened;
        _log.ReplacementConnected(elapsed);
        Publish(new Connected(_symbol, _uri, 1, elapsed, DateTimeOffset.UtcNow));
        Listen(_replacement, ReplacementDeadlineTimer);
    }

    private void OnReplacementTimedOut(TimeoutPhase phase)
    {
        var after = _replacement!.SinceOpened;
        _log.ReplacementTimedOut(phase, after);
        Publish(new TimedOut(_symbol, phase, after, 1, DateTimeOffset.UtcNow));
        RetryHandOverLater();
    }

    private void OnReplacementFailed(StreamConnectException failure)
    {
        _log.ReplacementError(failure.Message);
        Publish(new Failed(_symbol, failure.Kind, failure.Message, 1, failure.RetryAfter, DateTimeOffset.UtcNow));
        RetryHandOverLater(failure.RetryAfter);
    }

    /// <summary>The current connection still streams: try the replacement again after a backoff.</summary>
    private void RetryHandOverLater(TimeSpan? retryAfter = null)
    {
        AbandonReplacement();
        var delay = _reconnect.ReplacementRetry(retryAfter);
        _log.KeepingCurrent(delay);
        Timers.StartSingleTimer(RetryTimer, new HandOver(_current!.Number, "retrying the replacement"), delay);
        Streaming();
    }

    /// <summary>The replacement becomes the current connection; the old one is closed with a close frame.</summary>
    private void SwitchOver()
    {
        var overlap = _replacement!.SinceOpened;
        Retired();
        _retiring = _current;
        _ = _retiring?.Socket.CloseAsync();
        if (_retiring is not null) Timers.StartSingleTimer(RetireTimer, new RetireTimedOut(_retiring.Number), CloseGrace);

        Timers.Cancel(ReplacementDeadlineTimer);
        Timers.Cancel(DeadlineTimer);
        Timers.Cancel(IdleTimer);
        (_current, _replacement) = (_replacement, null);
        _current.Heard();
        _reconnect.SwitchedOver();
        StartCurrentConnectionTimers();
        _log.SwitchedOver(overlap);
        Streaming();
    }

    private void AbandonReplacement()
    {
        Timers.Cancel(ReplacementDeadlineTimer);
        _replacement?.Dispose();
        _replacement = null;
    }

    /// <summary>The old connection of a hand-over has closed (or was given its grace): release it.</summary>
    private void Retired()
    {
        Timers.Cancel(RetireTimer);
        _retiring?.Dispose();
        _retiring = null;
    }
}
