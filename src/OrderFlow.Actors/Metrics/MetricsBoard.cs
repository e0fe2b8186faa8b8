using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Akka.Actor;
using OrderFlow.Actors.Bars;
using OrderFlow.Actors.Binance;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Derivatives;
using OrderFlow.Actors.Sequencing;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Bars;
using OrderFlow.Protocol.Derivatives;
using OrderFlow.Protocol.Metrics;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Metrics;

/// <summary>
/// One symbol's rolling order flow, written by its <see cref="MetricsActor"/> alone and read by queries from any
/// thread. Why queries do not go through the metrics actor's mailbox: under a flood it holds up to 8 bursts per
/// socket, and the actor itself waits for its turn on the dispatcher every symbol shares. Here a reader takes the
/// lock and computes its snapshot at once; the writer holds the lock for one batch (at most 4,096 trades, about
/// 0.1 ms) at a time.
/// </summary>
/// <param name="futures">On a futures symbol, what its market's market-wide streams bring and when they were connected.</param>
public sealed class MetricsBoard(Symbol symbol, MetricsSettings settings, FuturesFeed? futures = null)
{
    private readonly Lock _lock = new();
    private readonly RollingOrderFlow _flow = new(symbol, settings);
    // Kept for the windows and the kept time bars, whichever reaches further back.
    private readonly RollingLiquidations? _liquidations = futures is { Settings.Liquidations: true }
        ? new(symbol, settings.LookBack)
        : null;
    private readonly MarksAtClose? _marksAtClose = futures is { Settings.MarkPrice: true } ? new(settings.BarsKept.Intervals, settings.BarsKept.Keep) : null;
    private MarkPriceUpdate? _mark;
    // Binance's 5-minute record, by sample time (the newest kept as long as the longest bars), and the latest polled value.
    private readonly SortedList<long, OpenInterestSample>? _openInterest = futures is { Settings.OpenInterest: true } ? new() : null;
    private OpenInterestSample? _openInterestNow;
    /// <summary>Liquidations reach this board from its making on: nothing before is covered.</summary>
    private long _followedFromMs = futures?.FollowedFromMs ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    private readonly SymbolBars _bars = new(settings.BarsKept.IntervalsFor(symbol), settings.BarsKept.Keep, settings.BarsKept.FootprintKeep,
        settings.BarsKept.TicksPerLevel);
    private SequenceStats? _counters;
    private TradeUnits _units;
    private VolumeUnits _volumeUnits = VolumeUnits.Unnamed;

    public Symbol Symbol => symbol;

    /// <summary>On a futures symbol, what its market's streams bring (a replay fills in what the store kept of them).</summary>
    public FuturesFeed? Futures => futures;

    /// <summary>The shortest window: the one the summary log shows.</summary>
    public TimeSpan ShortestWindow => settings.Windows[0];

    /// <summary>The highest aggregate id the board has applied (a replay is over once its last one is).</summary>
    public long? LastAggregateId
    {
        get { lock (_lock) return _flow.LastAggregateId; }
    }

    public void Add(ReadOnlySpan<AggregateTrade> trades)
    {
        lock (_lock)
        {
            foreach (ref readonly var trade in trades)
            {
                var measured = _units.Measure(trade, out var notional);
                _flow.Add(measured, notional);
                var (cvd, anchorMs) = _flow.CvdNow;
                _bars.Add(measured, notional, cvd, anchorMs);
            }
        }
    }

    /// <summary>A liquidation of this symbol, as its market's <c>!forceOrder@arr</c> pushed it (kept only on a futures symbol).</summary>
    public void Add(in ForceOrder liquidation)
    {
        lock (_lock) _liquidations?.Add(liquidation, _units);
        futures?.ToRecord?.Enqueue(liquidation);
    }

    /// <summary>The symbol's latest mark price, index and funding (an older one arriving late is ignored).</summary>
    public void Set(in MarkPriceUpdate mark)
    {
        lock (_lock)
        {
            if (_mark is not { } latest || mark.EventTimeMs >= latest.EventTimeMs) _mark = mark;
            _marksAtClose?.Add(mark);
        }
    }

    /// <summary>Open interest samples from Binance's 5-minute record (repeats replace themselves).</summary>
    public void Add(IReadOnlyList<OpenInterestSample> record)
    {
        lock (_lock)
        {
            if (_openInterest is null) return;
            foreach (var sample in record) _openInterest[sample.TimeMs] = sample;
            while (_openInterest.Count > OpenInterestKept) _openInterest.RemoveAt(0);
        }
    }

    /// <summary>The open interest polled now (configured symbols only).</summary>
    public void SetOpenInterestNow(OpenInterestSample sample)
    {
        lock (_lock)
            if (_openInterest is not null) _openInterestNow = sample;
    }

    /// <summary>5-minute samples kept: as far back as the symbol's figures reach.</summary>
    private int OpenInterestKept => Math.Max(1, (int)(settings.LookBack.Ticks / TimeSpan.FromMinutes(5).Ticks));

    /// <summary>The latest open interest known: the polled value when newer than the record's last sample.</summary>
    private OpenInterest? LatestOpenInterest()
    {
        if (_openInterest is null) return null;
        var recorded = _openInterest.Count > 0 ? _openInterest.Values[^1] : (OpenInterestSample?)null;
        return _openInterestNow is { } now && (recorded is not { } last || now.TimeMs > last.TimeMs) ? Describe(now, sampled: true)
            : recorded is { } sample ? Describe(sample, sampled: false) : null;
    }

    private static OpenInterest Describe(OpenInterestSample sample, bool sampled) =>
        new(sample.Quantity.ToDecimal(), sample.Value?.ToDecimal(), DateTimeOffset.FromUnixTimeMilliseconds(sample.TimeMs), sampled);

    /// <summary>Executed liquidations of one side since the board began (none on spot): for the telemetry's counters.</summary>
    public (long Count, decimal Notional)? LiquidatedSinceStart(LiquidatedSide side)
    {
        lock (_lock) return _liquidations?.SinceStart(side);
    }

    /// <summary>
    /// After a restart: the liquidations the store kept from <paramref name="fromMs"/> up to when this board began (later
    /// ones it takes live) and their stream's recorded coverage, so the kept bars and windows have them again; the
    /// symbol counts as followed from the first recorded span.
    /// </summary>
    public void RestoreLiquidations(IReadOnlyList<ForceOrder> recorded, IReadOnlyList<(long FromMs, long ToMs)> coverage, long fromMs)
    {
        lock (_lock)
        {
            if (_liquidations is null) return;
            foreach (var liquidation in recorded)
                if (liquidation.TradeTimeMs < _followedFromMs) _liquidations.Add(liquidation, _units);
            foreach (var (spanFrom, spanTo) in coverage) futures!.Connected.Add(spanFrom, Math.Min(spanTo, _followedFromMs));
            // Followed since the first recorded span (a store that recorded nothing says nothing of before).
            if (coverage.Count > 0) _followedFromMs = Math.Min(_followedFromMs, Math.Max(fromMs, coverage.Min(span => span.FromMs)));
        }
    }

    /// <summary>The liquidation as the protocol gives it, in this symbol's units.</summary>
    public Liquidation Describe(in ForceOrder liquidation)
    {
        lock (_lock) return RollingLiquidations.Describe(symbol, liquidation, _units);
    }

    /// <summary>What the sequencer says the trades cover: started, interrupted, resumed, or a hole.</summary>
    public void Apply(ITapeEvent tape)
    {
        lock (_lock)
        {
            switch (tape)
            {
                case TapeStarted started:
                    _flow.Tape.Started(started.FromMs);
                    _bars.TapeStarted(started.FromMs);
                    break;
                case TapeInterrupted interrupted: _flow.Tape.Interrupt(interrupted); break;
                case TapeResumed: _flow.Tape.Resume(); break;
                case TapeHole hole:
                    _flow.Hole(hole);
                    _bars.Hole(hole);
                    break;
            }
        }
    }

    public void Count(SequenceStats counters)
    {
        lock (_lock) _counters = counters;
    }

    /// <summary>What exchangeInfo says: the tick (profile bins, footprint step) and the units (COIN-M contracts).</summary>
    public void SetListing(Listing listing)
    {
        lock (_lock)
        {
            if (listing.TickSize > Fixed8.Zero)
            {
                _flow.SetTickSize(listing.TickSize);
                _bars.SetTickSize(listing.TickSize);
            }
            if (!_units.InContracts) _units = TradeUnits.Of(listing);
            if (_volumeUnits == VolumeUnits.Unnamed) _volumeUnits = TradeUnits.Describe(listing);
        }
    }


    /// <summary>The interval's bars, or <see cref="IntervalNotTracked"/>.</summary>
    public IOrderFlowMessage ReadBars(GetBars query)
    {
        lock (_lock)
            return BarReading.Bars(symbol, _bars, query) switch
            {
                BarsSnapshot bars => bars with { Units = _volumeUnits, Bars = futures is null ? bars.Bars : [.. bars.Bars.Select(bar => Context(bar, query.Interval))] },
                var other => other,
            };
    }

    /// <summary>A final bar as announced (<see cref="BarFinal"/>): on a futures symbol, with its context, as <see cref="ReadBars"/> gives it.</summary>
    public Bar WithContext(Bar bar, BarInterval interval)
    {
        if (futures is null) return bar;
        lock (_lock) return Context(bar, interval);
    }

    /// <summary>A futures bar's liquidations (by trade time, with their coverage) and, on a time bar, the mark and funding at its close.</summary>
    private Bar Context(Bar bar, BarInterval interval)
    {
        var (fromMs, toMs) = (bar.From.ToUnixTimeMilliseconds(), bar.To.ToUnixTimeMilliseconds());
        // A tick or volume bar ends with its last trade: its liquidations are those up to and with that millisecond.
        var endMs = interval.Span is null ? toMs + 1 : toMs;
        var mark = interval.Span is { } span ? _marksAtClose?.At(span, fromMs) : null;
        return bar with
        {
            Liquidations = _liquidations?.Window(fromMs, endMs, futures!.Connected.Measure(fromMs, endMs, _followedFromMs)),
            // Its age at the close (a bar under way: at the latest mark, so far).
            Mark = mark is { } atClose ? MarkReading.Mark(atClose, Math.Min(_mark?.EventTimeMs ?? toMs, toMs), futures!.Settings.MarkStaleAfter) : null,
            Funding = mark is { } funded ? MarkReading.FundingOf(funded) : null,
            // Binance's sample at the bar's close, on bars the 5-minute record divides.
            OpenInterest = interval.Span is { } whole && whole.Ticks % TimeSpan.FromMinutes(5).Ticks == 0 && _openInterest is not null &&
                           _openInterest.TryGetValue(toMs, out var openAtClose) ? Describe(openAtClose, sampled: false) : null,
        };
    }

    /// <summary>The interval's footprints, or <see cref="IntervalNotTracked"/>.</summary>
    public IOrderFlowMessage ReadFootprint(GetFootprint query)
    {
        lock (_lock)
            return BarReading.Footprint(symbol, _bars, settings.BarsKept.Imbalance, query) switch
            {
                FootprintSnapshot footprint => footprint with { Units = _volumeUnits },
                var other => other,
            };
    }

    /// <summary>
    /// The bars that became final (or came again with a new revision) since the last call, oldest first; a quiet
    /// symbol's newest bar is final once <paramref name="nowMs"/> is past its end plus the grace, while the tape is live.
    /// </summary>
    public IReadOnlyList<StoredBar> TakeFinalBars(long nowMs)
    {
        lock (_lock)
        {
            if (_flow.Tape.From is not null && !_flow.Tape.Interrupted) _bars.Tick(nowMs, (long)settings.BarsKept.Grace.TotalMilliseconds);
            var taken = _bars.TakeFinalised();
            return taken.Count == 0 ? [] : taken.Select(final => new StoredBar(final.Interval, final.Bar.FromMs, final.Bar.Revision,
                final.Bar.Complete, final.Bar.Figures, _bars.Step, _flow.CvdCountedFrom(final.Bar.Figures.CvdAnchorMs))
            {
                ToMs = final.Bar.ToMs, CountFromId = final.Bar.CountFromId,
            }).ToList();
        }
    }

    /// <summary>
    /// At start, before the stored tape's trades: the bars the store kept, and the CVD goes on from the newest of them
    /// (if the trades that follow join it without a hole).
    /// </summary>
    public void Restore(IReadOnlyList<StoredBar> stored)
    {
        if (stored.Count == 0) return;
        lock (_lock)
        {
            _bars.Restore(stored);
            var newest = stored.MaxBy(bar => bar.Figures.LastAggregateId)!;
            _flow.ContinueCvd(newest.Figures.CvdAnchorMs, newest.Figures.Cvd, newest.Figures.LastAggregateId, newest.CvdFromMs);
        }
    }

    /// <summary>The window's snapshot as of <paramref name="nowMs"/>, or <see cref="WindowNotTracked"/>.</summary>
    public IOrderFlowMessage Read(TimeSpan window, long nowMs)
    {
        if (!settings.Windows.Contains(window)) return new WindowNotTracked(symbol, window, settings.Windows);
        lock (_lock)
        {
            var snapshot = _flow.Snapshot(window, nowMs, _counters);
            var (fromMs, toMs) = (snapshot.From.ToUnixTimeMilliseconds(), snapshot.To.ToUnixTimeMilliseconds());
            return snapshot with
            {
                Units = _volumeUnits,
                Liquidations = _liquidations?.Window(fromMs, toMs, futures!.Connected.Measure(fromMs, toMs, _followedFromMs)),
                Mark = _mark is { } mark ? MarkReading.Mark(mark, nowMs, futures!.Settings.MarkStaleAfter) : null,
                Funding = _mark is { } funded ? MarkReading.FundingOf(funded) : null,
                OpenInterest = LatestOpenInterest(),
            };
        }
    }
}

/// <summary>
/// Every streamed symbol's <see cref="MetricsBoard"/>, one set per actor system (an Akka extension): each symbol's
/// actor adds and removes its own, the gateway reads.
/// </summary>
public sealed class MetricsBoards : IExtension
{
    public static MetricsBoards For(ActorSystem system) => system.WithExtension<MetricsBoards, Provider>();

    private readonly ConcurrentDictionary<Symbol, MetricsBoard> _boards = new();

    /// <summary>
    /// The time the boards are read at: the wall clock, or a replay's (<see cref="Replay.ReplayClock"/>), so that a
    /// recorded day's windows end where its trades are.
    /// </summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    public long NowMs => Clock.GetUtcNow().ToUnixTimeMilliseconds();

    public void Add(MetricsBoard board) => _boards[board.Symbol] = board;

    /// <summary>Removes <paramref name="board"/>, and only it: a symbol added again has a board of its own.</summary>
    public void Remove(Symbol symbol, MetricsBoard board) => _boards.TryRemove(new KeyValuePair<Symbol, MetricsBoard>(symbol, board));

    public bool TryGet(Symbol symbol, [NotNullWhen(true)] out MetricsBoard? board) => _boards.TryGetValue(symbol, out board);

    /// <summary>Every board on this node.</summary>
    public IEnumerable<MetricsBoard> All => _boards.Values;

    private readonly ConcurrentDictionary<string, ConnectedSpans> _marketStreams = new();

    /// <summary>When <paramref name="market"/>'s market-wide streams were connected: written by their actor, read with each futures symbol's windows.</summary>
    public ConnectedSpans MarketStreams(string market) =>
        _marketStreams.GetOrAdd(market, name => new ConnectedSpans($"{name} {MarketStreamActor.LiquidationStream}"));

    private sealed class Provider : ExtensionIdProvider<MetricsBoards>
    {
        public override MetricsBoards CreateExtension(ExtendedActorSystem system) => new();
    }
}
