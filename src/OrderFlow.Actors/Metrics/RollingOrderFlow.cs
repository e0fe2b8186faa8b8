using System.Numerics;
using OrderFlow.Actors.Configuration;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Metrics;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Metrics;

/// <summary>
/// One symbol's order flow over rolling windows, exact. Each trade is added to the tally of its second (a ring holding
/// the longest window's seconds) and to the CVD: O(1), no rescan. A snapshot adds up the window's seconds. Time is the
/// exchange's trade time; a window is the last N whole seconds counting the current one.
/// </summary>
public sealed class RollingOrderFlow
{
    private readonly Symbol _symbol;
    private readonly MetricsSettings _settings;
    private readonly decimal _largeThreshold;
    private readonly Int128 _largeThresholdRaw;
    private readonly FlowTally[] _seconds;
    private readonly long[] _secondOf;
    private readonly Dictionary<long, long>?[] _volumeAtPrice;
    private long _binRaw;
    private long? _lastTradeMs;
    private long? _lastAggregateId;

    private long _cvdAnchorMs = long.MinValue;
    private long _nextCvdAnchorMs = long.MinValue;
    private long _cvd;

    public RollingOrderFlow(Symbol symbol, MetricsSettings settings)
    {
        _symbol = symbol;
        _settings = settings;
        _largeThreshold = settings.LargeTradeNotionalFor(symbol);
        _largeThresholdRaw = (Int128)Fixed8.FromDecimal(_largeThreshold).Raw * Fixed8.Scale;
        var ringSeconds = (int)settings.Windows.Max().TotalSeconds;
        _seconds = new FlowTally[ringSeconds];
        _secondOf = new long[ringSeconds];
        Array.Fill(_secondOf, long.MinValue);
        _volumeAtPrice = new Dictionary<long, long>?[ringSeconds];
    }

    public TapeCoverage Tape { get; } = new();

    /// <summary>The symbol's tick size, from exchangeInfo: profile bins are a multiple of it.</summary>
    public void SetTickSize(Fixed8 tick) => _binRaw = tick.Raw * _settings.ProfileTicksPerBin;

    public void Add(in AggregateTrade trade)
    {
        var time = trade.TradeTimeMs;
        if (_lastTradeMs is not { } last || time > last) _lastTradeMs = time;
        if (_lastAggregateId is not { } lastId || trade.AggregateId > lastId) _lastAggregateId = trade.AggregateId;
        AddToCvd(trade);

        var second = Floor.Divide(time, 1000);
        var slot = SlotOf(second);
        if (_secondOf[slot] != second)
        {
            if (_secondOf[slot] > second) return; // older than the longest window
            _secondOf[slot] = second;
            _seconds[slot] = default;
            _volumeAtPrice[slot]?.Clear();
        }
        _seconds[slot].Add(trade, _largeThresholdRaw);
        var ladder = _volumeAtPrice[slot] ??= new Dictionary<long, long>();
        ladder[trade.Price.Raw] = ladder.GetValueOrDefault(trade.Price.Raw) + trade.Quantity.Raw;
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

        var tally = new FlowTally();
        var volumeAtPrice = new Dictionary<long, long>();
        for (var second = fromSecond; second < toSecond; second++)
        {
            var slot = SlotOf(second);
            if (_secondOf[slot] != second) continue;
            tally.Merge(_seconds[slot]);
            foreach (var (price, volume) in _volumeAtPrice[slot]!)
                volumeAtPrice[price] = volumeAtPrice.GetValueOrDefault(price) + volume;
        }

        var (fraction, missing) = Tape.Measure(fromMs, toMs);
        var holesInWindow = Tape.HolesBetween(fromMs, toMs);
        var buy = Exact.Quantity(tally.BuyQuantity);
        var sell = Exact.Quantity(tally.SellQuantity);
        var traded = tally.Count > 0;

        return new MetricsSnapshot(
            _symbol, window, _lastAggregateId,
            DateTimeOffset.FromUnixTimeMilliseconds(fromMs), DateTimeOffset.FromUnixTimeMilliseconds(toMs),
            new WindowCoverage(missing is null && holesInWindow == 0, fraction, missing),
            tally.Count,
            Exact.Ratio(tally.Count, windowSeconds),
            buy, sell,
            Exact.Notional(tally.BuyNotional), Exact.Notional(tally.SellNotional),
            buy - sell,
            traded ? Exact.Ratio(tally.BuyQuantity - tally.SellQuantity, tally.Volume) : null,
            traded ? Exact.Quantity(tally.OpenPrice) : null,
            traded ? Exact.Quantity(tally.High) : null,
            traded ? Exact.Quantity(tally.Low) : null,
            traded ? Exact.Quantity(tally.LastPrice) : null,
            traded ? Vwap(tally) : null,
            new LargeTrades(_largeThreshold,
                new LargeTradeTally(tally.LargeBuy.Count, Exact.Quantity(tally.LargeBuy.Quantity), Exact.Notional(tally.LargeBuy.Notional)),
                new LargeTradeTally(tally.LargeSell.Count, Exact.Quantity(tally.LargeSell.Quantity), Exact.Notional(tally.LargeSell.Notional)),
                tally.LargestNotional > 0 ? tally.Largest : null),
            ProfileCalculator.Calculate(volumeAtPrice, _binRaw, tally.LastPrice, _settings.ValueAreaPercent),
            Cvd(asOf),
            new DataQuality(
                counters?.GapsDetected ?? 0, counters?.GapsFilled ?? 0, counters?.GapsUnrecovered ?? 0,
                counters?.DuplicatesDropped ?? 0, counters?.MalformedDropped ?? 0, holesInWindow,
                _lastTradeMs is { } lastMs ? Math.Max(0, nowMs - lastMs) / 1000m : null));
    }

    private int SlotOf(long second) => (int)(second % _seconds.Length + _seconds.Length) % _seconds.Length;

    private void AddToCvd(in AggregateTrade trade)
    {
        var time = trade.TradeTimeMs;
        if (time >= _nextCvdAnchorMs)
        {
            _cvdAnchorMs = _settings.CvdAnchor.AnchorFor(time);
            _nextCvdAnchorMs = _settings.CvdAnchor.NextAfter(time);
            _cvd = 0;
        }
        if (time < _cvdAnchorMs) return;
        _cvd += trade.Side == AggressorSide.Buy ? trade.Quantity.Raw : -trade.Quantity.Raw;
    }

    private CumulativeVolumeDelta Cvd(long asOf)
    {
        var anchor = _settings.CvdAnchor.AnchorFor(asOf);
        var value = anchor == _cvdAnchorMs ? Exact.Quantity(_cvd) : 0m;
        var countedFrom = Tape.From is { } from ? Math.Max(from, anchor) : (long?)null;
        var complete = Tape.From <= anchor && !Tape.Interrupted && Tape.HolesBetween(anchor, long.MaxValue) == 0;
        return new CumulativeVolumeDelta(value, DateTimeOffset.FromUnixTimeMilliseconds(anchor),
            countedFrom is { } counted ? DateTimeOffset.FromUnixTimeMilliseconds(counted) : null, complete);
    }

    /// <summary>
    /// VWAP = A/S with A = Σp·q and S = Σq. σ² = Q/S − (A/S)² with Q = Σq·p², so σ = √(S·Q − A²) / S. Both come from
    /// exact integers, truncated to <see cref="Exact.RatioDecimals"/> decimals (σ through an integer square root).
    /// </summary>
    private static VwapBands Vwap(in FlowTally tally)
    {
        var s = new BigInteger(tally.Volume);
        var a = (BigInteger)tally.Notional;
        var vwap = Exact.Ratio(a, s * Fixed8.Scale);
        // In raw units σ² = (S·Q − A²)/S² at 10^-16; scaled by 10^(2·decimals − 16) its root counts 10^-decimals.
        var variance = (s * tally.QuantityPriceSquared.ToBigInteger() - a * a) * BigInteger.Pow(10, 2 * Exact.RatioDecimals - 16) / (s * s);
        return new VwapBands(vwap, Exact.Scaled(Exact.SquareRootFloor(variance)));
    }
}
