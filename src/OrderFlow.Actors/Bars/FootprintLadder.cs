using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Bars;

/// <summary>Buy and sell volume (and aggregates) at one price level of a bar, at 10^-8.</summary>
public struct LevelCell
{
    public long Buy, Sell;
    public int BuyCount, SellCount;

    public readonly long Total => Buy + Sell;
}

/// <summary>
/// A bar's footprint: volume per price level and aggressor side, level = floor(p / step) · step. The step is the
/// symbol's tick size × the configured ticks per level (10^-8, each price its own level, while the tick size is not
/// known); a ladder keeps the step its first trade was binned with, so a series never changes step mid-bar.
/// </summary>
public sealed class FootprintLadder
{
    // While the bar takes trades, a dictionary; once it is done, sorted arrays of exactly its levels (about a third of
    // the memory: a thousand symbols keep tens of millions of levels).
    private Dictionary<long, LevelCell>? _open = new();
    private long[] _prices = [];
    private LevelCell[] _cells = [];

    /// <summary>The step its levels are multiples of, at 10^-8 (0 until its first trade).</summary>
    public long Step { get; private set; }

    /// <summary>No trade yet.</summary>
    public bool IsEmpty => Step == 0;

    /// <summary>Every level, lowest price first.</summary>
    public IEnumerable<KeyValuePair<long, LevelCell>> Levels
    {
        get
        {
            if (_open is not null)
            {
                foreach (var level in _open.OrderBy(level => level.Key)) yield return level;
                yield break;
            }
            for (var i = 0; i < _prices.Length; i++) yield return new(_prices[i], _cells[i]);
        }
    }

    public bool TryGet(long price, out LevelCell cell)
    {
        if (_open is not null) return _open.TryGetValue(price, out cell);
        var at = Array.BinarySearch(_prices, price);
        cell = at >= 0 ? _cells[at] : default;
        return at >= 0;
    }

    public void Add(in AggregateTrade trade, long step)
    {
        if (Step == 0) Step = step > 0 ? step : 1;
        var levels = _open ??= Thaw();
        var price = trade.Price.Raw;
        var level = price - (((price % Step) + Step) % Step);
        ref var cell = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(levels, level, out _);
        if (trade.Side == AggressorSide.Buy)
        {
            cell.Buy += trade.Quantity.Raw;
            cell.BuyCount++;
        }
        else
        {
            cell.Sell += trade.Quantity.Raw;
            cell.SellCount++;
        }
    }

    /// <summary>Adds every level of <paramref name="other"/> (a shorter bar inside this one, done).</summary>
    public void Merge(FootprintLadder other)
    {
        if (other.IsEmpty) return;
        if (Step == 0) Step = other.Step;
        var levels = _open ??= Thaw();
        foreach (var (price, add) in other.Levels)
        {
            ref var cell = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(levels, price, out _);
            cell.Buy += add.Buy;
            cell.Sell += add.Sell;
            cell.BuyCount += add.BuyCount;
            cell.SellCount += add.SellCount;
        }
    }

    /// <summary>A new ladder holding both.</summary>
    public static FootprintLadder Sum(FootprintLadder a, FootprintLadder b)
    {
        var sum = new FootprintLadder();
        sum.Merge(a);
        sum.Merge(b);
        return sum;
    }

    /// <summary>The bar is done (a later one began): its levels move into sorted arrays. A late trade thaws them again.</summary>
    public void Compact()
    {
        if (_open is null) return;
        _prices = _open.Keys.ToArray();
        Array.Sort(_prices);
        _cells = Array.ConvertAll(_prices, price => _open[price]);
        _open = null;
    }

    private Dictionary<long, LevelCell> Thaw()
    {
        var levels = new Dictionary<long, LevelCell>(_prices.Length);
        for (var i = 0; i < _prices.Length; i++) levels[_prices[i]] = _cells[i];
        (_prices, _cells) = ([], []);
        return levels;
    }
}
