using Akka.Actor;
using Akka.Configuration;
using Akka.Discovery;
using OrderFlow.Actors.Configuration;

namespace OrderFlow.Actors.Membership;

/// <summary>
/// Finds the seed nodes through Akka.Discovery when they are not listed (<see cref="SeedDiscovery"/>): before the node
/// starts, as the join check that follows needs them. It keeps looking, and says every few seconds what it has found,
/// until at least the required number of nodes is found and the next look finds the same set: a node that cannot
/// find its peers says so and goes on saying it, never silent.
/// </summary>
public static class SeedFinder
{
    private static readonly TimeSpan LookInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LookTimeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);

    /// <summary>The settings with the found seeds (lowest address first), or as they are when seeds are listed.</summary>
    /// <param name="progress">A level, a semantic log template and its values, told while the search goes on.</param>
    public static async Task<OrderFlowSettings> FindAsync(OrderFlowSettings settings, Action<Akka.Event.LogLevel, string, object?[]> progress, CancellationToken stopping = default)
    {
        if (settings.Cluster.Discovery is not { } discovery) return settings;
        var looking = ActorSystem.Create("orderflow-discovery",
            ConfigurationFactory.ParseString(Hocon(discovery)).WithFallback(Akka.Discovery.KubernetesApi.KubernetesDiscovery.DefaultConfiguration()));
        try
        {
            var method = Akka.Discovery.Discovery.Get(looking).Default;
            var lookup = new Lookup(discovery.ServiceName, discovery.PortName.Length > 0 ? discovery.PortName : null, "tcp");
            IReadOnlyList<string> previous = [];
            var lastSaid = DateTimeOffset.MinValue;
            while (true)
            {
                stopping.ThrowIfCancellationRequested();
                string? problem = null;
                IReadOnlyList<string> found = [];
                try { found = Seeds((await method.Lookup(lookup, LookTimeout).ConfigureAwait(false)).Addresses, settings.Remote.AkkaPort); }
                catch (Exception e) { problem = e.GetBaseException().Message.ReplaceLineEndings(" ").TrimEnd('.'); }
                if (found.Count >= discovery.Required && found.SequenceEqual(previous))
                {
                    progress(Akka.Event.LogLevel.InfoLevel, "🧭 Found {Count} node(s) through {Where}: seeds {Seeds}", [found.Count, discovery.Describe(), string.Join(", ", found)]);
                    return settings with { Cluster = settings.Cluster with { SeedNodes = found } };
                }
                if (DateTimeOffset.UtcNow - lastSaid >= ProgressInterval)
                {
                    lastSaid = DateTimeOffset.UtcNow;
                    if (problem is not null) progress(Akka.Event.LogLevel.WarningLevel, "⚠️ Looking for the cluster's nodes through {Where}: {Problem}; looking again", [discovery.Describe(), problem]);
                    else progress(Akka.Event.LogLevel.InfoLevel, "🧭 Looking for the cluster's nodes through {Where}: {Count} of the {Required} needed found ({Found})",
                        [discovery.Describe(), found.Count, discovery.Required, found.Count == 0 ? "none" : string.Join(", ", found)]);
                }
                previous = found;
                await Task.Delay(LookInterval, stopping).ConfigureAwait(false);
            }
        }
        finally
        {
            await looking.Terminate().ConfigureAwait(false);
        }
    }

    /// <summary>Every node sorts the same found set the same way, so all name the same first seed, the one that forms the cluster.</summary>
    internal static IReadOnlyList<string> Seeds(IEnumerable<ServiceDiscovery.ResolvedTarget> targets, int defaultPort) =>
        targets.Select(target => $"akka.tcp://orderflow@{target.Address?.ToString() ?? target.Host}:{target.Port ?? defaultPort}")
            .Distinct().Order(StringComparer.Ordinal).ToList();

    private static string Hocon(SeedDiscovery discovery)
    {
        var q = OrderFlowConfiguration.Quote;
        return $$"""
            akka.loglevel = OFF
            akka.stdout-loglevel = OFF
            akka.discovery.method = {{discovery.Method}}
            akka.discovery.kubernetes-api.pod-label-selector = {{q(discovery.LabelSelector)}}
            akka.discovery.config.services.{{q(discovery.ServiceName)}}.endpoints = [{{string.Join(", ", discovery.Endpoints.Select(q))}}]
            """;
    }
}
