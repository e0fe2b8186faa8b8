using Microsoft.Data.Sqlite;
using OrderFlow.Actors.Bars;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Bars;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Store;

/// <summary>
/// The tape in one SQLite file (WAL): a table of trades keyed by (symbol id, aggregate id), without a rowid, every
/// figure an integer (prices and quantities at 10^-8), the last trade id as its distance from the first. Writes go
/// through one <see cref="TapeWriteQueue"/> on one connection; reads open connections of their own, which WAL lets run
/// beside the writer.
/// </summary>
public sealed class SqliteTapeStore : ITapeStore
{
    private readonly string _connectionString;
    private readonly Dictionary<TapeId, long> _symbolIds = new();
    private readonly Lock _symbolIdsGate = new();
    private readonly TapeWriteQueue _writer;
    private SqliteConnection? _writing;

    private SqliteTapeStore(string path, string identity)
    {
        Path = path;
        Identity = identity;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();
        _writer = new TapeWriteQueue(CommitAsync, () =>
        {
            _writing?.Dispose();
            _writing = null;
            lock (_symbolIdsGate) _symbolIds.Clear();
        });
    }

    public string Path { get; }

    public string Identity { get; }

    public string Description => $"SQLite {Path}";

    /// <summary>Opens (creating it and its directory if need be) and migrates the file, or says in one line why it cannot.</summary>
    public static async Task<SqliteTapeStore> OpenAsync(string path)
    {
        string identity;
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path }.ToString());
            await connection.OpenAsync().ConfigureAwait(false);
            await TapeSchema.MigrateAsync(connection, path).ConfigureAwait(false);
            await using var read = connection.CreateCommand();
            read.CommandText = "SELECT id FROM store_identity";
            identity = (string)(await read.ExecuteScalarAsync().ConfigureAwait(false))!;
        }
        catch (SqliteException e)
        {
            throw new TapeStoreException($"the tape store {path} is unreadable: {e.Message.TrimEnd('.')}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TapeStoreException($"the tape store {path} cannot be opened: {e.Message.TrimEnd('.')}", e);
        }
        return new SqliteTapeStore(path, identity);
    }

    public Task WriteAsync(TapeWrite write) => _writer.WriteAsync(write);

    public async Task<StoredTape> ReadRecentAsync(TapeId tape, long fromMs, int max)
    {
        await using var connection = await OpenConnectionAsync().ConfigureAwait(false);
        var id = await SymbolIdAsync(connection, tape, create: false).ConfigureAwait(false);
        if (id is null) return new StoredTape([], fromMs);
        // Newest first, stopping at the first trade before fromMs: only the tail is read, however long the tape.
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {TapeSchema.TradeColumns} FROM trades WHERE symbol_id = $symbol ORDER BY agg_id DESC";
        command.Parameters.AddWithValue("$symbol", id.Value);
        var newestFirst = new List<AggregateTrade>();
        AggregateTrade? before = null;
        await using (var reader = await command.ExecuteReaderAsync().ConfigureAwait(false))
        {
            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                var trade = TapeSchema.ReadTrade(reader);
                if (trade.TradeTimeMs < fromMs || newestFirst.Count == max)
                {
                    before = trade;
                    break;
                }
                newestFirst.Add(trade);
            }
        }
        newestFirst.Reverse();
        var whole = before is { } previous && newestFirst.Count > 0 && previous.AggregateId == newestFirst[0].AggregateId - 1 && previous.TradeTimeMs < fromMs;
        return new StoredTape(newestFirst, whole ? fromMs : newestFirst.Count > 0 ? newestFirst[0].TradeTimeMs : fromMs);
    }

    public async Task<IReadOnlyList<AggregateTrade>> ReadFromIdAsync(TapeId tape, long fromId, int max)
    {
        await using var connection = await OpenConnectionAsync().ConfigureAwait(false);
        if (await SymbolIdAsync(connection, tape, create: false).ConfigureAwait(false) is not { } id) return [];
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {TapeSchema.TradeColumns} FROM trades WHERE symbol_id = $symbol AND agg_id >= $from ORDER BY agg_id LIMIT $max";
        command.Parameters.AddWithValue("$symbol", id);
        command.Parameters.AddWithValue("$from", fromId);
        command.Parameters.AddWithValue("$max", max);
        var trades = new List<AggregateTrade>();
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false)) trades.Add(TapeSchema.ReadTrade(reader));
        return trades;
    }

    public async IAsyncEnumerable<AggregateTrade> ReadBetweenAsync(TapeId tape, long fromMs, long toMs,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancel = default)
    {
        await using var connection = await OpenConnectionAsync().ConfigureAwait(false);
        if (await SymbolIdAsync(connection, tape, create: false).ConfigureAwait(false) is not { } id) yield break;
        if (await FirstIdAtAsync(connection, id, fromMs).ConfigureAwait(false) is not { } first) yield break;
        // From the first id at fromMs on, by the key, until a trade at toMs: only the range is read, however long the tape.
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {TapeSchema.TradeColumns} FROM trades WHERE symbol_id = $symbol AND agg_id >= $first ORDER BY agg_id";
        command.Parameters.AddWithValue("$symbol", id);
        command.Parameters.AddWithValue("$first", first);
        await using var reader = await command.ExecuteReaderAsync(cancel).ConfigureAwait(false);
        while (await reader.ReadAsync(cancel).ConfigureAwait(false))
        {
            var trade = TapeSchema.ReadTrade(reader);
            if (trade.TradeTimeMs >= toMs) yield break;
            yield return trade;
        }
    }

    /// <summary>
    /// The first aggregate id traded at or after <paramref name="fromMs"/>, by bisecting the key: a trade's time never
    /// falls as its id rises, and a time index would cost about 16 bytes a trade. Null: no trade that late.
    /// </summary>
    private static async Task<long?> FirstIdAtAsync(SqliteConnection connection, long symbolId, long fromMs)
    {
        await using var bounds = connection.CreateCommand();
        bounds.CommandText = "SELECT min(agg_id), max(agg_id) FROM trades WHERE symbol_id = $symbol";
        bounds.Parameters.AddWithValue("$symbol", symbolId);
        long lo, end;
        await using (var reader = await bounds.ExecuteReaderAsync().ConfigureAwait(false))
        {
            if (!await reader.ReadAsync().ConfigureAwait(false) || reader.IsDBNull(0)) return null;
            (lo, end) = (reader.GetInt64(0), reader.GetInt64(1) + 1);
        }
        await using var probe = connection.CreateCommand();
        probe.CommandText = "SELECT agg_id, time_ms FROM trades WHERE symbol_id = $symbol AND agg_id >= $id ORDER BY agg_id LIMIT 1";
        probe.Parameters.AddWithValue("$symbol", symbolId);
        var at = probe.Parameters.Add("$id", SqliteType.Integer);
        // The answer is the smallest id late enough: the best found so far, or one in [lo, end).
        long? best = null;
        while (lo < end)
        {
            var mid = lo + (end - lo) / 2;
            at.Value = mid;
            await using var reader = await probe.ExecuteReaderAsync().ConfigureAwait(false);
            await reader.ReadAsync().ConfigureAwait(false); // an id ≥ mid exists: mid < end ≤ max + 1
            var (id, time) = (reader.GetInt64(0), reader.GetInt64(1));
            if (id >= end) end = mid;
            else if (time >= fromMs) (best, end) = (id, mid);
            else lo = id + 1;
        }
        return best;
    }

    public async Task<IReadOnlyList<StoredBar>> ReadBarsAsync(TapeId tape, BarInterval interval, long beforeMs, int max)
    {
        await using var connection = await OpenConnectionAsync().ConfigureAwait(false);
        if (await SymbolIdAsync(connection, tape, create: false).ConfigureAwait(false) is not { } id) return [];
        var rows = BarRows.Of(interval);
        await using var command = connection.CreateCommand();
        command.CommandText = rows.Newest("$symbol", "$series", "$before", "$max");
        command.Parameters.AddWithValue("$symbol", id);
        command.Parameters.AddWithValue("$series", rows.Series(interval));
        command.Parameters.AddWithValue("$before", beforeMs);
        command.Parameters.AddWithValue("$max", max);
        var bars = new List<StoredBar>();
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false)) bars.Add(rows.Read(reader));
        bars.Reverse();
        return bars;
    }

    public async Task<StoredListing> ReadListingAsync(TapeId tape)
    {
        await using var connection = await OpenConnectionAsync().ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT tick_size, contract_size FROM symbols WHERE name = $name";
        command.Parameters.AddWithValue("$name", tape.ToString());
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        return await reader.ReadAsync().ConfigureAwait(false) ? BarRows.ReadListing(reader) : new StoredListing(null, null);
    }

    public async Task<IReadOnlyList<Binance.ForceOrder>> ReadLiquidationsAsync(TapeId tape, long fromMs, long toMs, int max)
    {
        await using var connection = await OpenConnectionAsync().ConfigureAwait(false);
        if (await SymbolIdAsync(connection, tape, create: false).ConfigureAwait(false) is not { } id) return [];
        await using var command = connection.CreateCommand();
        command.CommandText = LiquidationRows.Between("$symbol", "$from", "$to", "$max");
        command.Parameters.AddWithValue("$symbol", id);
        command.Parameters.AddWithValue("$from", fromMs);
        command.Parameters.AddWithValue("$to", toMs);
        command.Parameters.AddWithValue("$max", max);
        var liquidations = new List<Binance.ForceOrder>();
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false)) liquidations.Add(LiquidationRows.Read(reader, tape.Symbol.Name));
        return liquidations;
    }

    public async Task WriteConnectedSpanAsync(string stream, long fromMs, long toMs)
    {
        await using var connection = await OpenConnectionAsync().ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = ConnectedSpanRows.Upsert("$stream", "$from", "$to");
        command.Parameters.AddWithValue("$stream", stream);
        command.Parameters.AddWithValue("$from", fromMs);
        command.Parameters.AddWithValue("$to", toMs);
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<(long FromMs, long ToMs)>> ReadConnectedSpansAsync(string stream, long fromMs, long toMs)
    {
        await using var connection = await OpenConnectionAsync().ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = ConnectedSpanRows.Overlapping("$stream", "$from", "$to");
        command.Parameters.AddWithValue("$stream", stream);
        command.Parameters.AddWithValue("$from", fromMs);
        command.Parameters.AddWithValue("$to", toMs);
        var spans = new List<(long, long)>();
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false)) spans.Add((reader.GetInt64(0), reader.GetInt64(1)));
        return spans;
    }

    public async Task<long> PruneAsync(long beforeMs)
    {
        // Tape by tape, by the key: a scan of every row by time would hold the write lock for as long as it reads.
        await using var connection = await OpenConnectionAsync().ConfigureAwait(false);
        var symbols = new List<long>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT id FROM symbols";
            await using var reader = await list.ExecuteReaderAsync().ConfigureAwait(false);
            while (await reader.ReadAsync().ConfigureAwait(false)) symbols.Add(reader.GetInt64(0));
        }
        long deleted = 0;
        foreach (var symbol in symbols)
        {
            await using var delete = connection.CreateCommand();
            var keepFrom = await FirstIdAtAsync(connection, symbol, beforeMs).ConfigureAwait(false);
            delete.CommandText = "DELETE FROM trades WHERE symbol_id = $symbol AND agg_id < $keep";
            delete.Parameters.AddWithValue("$symbol", symbol);
            delete.Parameters.AddWithValue("$keep", keepFrom ?? long.MaxValue);
            deleted += await delete.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
        foreach (var rows in new[] { BarRows.Time, BarRows.Counted })
        {
            await using var bars = connection.CreateCommand();
            bars.CommandText = rows.Prune("$before");
            bars.Parameters.AddWithValue("$before", beforeMs);
            await bars.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
        return deleted;
    }

    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync().ConfigureAwait(false);
        _writing?.Dispose();
        SqliteConnection.ClearAllPools();
    }

    public async Task<IReadOnlyList<StoredSymbol>> ReadSymbolSetAsync()
    {
        await using var connection = await OpenConnectionAsync().ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, removed FROM cluster_symbols ORDER BY name";
        var symbols = new List<StoredSymbol>();
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
            if (Symbol.TryParse(reader.GetString(0), out var symbol, out _)) symbols.Add(new StoredSymbol(symbol, reader.GetInt64(1) == 1));
        return symbols;
    }

    public async Task WriteSymbolSetAsync(IReadOnlyList<Symbol> symbols, bool? removed)
    {
        await using var connection = await OpenConnectionAsync().ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: false);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = removed is not null
            ? "INSERT INTO cluster_symbols VALUES ($name, $removed, $at) ON CONFLICT (name) DO UPDATE SET removed = excluded.removed, changed_ms = excluded.changed_ms"
            : "DELETE FROM cluster_symbols WHERE name = $name";
        var name = command.Parameters.Add("$name", SqliteType.Text);
        command.Parameters.AddWithValue("$removed", removed == true ? 1L : 0L);
        command.Parameters.AddWithValue("$at", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        foreach (var symbol in symbols)
        {
            name.Value = symbol.Value;
            await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
        await transaction.CommitAsync().ConfigureAwait(false);
    }

    private async Task<SqliteConnection> OpenConnectionAsync()
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        return connection;
    }

    /// <summary>One transaction for the batch, on the writer's own connection (SQLite's calls block: a few ms a round).</summary>
    private Task CommitAsync(IReadOnlyList<TapeWrite> batch)
    {
        if (_writing is null)
        {
            _writing = new SqliteConnection(_connectionString);
            _writing.Open();
            // A connection's own setting: without it each commit syncs the WAL to disk (FULL). NORMAL keeps the file
            // whole through any crash, and a power loss takes at most the last commits, which REST refills by id.
            using var pragma = _writing.CreateCommand();
            pragma.CommandText = "PRAGMA synchronous = NORMAL";
            pragma.ExecuteNonQuery();
        }
        using var transaction = _writing.BeginTransaction();
        using var insert = TapeSchema.InsertTrade(_writing, transaction);
        using var hole = TapeSchema.InsertHole(_writing, transaction);
        using var timeBar = TapeSchema.UpsertBar(_writing, transaction, BarRows.Time);
        using var countedBar = TapeSchema.UpsertBar(_writing, transaction, BarRows.Counted);
        using var liquidation = TapeSchema.InsertLiquidation(_writing, transaction);
        foreach (var write in batch)
        {
            var symbolId = SymbolIdAsync(_writing, write.Tape, create: true, transaction).GetAwaiter().GetResult()!.Value;
            foreach (var trade in write.Trades) TapeSchema.WriteTrade(insert, symbolId, trade);
            foreach (var range in write.Holes) TapeSchema.WriteHole(hole, symbolId, range);
            TapeSchema.WriteListing(_writing, transaction, symbolId, write);
            foreach (var final in write.FinalBars) TapeSchema.WriteBar(final.Interval.Span is null ? countedBar : timeBar, symbolId, final);
            foreach (var order in write.Liquidated) TapeSchema.WriteLiquidation(liquidation, symbolId, order);
        }
        transaction.Commit();
        return Task.CompletedTask;
    }

    private async Task<long?> SymbolIdAsync(SqliteConnection connection, TapeId tape, bool create, SqliteTransaction? transaction = null)
    {
        lock (_symbolIdsGate)
            if (_symbolIds.TryGetValue(tape, out var known)) return known;
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = create
            ? "INSERT INTO symbols(name) VALUES ($name) ON CONFLICT(name) DO UPDATE SET name = excluded.name RETURNING id"
            : "SELECT id FROM symbols WHERE name = $name";
        command.Parameters.AddWithValue("$name", tape.ToString());
        if (await command.ExecuteScalarAsync().ConfigureAwait(false) is not long id) return null;
        lock (_symbolIdsGate) _symbolIds[tape] = id;
        return id;
    }
}
