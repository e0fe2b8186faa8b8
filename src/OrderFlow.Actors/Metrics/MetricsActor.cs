using Akka.Actor;
using OrderFlow.Actors.Configuration;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Metrics;
using OrderFlow.Protocol.Streams;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Metrics;

/// <summary>
/// One symbol's order-flow metrics over the configured rolling windows (see <see cref="RollingOrderFlow"/>). Fed by
/// the sequencer: trades in exchange order, the tape events that say what they cover, and the sequencing counters.
/// </summary>
public sealed class MetricsActor : ReceiveActor
{
    private SequenceStats? _counters;

    public MetricsActor(Symbol symbol, MetricsSettings settings, Func<DateTimeOffset> clock)
    {
        var flow = new RollingOrderFlow(symbol, settings);
        Receive<AggregateTrade>(trade => flow.Add(trade));
        Receive<TapeStarted>(started => flow.Tape.Started(started.FromMs));
        Receive<TapeInterrupted>(flow.Tape.Interrupt);
        Receive<TapeResumed>(_ => flow.Tape.Resume());
        Receive<TapeHole>(flow.Hole);
        Receive<SequenceStats>(counters => _counters = counters);
        Receive<SymbolListing>(listing => flow.SetTickSize(listing.TickSize));
        Receive<GetMetrics>(query => Sender.Tell(settings.Windows.Contains(query.Window)
            ? flow.Snapshot(query.Window, clock().ToUnixTimeMilliseconds(), _counters)
            : new WindowNotTracked(symbol, query.Window, settings.Windows)));
    }

    public static Props Props(Symbol symbol, MetricsSettings settings, Func<DateTimeOffset>? clock = null) =>
        Akka.Actor.Props.Create(() => new MetricsActor(symbol, settings, clock ?? (() => DateTimeOffset.UtcNow)));
}
