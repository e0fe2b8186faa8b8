using System.Globalization;
using System.Text.Json.Nodes;
using OpenQA.Selenium;
using OrderFlow.Actors.Tests.Support;
using Xunit;

namespace OrderFlow.Actors.Tests.Page;

/// <summary>The live page on a USD-M perpetual: the host's liquidations marked on the candles, its mark, basis and funding in the figures.</summary>
public sealed class FuturesPageSpecs() : FaultedHostSpec(tradesPerSecond: 30, market: "usdm")
{
    [Fact]
    public async Task A_perpetual_s_chart_marks_its_bars_liquidations_and_its_figures_show_the_mark_basis_and_funding_the_host_gives()
    {
        using var host = await StartHostAsync("BTCUSDT");
        var address = await host.QueryAddressAsync(Limit);
        await host.WaitForLineAsync("📊 Trade #1:", Limit);
        using var browser = Browser.Start();
        using var http = new HttpClient { BaseAddress = new Uri($"http://{address}") };

        browser.Driver.Navigate().GoToUrl($"http://{address}/?symbol=usdm:BTCUSDT&interval=1s");

        await AwaitAssertAsync(async () =>
        {
            // One marker per bar the host says had liquidations (the page keeps the bars it loaded and polled).
            var bars = JsonNode.Parse(await http.GetStringAsync("/v1/bars/usdm:BTCUSDT?interval=1s&last=300"))!["bars"]!.AsArray();
            var liquidated = bars.Count(bar => bar!["liquidations"] is { } l && ((long)l["longs"]!["count"]! > 0 || (long)l["shorts"]!["count"]! > 0));
            var marked = int.Parse(browser.Driver.FindElement(By.Id("price-chart")).GetAttribute("data-liquidation-markers")!, CultureInfo.InvariantCulture);
            Assert.True(marked >= 3, $"{marked} bars marked");
            Assert.InRange(marked, liquidated - 2, liquidated + 2); // a bar or two may come between the two reads

            // The figures: the host's mark (one the exchange sent), its basis and funding, the window's liquidations.
            var figures = browser.Driver.FindElement(By.Id("detail-figures"));
            var mark = decimal.Parse(figures.GetAttribute("data-mark")!, NumberStyles.Float, CultureInfo.InvariantCulture);
            Assert.Contains(Exchange.MarkPrices.Sent, sent => sent.Symbol == "BTCUSDT" && sent.Mark == mark);
            var funding = decimal.Parse(figures.GetAttribute("data-funding")!, NumberStyles.Float, CultureInfo.InvariantCulture);
            Assert.Contains(Exchange.MarkPrices.Sent, sent => sent.Symbol == "BTCUSDT" && sent.FundingRate == funding);
            foreach (var label in new[] { "mark", "basis", "funding", "liquidations", "open interest" }) Assert.Contains(label, figures.Text);
        }, Limit);
    }
}
