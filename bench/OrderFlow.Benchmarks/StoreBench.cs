using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using OrderFlow.Actors.Store;
using OrderFlow.Client;
using OrderFlow.Protocol;
using OrderFlow.Simulator;

namespace OrderFlow.Benchmarks;

public sealed record StoreWriteResult(int Symbols, long Trades, TimeSpan Elapsed, long BytesOnDisk)
{
    public double TradesPerSecond => Trades / Elapsed.TotalSeconds;

    public double BytesPerTrade => BytesOnDisk / (double)Trades;
}

/// <summary>
/// The tape store, measured as the recorders use it: each symbol's trades written in the recorder's batches through
/// the store's one writer, timed until the last is committed; then the file's size once its WAL is folded in. And a
/// restart: the real host, stopped and started again over a store holding an hour, timed to its 1h window ready.
/// </summary>
public static class StoreBench
{
    /// <summary>What a recorder writes at once when a symbol streams 1,000 trades a second and flushes every second.</summary>
    private const int Batch = 1_000;

    public static async Task<StoreWriteResult> WriteAsync(int symbols, int tradesPerSymbol)
    {
        var directory = Directory.CreateTempSubdirectory("orderflow-store-bench-");
        try
        {
            var path = Path.Combine(directory.FullName, "tape.db");
            var elapsed = await TimeWritesAsync(await SqliteTapeStore.OpenAsync(path), symbols, tradesPerSymbol);
            await using (var connection = new SqliteConnection($"Data Source={path}"))
            {
                await connection.OpenAsync();
                await using var checkpoint = connection.CreateCommand();
                checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
                await checkpoint.ExecuteNonQueryAsync();
            }
            SqliteConnection.ClearAllPools();
            var bytes = directory.GetFiles().Sum(file => file.Length);
            return new StoreWriteResult(symbols, (long)symbols * tradesPerSymbol, elapsed, bytes);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>The same writes into a PostgreSQL database on a throwaway server on loopback (no size: its pages are not comparable).</summary>
    public static async Task<StoreWriteResult> WritePostgresAsync(int symbols, int tradesPerSymbol)
    {
        await using var server = new ThrowawayPostgres();
        await server.StartClusterAsync();
        var elapsed = await TimeWritesAsync(await PostgresTapeStore.OpenAsync(await server.CreateDatabaseAsync()), symbols, tradesPerSymbol);
        return new StoreWriteResult(symbols, (long)symbols * tradesPerSymbol, elapsed, 0);
    }

    /// <summary>Queues every symbol's tape in the recorders' batches, all at once, and times until the last is committed; closes the store.</summary>
    private static async Task<TimeSpan> TimeWritesAsync(ITapeStore store, int symbols, int tradesPerSymbol)
    {
        var tapes = Enumerable.Range(0, symbols).Select(i => (Tape: new TapeId(Symbol.Parse($"SYM{i:000}USDT"), "api.binance.com"),
            Trades: Tapes.Make(tradesPerSymbol, seed: i))).ToList();
        await using var _ = store;
        var clock = Stopwatch.StartNew();
        var writes = new List<Task>();
        for (var from = 0; from < tradesPerSymbol; from += Batch)
            foreach (var (tape, trades) in tapes)
                writes.Add(store.WriteAsync(new TapeWrite(tape, trades.Skip(from).Take(Batch).ToList(), [])));
        await Task.WhenAll(writes);
        return clock.Elapsed;
    }

    /// <summary>
    /// An exchange with an hour of BTCUSDT at 20 trades a second. A first host records it all (its warm-up reaches
    /// back two hours) and is stopped; a second, with the shipped 15-minute warm-up, is timed from its start until its
    /// 1h window is ready.
    /// </summary>
    public static async Task<TimeSpan> RestartToReadyAsync()
    {
        await using var exchange = await ExchangeSimulator.StartAsync(new SimulatorOptions
        {
            Symbols = [new SimulatedSymbol("BTCUSDT", 91_350m)], TradesPerSecond = 20, History = TimeSpan.FromHours(1),
        });
        var dataHome = Directory.CreateTempSubdirectory("orderflow-restart-bench-");
        try
        {
            var warmUpAnHour = Path.Combine(dataHome.FullName, "first.conf");
            await File.WriteAllTextAsync(warmUpAnHour, "orderflow.history.warmup = 2h\n");
            string[] arguments = ["--symbols", "BTCUSDT", "--ws-url", exchange.WebSocketUrl.ToString(), "--rest-url", exchange.RestUrl.ToString()];
            await using (var first = HostProcess.Start([.. arguments, "--config", warmUpAnHour], dataHome.FullName))
                await ReadyAsync(first, TimeSpan.FromMinutes(2));
            var clock = Stopwatch.StartNew();
            await using var second = HostProcess.Start(arguments, dataHome.FullName);
            await ReadyAsync(second, TimeSpan.FromMinutes(2));
            return clock.Elapsed;
        }
        finally
        {
            dataHome.Delete(recursive: true);
        }
    }

    /// <summary>
    /// <c>orderflow replay --speed max</c> of a recorded tape of <paramref name="trades"/> trades (one symbol), the
    /// real host timed from its first replay line to "Replay finished": the sequencer, history and metrics take
    /// every trade. Returns trades per second.
    /// </summary>
    public static async Task<double> ReplayAsync(int trades)
    {
        await using var exchange = await ExchangeSimulator.StartAsync(new SimulatorOptions { Symbols = [new SimulatedSymbol("BTCUSDT", 91_350m)], TradesPerSecond = 0 });
        var dataHome = Directory.CreateTempSubdirectory("orderflow-replay-bench-");
        try
        {
            var tape = Tapes.Make(trades, seed: 3);
            await using (var store = await SqliteTapeStore.OpenAsync(Path.Combine(dataHome.FullName, "orderflow", "tape.db")))
                await Task.WhenAll(tape.Chunk(50_000).Select(chunk =>
                    store.WriteAsync(new TapeWrite(TapeId.Of(Symbol.Parse("BTCUSDT"), exchange.RestUrl), chunk, []))));
            SqliteConnection.ClearAllPools();

            await using var host = HostProcess.StartReplay(["--from", tape[0].TradeTimeMs.ToString(CultureInfo.InvariantCulture),
                "--to", (tape[^1].TradeTimeMs + 1).ToString(CultureInfo.InvariantCulture), "--speed", "max", "--symbols", "BTCUSDT",
                "--rest-url", exchange.RestUrl.ToString()], dataHome.FullName);
            long started = 0, finished = 0;
            await host.ReadUntilAsync(line =>
            {
                if (started == 0 && line.Contains("🎬 BTCUSDT: replaying", StringComparison.Ordinal)) started = Stopwatch.GetTimestamp();
                if (line.Contains("🎬 Replay finished", StringComparison.Ordinal)) finished = Stopwatch.GetTimestamp();
                return finished != 0;
            }, TimeSpan.FromMinutes(5));
            return trades / Stopwatch.GetElapsedTime(started, finished).TotalSeconds;
        }
        finally
        {
            dataHome.Delete(recursive: true);
        }
    }

    private static async Task ReadyAsync(HostProcess host, TimeSpan limit)
    {
        string? address = null;
        await host.ReadUntilAsync(line =>
        {
            if (line.Contains("HTTP API (orderflow status|trades|metrics, curl) is at http://", StringComparison.Ordinal)) address = line.Split("is at http://")[1].Split('/')[0];
            return address is not null;
        }, limit);
        await OrderFlowHttpClient.Create(address!).WaitUntilReadyAsync(Symbol.Parse("BTCUSDT"), TimeSpan.FromHours(1), limit);
    }
}
