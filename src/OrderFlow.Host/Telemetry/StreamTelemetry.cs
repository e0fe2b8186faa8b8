using System.Diagnostics.Metrics;
using Akka.Actor;
using Akka.Hosting;
using OrderFlow.Actors.Binance;
using OrderFlow.Actors.Connection;
using OrderFlow.Actors.Gateway;
using OrderFlow.Protocol.Derivatives;
using OrderFlow.Protocol.Streams;

namespace OrderFlow.Host.Telemetry;

/// <summary>
/// Each stream's counters as System.Diagnostics.Metrics instruments (meter <see cref="MeterName"/>), so Prometheus,
/// dotnet-counters and any OpenTelemetry reader see the figures <c>status</c> shows. They are observed from the
/// symbols' own status answer, read just before each scrape (and every few seconds for other listeners): the same
/// numbers, never a second count kept beside the first. Only this node's symbols are reported: summed over a
/// cluster's nodes, each symbol counts once.
/// </summary>
public sealed class StreamTelemetry : IDisposable
{
    public const string MeterName = "OrderFlow";

    private static readonly StreamState[] States = Enum.GetValues<StreamState>();

    private readonly IRequiredActor<OrderFlowGateway> _gateway;
    private readonly TimeSpan _deadline;
    private readonly TimeProvider _clock;
    private readonly Meter _meter = new(MeterName);
    private readonly SemaphoreSlim _reading = new(1, 1);
    private readonly string _node;
    private volatile StatusReport? _status;

    public StreamTelemetry(IRequiredActor<OrderFlowGateway> gateway, ActorSystem system, TimeSpan deadline, TimeProvider clock)
    {
        (_gateway, _deadline, _clock) = (gateway, deadline, clock);
        _node = Akka.Cluster.Cluster.Get(system).SelfAddress.ToString();
        var limits = ExchangeLimits.For(system);
        Counter("orderflow.trades.received", "{trade}", "Aggregate trades passed on, once each", s => s.TradesReceived);
        Counter("orderflow.reconnects", "{reconnect}", "Connections after the first", s => s.Reconnects);
        Counter("orderflow.gaps.detected", "{gap}", "Holes in the aggregate ids seen", s => s.GapsDetected);
        Counter("orderflow.trades.backfilled", "{trade}", "Trades fetched from REST to fill gaps", s => s.TradesBackfilled);
        Counter("orderflow.gaps.unrecovered", "{gap}", "Gaps REST could not fill", s => s.GapsUnrecovered);
        Counter("orderflow.duplicates.dropped", "{trade}", "Aggregate trades seen twice and dropped", s => s.DuplicatesDropped);
        Counter("orderflow.malformed.dropped", "{frame}", "Frames that were not aggregate trades, dropped", s => s.MalformedDropped);
        _meter.CreateObservableGauge("orderflow.stream.state", () => Each(s => States.Select(state =>
                new Measurement<int>(s.State == state ? 1 : 0, new("symbol", s.Symbol.Value), new("state", state.ToString())))),
            description: "1 for the stream's current state, 0 for the others");
        _meter.CreateObservableGauge("orderflow.feed.lag", () => Each<double>(s => s.LastTradeTime is { } last
                ? [new Measurement<double>((_clock.GetUtcNow() - last).TotalSeconds, Symbol(s))]
                : []),
            unit: "s", description: "Now minus the last trade's time");
        _meter.CreateObservableGauge("orderflow.store.unwritten", () => Each<long>(s => s.Store is { } store
                ? [new Measurement<long>(store.Unwritten, Symbol(s))]
                : []),
            unit: "{trade}", description: "Trades passed on but not yet in the tape store");

        // A futures symbol's liquidations, as this node's board took them: executed ones, and their notional (quote
        // currency; COIN-M USD), per side. A sample of the real ones (Binance pushes at most one a symbol a second).
        var boards = OrderFlow.Actors.Metrics.MetricsBoards.For(system);
        _meter.CreateObservableCounter("orderflow.liquidations", () => Liquidated(boards, total => total.Count), "{liquidation}",
            "Liquidations that executed, per symbol and side (long: a long forced out)");
        _meter.CreateObservableCounter("orderflow.liquidations.notional", () => Liquidated(boards, total => (double)total.Notional), "{notional}",
            "Executed liquidations' notional (Σ z·ap; COIN-M z·contractSize USD), per symbol and side");

        // Per market, so per IP: what the exchange's limits leave.
        Limit("orderflow.connection.attempts", "{attempt}", "Connection attempts in the budget's current window", limits,
            market => market.Connections.AttemptsInWindow);
        Limit("orderflow.connection.attempts.limit", "{attempt}", "Connection attempts the budget allows per window", limits,
            market => market.Connections.Attempts);
        Limit("orderflow.rest.weight", "{weight}", "REST request weight spent in the last minute", limits, market => market.Weight.SpentInLastMinute);
        Limit("orderflow.rest.weight.limit", "{weight}", "REST request weight allowed per minute", limits, market => market.Weight.PerMinute);
        // The cluster as this node sees it (alone: one member, up, the oldest).
        var cluster = Akka.Cluster.Cluster.Get(system);
        _meter.CreateObservableGauge("orderflow.cluster.members", () => cluster.State.Members.GroupBy(member => member.Status)
                .Select(group => new Measurement<int>(group.Count(), new KeyValuePair<string, object?>("status", group.Key.ToString()))),
            "{node}", "Members of the cluster, by status");
        _meter.CreateObservableGauge("orderflow.cluster.unreachable", () => cluster.State.Unreachable.Count,
            "{node}", "Members this node's failure detector (or another's it heard of) cannot reach");
        _meter.CreateObservableGauge("orderflow.cluster.oldest", () => cluster.State.Members
                .Where(member => member.Status is Akka.Cluster.MemberStatus.Up or Akka.Cluster.MemberStatus.Leaving)
                .OrderBy(member => member, Akka.Cluster.Member.AgeOrdering).FirstOrDefault()?.Address == cluster.SelfAddress ? 1 : 0,
            "{node}", "1 when this node is the oldest (it runs the shards' coordinator and the singletons)");
        Carrying("orderflow.connection.streams", "Streams a connection carries", limits, c => c.Streams);
        Carrying("orderflow.connection.streams.limit", "The most streams one connection may carry", limits, c => c.Room);
    }

    private static IEnumerable<Measurement<T>> Liquidated<T>(OrderFlow.Actors.Metrics.MetricsBoards boards, Func<(long Count, decimal Notional), T> read)
        where T : struct =>
        boards.All.SelectMany(board => new[] { LiquidatedSide.Long, LiquidatedSide.Short }.SelectMany(side =>
            board.LiquidatedSinceStart(side) is { } total
                ? [new Measurement<T>(read(total), new("symbol", board.Symbol.Value), new("side", side == LiquidatedSide.Long ? "long" : "short"))]
                : Array.Empty<Measurement<T>>()));

    private void Carrying(string name, string description, ExchangeLimits limits, Func<(string Connection, string Market, int Streams, int Room), int> read) =>
        _meter.CreateObservableGauge(name, () => limits.Connections.Select(c => new Measurement<int>(read(c), new("connection", c.Connection), new("market", c.Market))),
            "{stream}", description);

    private void Limit(string name, string unit, string description, ExchangeLimits limits,
        Func<(string Market, ConnectionBudget Connections, RequestWeightBudget Weight), int> read) =>
        _meter.CreateObservableGauge(name, () => limits.Markets.Select(market => new Measurement<int>(read(market), new KeyValuePair<string, object?>("market", market.Market))),
            unit, description);

    /// <summary>Reads every stream's status now; the instruments report it until the next read.</summary>
    public async Task RefreshAsync(CancellationToken cancel)
    {
        await _reading.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            if (await _gateway.ActorRef.Ask<object>(new GetStatus(null), _deadline, cancel).ConfigureAwait(false) is StatusReport status)
                _status = new StatusReport(status.Streams.Where(stream => stream.Node == _node).ToList());
        }
        catch (AskTimeoutException)
        {
            // The last figures stand; the scrape says when they were read by its own timestamp.
        }
        finally
        {
            _reading.Release();
        }
    }

    public void Dispose()
    {
        _meter.Dispose();
        _reading.Dispose();
    }

    private void Counter(string name, string unit, string description, Func<StreamStatus, long> read) =>
        _meter.CreateObservableCounter(name, () => Each<long>(s => [new Measurement<long>(read(s), Symbol(s))]), unit, description);

    private IEnumerable<Measurement<T>> Each<T>(Func<StreamStatus, IEnumerable<Measurement<T>>> measure) where T : struct =>
        _status?.Streams.SelectMany(measure) ?? [];

    private static KeyValuePair<string, object?> Symbol(StreamStatus s) => new("symbol", s.Symbol.Value);
}
