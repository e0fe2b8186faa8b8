using System.Text;
using System.Text.Json;
using OrderFlow.Actors.Binance;
using OrderFlow.Protocol;

namespace OrderFlow.Actors.Connection;

/// <summary>The JSON of Binance's live subscription requests: <c>{"method":"SUBSCRIBE","params":["btcusdt@aggTrade"],"id":7}</c>.</summary>
internal static class ControlRequest
{
    public static string Subscribe(long id, IEnumerable<Symbol> symbols) => Write("SUBSCRIBE", id, symbols);

    public static string Unsubscribe(long id, IEnumerable<Symbol> symbols) => Write("UNSUBSCRIBE", id, symbols);

    private static string Write(string method, long id, IEnumerable<Symbol> symbols)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("method", method);
            json.WriteStartArray("params");
            foreach (var symbol in symbols) json.WriteStringValue(StreamEndpoints.StreamName(symbol));
            json.WriteEndArray();
            json.WriteNumber("id", id);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
