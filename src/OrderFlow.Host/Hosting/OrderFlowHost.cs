using System.Net;
using System.Net.Sockets;
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
        EnsureRemotePortFree(settings.Remote);
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

    /// <summary>
    /// Fails with one line when the planners' port is taken, rather than with Akka's bind exception (or, were
    /// address reuse on, by sharing the port with another host without a word).
    /// </summary>
    private static void EnsureRemotePortFree(RemoteSettings remote)
    {
        if (remote.Port == 0 || !IPAddress.TryParse(remote.Host, out var address)) return;
        try
        {
            var probe = new TcpListener(address, remote.Port) { ExclusiveAddressUse = true };
            probe.Start();
            probe.Stop();
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new OrderFlow.Actors.Configuration.ConfigurationException($"cannot listen for planners on {remote.Host}:{remote.Port}: the port is in use " +
                "(another orderflow host?). Stop it, or choose another port with --remote-port or orderflow.remote.port");
        }
    }

    public static Serilog.ILogger CreateLogger() => new LoggerConfiguration()
        .MinimumLevel.Information()
        .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
        .WriteTo.Console(outputTemplate: ConsoleTemplate, formatProvider: System.Globalization.CultureInfo.InvariantCulture)
        .CreateLogger();
}
