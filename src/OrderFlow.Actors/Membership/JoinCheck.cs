using Akka.Actor;
using Akka.Configuration;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Store;
using OrderFlow.Protocol.Cluster;
using OrderFlow.Protocol.Serialization;

namespace OrderFlow.Actors.Membership;

/// <summary>Answers <see cref="WhichSetup"/> with this node's <see cref="NodeSetup"/>, at <c>/user/node-setup</c>.</summary>
public sealed class NodeSetupActor : ReceiveActor
{
    public const string Name = "node-setup";

    public NodeSetupActor(NodeSetup setup) => Receive<WhichSetup>(_ => Sender.Tell(setup));

    public static Props Props(NodeSetup setup) => Akka.Actor.Props.Create(() => new NodeSetupActor(setup));

    /// <summary>This node's: its store's identity ("off" without one) and the shard count.</summary>
    public static NodeSetup Of(ITapeStore? store, ClusterSetup cluster) =>
        new(store?.Identity ?? "off", store?.Description ?? "no tape store", cluster.Shards);
}

/// <summary>
/// Before a node joins, the seeds that are up are asked for their setup; a node whose store or shard count is not the
/// cluster's refuses to join, in one line (exit 2). Per-node stores would quietly turn a failover into a warm-up from
/// REST with holes, and a different shard count would put a symbol in two shards. Nobody answering is a cluster
/// not yet formed: the node joins.
/// </summary>
public static class JoinCheck
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(2);

    /// <exception cref="TapeStoreException">The store is not the cluster's.</exception>
    /// <exception cref="Configuration.ConfigurationException">The shard count is not the cluster's.</exception>
    public static async Task EnsureSameSetupAsync(OrderFlowSettings settings, ITapeStore? store)
    {
        var own = $"{settings.Remote.Host}:{settings.Remote.AkkaPort}";
        var seeds = settings.Cluster.SeedNodes.Where(seed => Address.Parse(seed) is var address && $"{address.Host}:{address.Port}" != own).ToList();
        if (!settings.Cluster.Enabled || seeds.Count == 0) return;
        var config = ConfigurationFactory.ParseString($$"""
            akka.actor.provider = remote
            akka.remote.dot-netty.tcp { hostname = {{OrderFlowConfiguration.Quote(settings.Remote.Host)}}, port = 0 }
            akka.loglevel = OFF
            akka.stdout-loglevel = OFF
            akka.remote.log-remote-lifecycle-events = off
            """ + "\n" + OrderFlowSerializer.Hocon);
        var asking = ActorSystem.Create("orderflow", config);
        try
        {
            var asked = seeds.Select(async seed =>
            {
                try { return (Seed: seed, Setup: await asking.ActorSelection($"{seed}/user/{NodeSetupActor.Name}").Ask<NodeSetup>(WhichSetup.Instance, AnswerTimeout).ConfigureAwait(false)); }
                catch (Exception e) when (e is AskTimeoutException or TaskCanceledException) { return (Seed: seed, Setup: (NodeSetup?)null); }
            }).ToList();
            var answered = (await Task.WhenAll(asked).ConfigureAwait(false)).Where(answer => answer.Setup is not null).ToList();
            var mine = NodeSetupActor.Of(store, settings.Cluster);
            foreach (var (seed, theirs) in answered)
            {
                if (theirs!.Store != mine.Store)
                    throw new TapeStoreException($"this node's tape store ({mine.StoreDescription}, store {Short(mine.Store)}) is not the cluster's " +
                        $"({seed} records to {theirs.StoreDescription}, store {Short(theirs.Store)}): every node of a cluster shares one store " +
                        "(one SQLite file on one machine, PostgreSQL across machines); not joining");
                if (theirs.Shards != mine.Shards)
                    throw new Configuration.ConfigurationException($"orderflow.cluster.shards is {mine.Shards} here but {theirs.Shards} in the cluster ({seed}): " +
                        "every node must say the same number; not joining");
            }
        }
        finally
        {
            await asking.Terminate().ConfigureAwait(false);
        }
    }

    private static string Short(string identity) => identity.Length > 8 ? identity[..8] : identity;
}
