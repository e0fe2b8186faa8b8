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

/// <summary>
/// Published to every node (topic <c>orderflow-egress</c>) when the exchange told a node to wait (a 429 or 418 with
/// Retry-After): the nodes of the same egress group reach Binance from the same address, so they hold too.
/// </summary>
/// <param name="Limit">What is held: <c>connections</c> or <c>rest</c>.</param>
public sealed record EgressHeld(string Group, string Node, string Market, string Limit, DateTimeOffset Until, string Because) : IOrderFlowMessage;
