using System.Text;
using BenchmarkDotNet.Attributes;
using OrderFlow.Actors.Binance;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.History;
using OrderFlow.Actors.Metrics;
using OrderFlow.Actors.Sequencing;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;
using OrderFlow.Simulator;

namespace OrderFlow.Benchmarks;

/// <summary>
/// Per-message costs of the hot path, with allocations: parse a frame, the sequencer's check of a burst, append to
/// history, update the metrics, and the three after the parse together.
/// </summary>
[MemoryDiagnoser]
public class MicroBenchmarks
{
    private const int Batch = 10_000;
    private static readonly byte[] Symbol = Encoding.ASCII.GetBytes("BTCUSDT");

    private byte[] _frame = [];
    private AggregateTrade[] _tape = [];
    private RollingOrderFlow _flow = null!;
    private TradeRing _ring = null!;

    [GlobalSetup]
    public void Setup()
    {
        _tape = Tapes.Make(Batch, seed: 1).ToArray();
        _frame = WireFormat.AggTradeEvent("BTCUSDT", _tape[0], 1_795_500_000_000);
        var settings = new MetricsSettings([TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15), TimeSpan.FromHours(1)],
            100_000m, new Dictionary<Protocol.Symbol, decimal>(), 1, 70, CvdAnchor.UtcDay);
        _flow = new RollingOrderFlow(Protocol.Symbol.Parse("BTCUSDT"), settings);
        _ring = new TradeRing(500_000);
    }

    [Benchmark(Description = "parse one aggTrade frame")]
    public StreamMessageKind Parse() => AggTradeParser.Parse(_frame, Symbol).Kind;

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
    public bool SequencerCheck() => TradeSequencer.AreNextAfter(_tape[0].AggregateId - 1, _tape);

    [Benchmark(Description = "sequencer check + history append + metrics update, one trade", OperationsPerInvoke = Batch)]
    public void AfterTheParse()
    {
        if (!TradeSequencer.AreNextAfter(_tape[0].AggregateId - 1, _tape)) throw new InvalidOperationException("the tape is not in sequence");
        foreach (var trade in _tape) _ring.Append(trade);
        foreach (var trade in _tape) _flow.Add(trade);
    }
}
