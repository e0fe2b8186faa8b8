using System.Reflection;
using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrderFlow.Protocol.Serialization;

/// <summary>
/// The protocol's JSON: every <see cref="IOrderFlowMessage"/> as System.Text.Json, named by a short manifest (its
/// type name). Decimals travel as JSON numbers, exact; Fixed8 values and symbols as strings. A manifest it does not
/// know is an error, never a guess. Akka.Remote carries it through <see cref="OrderFlowSerializer"/>, the query
/// endpoint over HTTP; both read and write exactly this.
/// </summary>
public static class ProtocolJson
{
    private static readonly Dictionary<string, Type> TypesByManifest = typeof(IOrderFlowMessage).Assembly.GetTypes()
        .Where(type => type is { IsAbstract: false, IsInterface: false } && typeof(IOrderFlowMessage).IsAssignableFrom(type))
        .ToDictionary(type => type.Name);

    public static JsonSerializerOptions Options { get; } = CreateOptions();

    /// <summary>Every message type, by manifest.</summary>
    public static IReadOnlyDictionary<string, Type> Manifests => TypesByManifest;

    public static string Manifest(object message) => message.GetType().Name;

    public static byte[] ToUtf8(object message) => JsonSerializer.SerializeToUtf8Bytes(message, message.GetType(), Options);

    /// <summary>The message <paramref name="manifest"/> names, read from its JSON; a <see cref="SerializationException"/> says why not.</summary>
    public static object FromUtf8(ReadOnlySpan<byte> json, string manifest)
    {
        if (!TypesByManifest.TryGetValue(manifest, out var type))
            throw new SerializationException($"unknown OrderFlow message type '{manifest}'");
        // Argument-less messages are singletons.
        if (type.GetField("Instance", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) is { } singleton) return singleton;
        try
        {
            return JsonSerializer.Deserialize(json, type, Options) ?? throw new SerializationException($"empty {manifest}");
        }
        catch (JsonException e)
        {
            throw new SerializationException($"not a valid {manifest}: {e.Message}", e);
        }
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
        options.MakeReadOnly(populateMissingResolver: true);
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
