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
            // The ladder read in one go in the page (it redraws as bars come; element by element, a redraw in between
            // would leave stale references), then compared with the host's footprint of that bar.
            var shown = (IDictionary<string, object>)((IJavaScriptExecutor)browser.Driver).ExecuteScript("""
                const ladder = document.getElementById("footprint");
                return { title: document.getElementById("footprint-title").textContent, from: ladder.dataset.from,
                         notes: document.getElementById("footprint-notes").textContent,
                         rows: [...ladder.querySelectorAll("tbody tr")].map(row => ({ price: row.dataset.price, poc: row.classList.contains("poc"),
                             cells: [...row.cells].map(cell => ({ text: cell.textContent, imbalance: cell.classList.contains("imbalance") })) })) };
                """)!;
            Assert.DoesNotContain("in progress", (string)shown["title"]);
            var from = DateTimeOffset.Parse((string)shown["from"], CultureInfo.InvariantCulture);
            var answer = JsonNode.Parse(await http.GetStringAsync("/v1/footprint/BTCUSDT?interval=1s&last=120"))!;
            var footprint = answer["bars"]!.AsArray().Single(bar => DateTimeOffset.Parse((string)bar!["from"]!, CultureInfo.InvariantCulture) == from)!;
            Assert.True((bool)footprint["final"]!);
            var levels = footprint["levels"]!.AsArray().OrderByDescending(level => (decimal)level!["price"]!).ToList();
            var rows = ((IEnumerable<object>)shown["rows"]).Cast<IDictionary<string, object>>().ToList();
            Assert.Equal(levels.Count, rows.Count);
            foreach (var (level, row) in levels.Zip(rows))
            {
                var cells = ((IEnumerable<object>)row["cells"]).Cast<IDictionary<string, object>>().ToList();
                Assert.Equal((decimal)level!["price"]!, decimal.Parse((string)row["price"], NumberStyles.Float, CultureInfo.InvariantCulture));
                Assert.Equal((decimal)level["sellVolume"]!, Shown((string)cells[0]["text"]));
                Assert.Equal((decimal)level["buyVolume"]!, Shown((string)cells[2]["text"]));
                Assert.Equal((bool)level["sellImbalance"]!, (bool)cells[0]["imbalance"]);
                Assert.Equal((bool)level["buyImbalance"]!, (bool)cells[2]["imbalance"]);
                Assert.Equal((decimal)level["price"]! == (decimal)footprint["poc"]!, (bool)row["poc"]);
            }
            Assert.Contains($"≥ {(int)answer["imbalance"]!["ratioPercent"]!}%", (string)shown["notes"]);
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
    private static decimal Shown(string text) => decimal.Parse(text.Trim().Replace(",", ""), NumberStyles.Float, CultureInfo.InvariantCulture);
}
