using System.Data.Common;
using OrderFlow.Actors.Binance;
using OrderFlow.Protocol;

namespace OrderFlow.Actors.Store;

/// <summary>
/// A recorded liquidation as a row, the same in both stores: every field of the forceOrder event, prices and
/// quantities as integers at 10^-8. Keyed by the symbol, the trade and event times, the side and what filled, so the
/// same event written twice (two nodes of a cluster each stream the market) is one row. Kept whatever the retention:
/// Binance keeps no history of them, so this is the only one there is.
/// </summary>
internal static class LiquidationRows
{
    public const string Columns = "trade_time_ms, event_time_ms, side, order_type, time_in_force, quantity, price, average_price, status, last_filled, filled";

    public const int Count = 11;

    public const string Key = "symbol_id, trade_time_ms, event_time_ms, side, filled";

    /// <summary>The insert, given the parameters' names (the symbol's first); a repeat is ignored.</summary>
    public static string Insert(IReadOnlyList<string> parameters) =>
        $"INSERT INTO liquidations (symbol_id, {Columns}) VALUES ({string.Join(", ", parameters)}) ON CONFLICT ({Key}) DO NOTHING";

    /// <summary>A symbol's liquidations with trade times in [from, to), oldest first (by the key), given the parameters' names.</summary>
    public static string Between(string symbol, string from, string to, string max) =>
        $"SELECT {Columns} FROM liquidations WHERE symbol_id = {symbol} AND trade_time_ms >= {from} AND trade_time_ms < {to} " +
        $"ORDER BY trade_time_ms, event_time_ms, side, filled LIMIT {max}";

    /// <summary>Every column but the symbol, in <see cref="Columns"/>' order.</summary>
    public static object[] Values(in ForceOrder order) =>
    [
        order.TradeTimeMs, order.EventTimeMs, order.Side, order.OrderType, order.TimeInForce, order.Quantity.Raw, order.Price.Raw,
        order.AveragePrice.Raw, order.Status, order.LastFilled.Raw, order.Filled.Raw,
    ];

    /// <summary>A row of <see cref="Columns"/>, for the symbol <paramref name="name"/> (as Binance lists it).</summary>
    public static ForceOrder Read(DbDataReader row, string name) =>
        new(name, row.GetString(2), row.GetString(3), row.GetString(4), new Fixed8(row.GetInt64(5)), new Fixed8(row.GetInt64(6)),
            new Fixed8(row.GetInt64(7)), row.GetString(8), new Fixed8(row.GetInt64(9)), new Fixed8(row.GetInt64(10)), row.GetInt64(0), row.GetInt64(1));
}

/// <summary>
/// When a market-wide stream was connected, as spans keyed by the stream at its exchange and their start: a span still
/// open is written again as it grows (its end only moves later), so a crash loses at most the last minute of it.
/// </summary>
internal static class ConnectedSpanRows
{
    public static string Upsert(string stream, string from, string to) =>
        $"INSERT INTO stream_spans (stream, from_ms, to_ms) VALUES ({stream}, {from}, {to}) " +
        "ON CONFLICT (stream, from_ms) DO UPDATE SET to_ms = excluded.to_ms WHERE excluded.to_ms > stream_spans.to_ms";

    public static string Overlapping(string stream, string from, string to) =>
        $"SELECT from_ms, to_ms FROM stream_spans WHERE stream = {stream} AND to_ms > {from} AND from_ms < {to} ORDER BY from_ms";
}
