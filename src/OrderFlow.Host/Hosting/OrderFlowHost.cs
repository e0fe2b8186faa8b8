using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Gateway;
using OrderFlow.Actors.Hosting;
using OrderFlow.Actors.Membership;
using OrderFlow.Actors.Store;
using OrderFlow.Client;
using OrderFlow.Host.Api;
using OrderFlow.Host.Page;
using OrderFlow.Host.Telemetry;
using OrderFlow.Protocol;
using Serilog;
using Serilog.Events;

namespace OrderFlow.Host.Hosting;

/// <summary>The service: an Akka.NET actor system on the generic host, logging through Serilog (<see cref="OrderFlowLogging"/>).</summary>
public static class OrderFlowHost
{
    /// <summary>Runs until Ctrl+C or SIGTERM, then shuts down through CoordinatedShutdown (sockets closed cleanly).</summary>
    /// <param name="replay">Play recorded tapes from the store instead of streaming (<c>orderflow replay</c>); the rest is the same host.</param>
    public static async Task RunAsync(Config config, OrderFlowSettings settings, CancellationToken stopping = default, Actors.Replay.ReplayPlan? replay = null)
    {
        ApiKeys.EnsureOnlyThoseWhoBelong(settings.Remote);
        EnsurePortsFree(settings.Remote);
        // Opened (and migrated) before anything streams: a store that cannot be used stops the start in one line.
        await using var store = replay is null ? await TapeStores.OpenAsync(settings.Store).ConfigureAwait(false) : null;
        // Seeds found through discovery (Kubernetes) before the check below asks them.
        settings = await SeedFinder.FindAsync(settings, (level, template, values) =>
            OrderFlowLogging.Start(settings.Log).Write(level == Akka.Event.LogLevel.WarningLevel ? Serilog.Events.LogEventLevel.Warning : Serilog.Events.LogEventLevel.Information, template, values), stopping)
            .ConfigureAwait(false);
        // A node on another store, or with another shard count, does not join the cluster at all.
        if (replay is null) await JoinCheck.EnsureSameSetupAsync(settings, store).ConfigureAwait(false);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSerilog(OrderFlowLogging.Start(settings.Log), dispose: true);
        builder.WebHost.ListenForApi(settings.Remote);
        var deadline = settings.Remote.QueryTimeout + settings.Binance.RestTimeout + TimeSpan.FromSeconds(1);
        builder.Services.AddOrderFlowApi();
        builder.Services.AddOrderFlowTelemetry(deadline);
        builder.Services.AddAkka("orderflow", akka => akka
            .WithOrderFlowLogging(settings.Log, config)
            .AddHocon(config, HoconAddMode.Prepend)
            .WithOrderFlowCluster(settings)
            // The user's akka.* settings win over the cluster's defaults.
            .AddHocon(config, HoconAddMode.Prepend)
            .WithOrderFlowSource(settings, store, replay)
            .WithOrderFlowGateway(settings));

        await using var app = builder.Build();
        app.UseApiKey(settings.Remote.ApiKey);
        app.MapOrderFlowApiDocument();
        app.MapOrderFlowApi(deadline);
        app.MapOrderFlowEvents(deadline);
        app.MapOrderFlowPage();
        app.MapOrderFlowTelemetry();
        app.MapHealth(settings.Metrics.Windows[0], deadline);
        app.Lifetime.ApplicationStarted.Register(() => AnnounceEndpoints(app, settings, store, replay));
        await app.RunAsync(stopping).ConfigureAwait(false);
    }

    /// <summary>Live symbols (recording to <paramref name="store"/>), or a replay.</summary>
    private static AkkaConfigurationBuilder WithOrderFlowSource(this AkkaConfigurationBuilder akka, OrderFlowSettings settings, ITapeStore? store,
        Actors.Replay.ReplayPlan? replay) =>
        replay is null ? akka.WithOrderFlowSymbols(settings, store) : akka.WithOrderFlowReplay(settings, replay);

    private static void AnnounceEndpoints(WebApplication app, OrderFlowSettings settings, ITapeStore? store, Actors.Replay.ReplayPlan? replay)
    {
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OrderFlow.Host");
        if (!settings.Remote.LoopbackOnly && settings.Remote.AllowPlaintext && !settings.Remote.RemotingTls)
            log.LogWarning("🔓 Akka.Remote listens on {Host} IN THE CLEAR (orderflow.remote.allow-plaintext = on): anyone who can reach it can send " +
                           "planners' messages and read the answers; turn on akka.remote.dot-netty.tcp.enable-ssl", settings.Remote.Host);
        if (store is null && replay is not null) log.LogInformation("🎬 Replaying from {Store}", replay.Store.Description);
        else if (store is null) log.LogInformation("💾 No tape store (orderflow.store.kind = off): a restart warms up from REST");
        else log.LogInformation("💾 Recording every trade to {Store}", store.Description);
        var system = (ExtendedActorSystem)app.Services.GetRequiredService<ActorSystem>();
        var http = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "";
        var akka = system.Provider.DefaultAddress;
        log.LogInformation("🛰 Planners ask {Gateway}; the HTTP API (orderflow status|trades|metrics, curl) is at {ApiUrl}",
            $"{akka}/user/{OrderFlowGateway.Name}", $"{http}{HttpApi.Streams}");
        log.LogInformation("📈 The live page is at {PageUrl}, Prometheus scrapes {MetricsUrl}", $"{http}/", $"{http}{TelemetryRoutes.Path}");
        // A host bound to every interface is reached from this machine on loopback.
        var endpoints = new HostEndpoints(Environment.ProcessId, http.Replace("://0.0.0.0:", "://127.0.0.1:").Replace("://[::]:", "://127.0.0.1:"),
            $"{(akka.Host is "0.0.0.0" or "::" ? "127.0.0.1" : akka.Host)}:{akka.Port}", DateTimeOffset.UtcNow);
        try
        {
            endpoints.Write();
            app.Lifetime.ApplicationStopping.Register(endpoints.Delete);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.LogWarning("The CLI will not find this host by itself ({Reason}): give it --host {Address}", e.Message, http);
        }
    }

    /// <summary>
    /// Fails with one line when a port planners reach this host on is taken, rather than with a bind exception (or,
    /// were address reuse on, by sharing the port with another host without a word).
    /// </summary>
    private static void EnsurePortsFree(RemoteSettings remote)
    {
        if (remote.AkkaPort != 0 && remote.AkkaPort == remote.HttpPort)
            throw new OrderFlow.Actors.Configuration.ConfigurationException(
                $"orderflow.remote.akka-port and orderflow.remote.http-port are both {remote.AkkaPort}: Akka.Remote and the HTTP API need a port each");
        EnsurePortFree(remote.Host, remote.AkkaPort, "--akka-port or orderflow.remote.akka-port");
        EnsurePortFree(remote.Host, remote.HttpPort, "--http-port or orderflow.remote.http-port");
    }

    private static void EnsurePortFree(string host, int port, string choose)
    {
        if (port == 0 || !IPAddress.TryParse(host, out var address) || IsFree(address, port)) return;
        throw new OrderFlow.Actors.Configuration.ConfigurationException($"cannot listen on {host}:{port}: the port is in use " +
            $"(another orderflow host?). Stop it, or choose another port with {choose}");
    }

    /// <summary>Whether nothing listens on <paramref name="address"/>:<paramref name="port"/> now.</summary>
    public static bool IsFree(IPAddress address, int port)
    {
        try
        {
            var probe = new TcpListener(address, port) { ExclusiveAddressUse = true };
            probe.Start();
            probe.Stop();
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return false;
        }
    }
}
