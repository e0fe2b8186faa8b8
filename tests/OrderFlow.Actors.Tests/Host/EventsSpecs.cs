using System.Net.ServerSentEvents;
using System.Text;
using OrderFlow.Actors.Tests.Support;
using OrderFlow.Protocol.Bars;
using OrderFlow.Protocol.Metrics;
using OrderFlow.Protocol.Serialization;
using OrderFlow.Protocol.Streams;
using OrderFlow.Simulator;
using Xunit;

namespace OrderFlow.Actors.Tests.Host;

/// <summary><c>GET /v1/events</c> on the real host process: what a planner in any language listens to.</summary>
public sealed class EventsSpecs() : FaultedHostSpec(tradesPerSecond: 50)
{
    [Fact]
    public async Task Metrics_arrive_at_the_chosen_interval_and_a_dropped_connection_is_told_as_failed_then_connected()
    {
        using var host = await StartHostAsync("BTCUSDT", "ETHUSDT");
        using var http = new HttpClient { BaseAddress = new Uri($"http://{await host.QueryAddressAsync(Limit)}"), Timeout = Timeout.InfiniteTimeSpan };
        await host.WaitForLineAsync("📊 Trade #1:", Limit);

        using var cancel = new CancellationTokenSource(Limit);
        using var response = await http.GetAsync("/v1/events?symbols=BTCUSDT&window=1m&every=500ms", HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        await using var body = await response.Content.ReadAsStreamAsync(cancel.Token);
        var events = SseParser.Create(body).EnumerateAsync(cancel.Token).GetAsyncEnumerator(cancel.Token);

        // Snapshots of the chosen window, one every interval, read back as the protocol's record.
        var snapshots = new List<MetricsSnapshot>();
        while (snapshots.Count < 3) snapshots.AddRange(await NextAsync(events, "metrics", e => (MetricsSnapshot)ProtocolJson.FromUtf8(Encoding.UTF8.GetBytes(e.Data), typeof(MetricsSnapshot))));
        Assert.All(snapshots, s => Assert.Equal((Protocol.Symbol.Parse("BTCUSDT"), TimeSpan.FromMinutes(1)), (s.Symbol, s.Window)));
        Assert.True(snapshots[^1].AsOfAggregateId > snapshots[0].AsOfAggregateId);

        // Each bar of the chosen symbol as it becomes final (here its one-second bars).
        var bar = (await NextAsync(events, "bar", e => (BarFinal)ProtocolJson.FromUtf8(Encoding.UTF8.GetBytes(e.Data), typeof(BarFinal)))).Single();
        Assert.Equal(Protocol.Symbol.Parse("BTCUSDT"), bar.Symbol);
        Assert.True(bar.Bar.Final && bar.Bar.Aggregates > 0, bar.ToString());

        // The exchange drops every connection: the stream's end, then its return, as they happen.
        Exchange.DropAllConnections();
        var failed = await NextAsync(events, "failed", e => (Failed)ProtocolJson.FromUtf8(Encoding.UTF8.GetBytes(e.Data), typeof(Failed)));
        Assert.Contains(failed, f => f.Symbol.Value is "BTCUSDT" or "ETHUSDT");
        var connected = await NextAsync(events, "connected", e => (Connected)ProtocolJson.FromUtf8(Encoding.UTF8.GetBytes(e.Data), typeof(Connected)));
        Assert.NotEmpty(connected);
    }

    /// <summary>Reads events until one of <paramref name="type"/> comes, and returns it (as a list, to be added up).</summary>
    private static async Task<List<T>> NextAsync<T>(IAsyncEnumerator<SseItem<string>> events, string type, Func<SseItem<string>, T> read)
    {
        while (await events.MoveNextAsync())
            if (events.Current.EventType == type) return [read(events.Current)];
        throw new InvalidOperationException($"the event stream ended before a {type} event");
    }
}
