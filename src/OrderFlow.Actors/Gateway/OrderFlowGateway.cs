using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using OrderFlow.Actors.Metrics;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Bars;
using OrderFlow.Protocol.Cluster;
using OrderFlow.Protocol.Derivatives;
using OrderFlow.Protocol.Metrics;
using OrderFlow.Protocol.Streams;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Gateway;

/// <summary>
/// The one actor a planner talks to: <c>/user/orderflow</c>, reachable over Akka.Remote. Every query is passed to
/// <c>/user/symbols</c>, which routes it to the symbol's actor, and every one is answered within the query timeout:
/// the result, <see cref="SymbolNotFound"/>, or <see cref="QueryFailed"/> with the reason. Subscribers get lifecycle
/// events, final bars and liquidations as they happen, or a metrics snapshot at their interval, until they unsubscribe or stop (DeathWatch).
/// </summary>
public sealed class OrderFlowGateway : ReceiveActor
{
    public const string Name = "orderflow";

    /// <summary>
    /// Where a host runs the gateway: on remoting's own dispatcher, so that a planner's query is read, answered and
    /// written back by the same few threads, with fewer hand-overs between threads than on a thread of its own
    /// (GetMetrics p99 under a flood about a third lower in the benchmark). It never blocks them: it answers GetMetrics
    /// from the <see cref="MetricsBoard"/>s and passes every other query on with an Ask.
    /// </summary>
    public const string RemotingDispatcherId = "akka.remote.default-remote-dispatcher";

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IActorRef _symbols;
    private readonly MetricsBoards _boards;
    private readonly TimeSpan _queryTimeout;
    private readonly TimeSpan _addTimeout;
    private readonly HashSet<IActorRef> _lifecycleSubscribers = new();
    private readonly SymbolSubscribers _barSubscribers = new();
    private readonly SymbolSubscribers _liquidationSubscribers = new();
    private readonly Dictionary<(IActorRef Subscriber, Symbol Symbol, TimeSpan Window), IActorRef> _metricsSubscriptions = new();
    private int _subscriptionNumber;

    public OrderFlowGateway(IActorRef symbols, MetricsBoards boards, TimeSpan queryTimeout, TimeSpan addTimeout)
    {
        _symbols = symbols;
        _boards = boards;
        _queryTimeout = queryTimeout;
        _addTimeout = addTimeout;

        Receive<GetStatus>(Ask);
        Receive<GetStreamedSymbols>(Ask);
        Receive<GetClusterState>(Ask);
        Receive<GetRecentTrades>(query => Ask(query with { Count = Math.Min(query.Count, TradePages.MostTrades) }));
        Receive<GetTradesFromId>(query => Ask(query with { MaxCount = Math.Min(query.MaxCount, TradePages.MostTrades) }));
        Receive<GetTradesSince>(query => Ask(query with { MaxCount = Math.Min(query.MaxCount, TradePages.MostTrades) }));
        Receive<GetMetrics>(query =>
        {
            // Read from the board at once; a symbol without one (not streamed) is the symbols' parent's to answer.
            if (_boards.TryGet(query.Symbol, out var board)) Sender.Tell(board.Read(query.Window, _boards.NowMs));
            else Ask(query);
        });
        Receive<GetBars>(query =>
        {
            if (_boards.TryGet(query.Symbol, out var board)) Sender.Tell(board.ReadBars(query));
            else Ask(query);
        });
        Receive<GetFootprint>(query =>
        {
            if (_boards.TryGet(query.Symbol, out var board)) Sender.Tell(board.ReadFootprint(query));
            else Ask(query);
        });
        Receive<GetSequenceStats>(Ask);
        Receive<RemoveSymbol>(Ask);
        Receive<AddSymbol>(command => Ask(command, _addTimeout));

        Receive<SubscribeLifecycle>(_ =>
        {
            if (_lifecycleSubscribers.Add(Sender)) Context.Watch(Sender);
            Sender.Tell(LifecycleSubscribed.Instance);
        });
        Receive<UnsubscribeLifecycle>(_ =>
        {
            _lifecycleSubscribers.Remove(Sender);
            UnwatchIfNoSubscription(Sender);
        });
        Receive<IStreamLifecycleEvent>(e =>
        {
            foreach (var subscriber in _lifecycleSubscribers) subscriber.Tell(e);
        });

        Receive<SubscribeBars>(subscribe => Subscribe(_barSubscribers, subscribe.Symbols, BarsSubscribed.Instance));
        Receive<UnsubscribeBars>(_ => Unsubscribe(_barSubscribers));
        Receive<BarFinal>(bar =>
        {
            foreach (var subscriber in _barSubscribers.Wanting(bar.Symbol)) subscriber.Tell(bar);
        });
        Receive<SubscribeLiquidations>(subscribe => Subscribe(_liquidationSubscribers, subscribe.Symbols, LiquidationsSubscribed.Instance));
        Receive<UnsubscribeLiquidations>(_ => Unsubscribe(_liquidationSubscribers));
        Receive<Liquidation>(liquidation =>
        {
            foreach (var subscriber in _liquidationSubscribers.Wanting(liquidation.Symbol)) subscriber.Tell(liquidation);
        });

        Receive<SubscribeMetrics>(OnSubscribeMetrics);
        Receive<UnsubscribeMetrics>(command =>
        {
            if (_metricsSubscriptions.Remove((Sender, command.Symbol, command.Window), out var subscription)) Context.Stop(subscription);
            UnwatchIfNoSubscription(Sender);
        });
        Receive<Terminated>(terminated => Forget(terminated.ActorRef));
        Receive<SubscribeAck>(_ => { });
    }

    public static Props Props(IActorRef symbols, MetricsBoards boards, TimeSpan queryTimeout, TimeSpan addTimeout) =>
        Akka.Actor.Props.Create(() => new OrderFlowGateway(symbols, boards, queryTimeout, addTimeout));

    /// <summary>Every symbol's lifecycle and final bars, wherever in the cluster it streams.</summary>
    protected override void PreStart()
    {
        var mediator = DistributedPubSub.Get(Context.System).Mediator;
        mediator.Tell(new Subscribe(Symbols.SymbolActor.LifecycleTopic, Self));
        mediator.Tell(new Subscribe(Symbols.SymbolActor.BarsTopic, Self));
        mediator.Tell(new Subscribe(Derivatives.MarketStreamActor.Topic, Self));
    }

    private void Subscribe(SymbolSubscribers subscribers, IEnumerable<Symbol> symbols, object acknowledgement)
    {
        subscribers.Subscribe(Sender, symbols);
        Context.Watch(Sender);
        Sender.Tell(acknowledgement);
    }

    private void Unsubscribe(SymbolSubscribers subscribers)
    {
        subscribers.Unsubscribe(Sender);
        UnwatchIfNoSubscription(Sender);
    }

    private void Ask(object query) => Ask(query, _queryTimeout);

    private void Ask(object query, TimeSpan timeout) =>
        _symbols.Ask<object>(query, timeout).PipeTo(Sender, failure: error => Failure(query, timeout, error));

    private QueryFailed Failure(object query, TimeSpan timeout, Exception error)
    {
        var reason = error is AskTimeoutException or TaskCanceledException
            ? $"{query.GetType().Name} was not answered within {HumanFormat.Duration(timeout)}"
            : $"{query.GetType().Name} failed: {error.Message}";
        _log.Warning("❓ {Reason}", reason);
        return new QueryFailed(reason);
    }

    private void OnSubscribeMetrics(SubscribeMetrics command)
    {
        if (command.Every < TimeSpan.FromMilliseconds(100))
        {
            Sender.Tell(new QueryFailed("a metrics subscription's interval must be at least 100ms"));
            return;
        }
        var key = (Sender, command.Symbol, command.Window);
        if (_metricsSubscriptions.Remove(key, out var previous)) Context.Stop(previous);
        Context.Watch(Sender);
        _metricsSubscriptions[key] = Context.ActorOf(
            MetricsSubscription.Props(command, Sender, Self, _queryTimeout), $"metrics-subscription-{++_subscriptionNumber}");
    }

    /// <summary>A subscriber that stopped: every subscription of its goes.</summary>
    private void Forget(IActorRef subscriber)
    {
        _lifecycleSubscribers.Remove(subscriber);
        _barSubscribers.Unsubscribe(subscriber);
        _liquidationSubscribers.Unsubscribe(subscriber);
        foreach (var key in _metricsSubscriptions.Keys.Where(key => Equals(key.Subscriber, subscriber)).ToList())
        {
            Context.Stop(_metricsSubscriptions[key]);
            _metricsSubscriptions.Remove(key);
        }
    }

    private void UnwatchIfNoSubscription(IActorRef subscriber)
    {
        if (!_lifecycleSubscribers.Contains(subscriber) && !_barSubscribers.Has(subscriber) && !_liquidationSubscribers.Has(subscriber) && !_metricsSubscriptions.Keys.Any(key => Equals(key.Subscriber, subscriber)))
            Context.Unwatch(subscriber);
    }
}
