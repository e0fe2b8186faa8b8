using Akka.Actor;
using Akka.Serialization;

namespace OrderFlow.Protocol.Serialization;

/// <summary>Akka.Remote's carrier for every <see cref="IOrderFlowMessage"/>: <see cref="ProtocolJson"/>, manifest and all.</summary>
public sealed class OrderFlowSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int SerializerId = 4053;

    /// <summary>The HOCON that registers this serializer, binds it to the marker, turns strict serialization on and sizes remoting's frames for it.</summary>
    public const string Hocon = """
        akka.actor {
          serializers.orderflow = "OrderFlow.Protocol.Serialization.OrderFlowSerializer, OrderFlow.Protocol"
          serialization-bindings { "OrderFlow.Protocol.IOrderFlowMessage, OrderFlow.Protocol" = orderflow }
          serialization-identifiers { "OrderFlow.Protocol.Serialization.OrderFlowSerializer, OrderFlow.Protocol" = 4053 }
          serialization-settings.allow-unregistered-types = false
        }
        # A universe's answers outgrow remoting's 128 kB default (GetStatus for 1,000 symbols is about 0.5 MB), and an
        # oversized frame is dropped, not sent: the asker would only see a timeout. Both ends read this.
        akka.remote.dot-netty.tcp.maximum-frame-size = 8 MiB
        """;

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => ProtocolJson.Manifest(o);

    public override byte[] ToBinary(object obj) => ProtocolJson.ToUtf8(obj);

    public override object FromBinary(byte[] bytes, string manifest) => ProtocolJson.FromUtf8(bytes, manifest);
}
