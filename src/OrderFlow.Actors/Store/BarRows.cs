using System.Data.Common;
using System.Globalization;
using OrderFlow.Actors.Bars;
using OrderFlow.Protocol.Bars;

namespace OrderFlow.Actors.Store;

/// <summary>
/// A stored bar as a row, the same in both stores: integers at 10^-8, notionals (10^-16, wider than 64 bits) as decimal
/// text; a newer revision replaces an older one, never the other way. Time bars live in <c>bars</c>, keyed by symbol,
/// interval and open time; tick and volume bars in <c>counted_bars</c>, keyed by symbol, series (<c>1000t</c>,
/// <c>50v</c>) and their first id by count, with their first and last trade's times.
/// </summary>
internal sealed class BarRows
{
    private const string Figures = "revision, complete, open, high, low, close, buy_volume, sell_volume, buy_notional, sell_notional, aggregates, " +
        "trades, delta, delta_min, delta_max, first_id, last_id, cvd, cvd_anchor_ms, cvd_from_ms, step";

    public static readonly BarRows Time = new("bars", "interval_ms, from_ms", "interval_ms", "from_ms", 2);

    public static readonly BarRows Counted = new("counted_bars", "series, count_from_id, from_ms, to_ms", "series", "count_from_id", 4);

    private readonly string _table;
    private readonly string _seriesColumn;
    private readonly string _keyColumn;
    private readonly int _figuresAt;

    private BarRows(string table, string keyColumns, string seriesColumn, string keyColumn, int figuresAt) =>
        (_table, Columns, _seriesColumn, _keyColumn, _figuresAt) = (table, $"{keyColumns}, {Figures}", seriesColumn, keyColumn, figuresAt);

    public static BarRows Of(BarInterval interval) => interval.Span is null ? Counted : Time;

    public string Columns { get; }

    public int Count => _figuresAt + 21;

    /// <summary>The upsert, given the parameters' names (the symbol's first): a newer revision replaces an older one, never the other way.</summary>
    public string Upsert(IReadOnlyList<string> parameters) =>
        $"INSERT INTO {_table} (symbol_id, {Columns}) VALUES ({string.Join(", ", parameters)}) " +
        $"ON CONFLICT (symbol_id, {_seriesColumn}, {_keyColumn}) DO UPDATE SET " +
        string.Join(", ", Columns.Split(", ").Skip(2).Select(column => $"{column} = excluded.{column}")) +
        $" WHERE excluded.revision >= {_table}.revision";

    /// <summary>The newest bars of one series opening before a time, newest first, given the parameters' names.</summary>
    public string Newest(string symbol, string series, string before, string max) =>
        $"SELECT {Columns} FROM {_table} WHERE symbol_id = {symbol} AND {_seriesColumn} = {series} AND from_ms < {before} ORDER BY {_keyColumn} DESC LIMIT {max}";

    /// <summary>Deletes what ended before a time, given the parameter's name.</summary>
    public string Prune(string before) => $"DELETE FROM {_table} WHERE {(_figuresAt == 2 ? "from_ms" : "to_ms")} < {before}";

    /// <summary>How the series is written in its column.</summary>
    public object Series(BarInterval interval) => _figuresAt == 2 ? interval.Size : interval.ToString();

    /// <summary>A row of <c>tick_size, contract_size</c> (none: neither was ever written).</summary>
    public static StoredListing ReadListing(DbDataReader row) =>
        new(row.IsDBNull(0) ? null : new OrderFlow.Protocol.Fixed8(row.GetInt64(0)), row.IsDBNull(1) ? null : new OrderFlow.Protocol.Fixed8(row.GetInt64(1)));

    /// <summary>Every column but the key's symbol, in <see cref="Columns"/>' order.</summary>
    public object[] Values(StoredBar bar)
    {
        var f = bar.Figures;
        object[] key = _figuresAt == 2 ? [bar.Interval.Size, bar.FromMs] : [bar.Interval.ToString(), bar.CountFromId, bar.FromMs, bar.ToMs];
        return
        [
            .. key, bar.Revision, bar.Complete, f.Open, f.High, f.Low, f.Close, f.BuyVolume, f.SellVolume,
            f.BuyNotional.ToString(CultureInfo.InvariantCulture), f.SellNotional.ToString(CultureInfo.InvariantCulture), f.Aggregates, f.Trades,
            f.Delta, f.DeltaMin, f.DeltaMax, f.FirstAggregateId, f.LastAggregateId, f.Cvd, f.CvdAnchorMs, bar.CvdFromMs, bar.Step,
        ];
    }

    /// <summary>A row of <see cref="Columns"/>.</summary>
    public StoredBar Read(DbDataReader row)
    {
        var at = _figuresAt;
        var figures = new BarFigures
        {
            Open = row.GetInt64(at + 2), High = row.GetInt64(at + 3), Low = row.GetInt64(at + 4), Close = row.GetInt64(at + 5),
            BuyVolume = row.GetInt64(at + 6), SellVolume = row.GetInt64(at + 7),
            BuyNotional = Int128.Parse(row.GetString(at + 8), CultureInfo.InvariantCulture), SellNotional = Int128.Parse(row.GetString(at + 9), CultureInfo.InvariantCulture),
            Aggregates = row.GetInt64(at + 10), Trades = row.GetInt64(at + 11), Delta = row.GetInt64(at + 12), DeltaMin = row.GetInt64(at + 13),
            DeltaMax = row.GetInt64(at + 14), FirstAggregateId = row.GetInt64(at + 15), LastAggregateId = row.GetInt64(at + 16), Cvd = row.GetInt64(at + 17),
            CvdAnchorMs = row.GetInt64(at + 18),
        };
        if (at == 2)
            return new StoredBar(TimeSpan.FromMilliseconds(row.GetInt64(0)), row.GetInt64(1), row.GetInt32(at), row.GetBoolean(at + 1), figures,
                row.GetInt64(at + 20), row.GetInt64(at + 19));
        var series = BarInterval.TryParse(row.GetString(0), out var interval) ? interval : throw new InvalidDataException($"a stored bar's series '{row.GetString(0)}'");
        return new StoredBar(series, row.GetInt64(2), row.GetInt32(at), row.GetBoolean(at + 1), figures, row.GetInt64(at + 20), row.GetInt64(at + 19))
        {
            ToMs = row.GetInt64(3), CountFromId = row.GetInt64(1),
        };
    }
}
