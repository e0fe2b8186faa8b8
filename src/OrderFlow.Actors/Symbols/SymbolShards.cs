using System.Text;
using Akka.Cluster.Sharding;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Streams;

namespace OrderFlow.Actors.Symbols;

/// <summary>
/// How the shard region finds a symbol's actor: the entity is the market-qualified symbol (<c>BTCUSDT</c>,
/// <c>usdm:BTCUSDT</c>), its shard a hash of that name over a fixed number of shards. The hash is FNV-1a over the
/// name's UTF-8 bytes, the same in every process (.NET's string hash is not), so every node agrees where a symbol lives.
/// <see cref="ShardRegion.StartEntity"/> (how the directory and the cluster start a symbol's actor) is sharding's own
/// to unwrap since Akka.NET 1.5.15: it asks <see cref="ShardId(string, object?)"/> for the entity's shard.
/// </summary>
public sealed class SymbolShards(int shards) : IMessageExtractor
{
    /// <summary>The region's type name: its actors live under <c>/system/sharding/symbol</c>.</summary>
    public const string TypeName = "symbol";

    public int Shards { get; } = shards > 0 ? shards : throw new ArgumentOutOfRangeException(nameof(shards), shards, "must be positive");

    public string? EntityId(object message) => message switch
    {
        GetStatus { Symbol: { } symbol } => symbol.Value,
        IWithSymbol withSymbol => withSymbol.Symbol.Value,
        _ => null,
    };

    public object EntityMessage(object message) => message;

    public string? ShardId(object message) => EntityId(message) is { } entity ? ShardOf(entity) : null;

    public string ShardId(string entityId, object? messageHint = null) => ShardOf(entityId);

    /// <summary>The shard a symbol lives in: <c>0</c> to <c>shards - 1</c>, written in decimal.</summary>
    public string ShardOf(Symbol symbol) => ShardOf(symbol.Value);

    private string ShardOf(string entityId)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(entityId)) hash = (hash ^ b) * 16777619u;
        return (hash % (uint)Shards).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The symbol an entity id names (ids are written only by <see cref="EntityId"/>).</summary>
    public static Symbol SymbolOf(string entityId) => Symbol.Parse(entityId);
}
