using Akka.Actor;
using Akka.TestKit.Xunit2;
using OrderFlow.Actors.Sequencing;
using OrderFlow.Actors.Store;
using OrderFlow.Actors.Tests.Support;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;
using Xunit;

namespace OrderFlow.Actors.Tests.Store;

/// <summary>The recorder actor over a real SQLite store.</summary>
public sealed class RecorderSpecs : TestKit, IAsyncLifetime
{
    private static readonly TapeId Btc = new(Symbol.Parse("BTCUSDT"), "api.binance.com");
    private readonly string _directory = Directory.CreateTempSubdirectory("orderflow-recorder-").FullName;
    private SqliteTapeStore _store = null!;

    public async Task InitializeAsync() => _store = await SqliteTapeStore.OpenAsync(Path.Combine(_directory, "tape.db"));

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task At_shutdown_it_writes_every_trade_it_holds_however_many_writes_that_takes_and_then_says_so()
    {
        // A warm-up's worth, more than one write carries, and a flush interval that never comes.
        var trades = Enumerable.Range(1, 120_000).Select(id => TestTrades.Buy(id)).ToArray();
        var recorder = Sys.ActorOf(TradeRecorder.Props(Btc, _store, limit: 500_000, flushInterval: TimeSpan.FromHours(1)));
        recorder.Tell(new TradeBatch(Btc.Symbol, trades));

        await recorder.Ask<TradeRecorder.RecordingFlushed>(TradeRecorder.FlushRecording.Instance, Dilated(TimeSpan.FromSeconds(20)));
        Assert.Equal(trades, await _store.ReadFromIdAsync(Btc, 1, 200_000));
        // Nothing held: the next flush is answered at once.
        await recorder.Ask<TradeRecorder.RecordingFlushed>(TradeRecorder.FlushRecording.Instance, Dilated(TimeSpan.FromSeconds(5)));
    }
}
