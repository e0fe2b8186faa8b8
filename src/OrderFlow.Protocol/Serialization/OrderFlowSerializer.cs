using System.Reflection;
using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;

namespace OrderFlow.Protocol.Serialization;

/// <summary>
/// System.Text.Json for every <see cref="IOrderFlowMessage"/>, the type named by a short manifest (its type name).
/// Decimals travel as JSON numbers, exact; Fixed8 values and symbols as strings. A manifest it does not know is an
/// error, never a guess.
/// </summary>
public sealed class OrderFlowSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int SerializerId = 4053;

    /// <summary>The HOCON that registers this serializer, binds it to the marker and turns strict serialization on.</summary>
    public const string Hocon = """
        akka.actor {
          serializers.orderflow = "OrderFlow.Protocol.Serialization.OrderFlowSerializer, OrderFlow.Protocol"
          serialization-bindings { "OrderFlow.Protocol.IOrderFlowMessage, OrderFlow.Protocol" = orderflow }
          serialization-identifiers { "OrderFlow.Protocol.Serialization.OrderFlowSerializer, OrderFlow.Protocol" = 4053 }
          serialization-settings.allow-unregistered-types = false
        }
        """;

    private static readonly Dictionary<string, Type> TypesByManifest = typeof(IOrderFlowMessage).Assembly.GetTypes()
        .Where(type => type is { IsAbstract: false, IsInterface: false } && typeof(IOrderFlowMessage).IsAssignableFrom(type))
        .ToDictionary(type => type.Name);

    public static JsonSerializerOptions Options { get; } = CreateOptions();

    public override int Identifier => SerializerId;

    /// <summary>Every message type this serializer carries, by manifest.</summary>
    public static IReadOnlyDictionary<string, Type> Manifests => TypesByManifest;

    public override string Manifest(object o) => o.GetType().Name;

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Options);

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!TypesByManifest.TryGetValue(manifest, out var type))
            throw new SerializationException($"unknown OrderFlow message type '{manifest}'");
        // Argument-less messages are singletons.
        if (type.GetField("Instance", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) is { } singleton) return singleton;
        return JsonSerializer.Deserialize(bytes, type, Options) ?? throw new SerializationException($"empty {manifest}");
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            NumberHandling = JsonNumberHandling.Strict,
        };
        options.Converters.Add(new SymbolConverter());
        options.Converters.Add(new Fixed8Converter());
        options.Converters.Add(new JsonStringEnumConverter());
        return options;
    }

    private sealed class SymbolConverter : JsonConverter<Symbol>
    {
        public override Symbol Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            Symbol.TryParse(reader.GetString(), out var symbol, out var error) ? symbol : throw new JsonException(error);

        public override void Write(Utf8JsonWriter writer, Symbol value, JsonSerializerOptions options) => writer.WriteStringValue(value.Value);
    }

    private sealed class Fixed8Converter : JsonConverter<Fixed8>
    {
        public override Fixed8 Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            Fixed8.TryParse(reader.ValueSpan, out var value) ? value : throw new JsonException("not a decimal with at most 8 fractional digits");

        public override void Write(Utf8JsonWriter writer, Fixed8 value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
    }
}
