using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;

namespace OrderFlow.Host.Telemetry;

/// <summary>
/// <c>GET /metrics</c> in Prometheus text format. OpenTelemetry's exporter, rather than prometheus-net: the
/// instruments are System.Diagnostics.Metrics, and the OpenTelemetry SDK is their reference reader (the runtime's own
/// instruments come the same way), so adding an OTLP exporter later is one line and touches no instrument.
/// </summary>
public static class TelemetryRoutes
{
    public const string Path = "/metrics";

    public static IServiceCollection AddOrderFlowTelemetry(this IServiceCollection services, TimeSpan deadline)
    {
        services.AddSingleton(provider => new StreamTelemetry(provider.GetRequiredService<Akka.Hosting.IRequiredActor<Actors.Gateway.OrderFlowGateway>>(),
            provider.GetRequiredService<Akka.Actor.ActorSystem>(), deadline, TimeProvider.System));
        services.AddHostedService<TelemetryRefresh>();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(StreamTelemetry.MeterName)
            .AddRuntimeInstrumentation()
            // Every scrape reads the streams afresh (below), so a cached answer would only be older.
            .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));
        return services;
    }

    public static void MapOrderFlowTelemetry(this WebApplication app)
    {
        app.UseWhen(http => http.Request.Path == Path, scrape => scrape.Use(async (http, next) =>
        {
            await http.RequestServices.GetRequiredService<StreamTelemetry>().RefreshAsync(http.RequestAborted).ConfigureAwait(false);
            await next(http).ConfigureAwait(false);
        }));
        app.MapPrometheusScrapingEndpoint(Path);
    }

    /// <summary>Keeps the figures a few seconds fresh for listeners that do not scrape (dotnet-counters, an OTLP exporter).</summary>
    private sealed class TelemetryRefresh(StreamTelemetry telemetry) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stopping)
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false)) await telemetry.RefreshAsync(stopping).ConfigureAwait(false);
        }
    }
}
