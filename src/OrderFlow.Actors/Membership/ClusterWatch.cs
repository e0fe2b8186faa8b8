using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using OrderFlow.Actors.Configuration;

namespace OrderFlow.Actors.Membership;

/// <summary>
/// Says what the cluster does, one line each, naming the node: this node joining (and, until it has, every few
/// seconds, that it has not and which seeds it tries: "Joining cluster..." followed by nothing is the failure this
/// project was founded against), a member up, unreachable, reachable again, downed or removed.
/// </summary>
public sealed class ClusterWatch : ReceiveActor, IWithTimers
{
    public const string Name = "cluster-watch";

    private sealed record StillJoining
    {
        public static readonly StillJoining Instance = new();
    }

    private static readonly TimeSpan JoinReport = TimeSpan.FromSeconds(5);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Cluster _cluster = Cluster.Get(Context.System);
    private readonly ClusterSetup _settings;
    private readonly DateTime _started = DateTime.UtcNow;

    public ClusterWatch(ClusterSetup settings)
    {
        _settings = settings;
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

    public static Props Props(ClusterSetup settings) => Akka.Actor.Props.Create(() => new ClusterWatch(settings));

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
