using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Serialization;

namespace OrderFlow.Actors.Tests.Clustering;

/// <summary>
/// For specs run with <c>serialize-messages = on</c>, where every message sent is serialized and read back. The
/// protocol's messages go through the protocol's serializer (the most specific binding); this one takes the rest. A
/// type of this project that got here is neither a protocol message nor marked <see cref="ILocalMessage"/>: between
/// two nodes it would not be sent, so it is refused here too. Akka's own in-process internals (some, like DData's
/// ReadRepair, neither serializable nor marked) pass through untouched: their wire format is Akka's business.
/// </summary>
public sealed class CrossNodeGuard(ExtendedActorSystem system) : Serializer(system)
{
    public const string Hocon = """
        akka.actor {
          serialize-messages = on
          serialization-settings.allow-unregistered-types = true
          serializers.cross-node-guard = "OrderFlow.Actors.Tests.Clustering.CrossNodeGuard, OrderFlow.Actors.Tests"
          serialization-bindings { "System.Object" = cross-node-guard }
        }
        """;

    // Shared by every node in the process: Akka may create a serializer more than once, and a message serialized by
    // one instance must be read back by another.
    private static readonly ConcurrentDictionary<Guid, object> Passing = new();

    public override int Identifier => 4054;

    public override bool IncludeManifest => false;

    public override byte[] ToBinary(object obj)
    {
        if (obj.GetType().Namespace?.StartsWith("OrderFlow", StringComparison.Ordinal) == true)
            throw new System.Runtime.Serialization.SerializationException(
                $"{obj.GetType().FullName} is neither a protocol message nor an ILocalMessage: between two nodes it would not be sent");
        var key = Guid.NewGuid();
        Passing[key] = obj;
        return key.ToByteArray();
    }

    public override object FromBinary(byte[] bytes, Type? type) =>
        Passing.TryRemove(new Guid(bytes), out var obj) ? obj : throw new System.Runtime.Serialization.SerializationException("not serialized here");
}
