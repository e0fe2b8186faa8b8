using System.Text;
using BenchmarkDotNet.Attributes;
using OrderFlow.Actors.Binance;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.History;
using OrderFlow.Actors.Metrics;
using OrderFlow.Actors.Sequencing;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Serialization;
using OrderFlow.Protocol.Trades;
using OrderFlow.Simulator;

namespace OrderFlow.Benchmarks;

/// <summary>
/// Per-message costs of the hot path, with allocations: parse a frame, the sequencer's check of a burst, append to
/// history, update the metrics, and the three after the parse together. And what a GetMetrics costs to compute: an
/// hour's window of a BTCUSDT-like tape (50 trades a second), and a minute's window just after the end-to-end flood.
/// </summary>
[MemoryDiagnoser]
public class MicroBenchmarks
{
    private const int Batch = 10_000;
    private static readonly SymbolRoutes<string> Routes = SymbolRoutes<string>.Of(Protocol.Symbol.Parse("BTCUSDT"), "BTCUSDT");

    private byte[] _frame = [];
    private AggregateTrade[] _tape = [];
    private RollingOrderFlow _flow = null!;
    private TradeRing _ring = null!;
    private RollingOrderFlow _busyHour = null!;
    private long _busyHourEndMs;
    private RollingOrderFlow _flooded = null!;
    private long _floodEndMs;

    [GlobalSetup]
    public void Setup()
    {
        _tape = Tapes.Make(Batch, seed: 1).ToArray();
        _frame = WireFormat.AggTradeEvent("BTCUSDT", _tape[0], 1_795_500_000_000);
        var settings = new MetricsSettings([TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15), TimeSpan.FromHours(1)],
            100_000m, new Dictionary<Protocol.Symbol, decimal>(), 1, 70, CvdAnchor.UtcDay);
        _flow = new RollingOrderFlow(Protocol.Symbol.Parse("BTCUSDT"), settings);
        _ring = new TradeRing(500_000);
        (_busyHour, _busyHourEndMs) = Filled(settings, Tapes.Make(180_000, seed: 2, tradesPerSecond: 50));
        (_flooded, _floodEndMs) = Filled(settings, Tapes.Make(1_000_000, seed: 3));
    }

    private static (RollingOrderFlow Flow, long EndMs) Filled(MetricsSettings settings, IReadOnlyList<AggregateTrade> tape)
    {
        var flow = new RollingOrderFlow(Protocol.Symbol.Parse("BTCUSDT"), settings);
        flow.SetTickSize(Fixed8.FromDecimal(0.01m));
        foreach (var trade in tape) flow.Add(trade);
        return (flow, tape[^1].TradeTimeMs);
    }

    [Benchmark(Description = "parse one aggTrade frame")]
    public StreamMessageKind Parse() => AggTradeParser.Parse(_frame, Routes, out _).Kind;

    [Benchmark(Description = "parse one aggTrade frame, general parser only (the fallback)")]
    public StreamMessageKind ParseStrictly() => AggTradeParser.ParseStrictly(_frame, Routes, out _).Kind;

    [Benchmark(Description = "metrics: add one trade", OperationsPerInvoke = Batch)]
    public void MetricsAdd()
    {
        foreach (var trade in _tape) _flow.Add(trade);
    }

    [Benchmark(Description = "history: append one trade", OperationsPerInvoke = Batch)]
    public void HistoryAppend()
    {
        foreach (var trade in _tape) _ring.Append(trade);
    }

    [Benchmark(Description = "sequencer: check one trade of a burst is the next id", OperationsPerInvoke = Batch)]
    public bool SequencerCheck() => TradeSequence.AreNextAfter(_tape[0].AggregateId - 1, _tape);

    [Benchmark(Description = "GetMetrics: snapshot of a 1h window, 180,000 trades (50/s)")]
    public long? SnapshotOfAnHour() => _busyHour.Snapshot(TimeSpan.FromHours(1), _busyHourEndMs, null).Profile?.Bins;

    [Benchmark(Description = "GetMetrics: the same 1h window a second after its last trade")]
    public long? SnapshotOfAnHourASecondLater() => _busyHour.Snapshot(TimeSpan.FromHours(1), _busyHourEndMs + 1_000, null).Profile?.Bins;

    [Benchmark(Description = "GetMetrics: snapshot of a 1m window, 1,000,000 trades (the flood)")]
    public long? SnapshotAfterTheFlood() => _flooded.Snapshot(TimeSpan.FromMinutes(1), _floodEndMs, null).Profile?.Bins;

    [Benchmark(Description = "GetMetrics: the 1m snapshot after the flood, serialized for remoting")]
    public int SnapshotSerialized() => ProtocolJson.ToUtf8(_flooded.Snapshot(TimeSpan.FromMinutes(1), _floodEndMs, null)).Length;

    [Benchmark(Description = "sequencer check + history append + metrics update, one trade", OperationsPerInvoke = Batch)]
    public void AfterTheParse()
    {
        if (!TradeSequence.AreNextAfter(_tape[0].AggregateId - 1, _tape)) throw new InvalidOperationException("the tape is not in sequence");
        foreach (var trade in _tape) _ring.Append(trade);
        foreach (var trade in _tape) _flow.Add(trade);
    }
}
