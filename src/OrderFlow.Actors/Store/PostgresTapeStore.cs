using Npgsql;
using NpgsqlTypes;
using OrderFlow.Actors.Bars;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Bars;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Store;

/// <summary>
/// The tape in PostgreSQL: the same rows as the SQLite store's (integers at 10^-8, keyed by symbol id and aggregate
/// id), bulk-written with binary COPY into a per-connection staging table and moved over with ON CONFLICT DO NOTHING,
/// so a batch written twice is still one row each. Schema versions live in <c>orderflow_schema</c>.
/// </summary>
public sealed class PostgresTapeStore : ITapeStore
{
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE symbols (id serial PRIMARY KEY, name text NOT NULL UNIQUE);
        CREATE TABLE trades (
          symbol_id integer NOT NULL,
          agg_id bigint NOT NULL,
          price bigint NOT NULL,
          quantity bigint NOT NULL,
          first_trade_id bigint NOT NULL,
          more_trades integer NOT NULL,
          time_ms bigint NOT NULL,
          buyer_maker boolean NOT NULL,
          PRIMARY KEY (symbol_id, agg_id)
        );
        CREATE INDEX trades_by_time ON trades (symbol_id, time_ms);
        CREATE TABLE holes (symbol_id integer NOT NULL, from_id bigint NOT NULL, to_id bigint NOT NULL, recorded_ms bigint NOT NULL);
        """,
        """
        ALTER TABLE symbols ADD COLUMN tick_size bigint;
        """,
        """
        CREATE TABLE store_identity (id text NOT NULL);
        INSERT INTO store_identity VALUES (md5(random()::text || clock_timestamp()::text));
        CREATE TABLE cluster_symbols (name text PRIMARY KEY, removed boolean NOT NULL, changed_ms bigint NOT NULL);
        """,
        """
        ALTER TABLE symbols ADD COLUMN contract_size bigint;
        CREATE TABLE bars (
          symbol_id integer NOT NULL, interval_ms bigint NOT NULL, from_ms bigint NOT NULL, revision integer NOT NULL,
          complete boolean NOT NULL, open bigint NOT NULL, high bigint NOT NULL, low bigint NOT NULL, close bigint NOT NULL,
          buy_volume bigint NOT NULL, sell_volume bigint NOT NULL, buy_notional text NOT NULL, sell_notional text NOT NULL,
          aggregates bigint NOT NULL, trades bigint NOT NULL, delta bigint NOT NULL, delta_min bigint NOT NULL,
          delta_max bigint NOT NULL, first_id bigint NOT NULL, last_id bigint NOT NULL, cvd bigint NOT NULL,
          cvd_anchor_ms bigint NOT NULL, cvd_from_ms bigint NOT NULL, step bigint NOT NULL,
          PRIMARY KEY (symbol_id, interval_ms, from_ms)
        );
        """,
        """
        CREATE TABLE counted_bars (
          symbol_id integer NOT NULL, series text NOT NULL, count_from_id bigint NOT NULL, from_ms bigint NOT NULL,
          to_ms bigint NOT NULL, revision integer NOT NULL,
          complete boolean NOT NULL, open bigint NOT NULL, high bigint NOT NULL, low bigint NOT NULL, close bigint NOT NULL,
          buy_volume bigint NOT NULL, sell_volume bigint NOT NULL, buy_notional text NOT NULL, sell_notional text NOT NULL,
          aggregates bigint NOT NULL, trades bigint NOT NULL, delta bigint NOT NULL, delta_min bigint NOT NULL,
          delta_max bigint NOT NULL, first_id bigint NOT NULL, last_id bigint NOT NULL, cvd bigint NOT NULL,
          cvd_anchor_ms bigint NOT NULL, cvd_from_ms bigint NOT NULL, step bigint NOT NULL,
          PRIMARY KEY (symbol_id, series, count_from_id)
        );
        """,
        """
        CREATE TABLE liquidations (
          symbol_id integer NOT NULL, trade_time_ms bigint NOT NULL, event_time_ms bigint NOT NULL, side text NOT NULL,
          order_type text NOT NULL, time_in_force text NOT NULL, quantity bigint NOT NULL, price bigint NOT NULL,
          average_price bigint NOT NULL, status text NOT NULL, last_filled bigint NOT NULL, filled bigint NOT NULL,
          PRIMARY KEY (symbol_id, trade_time_ms, event_time_ms, side, filled)
        );
        CREATE TABLE stream_spans (stream text NOT NULL, from_ms bigint NOT NULL, to_ms bigint NOT NULL, PRIMARY KEY (stream, from_ms));
        """,
    ];

    /// <summary>The advisory lock a migration holds (any fixed number; "orderflow" in ASCII, folded into a bigint).</summary>
    private const long MigrationLock = 0x6f72646572666c6f;

    private static string UpsertBar(BarRows rows) => rows.Upsert(Enumerable.Range(1, rows.Count + 1).Select(i => $"${i}").ToList());

    private static readonly string InsertLiquidation = LiquidationRows.Insert(Enumerable.Range(1, LiquidationRows.Count + 1).Select(i => $"${i}").ToList());

    private const string Columns = "agg_id, price, quantity, first_trade_id, more_trades, time_ms, buyer_maker";

    private readonly NpgsqlDataSource _source;
    private readonly TapeWriteQueue _writer;
    private readonly Dictionary<TapeId, int> _symbolIds = new();
    private readonly Lock _symbolIdsGate = new();
    private NpgsqlConnection? _writing;

    private PostgresTapeStore(NpgsqlDataSource source, string description, string identity)
    {
        _source = source;
        Description = description;
        Identity = identity;
        _writer = new TapeWriteQueue(CommitAsync, () =>
        {
            _writing?.Dispose();
            _writing = null;
            lock (_symbolIdsGate) _symbolIds.Clear();
        });
    }

    public string Description { get; }

    public string Identity { get; }

    /// <summary>Connects and migrates, or says in one line why it cannot (the password never shows).</summary>
    public static async Task<PostgresTapeStore> OpenAsync(string connectionString)
    {
        NpgsqlConnectionStringBuilder parsed;
        try
        {
            parsed = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new TapeStoreException($"orderflow.store.connection-string is not a PostgreSQL connection string: {e.Message}");
        }
        var description = $"PostgreSQL {parsed.Host}:{parsed.Port}/{parsed.Database}";
        var source = NpgsqlDataSource.Create(parsed);
        string identity;
        try
        {
            await using var connection = await source.OpenConnectionAsync().ConfigureAwait(false);
            await MigrateAsync(connection, description).ConfigureAwait(false);
            await using var read = new NpgsqlCommand("SELECT id FROM store_identity", connection);
            identity = (string)(await read.ExecuteScalarAsync().ConfigureAwait(false))!;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            await source.DisposeAsync().ConfigureAwait(false);
            throw new TapeStoreException($"the tape store {description} cannot be used: {e.Message.Split('\n')[0].TrimEnd('.')}", e);
        }
        return new PostgresTapeStore(source, description, identity);
    }

    public Task WriteAsync(TapeWrite write) => _writer.WriteAsync(write);

    public async Task<StoredTape> ReadRecentAsync(TapeId tape, long fromMs, int max)
    {
        await using var connection = await _source.OpenConnectionAsync().ConfigureAwait(false);
        if (await SymbolIdAsync(connection, tape, create: false).ConfigureAwait(false) is not { } id) return new StoredTape([], fromMs);
        var trades = await QueryAsync(connection,
            $"SELECT {Columns} FROM (SELECT {Columns} FROM trades WHERE symbol_id = $1 AND time_ms >= $2 ORDER BY agg_id DESC LIMIT $3) newest ORDER BY agg_id",
            id, fromMs, max).ConfigureAwait(false);
        if (trades.Count == 0) return new StoredTape([], fromMs);
        var before = await QueryAsync(connection, $"SELECT {Columns} FROM trades WHERE symbol_id = $1 AND agg_id < $2 ORDER BY agg_id DESC LIMIT 1",
            id, trades[0].AggregateId).ConfigureAwait(false);
        var whole = before.Count == 1 && before[0].AggregateId == trades[0].AggregateId - 1 && before[0].TradeTimeMs < fromMs;
        return new StoredTape(trades, whole ? fromMs : trades[0].TradeTimeMs);
    }

    public async Task<IReadOnlyList<AggregateTrade>> ReadFromIdAsync(TapeId tape, long fromId, int max)
    {
        await using var connection = await _source.OpenConnectionAsync().ConfigureAwait(false);
        if (await SymbolIdAsync(connection, tape, create: false).ConfigureAwait(false) is not { } id) return [];
        return await QueryAsync(connection, $"SELECT {Columns} FROM trades WHERE symbol_id = $1 AND agg_id >= $2 ORDER BY agg_id LIMIT $3",
            id, fromId, max).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<AggregateTrade> ReadBetweenAsync(TapeId tape, long fromMs, long toMs,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancel = default)
    {
        await using var connection = await _source.OpenConnectionAsync(cancel).ConfigureAwait(false);
        if (await SymbolIdAsync(connection, tape, create: false).ConfigureAwait(false) is not { } id) yield break;
        await using var command = new NpgsqlCommand($"SELECT {Columns} FROM trades WHERE symbol_id = $1 AND time_ms >= $2 AND time_ms < $3 ORDER BY agg_id", connection);
        foreach (var value in new object[] { id, fromMs, toMs }) command.Parameters.AddWithValue(value);
        await using var reader = await command.ExecuteReaderAsync(cancel).ConfigureAwait(false);
        while (await reader.ReadAsync(cancel).ConfigureAwait(false)) yield return ReadTrade(reader);
    }

    public async Task<IReadOnlyList<StoredBar>> ReadBarsAsync(TapeId tape, BarInterval interval, long beforeMs, int max)
    {
        await using var connection = await _source.OpenConnectionAsync().ConfigureAwait(false);
        if (await SymbolIdAsync(connection, tape, create: false).ConfigureAwait(false) is not { } id) return [];
        var rows = BarRows.Of(interval);
        await using var command = new NpgsqlCommand(rows.Newest("$1", "$2", "$3", "$4"), connection);
        foreach (var value in new[] { id, rows.Series(interval), beforeMs, max }) command.Parameters.AddWithValue(value);
        var bars = new List<StoredBar>();
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false)) bars.Add(rows.Read(reader));
        bars.Reverse();
        return bars;
    }

    public async Task<IReadOnlyList<Binance.ForceOrder>> ReadLiquidationsAsync(TapeId tape, long fromMs, long toMs, int max)
    {
        await using var connection = await _source.OpenConnectionAsync().ConfigureAwait(false);
        if (await SymbolIdAsync(connection, tape, create: false).ConfigureAwait(false) is not { } id) return [];
        await using var command = new NpgsqlCommand(LiquidationRows.Between("$1", "$2", "$3", "$4"), connection);
        command.Parameters.AddWithValue(id);
        foreach (var value in new[] { fromMs, toMs, max }) command.Parameters.AddWithValue(value);
        var liquidations = new List<Binance.ForceOrder>();
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false)) liquidations.Add(LiquidationRows.Read(reader, tape.Symbol.Name));
        return liquidations;
    }

    public async Task WriteConnectedSpanAsync(string stream, long fromMs, long toMs)
    {
        await using var command = _source.CreateCommand(ConnectedSpanRows.Upsert("$1", "$2", "$3"));
        command.Parameters.AddWithValue(stream);
        command.Parameters.AddWithValue(fromMs);
        command.Parameters.AddWithValue(toMs);
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<(long FromMs, long ToMs)>> ReadConnectedSpansAsync(string stream, long fromMs, long toMs)
    {
        await using var command = _source.CreateCommand(ConnectedSpanRows.Overlapping("$1", "$2", "$3"));
        command.Parameters.AddWithValue(stream);
        command.Parameters.AddWithValue(fromMs);
        command.Parameters.AddWithValue(toMs);
        var spans = new List<(long, long)>();
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false)) spans.Add((reader.GetInt64(0), reader.GetInt64(1)));
        return spans;
    }

    public async Task<StoredListing> ReadListingAsync(TapeId tape)
    {
        await using var command = _source.CreateCommand("SELECT tick_size, contract_size FROM symbols WHERE name = $1");
        command.Parameters.AddWithValue(tape.ToString());
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        return await reader.ReadAsync().ConfigureAwait(false) ? BarRows.ReadListing(reader) : new StoredListing(null, null);
    }

    public async Task<IReadOnlyList<StoredSymbol>> ReadSymbolSetAsync()
    {
        await using var command = _source.CreateCommand("SELECT name, removed FROM cluster_symbols ORDER BY name");
        var symbols = new List<StoredSymbol>();
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
            if (Symbol.TryParse(reader.GetString(0), out var symbol, out _)) symbols.Add(new StoredSymbol(symbol, reader.GetBoolean(1)));
        return symbols;
    }

    public async Task WriteSymbolSetAsync(IReadOnlyList<Symbol> symbols, bool? removed)
    {
        await using var command = removed is not null
            ? _source.CreateCommand("""
                INSERT INTO cluster_symbols SELECT name, $2, $3 FROM unnest($1::text[]) AS name
                ON CONFLICT (name) DO UPDATE SET removed = excluded.removed, changed_ms = excluded.changed_ms
                """)
            : _source.CreateCommand("DELETE FROM cluster_symbols WHERE name = ANY($1)");
        command.Parameters.AddWithValue(symbols.Select(symbol => symbol.Value).ToArray());
        if (removed is { } flag)
        {
            command.Parameters.AddWithValue(flag);
            command.Parameters.AddWithValue(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        }
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    public async Task<long> PruneAsync(long beforeMs)
    {
        foreach (var rows in new[] { BarRows.Time, BarRows.Counted })
        {
            await using var bars = _source.CreateCommand(rows.Prune("$1"));
            bars.Parameters.AddWithValue(beforeMs);
            await bars.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
        await using var command = _source.CreateCommand("DELETE FROM trades WHERE time_ms < $1");
        command.Parameters.AddWithValue(beforeMs);
        return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync().ConfigureAwait(false);
        if (_writing is not null) await _writing.DisposeAsync().ConfigureAwait(false);
        await _source.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Brings the database to this version, in one transaction that first takes an advisory lock: nodes that share the
    /// database may start together, and the second then finds the work done instead of failing with "already exists".
    /// </summary>
    private static async Task MigrateAsync(NpgsqlConnection connection, string description)
    {
        await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock({MigrationLock})").ConfigureAwait(false);
        await ExecuteAsync(connection, "CREATE TABLE IF NOT EXISTS orderflow_schema (version integer NOT NULL)").ConfigureAwait(false);
        await using var read = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM orderflow_schema", connection);
        var version = (int)(await read.ExecuteScalarAsync().ConfigureAwait(false))!;
        if (version > Migrations.Length)
            throw new TapeStoreException($"the tape store {description} is schema version {version}, newer than this version of orderflow reads ({Migrations.Length}): upgrade orderflow, or point orderflow.store.connection-string elsewhere");
        if (version == Migrations.Length) return;
        for (var next = version; next < Migrations.Length; next++) await ExecuteAsync(connection, Migrations[next]).ConfigureAwait(false);
        await ExecuteAsync(connection, $"DELETE FROM orderflow_schema; INSERT INTO orderflow_schema VALUES ({Migrations.Length})").ConfigureAwait(false);
        await transaction.CommitAsync().ConfigureAwait(false);
    }

    /// <summary>One transaction: every write's trades by binary COPY into the staging table, then into trades (repeats ignored).</summary>
    private async Task CommitAsync(IReadOnlyList<TapeWrite> batch)
    {
        if (_writing is null)
        {
            _writing = await _source.OpenConnectionAsync().ConfigureAwait(false);
            await ExecuteAsync(_writing, "CREATE TEMP TABLE incoming (LIKE trades INCLUDING DEFAULTS) ON COMMIT DELETE ROWS").ConfigureAwait(false);
        }
        await using var transaction = await _writing.BeginTransactionAsync().ConfigureAwait(false);
        var ids = new List<int>();
        foreach (var write in batch) ids.Add((await SymbolIdAsync(_writing, write.Tape, create: true).ConfigureAwait(false))!.Value);
        await using (var copy = await _writing.BeginBinaryImportAsync($"COPY incoming (symbol_id, {Columns}) FROM STDIN (FORMAT BINARY)").ConfigureAwait(false))
        {
            for (var i = 0; i < batch.Count; i++)
                foreach (var trade in batch[i].Trades)
                {
                    await copy.StartRowAsync().ConfigureAwait(false);
                    await copy.WriteAsync(ids[i], NpgsqlDbType.Integer).ConfigureAwait(false);
                    await copy.WriteAsync(trade.AggregateId, NpgsqlDbType.Bigint).ConfigureAwait(false);
                    await copy.WriteAsync(trade.Price.Raw, NpgsqlDbType.Bigint).ConfigureAwait(false);
                    await copy.WriteAsync(trade.Quantity.Raw, NpgsqlDbType.Bigint).ConfigureAwait(false);
                    await copy.WriteAsync(trade.FirstTradeId, NpgsqlDbType.Bigint).ConfigureAwait(false);
                    await copy.WriteAsync((int)(trade.LastTradeId - trade.FirstTradeId), NpgsqlDbType.Integer).ConfigureAwait(false);
                    await copy.WriteAsync(trade.TradeTimeMs, NpgsqlDbType.Bigint).ConfigureAwait(false);
                    await copy.WriteAsync(trade.Side == AggressorSide.Sell, NpgsqlDbType.Boolean).ConfigureAwait(false);
                }
            await copy.CompleteAsync().ConfigureAwait(false);
        }
        await ExecuteAsync(_writing, "INSERT INTO trades SELECT * FROM incoming ON CONFLICT DO NOTHING").ConfigureAwait(false);
        for (var i = 0; i < batch.Count; i++)
            foreach (var hole in batch[i].Holes)
            {
                await using var insert = new NpgsqlCommand("INSERT INTO holes VALUES ($1, $2, $3, $4)", _writing);
                foreach (var value in new object[] { ids[i], hole.FromId, hole.ToId, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() })
                    insert.Parameters.AddWithValue(value);
                await insert.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
        for (var i = 0; i < batch.Count; i++)
            foreach (var bar in batch[i].FinalBars)
            {
                var rows = BarRows.Of(bar.Interval);
                await using var upsert = new NpgsqlCommand(UpsertBar(rows), _writing);
                upsert.Parameters.AddWithValue(ids[i]);
                foreach (var value in rows.Values(bar)) upsert.Parameters.AddWithValue(value);
                await upsert.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
        for (var i = 0; i < batch.Count; i++)
            foreach (var order in batch[i].Liquidated)
            {
                await using var insert = new NpgsqlCommand(InsertLiquidation, _writing);
                insert.Parameters.AddWithValue(ids[i]);
                foreach (var value in LiquidationRows.Values(order)) insert.Parameters.AddWithValue(value);
                await insert.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
        for (var i = 0; i < batch.Count; i++)
            if (batch[i].TickSize is not null || batch[i].ContractSize is not null)
            {
                await using var update = new NpgsqlCommand(
                    "UPDATE symbols SET tick_size = coalesce($1, tick_size), contract_size = coalesce($2, contract_size) WHERE id = $3", _writing);
                update.Parameters.Add(new NpgsqlParameter<long?> { TypedValue = batch[i].TickSize?.Raw });
                update.Parameters.Add(new NpgsqlParameter<long?> { TypedValue = batch[i].ContractSize?.Raw });
                update.Parameters.AddWithValue(ids[i]);
                await update.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
        await transaction.CommitAsync().ConfigureAwait(false);
    }

    private async Task<int?> SymbolIdAsync(NpgsqlConnection connection, TapeId tape, bool create)
    {
        lock (_symbolIdsGate)
            if (_symbolIds.TryGetValue(tape, out var known)) return known;
        await using var command = new NpgsqlCommand(create
            ? "INSERT INTO symbols (name) VALUES ($1) ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id"
            : "SELECT id FROM symbols WHERE name = $1", connection);
        command.Parameters.AddWithValue(tape.ToString());
        if (await command.ExecuteScalarAsync().ConfigureAwait(false) is not int id) return null;
        lock (_symbolIdsGate) _symbolIds[tape] = id;
        return id;
    }

    private static async Task<List<AggregateTrade>> QueryAsync(NpgsqlConnection connection, string sql, params object[] values)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values) command.Parameters.AddWithValue(value);
        var trades = new List<AggregateTrade>();
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false)) trades.Add(ReadTrade(reader));
        return trades;
    }

    /// <summary>A row of <see cref="Columns"/>.</summary>
    private static AggregateTrade ReadTrade(NpgsqlDataReader row)
    {
        var first = row.GetInt64(3);
        return new AggregateTrade(row.GetInt64(0), new Fixed8(row.GetInt64(1)), new Fixed8(row.GetInt64(2)), first, first + row.GetInt32(4),
            row.GetInt64(5), row.GetBoolean(6) ? AggressorSide.Sell : AggressorSide.Buy);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }
}
