using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace OrderFlow.Actors.Tests.Support;

/// <summary>Headless chromium from Debian's packages, through Debian's chromedriver: nothing is downloaded.</summary>
public sealed class Browser : IDisposable
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
