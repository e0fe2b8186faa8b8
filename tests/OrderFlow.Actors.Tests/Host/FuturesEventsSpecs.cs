using System.Net.ServerSentEvents;
using System.Text;
using OrderFlow.Actors.Tests.Support;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Bars;
using OrderFlow.Protocol.Derivatives;
using OrderFlow.Protocol.Serialization;
using Xunit;

namespace OrderFlow.Actors.Tests.Host;

/// <summary><c>GET /v1/events</c> on a USD-M host process: each liquidation as it arrives, and final bars with their context.</summary>
public sealed class FuturesEventsSpecs() : FaultedHostSpec(tradesPerSecond: 30, market: "usdm")
{
    private static readonly Symbol Perp = Symbol.Parse("usdm:BTCUSDT");

    [Fact]
    public async Task Each_liquidation_is_an_event_with_every_field_the_exchange_sent_and_each_final_bar_carries_its_liquidations()
    {
        using var host = await StartHostAsync("BTCUSDT");
        using var http = new HttpClient { BaseAddress = new Uri($"http://{await host.QueryAddressAsync(Limit)}"), Timeout = Timeout.InfiniteTimeSpan };
        await host.WaitForLineAsync("🐋 Connected to usdm market streams", Limit);

        using var cancel = new CancellationTokenSource(Limit);
        using var response = await http.GetAsync("/v1/events?symbols=usdm:BTCUSDT&window=1m&every=10s", HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        await using var body = await response.Content.ReadAsStreamAsync(cancel.Token);
        var events = SseParser.Create(body).EnumerateAsync(cancel.Token).GetAsyncEnumerator(cancel.Token);

        var liquidations = new List<Liquidation>();
        Bar? withContext = null;
        while (liquidations.Count < 5 || withContext is null)
        {
            Assert.True(await events.MoveNextAsync(), "the event stream ended");
            var data = Encoding.UTF8.GetBytes(events.Current.Data);
            if (events.Current.EventType == "liquidation") liquidations.Add((Liquidation)ProtocolJson.FromUtf8(data, typeof(Liquidation)));
            if (events.Current.EventType == "bar" && ((BarFinal)ProtocolJson.FromUtf8(data, typeof(BarFinal))).Bar is { Liquidations.Snapshots: > 0 } bar)
                withContext = bar;
        }

        // Every field as the exchange sent it (the simulator pushes one a symbol about every 3 s), and what executed measured.
        var sent = Exchange.Liquidations.Sent.Where(l => l.Symbol == "BTCUSDT").ToDictionary(l => (l.TradeTimeMs, l.EventTimeMs, l.Side));
        foreach (var liquidation in liquidations)
        {
            var original = sent[(liquidation.TradeTime.ToUnixTimeMilliseconds(), liquidation.EventTime.ToUnixTimeMilliseconds(), liquidation.Side)];
            Assert.Equal(Perp, liquidation.Symbol);
            Assert.Equal((original.OrderType, original.TimeInForce, original.Quantity, original.Price, original.AveragePrice, original.Status,
                    original.LastFilled, original.Filled, original.Filled, original.Filled * original.AveragePrice),
                (liquidation.OrderType, liquidation.TimeInForce, liquidation.Quantity, liquidation.Price, liquidation.AveragePrice, liquidation.Status,
                    liquidation.LastFilledQuantity, liquidation.FilledQuantity, liquidation.Volume, liquidation.Notional));
        }
        Assert.True(withContext.Liquidations!.Sampled);
    }
}
