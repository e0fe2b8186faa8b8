using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using OrderFlow.Actors.Binance;
using OrderFlow.Protocol.Cluster;

namespace OrderFlow.Actors.Membership;

/// <summary>
/// Binance counts connection attempts and REST weight per IP, and several nodes can reach it from one (processes on a
/// host, pods behind NAT): an egress group. This node's share of each market's limits is the limit over the group's
/// members that are up (recomputed as they come and go, each said in one line), and a Retry-After the exchange gives
/// any member holds every member (published cluster-wide, applied by those of the same group).
/// </summary>
public sealed class EgressGroup : ReceiveActor, IWithTimers
{
    public const string Name = "egress";
    public const string Topic = "orderflow-egress";

    private sealed record HeldHere(string Market, string Limit, DateTimeOffset Until, string Because) : ILocalMessage;

    private sealed record Republish : ILocalMessage
    {
        public static readonly Republish Instance = new();
    }

    /// <summary>A hold is published again at this pace while it lasts: a member that joined, or whose subscription had not spread yet, hears it.</summary>
    private static readonly TimeSpan RepublishEvery = TimeSpan.FromSeconds(2);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Cluster _cluster = Cluster.Get(Context.System);
    private readonly string _group;
    private readonly string _role;
    private readonly ExchangeLimits _limits;
    private readonly HashSet<UniqueAddress> _up = new();
    /// <summary>The holds the exchange gave this node, while they last.</summary>
    private readonly Dictionary<(string Market, string Limit), HeldHere> _holds = new();
    private int _members;

    public EgressGroup(string group, ExchangeLimits limits)
    {
        _group = group;
        _role = $"egress:{group}";
        _limits = limits;
        // Counted from the events themselves: the cluster's own view of the state can lag behind them.
        Receive<ClusterEvent.CurrentClusterState>(state =>
        {
            _up.UnionWith(state.Members.Where(member => member.Status == MemberStatus.Up && member.HasRole(_role)).Select(member => member.UniqueAddress));
            Reshare();
        });
        Receive<ClusterEvent.MemberUp>(up =>
        {
            if (up.Member.HasRole(_role)) _up.Add(up.Member.UniqueAddress);
            Reshare();
        });
        Receive<ClusterEvent.IMemberEvent>(change =>
        {
            if (change.Member.Status != MemberStatus.Up) _up.Remove(change.Member.UniqueAddress);
            Reshare();
        });
        Receive<HeldHere>(held =>
        {
            _holds[(held.Market, held.Limit)] = held;
            Publish(held);
            if (!Timers.IsTimerActive(nameof(Republish))) Timers.StartPeriodicTimer(nameof(Republish), Republish.Instance, RepublishEvery);
        });
        Receive<Republish>(_ =>
        {
            foreach (var (key, held) in _holds.Where(pair => pair.Value.Until <= DateTimeOffset.UtcNow).ToList()) _holds.Remove(key);
            foreach (var held in _holds.Values) Publish(held);
            if (_holds.Count == 0) Timers.Cancel(nameof(Republish));
        });
        Receive<EgressHeld>(OnHeldElsewhere);
        Receive<SubscribeAck>(_ => { });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private void Publish(HeldHere held) => DistributedPubSub.Get(Context.System).Mediator.Tell(new Publish(Topic,
        new EgressHeld(_group, _cluster.SelfAddress.ToString(), held.Market, held.Limit, held.Until, held.Because)));

    public static Props Props(string group, ExchangeLimits limits) => Akka.Actor.Props.Create(() => new EgressGroup(group, limits));

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(ClusterEvent.IMemberEvent));
        DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(Topic, Self));
        var self = Self;
        foreach (var (market, connections, weight) in _limits.Markets)
        {
            connections.Held += (until, because) => self.Tell(new HeldHere(market, "connections", until, because));
            weight.Held += until => self.Tell(new HeldHere(market, "rest", until, "HTTP 429/418 with Retry-After"));
        }
    }

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    /// <summary>The group's members that are up (this one counts as one before it is): each takes an equal share.</summary>
    private void Reshare()
    {
        var members = Math.Max(1, _up.Count);
        if (members == _members) return;
        var alone = members == 1 && _members <= 1;
        _members = members;
        foreach (var (market, connections, weight) in _limits.Markets)
        {
            connections.Share(members);
            weight.Share(members);
            // Alone, as a single host always was: nothing to say.
            if (!alone)
                _log.Info("🌐 Egress group {Group}: {Members} node(s) share Binance's limits; {Market} here: {Attempts} connection attempts per {Per}, {Weight} REST weight a minute",
                    _group, members, market, connections.Attempts, HumanFormat.Duration(connections.Settings.Per), weight.PerMinute);
        }
    }

    private void OnHeldElsewhere(EgressHeld held)
    {
        if (held.Group != _group || held.Node == _cluster.SelfAddress.ToString()) return;
        var market = _limits.Markets.FirstOrDefault(entry => entry.Market == held.Market);
        if (market.Market is null) return;
        var holding = held.Limit == "rest" ? market.Weight.HoldUntil(held.Until) : market.Connections.HoldUntil(held.Until, held.Because);
        if (holding)
            _log.Warning("⛔ {Market}: Binance told {Node} (egress group {Group}, this node's address too) to wait ({Because}); this node holds its {Limit} until {Until:HH:mm:ss} UTC",
                held.Market, held.Node, held.Group, held.Because, held.Limit, held.Until);
    }
}
