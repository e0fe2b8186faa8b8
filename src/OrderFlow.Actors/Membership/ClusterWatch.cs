using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Event;
using OrderFlow.Actors.Configuration;
using OrderFlow.Protocol.Cluster;

namespace OrderFlow.Actors.Membership;

/// <summary>
/// Says what the cluster does, one line each, naming the node: this node joining (and, until it has, every few
/// seconds, that it has not and which seeds it tries: "Joining cluster..." followed by nothing is the failure this
/// project was founded against), a member up, unreachable, reachable again, downed or removed. Asked, it describes the
/// cluster: members, reachability, the oldest, and the shards and symbols on each (the shard region's statistics).
/// </summary>
public sealed class ClusterWatch : ReceiveActor, IWithTimers
{
    public const string Name = "cluster-watch";

    private sealed record StillJoining : ILocalMessage
    {
        public static readonly StillJoining Instance = new();
    }

    private sealed record StatsGathered(IActorRef ReplyTo, ClusterShardingStats? Stats) : ILocalMessage;

    private static readonly TimeSpan JoinReport = TimeSpan.FromSeconds(5);
    /// <summary>How long the members have to count their shards; a member that does not is shown without counts.</summary>
    private static readonly TimeSpan StatsTimeout = TimeSpan.FromSeconds(2);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Cluster _cluster = Cluster.Get(Context.System);
    private readonly ClusterSetup _settings;
    private readonly DateTime _started = DateTime.UtcNow;

    public ClusterWatch(ClusterSetup settings, IActorRef region)
    {
        _settings = settings;
        Receive<GetClusterState>(_ =>
        {
            var replyTo = Sender;
            region.Ask<ClusterShardingStats>(new GetClusterShardingStats(StatsTimeout), StatsTimeout + TimeSpan.FromSeconds(1))
                .PipeTo(Self, success: stats => new StatsGathered(replyTo, stats), failure: _ => new StatsGathered(replyTo, null));
        });
        Receive<StatsGathered>(gathered => gathered.ReplyTo.Tell(Describe(gathered.Stats)));
        Receive<StillJoining>(_ => _log.Warning("⏳ Not in the cluster after {Elapsed}: no seed has answered yet ({Seeds}); trying again",
            HumanFormat.Duration(DateTime.UtcNow - _started), Seeds));
        Receive<ClusterEvent.MemberUp>(up =>
        {
            if (up.Member.Address.Equals(_cluster.SelfAddress))
            {
                Timers.Cancel(nameof(StillJoining));
                _log.Info("🧩 Joined the cluster as {Node} in {Elapsed} ({Members} member(s) up)", up.Member.Address,
                    HumanFormat.Duration(DateTime.UtcNow - _started), _cluster.State.Members.Count(m => m.Status == MemberStatus.Up));
            }
            else _log.Info("🧩 {Node} joined the cluster", up.Member.Address);
        });
        Receive<ClusterEvent.UnreachableMember>(e =>
            _log.Warning("📵 {Node} is unreachable; its symbols move to the others once it is downed", e.Member.Address));
        Receive<ClusterEvent.ReachableMember>(e => _log.Info("📶 {Node} is reachable again", e.Member.Address));
        Receive<ClusterEvent.MemberDowned>(e => _log.Warning("⬇️ {Node} was downed: its symbols move to the others", e.Member.Address));
        Receive<ClusterEvent.MemberRemoved>(e => _log.Info("🧩 {Node} left the cluster (it was {Status})", e.Member.Address, e.PreviousStatus));
        Receive<ClusterEvent.IClusterDomainEvent>(_ => { });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="region">The shard region whose statistics say where the shards and symbols are.</param>
    public static Props Props(ClusterSetup settings, IActorRef region) => Akka.Actor.Props.Create(() => new ClusterWatch(settings, region));

    private ClusterState Describe(ClusterShardingStats? stats)
    {
        var state = _cluster.State;
        var unreachable = state.Unreachable.Select(member => member.Address).ToHashSet();
        var oldest = state.Members.Where(member => member.Status is MemberStatus.Up or MemberStatus.Leaving)
            .OrderBy(member => member, Member.AgeOrdering).FirstOrDefault();
        var members = state.Members.OrderBy(member => member.Address.ToString(), StringComparer.Ordinal).Select(member =>
        {
            var shards = stats is not null && stats.Regions.TryGetValue(member.Address, out var region) ? region.Stats : null;
            return new ClusterMember(member.Address.ToString(), member.Status.ToString(), !unreachable.Contains(member.Address),
                member.Roles.Order(StringComparer.Ordinal).ToList(), shards?.Count, shards?.Values.Sum());
        }).ToList();
        return new ClusterState(_cluster.SelfAddress.ToString(), oldest?.Address.ToString(), members);
    }

    private string Seeds => _settings.Enabled ? string.Join(", ", _settings.SeedNodes) : _cluster.SelfAddress.ToString();

    protected override void PreStart()
    {
        if (_settings.Enabled) _log.Info("🧩 Joining the cluster at {Seeds} as {Node}", Seeds, _cluster.SelfAddress);
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
        Timers.StartPeriodicTimer(nameof(StillJoining), StillJoining.Instance, JoinReport);
    }

    protected override void PostStop() => _cluster.Unsubscribe(Self);
}
