using System.Globalization;
using System.Text;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Simulator;

/// <summary>
/// The exchange's own bars, as Binance defines them (shared/docs/binance.md, Klines), computed from the simulator's
/// tape: open, high, low, close, volume = Σq, quote volume = Σp·q (exact here), number of trades = Σ(l − f + 1),
/// taker buy base and quote volume over the aggregates whose buyer took. A kline is known by its open time; an
/// interval without trades between two that have some is listed with zero volume at the previous close, as Binance does.
/// </summary>
public static class Klines
{
    private static readonly Dictionary<string, long> IntervalsMs = new()
    {
        ["1s"] = 1_000, ["1m"] = 60_000, ["3m"] = 180_000, ["5m"] = 300_000, ["15m"] = 900_000, ["30m"] = 1_800_000,
        ["1h"] = 3_600_000, ["2h"] = 7_200_000, ["4h"] = 14_400_000, ["6h"] = 21_600_000, ["8h"] = 28_800_000,
        ["12h"] = 43_200_000, ["1d"] = 86_400_000,
    };

    public static bool TryInterval(string text, out long intervalMs) => IntervalsMs.TryGetValue(text, out intervalMs);

    /// <summary>The klines opening from <paramref name="startMs"/> to <paramref name="endMs"/>, oldest first, at most <paramref name="limit"/>, as Binance's JSON.</summary>
    public static string Json(IReadOnlyList<AggregateTrade> tape, long intervalMs, long? startMs, long? endMs, int limit)
    {
        var rows = new List<(long Open, string Json)>();
        long? lastOpen = null;
        var lastClose = Fixed8.Zero;
        foreach (var group in tape.GroupBy(t => t.TradeTimeMs - t.TradeTimeMs % intervalMs))
        {
            for (var empty = lastOpen + intervalMs; empty < group.Key; empty += intervalMs) rows.Add((empty.Value, Row(empty.Value, intervalMs, [], lastClose)));
            var trades = group.ToList();
            rows.Add((group.Key, Row(group.Key, intervalMs, trades, trades[^1].Price)));
            (lastOpen, lastClose) = (group.Key, trades[^1].Price);
        }
        var chosen = rows.Where(row => row.Open >= (startMs ?? long.MinValue) && row.Open <= (endMs ?? long.MaxValue));
        chosen = startMs is null ? chosen.TakeLast(limit) : chosen.Take(limit);
        return "[" + string.Join(",", chosen.Select(row => row.Json)) + "]";
    }

    private static string Row(long openMs, long intervalMs, IReadOnlyList<AggregateTrade> trades, Fixed8 close)
    {
        decimal P(AggregateTrade t) => t.Price.ToDecimal();
        decimal Q(AggregateTrade t) => t.Quantity.ToDecimal();
        var taker = trades.Where(t => t.Side == AggressorSide.Buy).ToList();
        var (open, high, low) = trades.Count == 0 ? (close.ToDecimal(), close.ToDecimal(), close.ToDecimal())
            : (P(trades[0]), trades.Max(P), trades.Min(P));
        var s = (decimal value) => "\"" + value.ToString("0.00000000##########", CultureInfo.InvariantCulture) + "\"";
        return new StringBuilder("[").Append(openMs.ToString(CultureInfo.InvariantCulture)).Append(',')
            .Append(s(open)).Append(',').Append(s(high)).Append(',').Append(s(low)).Append(',').Append(s(close.ToDecimal())).Append(',')
            .Append(s(trades.Sum(Q))).Append(',').Append((openMs + intervalMs - 1).ToString(CultureInfo.InvariantCulture)).Append(',')
            .Append(s(trades.Sum(t => P(t) * Q(t)))).Append(',').Append(trades.Sum(t => t.LastTradeId - t.FirstTradeId + 1).ToString(CultureInfo.InvariantCulture)).Append(',')
            .Append(s(taker.Sum(Q))).Append(',').Append(s(taker.Sum(t => P(t) * Q(t)))).Append(",\"0\"]").ToString();
    }
}
