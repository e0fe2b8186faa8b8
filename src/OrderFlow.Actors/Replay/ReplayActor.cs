using Akka.Actor;
using Akka.Event;
using OrderFlow.Actors.Connection;
using OrderFlow.Actors.Sequencing;
using OrderFlow.Actors.Store;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Streams;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Replay;

/// <summary>
/// A recorded tape in the stream's place (<c>symbol-btcusdt/replay</c>): reads the store a page at a time, detached,
/// and hands the sequencer each trade once the replay's clock has reached it (at <c>max</c>, at once), as the stream
/// would have. The rest of the pipeline is the live one. Its parent hears <see cref="ReplayFinished"/> at the end.
/// </summary>
public sealed class ReplayActor : ReceiveActor, IWithTimers
{
    private const int PageSize = 1000;
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(20);

    private sealed record PageRead(AggregateTrade[] Trades, bool Last) : ILocalMessage;

    private sealed record ReadFailed(string Problem) : ILocalMessage;

    private sealed record Due : ILocalMessage
    {
        public static readonly Due Instance = new();
    }

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Symbol _symbol;
    private readonly ReplayClock _clock;
    private readonly IActorRef _sequencer;
    private readonly IAsyncEnumerator<AggregateTrade> _tape;
    private readonly DateTimeOffset _since = DateTimeOffset.UtcNow;
    private AggregateTrade[] _page = [];
    private int _next;
    private bool _last;
    private long _replayed;
    private long? _lastId;

    public ReplayActor(TapeId tape, ReplayPlan plan, IActorRef sequencer)
    {
        _symbol = tape.Symbol;
        _clock = plan.Clock;
        _sequencer = sequencer;
        _tape = plan.Store.ReadBetweenAsync(tape, plan.Clock.FromMs, plan.Clock.ToMs).GetAsyncEnumerator();

        Receive<PageRead>(read =>
        {
            (_page, _next, _last) = (read.Trades, 0, read.Last);
            Release();
        });
        Receive<Due>(_ => Release());
        Receive<ReadFailed>(failed =>
        {
            _log.Error("🎬 {Symbol}: the tape store could not be read ({Problem}); the replay stops after {Count} trades", _symbol, failed.Problem, _replayed);
            Finish();
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(TapeId tape, ReplayPlan plan, IActorRef sequencer) =>
        Akka.Actor.Props.Create(() => new ReplayActor(tape, plan, sequencer));

    protected override void PreStart()
    {
        _log.Info("🎬 {Symbol}: replaying {From:yyyy-MM-dd HH:mm:ss} to {To:yyyy-MM-dd HH:mm:ss} UTC from the tape store", _symbol,
            DateTimeOffset.FromUnixTimeMilliseconds(_clock.FromMs), DateTimeOffset.FromUnixTimeMilliseconds(_clock.ToMs));
        // A replay is "connected" to its tape from the start, for the symbol's status.
        Context.Parent.Tell(new StreamStateReport(StreamState.Connected, _since, 1));
        ReadPage();
    }

    protected override void PostStop() => _tape.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(1));

    /// <summary>One page, read off the actor (the enumerator is only ever used by one read at a time).</summary>
    private void ReadPage()
    {
        var tape = _tape;
        Task.Run(async () =>
        {
            var trades = new List<AggregateTrade>(PageSize);
            while (trades.Count < PageSize)
            {
                if (!await tape.MoveNextAsync().ConfigureAwait(false)) return new PageRead([.. trades], Last: true);
                trades.Add(tape.Current);
            }
            return new PageRead([.. trades], Last: false);
        }).PipeTo(Self, failure: e => new ReadFailed(e.Message));
    }

    /// <summary>The page's trades the clock has reached go to the sequencer; the rest wait for the next tick.</summary>
    private void Release()
    {
        var from = _next;
        if (_clock.Speed is null) _next = _page.Length;
        else while (_next < _page.Length && _page[_next].TradeTimeMs <= _clock.NowMs) _next++;
        if (_next > from)
        {
            var due = _page[from.._next];
            _replayed += due.Length;
            _lastId = due[^1].AggregateId;
            _clock.Replayed(due[^1].TradeTimeMs);
            _sequencer.Tell(new TradeBatch(_symbol, due));
        }
        if (_next < _page.Length) Timers.StartSingleTimer(nameof(Due), Due.Instance, Tick);
        else if (!_last) ReadPage();
        else Finish();
    }

    private void Finish()
    {
        _log.Info("🎬 {Symbol}: replayed {Count} trades", _symbol, _replayed);
        Context.Parent.Tell(new ReplayFinished(_symbol, _replayed, _lastId));
    }
}

/// <summary>A symbol's replay has sent its last trade, <paramref name="LastId"/> (null: the range held none).</summary>
public sealed record ReplayFinished(Symbol Symbol, long Trades, long? LastId) : IWithSymbol, ILocalMessage;

/// <summary>
/// What a symbol's replay counts by: the tick and contract size stored with its tape, else exchangeInfo's (zero: neither).
/// </summary>
internal sealed record ReplayListing(Binance.Listing Listing) : ILocalMessage;
