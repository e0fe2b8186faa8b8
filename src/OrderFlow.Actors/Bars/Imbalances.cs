namespace OrderFlow.Actors.Bars;

/// <summary>How a level with no volume on the compared side counts (docs/order-flow.md, Footprint).</summary>
public enum ZeroSide
{
    /// <summary>No imbalance against an empty level.</summary>
    Skip,
    /// <summary>An empty level counts as the symbol's lot step (Sierra's "treat 0 as 1").</summary>
    MinQty,
}

/// <summary>
/// The footprint's diagonal imbalance arithmetic, stated: a buy imbalance at P when A(P) · 100 ≥ r · B(P − step), a
/// sell imbalance at P when B(P) · 100 ≥ r · A(P + step), A the buy (taker bought) volume and B the sell volume, at
/// 10^-8, no division; the dominant side needs at least <see cref="MinVolume"/>; an empty compared side is skipped or
/// counted as the lot step. Stacked: <see cref="Stack"/> or more imbalances on one side at adjacent levels (a level
/// without trades breaks the run).
/// </summary>
public sealed record ImbalanceRule(int RatioPercent, long MinVolume, ZeroSide Zero, int Stack, long LotStep = 1)
{
    public static readonly ImbalanceRule Default = new(300, 0, ZeroSide.Skip, 3);

    /// <summary>Whether <paramref name="dominant"/> is an imbalance over <paramref name="other"/>, the diagonal level's opposite side.</summary>
    public bool Holds(long dominant, long other)
    {
        if (dominant <= 0 || dominant < MinVolume) return false;
        if (other == 0)
        {
            if (Zero == ZeroSide.Skip) return false;
            other = LotStep;
        }
        return (Int128)dominant * 100 >= (Int128)RatioPercent * other;
    }
}

/// <summary>One level's imbalances, and the bar's stacks and unfinished auctions, read off a ladder.</summary>
public sealed record FootprintReading(
    IReadOnlyList<(long Price, LevelCell Cell, bool BuyImbalance, bool SellImbalance)> Levels,
    long? Poc,
    IReadOnlyList<(long Low, long High)> StackedBuy,
    IReadOnlyList<(long Low, long High)> StackedSell,
    bool UnfinishedHigh,
    bool UnfinishedLow)
{
    /// <summary>
    /// Reads <paramref name="ladder"/> with <paramref name="rule"/>. POC: the level with the most volume, a tie going
    /// to the one nearest <paramref name="close"/>, then the lower (as the volume profile's).
    /// </summary>
    public static FootprintReading Of(FootprintLadder ladder, ImbalanceRule rule, long close)
    {
        var step = ladder.Step;
        var all = ladder.Levels.ToList();
        var levels = new List<(long, LevelCell, bool, bool)>(all.Count);
        long? poc = null;
        var pocVolume = -1L;
        foreach (var (price, cell) in all)
        {
            var below = ladder.TryGet(price - step, out var b) ? b.Sell : 0;
            var above = ladder.TryGet(price + step, out var a) ? a.Buy : 0;
            levels.Add((price, cell, rule.Holds(cell.Buy, below), rule.Holds(cell.Sell, above)));
            if (cell.Total > pocVolume || cell.Total == pocVolume && Math.Abs(price - close) < Math.Abs(poc!.Value - close))
                (poc, pocVolume) = (price, cell.Total);
        }
        return new FootprintReading(levels, poc, Stacks(levels, step, rule.Stack, buy: true), Stacks(levels, step, rule.Stack, buy: false),
            levels.Count > 0 && levels[^1].Item2 is { Buy: > 0, Sell: > 0 },
            levels.Count > 0 && levels[0].Item2 is { Buy: > 0, Sell: > 0 });
    }

    private static List<(long Low, long High)> Stacks(List<(long Price, LevelCell Cell, bool Buy, bool Sell)> levels, long step, int stack, bool buy)
    {
        var stacks = new List<(long, long)>();
        var runStart = -1;
        for (var i = 0; i <= levels.Count; i++)
        {
            var continues = i < levels.Count && (buy ? levels[i].Buy : levels[i].Sell)
                && (runStart < 0 || levels[i].Price == levels[i - 1].Price + step);
            if (continues)
            {
                if (runStart < 0) runStart = i;
                continue;
            }
            if (runStart >= 0 && i - runStart >= stack) stacks.Add((levels[runStart].Price, levels[i - 1].Price));
            runStart = i < levels.Count && (buy ? levels[i].Buy : levels[i].Sell) ? i : -1;
        }
        return stacks;
    }
}
