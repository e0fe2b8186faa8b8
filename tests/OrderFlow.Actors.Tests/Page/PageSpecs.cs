using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OrderFlow.Actors.Tests.Support;
using OrderFlow.Simulator;
using Xunit;
using Xunit.Abstractions;

namespace OrderFlow.Actors.Tests.Page;

/// <summary>
/// The live page in a real browser: Debian's chromium, headless, driven through its chromedriver, against the real
/// host streaming from the simulator.
/// </summary>
public sealed class PageSpecs(ITestOutputHelper output) : FaultedHostSpec(tradesPerSecond: 30)
{
    private static readonly string[] Symbols = ["BTCUSDT", "ETHUSDT", "SOLUSDT"];

    [Fact]
    public async Task The_page_lists_every_symbol_charts_one_with_data_and_shows_a_stream_fault_within_seconds()
    {
        using var host = await StartHostAsync(Symbols);
        var address = await host.QueryAddressAsync(Limit);
        await host.WaitForLineAsync("📊 Trade #1:", Limit);
        using var browser = Browser.Start();

        browser.Driver.Navigate().GoToUrl($"http://{address}/?symbol=BTCUSDT&interval=1s");

        // Every symbol, each with figures from the event stream.
        await AwaitAssertAsync(() =>
        {
            var rows = browser.Driver.FindElements(By.CssSelector("#board tbody tr"));
            Assert.Equal(Symbols, rows.Select(r => r.GetAttribute("data-symbol")));
            Assert.All(rows, r => Assert.NotEqual("–", r.FindElements(By.TagName("td"))[2].Text));
            Assert.All(rows, r => Assert.Equal("Connected", r.FindElement(By.CssSelector("td.state")).Text));
        }, Limit);

        // BTCUSDT's chart: the host's one-second bars as candles, with the host's VWAP bands, and the newest bar's footprint.
        await AwaitAssertAsync(() =>
        {
            var chart = browser.Driver.FindElement(By.Id("price-chart"));
            Assert.True(int.Parse(chart.GetAttribute("data-bars")!) >= 5, $"{chart.GetAttribute("data-bars")} bars");
            Assert.True(int.Parse(chart.GetAttribute("data-vwap-points")!) >= 2, $"{chart.GetAttribute("data-vwap-points")} VWAP points");
            Assert.NotEmpty(chart.FindElements(By.TagName("canvas")));
            var title = browser.Driver.FindElement(By.Id("detail-title")).GetAttribute("textContent");
            Assert.True(title == "BTCUSDT, 1s bars, 5m window", title);
            Assert.Contains("following the newest", browser.Driver.FindElement(By.Id("footprint-title")).Text);
        }, Limit);

        // Three bars back with the arrow key: a final bar, whose ladder is the host's footprint of it, level for level.
        var body = browser.Driver.FindElement(By.TagName("body"));
        for (var i = 0; i < 3; i++) body.SendKeys(Keys.ArrowLeft);
        using var http = new HttpClient { BaseAddress = new Uri($"http://{address}") };
        await AwaitAssertAsync(async () =>
        {
            var ladder = browser.Driver.FindElement(By.Id("footprint"));
            Assert.DoesNotContain("in progress", browser.Driver.FindElement(By.Id("footprint-title")).Text);
            var from = DateTimeOffset.Parse(ladder.GetAttribute("data-from")!, CultureInfo.InvariantCulture);
            var answer = JsonNode.Parse(await http.GetStringAsync("/v1/footprint/BTCUSDT?interval=1s&last=120"))!;
            var footprint = answer["bars"]!.AsArray().Single(bar => DateTimeOffset.Parse((string)bar!["from"]!, CultureInfo.InvariantCulture) == from)!;
            Assert.True((bool)footprint["final"]!);
            var levels = footprint["levels"]!.AsArray().OrderByDescending(level => (decimal)level!["price"]!).ToList();
            var rows = ladder.FindElements(By.CssSelector("tbody tr"));
            Assert.Equal(levels.Count, rows.Count);
            foreach (var (level, row) in levels.Zip(rows))
            {
                var cells = row.FindElements(By.TagName("td"));
                Assert.Equal((decimal)level!["price"]!, decimal.Parse(row.GetAttribute("data-price")!, NumberStyles.Float, CultureInfo.InvariantCulture));
                Assert.Equal((decimal)level["sellVolume"]!, Shown(cells[0]));
                Assert.Equal((decimal)level["buyVolume"]!, Shown(cells[2]));
                Assert.Equal((bool)level["sellImbalance"]!, cells[0].GetAttribute("class")!.Contains("imbalance"));
                Assert.Equal((bool)level["buyImbalance"]!, cells[2].GetAttribute("class")!.Contains("imbalance"));
                Assert.Equal((decimal)level["price"]! == (decimal)footprint["poc"]!, row.GetAttribute("class")!.Contains("poc"));
            }
            Assert.Contains($"≥ {(int)answer["imbalance"]!["ratioPercent"]!}%", browser.Driver.FindElement(By.Id("footprint-notes")).Text);
        }, Limit);
        browser.Screenshot(Path.Combine(AppContext.BaseDirectory, "page.png"));

        // Sorted by a click on a column: the symbols, then the other way.
        browser.Driver.FindElement(By.CssSelector("th[data-key=symbol]")).Click();
        await AwaitAssertAsync(() => Assert.Equal(Symbols.Reverse(),
            browser.Driver.FindElements(By.CssSelector("#board tbody tr")).Select(r => r.GetAttribute("data-symbol"))), Limit);

        // A fault: the exchange drops every connection and refuses new ones. The page shows it within seconds.
        Exchange.SetUpgradeFault("*", new UpgradeFault.Refuse(HttpStatusCode.ServiceUnavailable));
        var faulted = Stopwatch.StartNew();
        Exchange.DropAllConnections();
        await AwaitAssertAsync(() => Assert.Equal(Symbols.Length, browser.Driver.FindElements(By.CssSelector("#board tbody tr.fault")).Count), Dilated(TimeSpan.FromSeconds(10)));
        output.WriteLine($"the fault showed on the page {faulted.ElapsedMilliseconds} ms after the drop");
        Assert.All(browser.Driver.FindElements(By.CssSelector("#board tbody tr td.state")), state => Assert.NotEqual("Connected", state.Text));

        Exchange.SetUpgradeFault("*", null);
        await AwaitAssertAsync(() => Assert.Empty(browser.Driver.FindElements(By.CssSelector("#board tbody tr.fault"))), Limit);
    }

    /// <summary>A figure as the page shows it ("1,234.5"), as the decimal it is.</summary>
    private static decimal Shown(IWebElement cell) => decimal.Parse(cell.Text.Replace(",", ""), NumberStyles.Float, CultureInfo.InvariantCulture);
}
