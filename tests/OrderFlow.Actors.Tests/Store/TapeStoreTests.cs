using OrderFlow.Actors.Binance;
using Microsoft.Data.Sqlite;
using OrderFlow.Actors.Bars;
using OrderFlow.Actors.Store;
using OrderFlow.Actors.Tests.Support;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Bars;
using OrderFlow.Protocol.Trades;
using Xunit;

namespace OrderFlow.Actors.Tests.Store;

/// <summary>
/// What every tape store must do, on a real one (a SQLite file, a PostgreSQL server): exact round trips, one row per
/// trade however often it is written, tapes kept apart, the recent tail, retention.
/// </summary>
public abstract class TapeStoreContract
{
    protected static readonly TapeId Btc = new(Symbol.Parse("BTCUSDT"), "api.binance.com");

    /// <summary>The store under test, empty the first time; opened again, it holds what was written before.</summary>
    protected abstract Task<ITapeStore> OpenAsync();

    /// <summary>Trade ids <paramref name="from"/>..<paramref name="to"/>, a second apart from <paramref name="startMs"/>, both sides, several trade ids each.</summary>
    protected static AggregateTrade[] Trades(long from, long to, long startMs = 1_800_000_000_000) =>
        Enumerable.Range((int)from, (int)(to - from + 1)).Select(id => new AggregateTrade(id, Fixed8.Parse("91349.88000001"),
            Fixed8.Parse("0.00012345"), 10L * id, 10L * id + id % 3, startMs + 1000L * id, id % 2 == 0 ? AggressorSide.Sell : AggressorSide.Buy)).ToArray();

    [Fact]
    public async Task Nodes_that_open_a_fresh_store_at_once_all_migrate_it_and_see_one_identity()
    {
        // A cluster's nodes start together on one store: none may fail with "already exists".
        var stores = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(OpenAsync)));
        var identities = stores.Select(store => store.Identity).Distinct().ToList();
        foreach (var store in stores) await store.DisposeAsync();

        Assert.Single(identities);
        Assert.Matches("^[0-9a-f]{32}$", identities[0]);
        await using var reopened = await OpenAsync();
        Assert.Equal(identities[0], reopened.Identity);
    }

    [Fact]
    public async Task The_cluster_s_symbol_set_is_kept_as_streamed_or_removed_and_an_unlisted_symbol_is_forgotten()
    {
        var (btc, eth, xyz) = (Symbol.Parse("BTCUSDT"), Symbol.Parse("usdm:ETHUSDT"), Symbol.Parse("XYZUSDT"));
        await using (var store = await OpenAsync())
        {
            await store.WriteSymbolSetAsync([btc, eth, xyz], removed: false);
            await store.WriteSymbolSetAsync([eth], removed: true);
            await store.WriteSymbolSetAsync([xyz], removed: null);
        }

        await using var reopened = await OpenAsync();
        Assert.Equal([new StoredSymbol(btc, false), new StoredSymbol(eth, true)], (await reopened.ReadSymbolSetAsync()).OrderBy(s => s.Symbol));
        await reopened.WriteSymbolSetAsync([eth], removed: false);
        Assert.Contains(new StoredSymbol(eth, false), await reopened.ReadSymbolSetAsync());
    }

    [Fact]
    public async Task Trades_come_back_exactly_and_a_trade_written_twice_is_one_row()
    {
        await using (var store = await OpenAsync())
        {
            await store.WriteAsync(new TapeWrite(Btc, Trades(1, 100), []));
            await store.WriteAsync(new TapeWrite(Btc, Trades(50, 150), [])); // a retry overlapping what was written
            await store.WriteAsync(new TapeWrite(Btc with { Exchange = "testnet.binance.vision" }, Trades(1, 10), [new AggregateIdRange(3, 4)]));
        }

        await using var reopened = await OpenAsync();
        Assert.Equal(Trades(1, 150), await reopened.ReadFromIdAsync(Btc, 1, 1000));
        Assert.Equal(Trades(120, 129), await reopened.ReadFromIdAsync(Btc, 120, 10));
        Assert.Equal(10, (await reopened.ReadFromIdAsync(Btc with { Exchange = "testnet.binance.vision" }, 1, 1000)).Count);
        Assert.Empty(await reopened.ReadFromIdAsync(new TapeId(Symbol.Parse("usdm:BTCUSDT"), "api.binance.com"), 1, 1000));
    }

    [Fact]
    public async Task The_tick_and_contract_sizes_are_kept_with_the_tape_until_exchangeInfo_gives_others()
    {
        var coin = new TapeId(Symbol.Parse("coinm:BTCUSD_PERP"), "dapi.binance.com");
        await using (var store = await OpenAsync())
        {
            Assert.Equal(new StoredListing(null, null), await store.ReadListingAsync(Btc));
            await store.WriteAsync(new TapeWrite(Btc, Trades(1, 10), [], Fixed8.Parse("0.01")));
            await store.WriteAsync(new TapeWrite(Btc, Trades(11, 20), [])); // later writes carry none: it stays
            await store.WriteAsync(new TapeWrite(Btc with { Exchange = "testnet.binance.vision" }, [], [], Fixed8.Parse("0.1")));
            await store.WriteAsync(new TapeWrite(coin, Trades(1, 2), [], Fixed8.Parse("0.1"), ContractSize: Fixed8.Parse("100")));
            await store.WriteAsync(new TapeWrite(coin, [], [], Fixed8.Parse("0.2"))); // a new tick alone leaves the contract size
        }

        await using var reopened = await OpenAsync();
        Assert.Equal(new StoredListing(Fixed8.Parse("0.01"), null), await reopened.ReadListingAsync(Btc));
        Assert.Equal(new StoredListing(Fixed8.Parse("0.1"), null), await reopened.ReadListingAsync(Btc with { Exchange = "testnet.binance.vision" }));
        Assert.Equal(new StoredListing(Fixed8.Parse("0.2"), Fixed8.Parse("100")), await reopened.ReadListingAsync(coin));
        await reopened.WriteAsync(new TapeWrite(Btc, [], [], Fixed8.Parse("0.1")));
        Assert.Equal(Fixed8.Parse("0.1"), (await reopened.ReadListingAsync(Btc)).TickSize);
        Assert.Equal(new StoredListing(null, null), await reopened.ReadListingAsync(new TapeId(Symbol.Parse("ETHUSDT"), "api.binance.com")));
    }

    [Fact]
    public async Task The_recent_tail_is_whole_from_the_time_asked_when_the_trade_before_it_is_there_too()
    {
        await using var store = await OpenAsync();
        var trades = Trades(1, 100);
        await store.WriteAsync(new TapeWrite(Btc, trades, []));

        var tail = await store.ReadRecentAsync(Btc, trades[59].TradeTimeMs - 500, max: 1000);
        Assert.Equal(trades[59..], tail.Trades);
        Assert.Equal(trades[59].TradeTimeMs - 500, tail.CompleteFromMs);

        // Asked from before the store's first trade: whole only from that trade on. Capped: the newest.
        Assert.Equal(trades[0].TradeTimeMs, (await store.ReadRecentAsync(Btc, trades[0].TradeTimeMs - 60_000, 1000)).CompleteFromMs);
        var capped = await store.ReadRecentAsync(Btc, 0, max: 10);
        Assert.Equal(trades[90..], capped.Trades);
        Assert.Equal(trades[90].TradeTimeMs, capped.CompleteFromMs);

        Assert.Empty((await store.ReadRecentAsync(new TapeId(Symbol.Parse("ETHUSDT"), "api.binance.com"), 0, 10)).Trades);
    }

    [Fact]
    public async Task A_time_range_reads_exactly_the_trades_made_in_it_whatever_holes_and_shared_milliseconds_the_tape_has()
    {
        await using var store = await OpenAsync();
        // Ids 1..400 with ids 100..149 missing, and four trades to each millisecond from trade 200 on.
        var trades = Trades(1, 400).Where(t => t.AggregateId is < 100 or >= 150)
            .Select(t => t.AggregateId < 200 ? t : t with { TradeTimeMs = 1_800_000_200_000 + (t.AggregateId - 200) / 4 * 1000 }).ToArray();
        await store.WriteAsync(new TapeWrite(Btc, trades, []));
        await store.WriteAsync(new TapeWrite(Btc with { Exchange = "testnet.binance.vision" }, Trades(1, 10), []));

        var (first, last) = (trades[0].TradeTimeMs, trades[^1].TradeTimeMs);
        var random = new Random(17);
        var ranges = new List<(long From, long To)> { (0, long.MaxValue), (first, first + 1), (last, last + 1), (last + 1, long.MaxValue), (0, first) };
        for (var i = 0; i < 40; i++)
        {
            var from = random.NextInt64(first - 5_000, last + 5_000);
            ranges.Add((from, from + random.NextInt64(1, 120_000)));
        }
        foreach (var (from, to) in ranges)
        {
            var read = new List<AggregateTrade>();
            await foreach (var trade in store.ReadBetweenAsync(Btc, from, to)) read.Add(trade);
            Assert.Equal(trades.Where(t => t.TradeTimeMs >= from && t.TradeTimeMs < to), read);
        }
    }

    [Fact]
    public async Task Trades_older_than_the_retention_are_deleted_and_the_rest_kept()
    {
        await using var store = await OpenAsync();
        var trades = Trades(1, 100);
        await store.WriteAsync(new TapeWrite(Btc, trades, []));
        await store.WriteAsync(new TapeWrite(Btc with { Exchange = "testnet.binance.vision" }, Trades(1, 10), []));
        Assert.Equal(50, await store.PruneAsync(trades[40].TradeTimeMs));
        Assert.Equal(trades[40..], await store.ReadFromIdAsync(Btc, 1, 1000));
        Assert.Empty(await store.ReadFromIdAsync(Btc with { Exchange = "testnet.binance.vision" }, 1, 1000)); // all older
    }

    [Fact]
    public async Task Final_bars_come_back_exactly_the_newest_revision_of_each_and_retention_deletes_the_old_ones()
    {
        var minute = TimeSpan.FromMinutes(1);
        StoredBar Bar(long fromMs, int revision, long buyVolume) => new(minute, fromMs, revision, revision % 2 == 0, new BarFigures
        {
            Open = 9_134_988_000_001, High = 9_135_100_000_000, Low = 9_134_000_000_000, Close = 9_135_000_000_000, BuyVolume = buyVolume,
            SellVolume = 123_456_789, BuyNotional = Int128.Parse("112778059998765432123456789"), SellNotional = 42, Aggregates = 7, Trades = 19,
            Delta = buyVolume - 123_456_789, DeltaMin = -5, DeltaMax = buyVolume, FirstAggregateId = 10, LastAggregateId = 16, Cvd = -77_000_000_001,
            CvdAnchorMs = 1_799_971_200_000,
        }, Step: 92_000_000, CvdFromMs: 1_799_990_000_000);
        const long t0 = 1_800_000_000_000;
        await using (var store = await OpenAsync())
        {
            await store.WriteAsync(new TapeWrite(Btc, [], [], Bars: [Bar(t0, 0, 1), Bar(t0 + 60_000, 0, 2), Bar(t0 + 120_000, 0, 3)]));
            await store.WriteAsync(new TapeWrite(Btc, [], [], Bars: [Bar(t0 + 60_000, 2, 20)]));
            await store.WriteAsync(new TapeWrite(Btc, [], [], Bars: [Bar(t0 + 60_000, 1, 10)])); // an older revision written late: ignored
            await store.WriteAsync(new TapeWrite(Btc with { Exchange = "testnet.binance.vision" }, [], [], Bars: [Bar(t0, 0, 9)]));
        }

        await using var reopened = await OpenAsync();
        Assert.Equal([Bar(t0, 0, 1), Bar(t0 + 60_000, 2, 20), Bar(t0 + 120_000, 0, 3)], await reopened.ReadBarsAsync(Btc, minute, long.MaxValue, 10));
        Assert.Equal([Bar(t0 + 60_000, 2, 20), Bar(t0 + 120_000, 0, 3)], await reopened.ReadBarsAsync(Btc, minute, long.MaxValue, 2));
        Assert.Equal([Bar(t0, 0, 1)], await reopened.ReadBarsAsync(Btc, minute, t0 + 60_000, 10));
        Assert.Empty(await reopened.ReadBarsAsync(Btc, TimeSpan.FromMinutes(5), long.MaxValue, 10));
        await reopened.PruneAsync(t0 + 60_000);
        Assert.Equal([Bar(t0 + 60_000, 2, 20), Bar(t0 + 120_000, 0, 3)], await reopened.ReadBarsAsync(Btc, minute, long.MaxValue, 10));
    }

    [Fact]
    public async Task Liquidations_come_back_exactly_every_field_by_trade_time_an_event_written_twice_is_one_row_and_retention_keeps_them()
    {
        var perp = new TapeId(Symbol.Parse("usdm:BTCUSDT"), "fapi.binance.com");
        var other = new TapeId(Symbol.Parse("usdm:ETHUSDT"), "fapi.binance.com");
        ForceOrder Order(long ms, string side, string status, string filled) => new("BTCUSDT", side, "LIMIT", "IOC", Fixed8.Parse("0.014"),
            Fixed8.Parse("9910.5"), filled == "0" ? Fixed8.Zero : Fixed8.Parse("9911.25"), status, Fixed8.Parse(filled), Fixed8.Parse(filled), ms, ms + 3);
        ForceOrder[] orders =
        [
            Order(1_800_000_000_000, "BUY", "PARTIALLY_FILLED", "0.00000001"),
            // Same millisecond, the other side; then one that expired with nothing filled.
            Order(1_800_000_000_000, "SELL", "FILLED", "0.014"),
            Order(1_800_000_001_500, "SELL", "EXPIRED", "0"),
        ];
        await using (var store = await OpenAsync())
        {
            await store.WriteAsync(new TapeWrite(perp, [], [], Liquidations: orders[..2]));
            // The same events again (a second node streams the market too), the next one, and another symbol's.
            await store.WriteAsync(new TapeWrite(perp, [], [], Liquidations: orders));
            await store.WriteAsync(new TapeWrite(other, [], [], Liquidations: [orders[0] with { Name = "ETHUSDT" }]));
            Assert.Equal(0, await store.PruneAsync(1_900_000_000_000));
        }

        await using var reopened = await OpenAsync();
        Assert.Equal(orders, await reopened.ReadLiquidationsAsync(perp, 0, long.MaxValue, 100));
        Assert.Equal(orders[2..], await reopened.ReadLiquidationsAsync(perp, 1_800_000_000_001, 1_800_000_002_000, 100));
        Assert.Equal(orders[..1], await reopened.ReadLiquidationsAsync(perp, 0, long.MaxValue, 1));
        Assert.Single(await reopened.ReadLiquidationsAsync(other, 0, long.MaxValue, 100));
        Assert.Empty(await reopened.ReadLiquidationsAsync(new TapeId(Symbol.Parse("usdm:SOLUSDT"), "fapi.binance.com"), 0, long.MaxValue, 100));
    }

    [Fact]
    public async Task Tick_and_volume_bars_come_back_by_series_and_first_id_with_their_trade_times_apart_from_time_bars()
    {
        var ticks = BarInterval.Ticks(1_000);
        var volume = BarInterval.Volume(Fixed8.Parse("0.5"));
        const long t0 = 1_800_000_000_000;
        StoredBar Bar(BarInterval series, long countFrom, long fromMs, int revision) => new(series, fromMs, revision, revision == 0, new BarFigures
        {
            Open = 9_134_988_000_001, High = 9_135_100_000_000, Low = 9_134_000_000_000, Close = 9_135_000_000_000, BuyVolume = 50_000_000 + revision,
            SellVolume = 1, BuyNotional = Int128.Parse("112778059998765432123456789"), SellNotional = 42, Aggregates = 7, Trades = 19, Delta = 49_999_999,
            DeltaMin = -1, DeltaMax = 50_000_000, FirstAggregateId = countFrom + 2, LastAggregateId = countFrom + 998, Cvd = 5, CvdAnchorMs = t0 - 3_600_000,
        }, Step: 92_000_000, CvdFromMs: t0 - 3_600_000) { ToMs = fromMs + 4_321, CountFromId = countFrom };
        // Two tick bars opening in the same millisecond, and a 1s time bar (1,000 ms) beside 1000t: each its own.
        var second = new StoredBar(TimeSpan.FromSeconds(1), t0, 0, true, new BarFigures { Open = 1, High = 1, Low = 1, Close = 1, Aggregates = 1, Trades = 1 }, 1, t0);
        await using (var store = await OpenAsync())
        {
            await store.WriteAsync(new TapeWrite(Btc, [], [], Bars: [Bar(ticks, 1, t0, 0), Bar(ticks, 1_001, t0, 0), Bar(ticks, 2_001, t0 + 9_000, 0),
                Bar(volume, 1_500, t0 + 100, 0), second]));
            await store.WriteAsync(new TapeWrite(Btc, [], [], Bars: [Bar(ticks, 1_001, t0, 1)]));
        }

        await using var reopened = await OpenAsync();
        Assert.Equal([Bar(ticks, 1, t0, 0), Bar(ticks, 1_001, t0, 1), Bar(ticks, 2_001, t0 + 9_000, 0)], await reopened.ReadBarsAsync(Btc, ticks, long.MaxValue, 10));
        Assert.Equal([Bar(ticks, 2_001, t0 + 9_000, 0)], await reopened.ReadBarsAsync(Btc, ticks, long.MaxValue, 1));
        Assert.Equal([Bar(volume, 1_500, t0 + 100, 0)], await reopened.ReadBarsAsync(Btc, volume, long.MaxValue, 10));
        Assert.Equal([second], await reopened.ReadBarsAsync(Btc, TimeSpan.FromSeconds(1), long.MaxValue, 10));
        Assert.Empty(await reopened.ReadBarsAsync(Btc, BarInterval.Ticks(500), long.MaxValue, 10));
        // Retention goes by a bar's last trade.
        await reopened.PruneAsync(t0 + 4_322);
        Assert.Equal([Bar(ticks, 2_001, t0 + 9_000, 0)], await reopened.ReadBarsAsync(Btc, ticks, long.MaxValue, 10));
    }

}

/// <summary>The SQLite store on a real file, and what only it does: refusing a newer or foreign file; the recorder's bound.</summary>
public sealed class SqliteTapeStoreTests : TapeStoreContract, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("orderflow-store-").FullName;

    private string File => Path.Combine(_directory, "tape.db");

    protected override async Task<ITapeStore> OpenAsync() => await SqliteTapeStore.OpenAsync(File);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_store_from_a_newer_version_or_a_file_that_is_not_one_is_refused_in_one_line()
    {
        await (await SqliteTapeStore.OpenAsync(File)).DisposeAsync();
        await using (var connection = new SqliteConnection($"Data Source={File}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version = 99";
            await command.ExecuteNonQueryAsync();
        }
        var newer = await Assert.ThrowsAsync<TapeStoreException>(() => SqliteTapeStore.OpenAsync(File));
        Assert.Equal($"the tape store {File} is schema version 99, newer than this version of orderflow reads ({TapeSchema.Version}): upgrade orderflow, " +
                     "or point orderflow.store.path elsewhere", newer.Message);

        var garbage = Path.Combine(_directory, "notes.txt");
        await System.IO.File.WriteAllTextAsync(garbage, new string('x', 5000));
        var unreadable = await Assert.ThrowsAsync<TapeStoreException>(() => SqliteTapeStore.OpenAsync(garbage));
        Assert.StartsWith($"the tape store {garbage} is unreadable: ", unreadable.Message);
        Assert.DoesNotContain('\n', unreadable.Message);
    }

    [Fact]
    public void A_recorder_that_falls_past_its_bound_records_the_oldest_ids_as_a_hole_and_a_failed_write_waits_again_first()
    {
        var buffer = new RecorderBuffer(Btc, limit: 100, maxPerWrite: 60);
        buffer.Add(Trades(1, 80));
        var write = buffer.TakeWrite()!;
        Assert.Equal(Trades(1, 60), write.Trades);
        Assert.Null(buffer.TakeWrite()); // one at a time

        // The store fails, and 50 more arrive meanwhile: 130 wait, 100 are kept, ids 1..30 become a hole.
        buffer.Add(Trades(81, 130));
        buffer.WriteFailed();
        Assert.Equal((100, 30L), (buffer.Pending, buffer.Dropped));
        write = buffer.TakeWrite()!;
        Assert.Equal(Trades(31, 90), write.Trades);
        Assert.Equal([new AggregateIdRange(1, 30)], write.Holes);
        buffer.Written();
        Assert.Equal(Trades(91, 130), buffer.TakeWrite()!.Trades);
    }

    [Fact]
    public void A_tick_size_goes_with_the_next_write_alone_if_no_trade_waits_and_waits_again_if_that_write_fails()
    {
        var buffer = new RecorderBuffer(Btc, limit: 100);
        Assert.Null(buffer.TakeWrite());
        buffer.SetListing(new Listing(Fixed8.Parse("0.01"), Listing.Trading));
        var write = buffer.TakeWrite()!;
        Assert.Equal((0, Fixed8.Parse("0.01")), (write.Trades.Count, write.TickSize));
        buffer.Add(Trades(1, 5));
        buffer.WriteFailed();
        write = buffer.TakeWrite()!;
        Assert.Equal((5, Fixed8.Parse("0.01")), (write.Trades.Count, write.TickSize));
        buffer.Written();
        buffer.Add(Trades(6, 7));
        Assert.Null(buffer.TakeWrite()!.TickSize);
    }
}

/// <summary>The PostgreSQL store against a real server, each spec in a database of its own.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresTapeStoreTests(PostgresServer server) : TapeStoreContract, IAsyncLifetime
{
    private string _database = "";

    public async Task InitializeAsync() => _database = await server.CreateDatabaseAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    protected override async Task<ITapeStore> OpenAsync() => await PostgresTapeStore.OpenAsync(_database);

    [Fact]
    public async Task A_server_that_is_not_there_is_one_line_naming_it_without_the_password()
    {
        var error = await Assert.ThrowsAsync<TapeStoreException>(() =>
            PostgresTapeStore.OpenAsync("Host=127.0.0.1;Port=1;Username=orderflow;Password=secret;Database=tape;Timeout=2"));
        Assert.StartsWith("the tape store PostgreSQL 127.0.0.1:1/tape cannot be used: ", error.Message);
        Assert.DoesNotContain("secret", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }
}
