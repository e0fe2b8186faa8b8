using Microsoft.Data.Sqlite;
using OrderFlow.Actors.Binance;
using OrderFlow.Actors.Store;
using OrderFlow.Actors.Tests.Support;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;
using Xunit;

namespace OrderFlow.Actors.Tests.Store;

/// <summary><c>orderflow export</c>, run as a user runs it, over a real store file in the user's data directory.</summary>
public sealed class ExportSpecs : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private readonly string _dataHome = Directory.CreateTempSubdirectory("orderflow-export-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dataHome, recursive: true);
    }

    [Fact]
    public async Task A_recorded_range_comes_out_as_the_exchange_s_fields_exactly_and_a_missing_id_is_said()
    {
        // What a host pointed at http://127.0.0.1:9/ recorded: ids 1..30 but 12, a trade a second.
        const long start = 1_800_000_000_000;
        var trades = Enumerable.Range(1, 30).Where(id => id != 12).Select(id => new AggregateTrade(id, Fixed8.Parse("91349.88"),
            Fixed8.Parse("0.0012"), 100L + id, 100L + id + (id % 2), start + 1000L * id, id % 3 == 0 ? AggressorSide.Sell : AggressorSide.Buy)).ToList();
        await using (var store = await SqliteTapeStore.OpenAsync(Path.Combine(_dataHome, "orderflow", "tape.db")))
            await store.WriteAsync(new TapeWrite(new TapeId(Symbol.Parse("BTCUSDT"), "127.0.0.1:9"), trades, []));
        SqliteConnection.ClearAllPools();

        using var export = OrderFlowProcess.StartWithData(_dataHome, "export", "BTCUSDT", "--from", (start + 10_000).ToString(),
            "--to", (start + 15_000).ToString(), "--csv", "--rest-url", "http://127.0.0.1:9/");
        Assert.Equal(0, await export.WaitForExitAsync(Limit));
        Assert.Equal(
        [
            "a,p,q,f,l,T,m",
            "10,91349.88000000,0.00120000,110,110,1800000010000,false",
            "11,91349.88000000,0.00120000,111,112,1800000011000,false",
            "13,91349.88000000,0.00120000,113,114,1800000013000,false",
            "14,91349.88000000,0.00120000,114,114,1800000014000,false",
        ], export.Stdout);
        Assert.Equal("orderflow: ids 12..12 of BTCUSDT@127.0.0.1:9 are missing from the store (1 trades)", export.Stderr[0]);
        Assert.StartsWith("orderflow: 4 trades of BTCUSDT@127.0.0.1:9 from 2027-01-15", export.Stderr[1]);

        // Another exchange's tape of the same name is not this one.
        using var elsewhere = OrderFlowProcess.StartWithData(_dataHome, "export", "BTCUSDT", "--from", start.ToString(), "--csv");
        Assert.Equal(1, await elsewhere.WaitForExitAsync(Limit));
        Assert.StartsWith("orderflow: no trades of BTCUSDT@api.binance.com from ", elsewhere.Stderr.Single());
    }

    [Fact]
    public async Task A_futures_symbol_s_recorded_liquidations_come_out_with_every_field_and_what_executed_measured()
    {
        const long start = 1_800_000_000_000;
        ForceOrder[] liquidations =
        [
            new("BTCUSDT", "SELL", "LIMIT", "IOC", Fixed8.Parse("0.014"), Fixed8.Parse("9910"), Fixed8.Parse("9910.5"), "FILLED", Fixed8.Parse("0.004"),
                Fixed8.Parse("0.014"), start + 1_000, start + 1_003),
            new("BTCUSDT", "BUY", "LIMIT", "IOC", Fixed8.Parse("2"), Fixed8.Parse("9990"), Fixed8.Zero, "EXPIRED", Fixed8.Zero, Fixed8.Zero, start + 2_000, start + 2_001),
        ];
        await using (var store = await SqliteTapeStore.OpenAsync(Path.Combine(_dataHome, "orderflow", "tape.db")))
            await store.WriteAsync(new TapeWrite(new TapeId(Symbol.Parse("usdm:BTCUSDT"), "127.0.0.1:9"), [], [], Liquidations: liquidations));
        SqliteConnection.ClearAllPools();

        using var export = OrderFlowProcess.StartWithData(_dataHome, "export", "usdm:BTCUSDT", "--liquidations", "--from", start.ToString(), "--to", (start + 10_000).ToString(),
            "--market", "usdm", "--rest-url", "http://127.0.0.1:9/");
        Assert.Equal(0, await export.WaitForExitAsync(Limit));
        Assert.Equal(
        [
            "s,S,o,f,q,p,ap,X,l,z,T,E,notional",
            "BTCUSDT,SELL,LIMIT,IOC,0.01400000,9910.00000000,9910.50000000,FILLED,0.00400000,0.01400000,1800000001000,1800000001003,138.747",
            "BTCUSDT,BUY,LIMIT,IOC,2.00000000,9990.00000000,0.00000000,EXPIRED,0.00000000,0.00000000,1800000002000,1800000002001,0",
        ], export.Stdout);
        Assert.StartsWith("orderflow: 2 liquidations of usdm:BTCUSDT@127.0.0.1:9 from ", export.Stderr.Single());
    }
}
