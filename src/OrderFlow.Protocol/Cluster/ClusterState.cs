namespace OrderFlow.Protocol.Cluster;

/// <summary>The cluster as the asked node sees it (<c>orderflow cluster</c>, <c>GET /v1/cluster</c>); answered with <see cref="ClusterState"/>.</summary>
public sealed record GetClusterState : IOrderFlowQuery
{
    public static readonly GetClusterState Instance = new();
}

/// <param name="Node">The node that answered (<c>akka.tcp://orderflow@HOST:PORT</c>).</param>
/// <param name="Oldest">The oldest member: it runs the shards' coordinator and the cluster's singletons (null while none is up).</param>
/// <param name="Members">Every member, by address.</param>
public sealed record ClusterState(string Node, string? Oldest, IReadOnlyList<ClusterMember> Members) : IOrderFlowMessage;

/// <param name="Status">Akka's member status: Joining, WeaklyUp, Up, Leaving, Exiting, Down, Removed.</param>
/// <param name="Reachable">False when a member's failure detector has marked it unreachable.</param>
/// <param name="Shards">The shards it hosts; null when the cluster's shard statistics did not answer for it in time.</param>
/// <param name="Symbols">The symbols it runs (its shards' entities); null as for <paramref name="Shards"/>.</param>
public sealed record ClusterMember(string Node, string Status, bool Reachable, IReadOnlyList<string> Roles, int? Shards, int? Symbols);
