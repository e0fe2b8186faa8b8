using System.CommandLine;
using OrderFlow.Actors.Configuration;
using OrderFlow.Host.Hosting;

namespace OrderFlow.Host.Cli;

/// <summary><c>orderflow run</c>: stream the configured symbols until stopped.</summary>
public static class RunCommand
{
    public static Command Create()
    {
        var symbols = OrderFlowCli.SymbolsOption();
        var market = OrderFlowCli.MarketOption();
        var webSocketUrl = OrderFlowCli.WebSocketUrlOption();
        var restUrl = OrderFlowCli.RestUrlOption();
        var configFile = OrderFlowCli.ConfigOption();
        var akkaPort = OrderFlowCli.AkkaPortOption();
        var httpPort = OrderFlowCli.HttpPortOption();
        var logJson = OrderFlowCli.LogJsonOption();
        var cluster = new Option<bool>("--cluster")
            { Description = "Form or join the cluster at orderflow.cluster.seed-nodes (or --seed-nodes, or found through orderflow.cluster.discovery); overrides orderflow.cluster.enabled" };
        var remoteHost = new Option<string>("--remote-host")
            { Description = "The address this node listens on and is reached at by planners and the other nodes (in Kubernetes, the pod's IP); overrides orderflow.remote.host" };
        var seedNodes = new Option<string>("--seed-nodes")
            { Description = "The cluster's seed nodes, comma-separated akka.tcp://orderflow@HOST:PORT, the same on every node; overrides orderflow.cluster.seed-nodes" };
        var command = new Command("run", "Stream the configured symbols (the default verb)")
        {
            symbols, market, webSocketUrl, restUrl, configFile, akkaPort, httpPort, logJson, cluster, seedNodes, remoteHost,
        };
        command.SetAction(async (parsed, _) =>
        {
            var overrides = OrderFlowCli.Overrides(parsed.GetValue(symbols), parsed.GetValue(webSocketUrl), parsed.GetValue(restUrl), parsed.GetValue(akkaPort),
                parsed.GetValue(httpPort), parsed.GetValue(logJson), parsed.GetValue(market));
            if (parsed.GetValue(cluster)) overrides.Add(new("orderflow.cluster.enabled", "on", "--cluster"));
            if (parsed.GetValue(remoteHost) is { } address) overrides.Add(new("orderflow.remote.host", OrderFlowConfiguration.Quote(address), "--remote-host"));
            if (parsed.GetValue(seedNodes) is { } seeds) overrides.Add(new("orderflow.cluster.seed-nodes", OrderFlowConfiguration.QuoteList(seeds), "--seed-nodes"));
            var (config, settings) = OrderFlowConfiguration.Load(parsed.GetValue(configFile)?.FullName, overrides);
            await OrderFlowHost.RunAsync(config, settings).ConfigureAwait(false);
            return OrderFlowCli.Success;
        });
        return command;
    }
}
