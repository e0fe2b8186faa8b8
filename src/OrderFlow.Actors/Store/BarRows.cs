using System.Data.Common;
using System.Globalization;
using OrderFlow.Actors.Bars;

namespace OrderFlow.Actors.Store;

/// <summary>
/// A stored bar as a row, the same in both stores: integers at 10^-8, notionals (10^-16, wider than 64 bits) as decimal
/// text, keyed by symbol, interval and open time; a newer revision replaces an older one, never the other way.
/// </summary>
internal static class BarRows
{
    public const string Columns = "interval_ms, from_ms, revision, complete, open, high, low, close, buy_volume, sell_volume, buy_notional, " +
        "sell_notional, aggregates, trades, delta, delta_min, delta_max, first_id, last_id, cvd, cvd_anchor_ms, cvd_from_ms, step";

    public const int Count = 23;

    /// <summary>The upsert, given the parameters' names (the symbol's first): a newer revision replaces an older one, never the other way.</summary>
    public static string Upsert(IReadOnlyList<string> parameters) =>
        $"INSERT INTO bars (symbol_id, {Columns}) VALUES ({string.Join(", ", parameters)}) " +
        "ON CONFLICT (symbol_id, interval_ms, from_ms) DO UPDATE SET " +
        string.Join(", ", Columns.Split(", ").Skip(2).Select(column => $"{column} = excluded.{column}")) +
        " WHERE excluded.revision >= bars.revision";

    /// <summary>A row of <c>tick_size, contract_size</c> (none: neither was ever written).</summary>
    public static StoredListing ReadListing(DbDataReader row) =>
        new(row.IsDBNull(0) ? null : new OrderFlow.Protocol.Fixed8(row.GetInt64(0)), row.IsDBNull(1) ? null : new OrderFlow.Protocol.Fixed8(row.GetInt64(1)));

    /// <summary>Every column but the key's symbol, in <see cref="Columns"/>' order.</summary>
    public static object[] Values(StoredBar bar)
    {
        var f = bar.Figures;
        return
        [
            bar.Interval.Size, bar.FromMs, bar.Revision, bar.Complete, f.Open, f.High, f.Low, f.Close, f.BuyVolume, f.SellVolume,
            f.BuyNotional.ToString(CultureInfo.InvariantCulture), f.SellNotional.ToString(CultureInfo.InvariantCulture), f.Aggregates, f.Trades,
            f.Delta, f.DeltaMin, f.DeltaMax, f.FirstAggregateId, f.LastAggregateId, f.Cvd, f.CvdAnchorMs, bar.CvdFromMs, bar.Step,
        ];
    }

    /// <summary>A row of <see cref="Columns"/>.</summary>
    public static StoredBar Read(DbDataReader row)
    {
        var figures = new BarFigures
        {
            Open = row.GetInt64(4), High = row.GetInt64(5), Low = row.GetInt64(6), Close = row.GetInt64(7),
            BuyVolume = row.GetInt64(8), SellVolume = row.GetInt64(9),
            BuyNotional = Int128.Parse(row.GetString(10), CultureInfo.InvariantCulture), SellNotional = Int128.Parse(row.GetString(11), CultureInfo.InvariantCulture),
            Aggregates = row.GetInt64(12), Trades = row.GetInt64(13), Delta = row.GetInt64(14), DeltaMin = row.GetInt64(15), DeltaMax = row.GetInt64(16),
            FirstAggregateId = row.GetInt64(17), LastAggregateId = row.GetInt64(18), Cvd = row.GetInt64(19), CvdAnchorMs = row.GetInt64(20),
        };
        return new StoredBar(TimeSpan.FromMilliseconds(row.GetInt64(0)), row.GetInt64(1), row.GetInt32(2), row.GetBoolean(3), figures,
            row.GetInt64(22), row.GetInt64(21));
    }
}
