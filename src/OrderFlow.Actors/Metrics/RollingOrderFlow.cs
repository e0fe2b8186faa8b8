using System.Numerics;
using System.Runtime.InteropServices;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Sequencing;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Metrics;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Metrics;

/// <summary>
/// One symbol's order flow over rolling windows, exact. Each trade is added to its second (a ring holding the longest
/// window's seconds: sums, extremes and volume at price) and to the CVD: O(1), no rescan. Every window also keeps the
/// running sums and volume at price of its closed seconds (all but the latest), updated when the latest second moves
/// on: the closed second joins, the seconds that fell out leave. So a snapshot adds the open second to its window's
/// running total instead of adding up every second again (for an hour's window, ~3,600 seconds of price ladders);
/// only the extremes (open, high, low, last, largest) are merged second by second. Time is the exchange's trade time;
/// a window is the last N whole seconds counting the current one.
/// </summary>
public sealed class RollingOrderFlow
{
    private readonly Symbol _symbol;
    private readonly MetricsSettings _settings;
    private readonly decimal _largeThreshold;
    private readonly Int128 _largeThresholdRaw;
    private readonly long[] _secondOf;
    private readonly FlowSums[] _sums;
    private readonly FlowExtremes[] _extremes;
    private readonly Dictionary<long, long>?[] _volumeAtPrice;
    private readonly Dictionary<TimeSpan, ClosedSeconds> _windows;
    private readonly Dictionary<long, long> _scratchLadder = new();
    private long _tickRaw;
    private long _binRaw;
    private long? _lastTradeMs;
    private long? _lastAggregateId;

    /// <summary>The highest aggregate id applied so far.</summary>
    public long? LastAggregateId => _lastAggregateId;

    /// <summary>The CVD now (10^-8) and when it started counting: a bar's CVD at its close.</summary>
    public (long Cvd, long AnchorMs) CvdNow => (_cvd, _cvdAnchorMs);
    private long _latestSecond = long.MinValue;

    private long _cvdAnchorMs = long.MinValue;
    private long _nextCvdAnchorMs = long.MinValue;
    private long _cvd;
    /// <summary>A CVD carried over a restart, until the first trade says whether it joins: (through id, counted from).</summary>
    private (long ThroughId, long CountedFromMs)? _cvdCarried;
    private long? _cvdCountedFromMs;

    public RollingOrderFlow(Symbol symbol, MetricsSettings settings)
    {
        _symbol = symbol;
        _settings = settings;
        _largeThreshold = settings.LargeTradeNotionalFor(symbol);
        _largeThresholdRaw = (Int128)Fixed8.FromDecimal(_largeThreshold).Raw * Fixed8.Scale;
        var ringSeconds = (int)settings.Windows.Max().TotalSeconds;
        _secondOf = new long[ringSeconds];
        Array.Fill(_secondOf, long.MinValue);
        _sums = new FlowSums[ringSeconds];
        _extremes = new FlowExtremes[ringSeconds];
        _volumeAtPrice = new Dictionary<long, long>?[ringSeconds];
        _windows = settings.Windows.ToDictionary(window => window, window => new ClosedSeconds((long)window.TotalSeconds));
    }

    public TapeCoverage Tape { get; } = new();

    /// <summary>The symbol's tick size, from exchangeInfo: profile bins are a multiple of it.</summary>
    /// <summary>The bin itself is chosen with the first trade after (<see cref="PriceStep"/>).</summary>
    public void SetTickSize(Fixed8 tick)
    {
        if (_tickRaw == 0 && tick.Raw > 0) _tickRaw = tick.Raw;
    }

    /// <summary>A trade whose quantity is the base asset: its notional is p × q.</summary>
    public void Add(in AggregateTrade trade) => Add(trade, (Int128)trade.Price.Raw * trade.Quantity.Raw);

    /// <summary>A trade as <see cref="TradeUnits"/> measured it: its quantity the volume, and its notional at 10^-16.</summary>
    public void Add(in AggregateTrade trade, Int128 notional)
    {
        var time = trade.TradeTimeMs;
        if (_lastTradeMs is not { } last || time > last) _lastTradeMs = time;
        if (_lastAggregateId is not { } lastId || trade.AggregateId > lastId) _lastAggregateId = trade.AggregateId;
        AddToCvd(trade);

        var second = Floor.Divide(time, 1000);
        if (second > _latestSecond) MoveOn(second);
        var slot = SlotOf(second);
        if (_secondOf[slot] != second)
        {
            if (_secondOf[slot] > second) return; // older than the longest window
            _secondOf[slot] = second;
            _sums[slot] = default;
            _extremes[slot] = default;
            _volumeAtPrice[slot]?.Clear();
        }
        var large = notional >= _largeThresholdRaw;
        _sums[slot].Add(trade, notional, large);
        _extremes[slot].Add(trade, notional, large);
        // Volume at price is kept by profile bin, not by price: what the profile reads, in as many entries as the
        // range has bins rather than as it has prices (on a volatile tape, nearly a price a trade).
        if (_binRaw == 0 && _tickRaw > 0) _binRaw = PriceStep.Choose(_tickRaw, trade.Price.Raw, _settings.ProfileTicksPerBin);
        var bin = BinOf(trade.Price.Raw);
        ClosedSeconds.AddVolume(_volumeAtPrice[slot] ??= new Dictionary<long, long>(), bin, trade.Quantity.Raw);

        // A trade for a second already closed (out of order) goes straight into the windows that hold that second.
        if (second >= _latestSecond) return;
        foreach (var window in _windows.Values)
        {
            if (second > _latestSecond - window.Seconds) window.Add(trade, bin, notional, large);
        }
    }

    /// <summary>Records a gap given up on, for coverage and the CVD's completeness.</summary>
    public void Hole(TapeHole hole) =>
        Tape.Hole(hole, keepAfterMs: Math.Min(_cvdAnchorMs, (_lastTradeMs ?? 0) - (long)_settings.Windows.Max().TotalMilliseconds));

    /// <summary>The window ending with the second of <paramref name="nowMs"/> (or of the last trade, if later).</summary>
    public MetricsSnapshot Snapshot(TimeSpan window, long nowMs, SequenceStats? counters)
    {
        var asOf = Math.Max(nowMs, _lastTradeMs ?? long.MinValue);
        var windowSeconds = (long)window.TotalSeconds;
        var toSecond = Floor.Divide(asOf, 1000) + 1;
        var fromSecond = toSecond - windowSeconds;
        var (fromMs, toMs) = (fromSecond * 1000, toSecond * 1000);

        // The window's trades lie in [fromSecond, latest second]: none after the latest, which may be before toSecond.
        var sums = new FlowSums();
        var extremes = new FlowExtremes();
        for (var second = fromSecond; second <= _latestSecond; second++)
        {
            var slot = SlotOf(second);
            if (_secondOf[slot] == second) extremes.Merge(_extremes[slot]);
        }
        var (closedVolumeAtPrice, leavingVolumeAtPrice, openSecond) = SumsAndVolumeAtPrice(_windows[window], fromSecond, ref sums);

        var (fraction, missing) = Tape.Measure(fromMs, toMs);
        var holesInWindow = Tape.HolesBetween(fromMs, toMs);
        var buy = Exact.Quantity(sums.BuyQuantity);
        var sell = Exact.Quantity(sums.SellQuantity);
        var traded = sums.Count > 0;

        return new MetricsSnapshot(
            _symbol, window, _lastAggregateId,
            DateTimeOffset.FromUnixTimeMilliseconds(fromMs), DateTimeOffset.FromUnixTimeMilliseconds(toMs),
            new WindowCoverage(missing is null && holesInWindow == 0, fraction, missing),
            sums.Count,
            Exact.Ratio(sums.Count, windowSeconds),
            buy, sell,
            Exact.Notional(sums.BuyNotional), Exact.Notional(sums.SellNotional),
            buy - sell,
            traded ? Exact.Ratio(sums.BuyQuantity - sums.SellQuantity, sums.Volume) : null,
            traded ? Exact.Quantity(extremes.OpenPrice) : null,
            traded ? Exact.Quantity(extremes.High) : null,
            traded ? Exact.Quantity(extremes.Low) : null,
            traded ? Exact.Quantity(extremes.LastPrice) : null,
            traded ? Vwap(sums) : null,
            new LargeTrades(_largeThreshold,
                new LargeTradeTally(sums.LargeBuy.Count, Exact.Quantity(sums.LargeBuy.Quantity), Exact.Notional(sums.LargeBuy.Notional)),
                new LargeTradeTally(sums.LargeSell.Count, Exact.Quantity(sums.LargeSell.Quantity), Exact.Notional(sums.LargeSell.Notional)),
                extremes.LargestNotional > 0 ? extremes.Largest : null),
            ProfileCalculator.Calculate(closedVolumeAtPrice, leavingVolumeAtPrice, openSecond, _binRaw, extremes.LastPrice, _settings.ValueAreaPercent),
            Cvd(asOf),
            new DataQuality(
                counters?.GapsDetected ?? 0, counters?.GapsFilled ?? 0, counters?.GapsUnrecovered ?? 0,
                counters?.DuplicatesDropped ?? 0, counters?.MalformedDropped ?? 0, holesInWindow,
                _lastTradeMs is { } lastMs ? Math.Max(0, nowMs - lastMs) / 1000m : null));
    }

    /// <summary>
    /// The sums and volume at price of the window from <paramref name="fromSecond"/>: its closed seconds' running
    /// total plus the latest second (returned apart, so nothing is copied), when the window ends at the latest second.
    /// A window that ends later (no trade yet in its last seconds, as on a quiet symbol) leaves out the closed seconds
    /// before <paramref name="fromSecond"/>: returned as the volume leaving, summed into a scratch ladder, or, when
    /// those are the larger part, the seconds still in the window are added up afresh into it. The scratch ladder is
    /// reused (snapshots are taken one at a time, under the board's lock), so a snapshot allocates no ladder.
    /// </summary>
    private (Dictionary<long, long> Closed, Dictionary<long, long>? Leaving, Dictionary<long, long>? Open) SumsAndVolumeAtPrice(
        ClosedSeconds window, long fromSecond, ref FlowSums sums)
    {
        if (_latestSecond < fromSecond)
        {
            _scratchLadder.Clear();
            return (_scratchLadder, null, null);
        }
        var heldFrom = _latestSecond - window.Seconds + 1;
        // The latest second always holds a trade: the one that made it the latest.
        var latest = SlotOf(_latestSecond);
        var open = _volumeAtPrice[latest]!;
        sums.Add(_sums[latest]);
        if (fromSecond == heldFrom)
        {
            sums.Add(window.Sums);
            return (window.VolumeAtPrice, null, open);
        }

        var leaving = fromSecond - heldFrom;
        var staying = _latestSecond - fromSecond;
        var (from, to) = leaving <= staying ? (heldFrom, fromSecond) : (fromSecond, _latestSecond);
        var added = new FlowSums();
        _scratchLadder.Clear();
        for (var second = from; second < to; second++)
        {
            var slot = SlotOf(second);
            if (_secondOf[slot] != second) continue;
            added.Add(_sums[slot]);
            ClosedSeconds.Add(_scratchLadder, _volumeAtPrice[slot]!);
        }
        if (leaving > staying)
        {
            sums.Add(added);
            return (_scratchLadder, null, open);
        }
        var closed = window.Sums;
        closed.Subtract(added);
        sums.Add(closed);
        return (window.VolumeAtPrice, _scratchLadder, open);
    }

    /// <summary>
    /// The latest second becomes <paramref name="second"/>: in each window, the previous latest second joins the closed
    /// ones and the seconds older than the window leave (read from the ring before the new second reuses a slot).
    /// </summary>
    private void MoveOn(long second)
    {
        var previous = _latestSecond;
        _latestSecond = second;
        foreach (var window in _windows.Values)
        {
            if (previous == long.MinValue || second - previous >= window.Seconds)
            {
                window.Clear();
                continue;
            }
            for (var leaving = previous - window.Seconds + 1; leaving <= second - window.Seconds; leaving++)
            {
                var slot = SlotOf(leaving);
                if (_secondOf[slot] == leaving) window.Subtract(_sums[slot], _volumeAtPrice[slot]!);
            }
            var closing = SlotOf(previous);
            if (_secondOf[closing] == previous) window.Add(_sums[closing], _volumeAtPrice[closing]!);
        }
    }

    /// <summary>The profile bin a price falls in (the price itself until the tick size is known).</summary>
    private long BinOf(long price) => _binRaw == 0 ? price : price - ((price % _binRaw) + _binRaw) % _binRaw;

    private int SlotOf(long second) => (int)(second % _secondOf.Length + _secondOf.Length) % _secondOf.Length;

    /// <summary>
    /// After a restart: the CVD the stored bars ended with (anchor, value, through which aggregate id, counted from
    /// when) goes on, if the first trade that follows joins it without a hole; trades up to that id are in it already.
    /// </summary>
    public void ContinueCvd(long anchorMs, long cvd, long throughId, long countedFromMs)
    {
        (_cvdAnchorMs, _nextCvdAnchorMs, _cvd) = (anchorMs, _settings.CvdAnchor.NextAfter(anchorMs), cvd);
        _cvdCarried = (throughId, countedFromMs);
    }

    /// <summary>From when the CVD anchored at <paramref name="anchorMs"/> was counted: its anchor, or later when the tape starts later.</summary>
    public long CvdCountedFrom(long anchorMs) => Math.Max(anchorMs, _cvdCountedFromMs ?? Tape.From ?? anchorMs);

    private void AddToCvd(in AggregateTrade trade)
    {
        if (_cvdCarried is { } carried)
        {
            if (trade.AggregateId <= carried.ThroughId) return;
            _cvdCarried = null;
            if (trade.AggregateId == carried.ThroughId + 1) _cvdCountedFromMs = carried.CountedFromMs;
            else _nextCvdAnchorMs = long.MinValue; // a hole since: counted afresh from here
        }
        var time = trade.TradeTimeMs;
        if (time >= _nextCvdAnchorMs)
        {
            _cvdAnchorMs = _settings.CvdAnchor.AnchorFor(time);
            _nextCvdAnchorMs = _settings.CvdAnchor.NextAfter(time);
            _cvd = 0;
            _cvdCountedFromMs = null;
        }
        if (time < _cvdAnchorMs) return;
        _cvd += trade.Side == AggressorSide.Buy ? trade.Quantity.Raw : -trade.Quantity.Raw;
    }

    private CumulativeVolumeDelta Cvd(long asOf)
    {
        var anchor = _settings.CvdAnchor.AnchorFor(asOf);
        var value = anchor == _cvdAnchorMs ? Exact.Quantity(_cvd) : 0m;
        var countedFrom = Tape.From is not null ? CvdCountedFrom(anchor) : (long?)null;
        var complete = countedFrom <= anchor && !Tape.Interrupted && Tape.HolesBetween(anchor, long.MaxValue) == 0;
        return new CumulativeVolumeDelta(value, DateTimeOffset.FromUnixTimeMilliseconds(anchor),
            countedFrom is { } counted ? DateTimeOffset.FromUnixTimeMilliseconds(counted) : null, complete);
    }

    /// <summary>
    /// VWAP = A/S with A = Σp·q and S = Σq. σ² = Q/S − (A/S)² with Q = Σq·p², so σ = √(S·Q − A²) / S. Both come from
    /// exact integers, truncated to <see cref="Exact.RatioDecimals"/> decimals (σ through an integer square root).
    /// </summary>
    private static VwapBands Vwap(in FlowSums sums)
    {
        var s = new BigInteger(sums.Volume);
        var a = (BigInteger)sums.Notional;
        var vwap = Exact.Ratio(a, s * Fixed8.Scale);
        // In raw units σ² = (S·Q − A²)/S² at 10^-16; scaled by 10^(2·decimals − 16) its root counts 10^-decimals.
        // Never below 0: on COIN-M each volume is truncated while the notional is exact, so A may exceed Σ v·p a little.
        var variance = BigInteger.Max(BigInteger.Zero, s * sums.QuantityPriceSquared.ToBigInteger() - a * a) * BigInteger.Pow(10, 2 * Exact.RatioDecimals - 16) / (s * s);
        return new VwapBands(vwap, Exact.Scaled(Exact.SquareRootFloor(variance)));
    }
}

/// <summary>
/// One window's closed seconds (all in the window but the latest): their running sums and volume at price, with no
/// price left at zero volume, so the profile sees exactly the prices traded.
/// </summary>
internal sealed class ClosedSeconds(long seconds)
{
    public long Seconds { get; } = seconds;

    public FlowSums Sums;

    public Dictionary<long, long> VolumeAtPrice { get; } = new();

    public void Add(in FlowSums sums, Dictionary<long, long> volumeAtPrice)
    {
        Sums.Add(sums);
        Add(VolumeAtPrice, volumeAtPrice);
    }

    public void Add(in AggregateTrade trade, long bin, Int128 notional, bool large)
    {
        Sums.Add(trade, notional, large);
        AddVolume(VolumeAtPrice, bin, trade.Quantity.Raw);
    }

    public static void AddVolume(Dictionary<long, long> volumeAtPrice, long bin, long quantity) =>
        CollectionsMarshal.GetValueRefOrAddDefault(volumeAtPrice, bin, out _) += quantity;

    public void Subtract(in FlowSums sums, Dictionary<long, long> volumeAtPrice)
    {
        Sums.Subtract(sums);
        Subtract(VolumeAtPrice, volumeAtPrice);
    }

    public void Clear()
    {
        Sums = default;
        VolumeAtPrice.Clear();
    }

    public static void Add(Dictionary<long, long> into, Dictionary<long, long> volumeAtPrice)
    {
        foreach (var (price, volume) in volumeAtPrice) CollectionsMarshal.GetValueRefOrAddDefault(into, price, out _) += volume;
    }

    public static void Subtract(Dictionary<long, long> from, Dictionary<long, long> volumeAtPrice)
    {
        foreach (var (price, volume) in volumeAtPrice)
        {
            ref var left = ref CollectionsMarshal.GetValueRefOrNullRef(from, price);
            if ((left -= volume) == 0) from.Remove(price);
        }
    }
}
