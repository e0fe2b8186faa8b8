using Akka.Actor;
using OrderFlow.Actors.Binance;
using OrderFlow.Protocol.Streams;

namespace OrderFlow.Actors.Connection;

/// <summary>
/// Make before break, for planned ends (a serverShutdown announcement, the 24-hour cut): a replacement socket opens
/// beside the current one carrying the same streams in its URL, and takes over at its first trade; the old one closes
/// with a close frame. Both deliver meanwhile and the sequencers drop the overlap. Streams asked for or let go during
/// the hand-over wait for the switch. A replacement that fails is tried again later while the current socket streams on.
/// </summary>
public sealed partial class ConnectionActor
{
    private ReconnectPolicy? _replacementRetry;
    /// <summary>Streams that were waiting for their SUBSCRIBE when the replacement opened with them in its URL.</summary>
    private List<StreamRoute> _inReplacementUrl = new();

    private void HandingOver()
    {
        Become(() =>
        {
            Receive<AddStream>(add => Carry(add, subscribe: true));
            Receive<RemoveStream>(remove => LetGo(remove, unsubscribe: true));
            Receive<ConnectSucceeded>(IsReplacement, _ => OnReplacementConnected());
            Receive<ConnectFailed>(IsReplacement, m => OnReplacementFailed(StreamConnectException.From(m.Cause)));
            Receive<ConnectDeadlinePassed>(IsReplacement, _ => OnReplacementTimedOut());
            Receive<Delivering>(IsReplacement, _ => SwitchOver());
            Receive<ConnectionFrames>(IsReplacement, m =>
            {
                foreach (var frame in m.Burst.OtherFrames.Where(f => f.Kind == StreamMessageKind.ControlReply)) OnControlReply(_replacement!, frame);
                m.Burst.Credit.Release();
            });
            Receive<ConnectionEnded>(IsReplacement, m => OnReplacementFailed(
                new StreamConnectException(FailureKind.SocketError, m.End.Reason, null, null)));
            // The old socket ended first (a server that shut down as announced): the replacement takes over now.
            Receive<ConnectionEnded>(m => IsCurrent(m) && _replacement is { IsOpen: true }, _ => SwitchOver());
            Receive<Rotate>(IsCurrent, _ => { });
            Receive<HandOver>(IsCurrent, _ => { });
            Receive<SendControl>(_ => { });
            OpenReceives();
        });
    }

    private void BeginHandOver(string why)
    {
        if (!_budget.TryAcquire(out var wait, out var because))
        {
            _log.WaitingForReplacement(because, wait);
            Timers.StartSingleTimer(HandOverTimer, new HandOver(_current!.Number, why), wait);
            return;
        }
        // Everything carried rides in the replacement's URL, requests still waiting included; a removal not yet
        // sent is moot there.
        _inReplacementUrl = _streams.TakeRequestsIntoUrl();
        var symbols = Carried.Select(route => route.Symbol).ToArray();
        var uri = StreamEndpoints.Carrying(_webSocketBase, symbols);
        _log.OpeningReplacement(why, symbols.Length);
        _replacement = OpenSocket(uri, ReplacementDeadlineTimer);
        HandingOver();
    }

    private void OnReplacementConnected()
    {
        Timers.Cancel(ReplacementDeadlineTimer);
        var uri = _replacement!.Socket.Uri;
        _log.ReplacementConnected(_replacement.SinceOpened);
        TellEach(route => new StreamSubscribed(route.Lease, uri, Replacement: true));
        Listen(_replacement);
    }

    private void OnReplacementTimedOut()
    {
        var after = _replacement!.SinceOpened;
        _log.ReplacementTimedOut(after);
        TellEach(route => new ReplacementTimedOut(route.Lease, after));
        RetryHandOverLater(null);
    }

    private void OnReplacementFailed(StreamConnectException failure)
    {
        HoldEveryConnectionIfAsked(failure);
        _log.ReplacementFailed(failure.Message);
        TellEach(route => new StreamRefused(route.Lease, failure, Replacement: true));
        RetryHandOverLater(failure.RetryAfter);
    }

    /// <summary>The current socket still streams: try the replacement again after a backoff.</summary>
    private void RetryHandOverLater(TimeSpan? retryAfter)
    {
        AbandonReplacement();
        // What was to ride in the replacement's URL is subscribed on the current socket after all.
        _streams.SubscribeFirst(_inReplacementUrl);
        _inReplacementUrl.Clear();
        _replacementRetry ??= new ReconnectPolicy(_settings, new Random());
        var delay = _replacementRetry.ReplacementRetry(retryAfter);
        _log.KeepingCurrent(delay);
        Timers.StartSingleTimer(HandOverTimer, new HandOver(_current!.Number, "retrying the replacement"), delay);
        Open();
    }

    /// <summary>The replacement becomes the current socket; the old one is closed with a close frame.</summary>
    private void SwitchOver()
    {
        var overlap = _replacement!.SinceOpened;
        Retired();
        _retiring = _current;
        _ = _retiring?.Socket.CloseAsync();
        if (_retiring is not null) Timers.StartSingleTimer(RetireTimer, new RetireTimedOut(_retiring.Number), CloseGrace);

        Timers.Cancel(ReplacementDeadlineTimer);
        (_current, _replacement) = (_replacement, null);
        _inReplacementUrl.Clear();
        Timers.StartSingleTimer(RotateTimer, new Rotate(_current.Number), _settings.MaxConnectionAge);
        _log.SwitchedOver(overlap);
        Open();
        SendControlRequests();
    }

    private void AbandonReplacement()
    {
        Timers.Cancel(ReplacementDeadlineTimer);
        _replacement?.Dispose();
        _replacement = null;
    }

    /// <summary>The old socket of a hand-over has closed (or was given its grace): release it.</summary>
    private void Retired()
    {
        Timers.Cancel(RetireTimer);
        _retiring?.Dispose();
        _retiring = null;
    }
}
