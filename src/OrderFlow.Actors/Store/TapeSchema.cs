using Microsoft.Data.Sqlite;
using OrderFlow.Actors.Bars;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Store;

/// <summary>
/// The SQLite schema and its versions (<c>PRAGMA user_version</c>): each start applies the migrations the file has
/// not seen, in one transaction; a file from a newer version is refused, never guessed at.
/// </summary>
internal static class TapeSchema
{
    /// <summary>Each version's statements, in order; the file's user_version says how many it has.</summary>
    private static readonly string[] Migrations =
    [
        """
        -- A tape's small id: the symbol with its market, at the exchange it came from (BTCUSDT@api.binance.com).
        CREATE TABLE symbols (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
        -- A trade: its symbol and aggregate id as the key, figures as integers (10^-8 for price and quantity), the
        -- trade ids as the first and how many more, the aggressor as 1 when the buyer was the maker (Binance's m).
        CREATE TABLE trades (
          symbol_id INTEGER NOT NULL,
          agg_id INTEGER NOT NULL,
          price INTEGER NOT NULL,
          quantity INTEGER NOT NULL,
          first_trade_id INTEGER NOT NULL,
          more_trades INTEGER NOT NULL,
          time_ms INTEGER NOT NULL,
          buyer_maker INTEGER NOT NULL,
          PRIMARY KEY (symbol_id, agg_id)
        ) WITHOUT ROWID;
        -- Ids given up on (unrecovered gaps, or trades the recorder could not keep while the store was away).
        CREATE TABLE holes (symbol_id INTEGER NOT NULL, from_id INTEGER NOT NULL, to_id INTEGER NOT NULL, recorded_ms INTEGER NOT NULL);
        """,
        """
        -- The symbol's tick size (10^-8) as exchangeInfo last gave it: a replay bins its volume profile by it.
        ALTER TABLE symbols ADD COLUMN tick_size INTEGER;
        """,
        """
        -- Which store this is: a cluster's nodes share one, and a node on another refuses to join.
        CREATE TABLE store_identity (id TEXT NOT NULL);
        INSERT INTO store_identity VALUES (lower(hex(randomblob(16))));
        -- The cluster's symbol set as add and remove last changed it (removed = 1: stays out), so a full restart keeps it.
        CREATE TABLE cluster_symbols (name TEXT PRIMARY KEY, removed INTEGER NOT NULL, changed_ms INTEGER NOT NULL);
        """,
        """
        -- Final bars, the newest revision of each (a restart answers the bars it had): figures at 10^-8, notionals
        -- (10^-16, wider than 64 bits) as decimal text, the CVD with its anchor and from when it was counted, the
        -- footprint's step. And COIN-M's contract size (10^-8 USD): what a quantity there is worth.
        ALTER TABLE symbols ADD COLUMN contract_size INTEGER;
        CREATE TABLE bars (
          symbol_id INTEGER NOT NULL, interval_ms INTEGER NOT NULL, from_ms INTEGER NOT NULL, revision INTEGER NOT NULL,
          complete INTEGER NOT NULL, open INTEGER NOT NULL, high INTEGER NOT NULL, low INTEGER NOT NULL, close INTEGER NOT NULL,
          buy_volume INTEGER NOT NULL, sell_volume INTEGER NOT NULL, buy_notional TEXT NOT NULL, sell_notional TEXT NOT NULL,
          aggregates INTEGER NOT NULL, trades INTEGER NOT NULL, delta INTEGER NOT NULL, delta_min INTEGER NOT NULL,
          delta_max INTEGER NOT NULL, first_id INTEGER NOT NULL, last_id INTEGER NOT NULL, cvd INTEGER NOT NULL,
          cvd_anchor_ms INTEGER NOT NULL, cvd_from_ms INTEGER NOT NULL, step INTEGER NOT NULL,
          PRIMARY KEY (symbol_id, interval_ms, from_ms)
        ) WITHOUT ROWID;
        """,
        """
        -- Final tick and volume bars (series 1000t, 50v), keyed by their first id by count, with their first and last
        -- trade's times; the figures as in bars.
        CREATE TABLE counted_bars (
          symbol_id INTEGER NOT NULL, series TEXT NOT NULL, count_from_id INTEGER NOT NULL, from_ms INTEGER NOT NULL,
          to_ms INTEGER NOT NULL, revision INTEGER NOT NULL,
          complete INTEGER NOT NULL, open INTEGER NOT NULL, high INTEGER NOT NULL, low INTEGER NOT NULL, close INTEGER NOT NULL,
          buy_volume INTEGER NOT NULL, sell_volume INTEGER NOT NULL, buy_notional TEXT NOT NULL, sell_notional TEXT NOT NULL,
          aggregates INTEGER NOT NULL, trades INTEGER NOT NULL, delta INTEGER NOT NULL, delta_min INTEGER NOT NULL,
          delta_max INTEGER NOT NULL, first_id INTEGER NOT NULL, last_id INTEGER NOT NULL, cvd INTEGER NOT NULL,
          cvd_anchor_ms INTEGER NOT NULL, cvd_from_ms INTEGER NOT NULL, step INTEGER NOT NULL,
          PRIMARY KEY (symbol_id, series, count_from_id)
        ) WITHOUT ROWID;
        """,
        """
        -- Liquidations as the exchange pushed them (every field; prices and quantities at 10^-8), one row per event.
        CREATE TABLE liquidations (
          symbol_id INTEGER NOT NULL, trade_time_ms INTEGER NOT NULL, event_time_ms INTEGER NOT NULL, side TEXT NOT NULL,
          order_type TEXT NOT NULL, time_in_force TEXT NOT NULL, quantity INTEGER NOT NULL, price INTEGER NOT NULL,
          average_price INTEGER NOT NULL, status TEXT NOT NULL, last_filled INTEGER NOT NULL, filled INTEGER NOT NULL,
          PRIMARY KEY (symbol_id, trade_time_ms, event_time_ms, side, filled)
        ) WITHOUT ROWID;
        -- When a market-wide stream was connected (usdm !forceOrder@arr@fapi.binance.com): its liquidations' coverage.
        CREATE TABLE stream_spans (stream TEXT NOT NULL, from_ms INTEGER NOT NULL, to_ms INTEGER NOT NULL, PRIMARY KEY (stream, from_ms)) WITHOUT ROWID;
        """,
    ];

    public static int Version => Migrations.Length;

    public const string TradeColumns = "agg_id, price, quantity, first_trade_id, more_trades, time_ms, buyer_maker";

    /// <summary>
    /// Brings the file to this version. Nodes that share the file may start together: the version is read again inside
    /// a write transaction (BEGIN IMMEDIATE, waiting its turn), so the second finds the work done instead of failing
    /// with "already exists".
    /// </summary>
    public static async Task MigrateAsync(SqliteConnection connection, string path)
    {
        await ExecuteAsync(connection, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;").ConfigureAwait(false);
        if (await ReadVersionAsync(connection, path).ConfigureAwait(false) == Version) return;
        await using var transaction = connection.BeginTransaction(deferred: false);
        var version = await ReadVersionAsync(connection, path, transaction).ConfigureAwait(false);
        for (var next = version; next < Version; next++) await ExecuteAsync(connection, Migrations[next], transaction).ConfigureAwait(false);
        await ExecuteAsync(connection, $"PRAGMA user_version = {Version}", transaction).ConfigureAwait(false);
        await transaction.CommitAsync().ConfigureAwait(false);
    }

    private static async Task<int> ReadVersionAsync(SqliteConnection connection, string path, SqliteTransaction? transaction = null)
    {
        await using var read = connection.CreateCommand();
        read.Transaction = transaction;
        read.CommandText = "PRAGMA user_version";
        var version = Convert.ToInt32(await read.ExecuteScalarAsync().ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        return version <= Version ? version
            : throw new TapeStoreException($"the tape store {path} is schema version {version}, newer than this version of orderflow reads ({Version}): upgrade orderflow, or point orderflow.store.path elsewhere");
    }

    public static SqliteCommand InsertTrade(SqliteConnection connection, SqliteTransaction transaction)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT OR IGNORE INTO trades (symbol_id, " + TradeColumns + ") VALUES ($s, $a, $p, $q, $f, $m, $t, $b)";
        foreach (var name in new[] { "$s", "$a", "$p", "$q", "$f", "$m", "$t", "$b" }) command.Parameters.Add(name, SqliteType.Integer);
        command.Prepare();
        return command;
    }

    public static void WriteTrade(SqliteCommand insert, long symbolId, in AggregateTrade trade)
    {
        var values = insert.Parameters;
        values[0].Value = symbolId;
        values[1].Value = trade.AggregateId;
        values[2].Value = trade.Price.Raw;
        values[3].Value = trade.Quantity.Raw;
        values[4].Value = trade.FirstTradeId;
        values[5].Value = trade.LastTradeId - trade.FirstTradeId;
        values[6].Value = trade.TradeTimeMs;
        values[7].Value = trade.Side == AggressorSide.Sell ? 1L : 0L;
        insert.ExecuteNonQuery();
    }

    public static SqliteCommand InsertHole(SqliteConnection connection, SqliteTransaction transaction)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO holes (symbol_id, from_id, to_id, recorded_ms) VALUES ($s, $from, $to, $at)";
        foreach (var name in new[] { "$s", "$from", "$to", "$at" }) command.Parameters.Add(name, SqliteType.Integer);
        return command;
    }

    public static void WriteHole(SqliteCommand insert, long symbolId, AggregateIdRange range)
    {
        insert.Parameters[0].Value = symbolId;
        insert.Parameters[1].Value = range.FromId;
        insert.Parameters[2].Value = range.ToId;
        insert.Parameters[3].Value = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        insert.ExecuteNonQuery();
    }

    /// <summary>The tick size and contract size a write carries (each kept until exchangeInfo gives another).</summary>
    public static void WriteListing(SqliteConnection connection, SqliteTransaction transaction, long symbolId, TapeWrite write)
    {
        if (write.TickSize is null && write.ContractSize is null) return;
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "UPDATE symbols SET tick_size = coalesce($tick, tick_size), contract_size = coalesce($contract, contract_size) WHERE id = $id";
        command.Parameters.AddWithValue("$tick", (object?)write.TickSize?.Raw ?? DBNull.Value);
        command.Parameters.AddWithValue("$contract", (object?)write.ContractSize?.Raw ?? DBNull.Value);
        command.Parameters.AddWithValue("$id", symbolId);
        command.ExecuteNonQuery();
    }

    public static SqliteCommand UpsertBar(SqliteConnection connection, SqliteTransaction transaction, BarRows rows)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        var names = Enumerable.Range(0, rows.Count).Select(i => $"$b{i}").ToArray();
        command.CommandText = rows.Upsert(["$s", .. names]);
        command.Parameters.Add("$s", SqliteType.Integer);
        foreach (var name in names) command.Parameters.Add(name, SqliteType.Integer);
        command.Prepare();
        return command;
    }

    public static void WriteBar(SqliteCommand upsert, long symbolId, StoredBar bar)
    {
        upsert.Parameters[0].Value = symbolId;
        var values = BarRows.Of(bar.Interval).Values(bar);
        for (var i = 0; i < values.Length; i++)
        {
            upsert.Parameters[i + 1].SqliteType = values[i] is string ? SqliteType.Text : SqliteType.Integer;
            upsert.Parameters[i + 1].Value = values[i];
        }
        upsert.ExecuteNonQuery();
    }

    public static SqliteCommand InsertLiquidation(SqliteConnection connection, SqliteTransaction transaction)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        var names = Enumerable.Range(0, LiquidationRows.Count + 1).Select(i => $"$l{i}").ToArray();
        command.CommandText = LiquidationRows.Insert(names);
        foreach (var name in names) command.Parameters.Add(name, SqliteType.Integer);
        command.Prepare();
        return command;
    }

    public static void WriteLiquidation(SqliteCommand insert, long symbolId, in Binance.ForceOrder order)
    {
        insert.Parameters[0].Value = symbolId;
        var values = LiquidationRows.Values(order);
        for (var i = 0; i < values.Length; i++)
        {
            insert.Parameters[i + 1].SqliteType = values[i] is string ? SqliteType.Text : SqliteType.Integer;
            insert.Parameters[i + 1].Value = values[i];
        }
        insert.ExecuteNonQuery();
    }

    /// <summary>A row of <see cref="TradeColumns"/>.</summary>
    public static AggregateTrade ReadTrade(SqliteDataReader row)
    {
        var first = row.GetInt64(3);
        return new AggregateTrade(row.GetInt64(0), new Fixed8(row.GetInt64(1)), new Fixed8(row.GetInt64(2)), first, first + row.GetInt64(4),
            row.GetInt64(5), row.GetInt64(6) == 1 ? AggressorSide.Sell : AggressorSide.Buy);
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }
}
