using OrderFlow.Actors.Configuration;

namespace OrderFlow.Actors.Hosting;

/// <summary>
/// Akka.Cluster as every host runs it, alone or with others: sharding that keeps its state in Distributed Data and
/// remembers its entities there (not on disk: the project keeps its own symbol set), no idle passivation (trades do
/// not pass through the region), the newer allocation algorithm, and downing tuned so that a lost node's symbols
/// move within seconds rather than Akka's ~45 s. A user's akka.* settings, read later, override any of these.
/// </summary>
public static class ClusterHocon
{
    /// <summary>
    /// Hand-off: a symbol's actor closes its stream and flushes its recording within
    /// <see cref="Symbols.SymbolActor.FlushTimeout"/> plus a moment; sharding stops an entity by force at
    /// handoff-timeout − 5 s, so that is 10 s here.
    /// </summary>
    private const string Sharding = """
        akka.cluster.sharding {
          state-store-mode = ddata
          remember-entities = on
          remember-entities-store = ddata
          passivate-idle-entity-after = off
          handoff-timeout = 15s
          # A region asks the coordinator again soon after it moved: a symbol's questions wait less during a failover.
          retry-interval = 1s
          rebalance-interval = 2s
          # A node that joins takes its share in a round or two (Akka's relative limit, 10% of the shards a round, makes
          # it a trickle); each symbol moved hands over (stream let go, recording flushed) and fills its gap from the store.
          least-shard-allocation-strategy.rebalance-absolute-limit = 20
          least-shard-allocation-strategy.rebalance-relative-limit = 0.5
          distributed-data.durable.keys = []
          # With fewer nodes than this, "majority" means all of them: three nodes keep working with one lost.
          distributed-data.majority-min-cap = 2
          coordinator-failure-backoff = 1s
          waiting-for-state-timeout = 1s
          updating-state-timeout = 2s
        }
        """;

    /// <summary>
    /// Failure detection takes about acceptable-heartbeat-pause (3 s) plus a second; the split-brain resolver then
    /// waits stable-after (4 s, Akka's 20 s is for large clusters) before downing. After a node is removed, the shards'
    /// coordinator waits down-removal-margin before it gives that node's shards to others (and its singleton before
    /// it moves with the oldest node): 2 s, not stable-after's 4 s, which it follows unless set. The margin covers the
    /// two sides of a partition deciding at different moments; both wait the same stable-after from a detection that
    /// differs by about a heartbeat, and a symbol briefly streamed on both sides is recorded once (the store keeps an
    /// aggregate id once).
    /// </summary>
    private const string Downing = """
        akka.cluster {
          downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
          down-removal-margin = 2s
          split-brain-resolver {
            active-strategy = keep-majority
            stable-after = 4s
          }
          failure-detector {
            heartbeat-interval = 1s
            acceptable-heartbeat-pause = 3s
          }
          distributed-data.durable.keys = []
          # Said once per node as it happens (see ClusterWatch); Akka's own lines stay at INFO.
          log-info-verbose = off
        }
        # A hand-off's and a shutdown's undelivered messages are expected: a query meanwhile is answered as moving.
        akka.log-dead-letters-during-shutdown = off
        """;

    /// <summary>The cluster's HOCON for these settings: the provider, roles, and the defaults above.</summary>
    public static string For(ClusterSetup cluster) =>
        $"""
        akka.actor.provider = cluster
        akka.cluster.roles = [{string.Join(", ", cluster.AllRoles.Select(OrderFlowConfiguration.Quote))}]
        """ + "\n" + Sharding + "\n" + Downing;
}
