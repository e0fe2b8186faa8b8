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
        var command = new Command("run", "Stream the configured symbols (the default verb)")
        {
            symbols, market, webSocketUrl, restUrl, configFile, akkaPort, httpPort, logJson,
        };
        command.SetAction(async (parsed, _) =>
        {
            var (config, settings) = OrderFlowConfiguration.Load(
                parsed.GetValue(configFile)?.FullName,
                OrderFlowCli.Overrides(parsed.GetValue(symbols), parsed.GetValue(webSocketUrl), parsed.GetValue(restUrl), parsed.GetValue(akkaPort),
                    parsed.GetValue(httpPort), parsed.GetValue(logJson), parsed.GetValue(market)));
            await OrderFlowHost.RunAsync(config, settings).ConfigureAwait(false);
            return OrderFlowCli.Success;
        });
        return command;
    }
}
