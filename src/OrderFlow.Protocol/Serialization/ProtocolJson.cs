using System.Reflection;
using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using OrderFlow.Protocol.Bars;
using OrderFlow.Protocol.Streams;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Protocol.Serialization;

/// <summary>
/// The service's one JSON: every <see cref="IOrderFlowMessage"/> as System.Text.Json, named by a short manifest (its
/// type name). Akka.Remote carries it through <see cref="OrderFlowSerializer"/>; the HTTP API answers with it and the
/// CLI's <c>--json</c> prints it, so a question gets the same document whichever way it is asked. It reads as a trader
/// writes: camelCase names, decimals and prices as exact JSON numbers, durations and windows as <c>5m</c>
/// (<see cref="DurationText"/>), bar series as <c>1m</c>, <c>1000t</c>, <c>250v</c>, aggressor sides <c>BUY</c>/<c>SELL</c>,
/// timeout phases as the logs name them, times as ISO-8601. A manifest it does not know is an error, never a guess.
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
    public static object FromUtf8(ReadOnlySpan<byte> json, string manifest) =>
        TypesByManifest.TryGetValue(manifest, out var type) ? FromUtf8(json, type)
            : throw new SerializationException($"unknown OrderFlow message type '{manifest}'");

    /// <summary>A <paramref name="type"/> (a message, or a part of one such as a stream's status) read from its JSON.</summary>
    public static object FromUtf8(ReadOnlySpan<byte> json, Type type)
    {
        // Argument-less messages are singletons.
        if (type.GetField("Instance", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) is { } singleton) return singleton;
        try
        {
            return JsonSerializer.Deserialize(json, type, Options) ?? throw new SerializationException($"empty {type.Name}");
        }
        catch (JsonException e)
        {
            throw new SerializationException($"not a valid {type.Name}: {e.Message}", e);
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
        options.Converters.Add(new DurationConverter());
        options.Converters.Add(new BarIntervalConverter());
        options.Converters.Add(new JsonStringEnumConverter<AggressorSide>(JsonNamingPolicy.SnakeCaseUpper));
        options.Converters.Add(new TimeoutPhaseConverter());
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
        // A number, exact to its 8 decimals (a string holding one is read too).
        public override Fixed8 Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType is JsonTokenType.Number or JsonTokenType.String && !reader.ValueIsEscaped && Fixed8.TryParse(reader.ValueSpan, out var value)
                ? value
                : throw new JsonException("not a decimal with at most 8 fractional digits");

        public override void Write(Utf8JsonWriter writer, Fixed8 value, JsonSerializerOptions options) =>
            writer.WriteRawValue(value.ToString(), skipInputValidation: true);
    }

    private sealed class DurationConverter : JsonConverter<TimeSpan>
    {
        public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String && DurationText.TryParse(reader.GetString(), out var value)
                ? value
                : throw new JsonException("not a duration such as 250ms, 30s, 5m or 1h");

        public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
            writer.WriteStringValue(DurationText.Format(value));
    }

    private sealed class BarIntervalConverter : JsonConverter<BarInterval>
    {
        public override BarInterval Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String && BarInterval.TryParse(reader.GetString(), out var value)
                ? value
                : throw new JsonException("not a bar interval such as 1m, 1000t or 250v");

        public override void Write(Utf8JsonWriter writer, BarInterval value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
    }

    private sealed class TimeoutPhaseConverter : JsonConverter<TimeoutPhase>
    {
        private static readonly Dictionary<string, TimeoutPhase> ByName = Enum.GetValues<TimeoutPhase>().ToDictionary(phase => phase.ToWireName());

        public override TimeoutPhase Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.GetString() is { } name && ByName.TryGetValue(name, out var phase)
                ? phase
                : throw new JsonException($"not a timeout phase ({string.Join(", ", ByName.Keys)})");

        public override void Write(Utf8JsonWriter writer, TimeoutPhase value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToWireName());
    }
}
