using Akka.Configuration;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Hosting;
using Serilog;
using Serilog.Events;

namespace OrderFlow.Host.Hosting;

/// <summary>The service: an Akka.NET actor system on the generic host, logging through Serilog.</summary>
public static class OrderFlowHost
{
    private const string ConsoleTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}";

    /// <summary>Runs until Ctrl+C or SIGTERM, then shuts down through CoordinatedShutdown (sockets closed cleanly).</summary>
    public static async Task RunAsync(Config config, OrderFlowSettings settings, CancellationToken stopping = default)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSerilog(CreateLogger());
        builder.Services.AddAkka("orderflow", akka => akka
            .AddHocon(config, HoconAddMode.Prepend)
            .ConfigureLoggers(loggers =>
            {
                // Akka.Logger.Serilog is not on the feed: Akka logs to Microsoft.Extensions.Logging, which Serilog serves.
                loggers.ClearLoggers();
                loggers.AddLoggerFactory();
            })
            .WithOrderFlowStreams(settings)
            .WithOrderFlowGateway(settings));

        using var host = builder.Build();
        await host.RunAsync(stopping).ConfigureAwait(false);
    }

    public static Serilog.ILogger CreateLogger() => new LoggerConfiguration()
        .MinimumLevel.Information()
        .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
        .WriteTo.Console(outputTemplate: ConsoleTemplate, formatProvider: System.Globalization.CultureInfo.InvariantCulture)
        .CreateLogger();
}
