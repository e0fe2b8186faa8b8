namespace OrderFlow.Protocol.Cluster;

/// <summary>Asked of a cluster's node (at <c>/user/node-setup</c>) by a node about to join it: is its setup the cluster's?</summary>
public sealed record WhichSetup : IOrderFlowMessage
{
    public static readonly WhichSetup Instance = new();
}

/// <summary>
/// What a node must share with the cluster it joins: its tape store (the store's identity, "off" without one, and
/// where it is, for the log) and the shard count.
/// </summary>
public sealed record NodeSetup(string Store, string StoreDescription, int Shards) : IOrderFlowMessage;
