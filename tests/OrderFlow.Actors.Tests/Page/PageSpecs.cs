using System.Diagnostics;
using System.Net;
using Akka.TestKit.Xunit2;
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
public sealed class PageSpecs(ITestOutputHelper output) : TestKit, IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private static readonly string[] Symbols = ["BTCUSDT", "ETHUSDT", "SOLUSDT"];
    private ExchangeSimulator _exchange = null!;

    public async Task InitializeAsync() => _exchange = await ExchangeSimulator.StartAsync(new SimulatorOptions { TradesPerSecond = 30 });

    public async Task DisposeAsync() => await _exchange.DisposeAsync();

    [Fact]
    public async Task The_page_lists_every_symbol_charts_one_with_data_and_shows_a_stream_fault_within_seconds()
    {
        var config = Path.Combine(Path.GetTempPath(), $"orderflow-page-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(config, "orderflow.stream.backoff { min = 200ms, max = 1s }\norderflow.stream.cool-down { min = 1s, max = 2s }\n");
        using var host = OrderFlowProcess.Start("run", "--symbols", string.Join(',', Symbols), "--ws-url", _exchange.WebSocketUrl.ToString(),
            "--rest-url", _exchange.RestUrl.ToString(), "--akka-port", "0", "--http-port", "0", "--config", config);
        var address = await host.QueryAddressAsync(Limit);
        await host.WaitForLineAsync("📊 Trade #1:", Limit);
        using var browser = Browser.Start();

        browser.Driver.Navigate().GoToUrl($"http://{address}/?symbol=BTCUSDT");

        // Every symbol, each with figures from the event stream.
        await AwaitAssertAsync(() =>
        {
            var rows = browser.Driver.FindElements(By.CssSelector("#board tbody tr"));
            Assert.Equal(Symbols, rows.Select(r => r.GetAttribute("data-symbol")));
            Assert.All(rows, r => Assert.NotEqual("–", r.FindElements(By.TagName("td"))[2].Text));
            Assert.All(rows, r => Assert.Equal("Connected", r.FindElement(By.CssSelector("td.state")).Text));
        }, Limit);

        // BTCUSDT's chart, drawn with its trades and the host's VWAP bands.
        await AwaitAssertAsync(() =>
        {
            var chart = browser.Driver.FindElement(By.Id("price-chart"));
            Assert.True(int.Parse(chart.GetAttribute("data-bars")!) >= 3, $"{chart.GetAttribute("data-bars")} bars");
            Assert.True(int.Parse(chart.GetAttribute("data-vwap-points")!) >= 2, $"{chart.GetAttribute("data-vwap-points")} VWAP points");
            Assert.NotEmpty(chart.FindElements(By.TagName("canvas")));
            var title = browser.Driver.FindElement(By.Id("detail-title")).GetAttribute("textContent");
            Assert.True(title == "BTCUSDT, 5m window", title);
        }, Limit);
        browser.Screenshot(Path.Combine(AppContext.BaseDirectory, "page.png"));

        // Sorted by a click on a column: the symbols, then the other way.
        browser.Driver.FindElement(By.CssSelector("th[data-key=symbol]")).Click();
        await AwaitAssertAsync(() => Assert.Equal(Symbols.Reverse(),
            browser.Driver.FindElements(By.CssSelector("#board tbody tr")).Select(r => r.GetAttribute("data-symbol"))), Limit);

        // A fault: the exchange drops every connection and refuses new ones. The page shows it within seconds.
        _exchange.SetUpgradeFault("*", new UpgradeFault.Refuse(HttpStatusCode.ServiceUnavailable));
        var faulted = Stopwatch.StartNew();
        _exchange.DropAllConnections();
        await AwaitAssertAsync(() => Assert.Equal(Symbols.Length, browser.Driver.FindElements(By.CssSelector("#board tbody tr.fault")).Count), Dilated(TimeSpan.FromSeconds(10)));
        output.WriteLine($"the fault showed on the page {faulted.ElapsedMilliseconds} ms after the drop");
        Assert.All(browser.Driver.FindElements(By.CssSelector("#board tbody tr td.state")), state => Assert.NotEqual("Connected", state.Text));

        _exchange.SetUpgradeFault("*", null);
        await AwaitAssertAsync(() => Assert.Empty(browser.Driver.FindElements(By.CssSelector("#board tbody tr.fault"))), Limit);
    }

    /// <summary>Headless chromium from Debian's packages, through Debian's chromedriver: nothing is downloaded.</summary>
    private sealed class Browser : IDisposable
    {
        private const string Chromium = "/usr/bin/chromium";
        private const string Driver_ = "/usr/bin/chromedriver";

        private Browser(ChromeDriver driver) => Driver = driver;

        public ChromeDriver Driver { get; }

        public static Browser Start()
        {
            if (!File.Exists(Chromium) || !File.Exists(Driver_))
                throw new InvalidOperationException($"the page's test needs {Chromium} and {Driver_}: apt-get install chromium chromium-driver (.ci/run does)");
            var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(Driver_)!, Path.GetFileName(Driver_));
            service.SuppressInitialDiagnosticInformation = true;
            var options = new ChromeOptions { BinaryLocation = Chromium };
            options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1600,1000");
            return new Browser(new ChromeDriver(service, options, TimeSpan.FromSeconds(60)));
        }

        public void Screenshot(string path) => Driver.GetScreenshot().SaveAsFile(path);

        public void Dispose() => Driver.Quit();
    }
}
