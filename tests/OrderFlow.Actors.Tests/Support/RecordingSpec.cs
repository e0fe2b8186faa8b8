using Akka.TestKit.Xunit2;
using OrderFlow.Simulator;
using Xunit;

namespace OrderFlow.Actors.Tests.Support;

/// <summary>
/// Specs of real host processes over a store that outlives them: a data directory of the spec's own (so the default
/// tape store, SQLite, lives there), shared by every host it starts, and an exchange on loopback.
/// </summary>
public abstract class RecordingSpec : TestKit, IAsyncLifetime
{
    protected string DataHome { get; } = Directory.CreateTempSubdirectory("orderflow-recording-").FullName;

    protected ExchangeSimulator Exchange { get; private set; } = null!;

    /// <summary>The exchange: BTCUSDT with an hour of tape before the spec, and 20 trades a second from then on.</summary>
    public async Task InitializeAsync() => Exchange = await ExchangeSimulator.StartAsync(new SimulatorOptions
    {
        Symbols = [new SimulatedSymbol("BTCUSDT", 91_350m)],
        TradesPerSecond = 20,
        History = TimeSpan.FromHours(1),
    });

    public async Task DisposeAsync() => await Exchange.DisposeAsync();

    protected override void Dispose(bool disposing)
    {
        if (disposing) Directory.Delete(DataHome, recursive: true);
        base.Dispose(disposing);
    }
}
