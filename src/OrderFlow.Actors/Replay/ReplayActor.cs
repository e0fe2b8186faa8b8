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
/// would have. The rest of the pipeline is the live one. A futures symbol's recorded liquidations go to its board as the
/// replay passes their trade time, read with their stream's recorded coverage. Its parent hears <see cref="ReplayFinished"/> at the end.
/// </summary>
public sealed class ReplayActor : ReceiveActor, IWithTimers
{
    private const int PageSize = 1000;
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(20);

    private sealed record PageRead(AggregateTrade[] Trades, bool Last) : ILocalMessage;

    private sealed record ReadFailed(string Problem) : ILocalMessage;

    private sealed record LiquidationsRead(IReadOnlyList<Binance.ForceOrder> Liquidations, IReadOnlyList<(long FromMs, long ToMs)> Coverage) : ILocalMessage;

    private sealed record Due : ILocalMessage
    {
        public static readonly Due Instance = new();
    }

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Symbol _symbol;
    private readonly ReplayClock _clock;
    private readonly IActorRef _sequencer;
    private readonly IAsyncEnumerator<AggregateTrade> _tape;
    private readonly TapeId _tapeId;
    private readonly ITapeStore _store;
    private readonly DateTimeOffset _since = DateTimeOffset.UtcNow;
    private AggregateTrade[] _page = [];
    private int _next;
    private bool _last;
    private long _replayed;
    private long? _lastId;
    private readonly ReplayedLiquidations? _liquidations;
    private IReadOnlyList<Binance.ForceOrder> _recordedLiquidations = [];
    private int _nextLiquidation;

    /// <param name="liquidations">On a futures symbol: where its recorded liquidations and their coverage go as the replay reaches them.</param>
    public ReplayActor(TapeId tape, ReplayPlan plan, IActorRef sequencer, ReplayedLiquidations? liquidations = null)
    {
        _symbol = tape.Symbol;
        _liquidations = liquidations;
        _clock = plan.Clock;
        _sequencer = sequencer;
        _tape = plan.Store.ReadBetweenAsync(tape, plan.Clock.FromMs, plan.Clock.ToMs).GetAsyncEnumerator();
        (_tapeId, _store) = (tape, plan.Store);

        Receive<PageRead>(read =>
        {
            (_page, _next, _last) = (read.Trades, 0, read.Last);
            Release();
        });
        Receive<Due>(_ => Release());
        Receive<LiquidationsRead>(read =>
        {
            foreach (var (fromMs, toMs) in read.Coverage) _liquidations!.Coverage.Add(fromMs, toMs);
            _recordedLiquidations = read.Liquidations;
            ReadPage();
        });
        Receive<ReadFailed>(failed =>
        {
            _log.Error("🎬 {Symbol}: the tape store could not be read ({Problem}); the replay stops after {Count} trades", _symbol, failed.Problem, _replayed);
            Finish();
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(TapeId tape, ReplayPlan plan, IActorRef sequencer, ReplayedLiquidations? liquidations = null) =>
        Akka.Actor.Props.Create(() => new ReplayActor(tape, plan, sequencer, liquidations));

    protected override void PreStart()
    {
        _log.Info("🎬 {Symbol}: replaying {From:yyyy-MM-dd HH:mm:ss} to {To:yyyy-MM-dd HH:mm:ss} UTC from the tape store", _symbol,
            DateTimeOffset.FromUnixTimeMilliseconds(_clock.FromMs), DateTimeOffset.FromUnixTimeMilliseconds(_clock.ToMs));
        // A replay is "connected" to its tape from the start, for the symbol's status.
        Context.Parent.Tell(new StreamStateReport(StreamState.Connected, _since, 1));
        if (_liquidations is null) ReadPage();
        else ReadLiquidations(_liquidations, _tapeId, _clock, _store);
    }

    /// <summary>A futures symbol's recorded liquidations in the range and their stream's coverage, before its first trade is replayed.</summary>
    private void ReadLiquidations(ReplayedLiquidations liquidations, TapeId tape, ReplayClock clock, ITapeStore store)
    {
        async Task<LiquidationsRead> ReadAsync() => new(
            await store.ReadLiquidationsAsync(tape, clock.FromMs, clock.ToMs, int.MaxValue).ConfigureAwait(false),
            await store.ReadConnectedSpansAsync(liquidations.RecordedAs, clock.FromMs, clock.ToMs).ConfigureAwait(false));
        ReadAsync().PipeTo(Self, failure: e => new ReadFailed(e.Message));
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
            ReleaseLiquidations(due[^1].TradeTimeMs);
        }
        if (_next < _page.Length) Timers.StartSingleTimer(nameof(Due), Due.Instance, Tick);
        else if (!_last) ReadPage();
        else Finish();
    }

    /// <summary>The recorded liquidations up to the replay's last trade go to the board (the board is thread-safe).</summary>
    private void ReleaseLiquidations(long throughMs)
    {
        while (_nextLiquidation < _recordedLiquidations.Count && _recordedLiquidations[_nextLiquidation].TradeTimeMs <= throughMs)
            _liquidations!.Board.Add(_recordedLiquidations[_nextLiquidation++]);
    }

    private void Finish()
    {
        ReleaseLiquidations(long.MaxValue);
        _log.Info("🎬 {Symbol}: replayed {Count} trades", _symbol, _replayed);
        Context.Parent.Tell(new ReplayFinished(_symbol, _replayed, _lastId));
    }
}

/// <summary>Where a futures symbol's replayed liquidations go (its board), the coverage they are read with, and how the store knows their stream.</summary>
public sealed record ReplayedLiquidations(Metrics.MetricsBoard Board, Derivatives.ConnectedSpans Coverage, string RecordedAs);

/// <summary>A symbol's replay has sent its last trade, <paramref name="LastId"/> (null: the range held none).</summary>
public sealed record ReplayFinished(Symbol Symbol, long Trades, long? LastId) : IWithSymbol, ILocalMessage;

/// <summary>
/// What a symbol's replay counts by: the tick and contract size stored with its tape, else exchangeInfo's (zero: neither).
/// </summary>
internal sealed record ReplayListing(Binance.Listing Listing) : ILocalMessage;
