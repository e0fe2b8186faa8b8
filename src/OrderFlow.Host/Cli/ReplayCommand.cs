using System.CommandLine;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Replay;
using OrderFlow.Actors.Store;
using OrderFlow.Host.Hosting;

namespace OrderFlow.Host.Cli;

/// <summary>
/// <c>orderflow replay --from TIME --to TIME [--symbols A,B] [--speed 1x|10x|max]</c>: the same host (sequencer,
/// history, metrics, gateway, HTTP, remoting) fed from the tape store instead of Binance, so a planner sees a recorded
/// stretch as if it were live. The windows are read at the replay's clock; when it ends, the host answers as of the
/// end until stopped.
/// </summary>
public static class ReplayCommand
{
    public static Command Create()
    {
        var from = new Option<string>("--from") { Description = "From this time (ISO-8601, epoch ms, or a duration ago such as 2h)", Required = true };
        var to = new Option<string>("--to") { Description = "Up to this time, exclusive (default: now)" };
        var speed = new Option<string>("--speed") { Description = "1x, 10x, any Nx, or max (as fast as the store reads; default)", DefaultValueFactory = _ => "max" };
        var symbols = OrderFlowCli.SymbolsOption();
        var market = OrderFlowCli.MarketOption();
        var restUrl = new Option<string>("--rest-url") { Description = "The exchange the tapes came from (its REST base, as the host had it); overrides orderflow.binance.rest-url" };
        var configFile = OrderFlowCli.ConfigOption();
        var akkaPort = OrderFlowCli.AkkaPortOption();
        var httpPort = OrderFlowCli.HttpPortOption();
        var logJson = OrderFlowCli.LogJsonOption();
        var command = new Command("replay", "Play recorded trades from the tape store through the whole pipeline, for backtesting")
        {
            from, to, speed, symbols, market, restUrl, configFile, akkaPort, httpPort, logJson,
        };
        command.SetAction(async (parsed, _) =>
        {
            var (config, settings) = OrderFlowConfiguration.Load(parsed.GetValue(configFile)?.FullName,
                OrderFlowCli.Overrides(parsed.GetValue(symbols), null, parsed.GetValue(restUrl), parsed.GetValue(akkaPort), parsed.GetValue(httpPort),
                    parsed.GetValue(logJson), parsed.GetValue(market)));
            if (settings.SymbolPatterns.Count > 0)
                throw new ConfigurationException($"replay plays symbols by name, not patterns ({string.Join(", ", settings.SymbolPatterns)}): name them with --symbols");
            var fromMs = QueryCommands.ParseTime(parsed.GetValue(from)!, "--from").ToUnixTimeMilliseconds();
            var toMs = (parsed.GetValue(to) is { } end ? QueryCommands.ParseTime(end, "--to") : DateTimeOffset.UtcNow).ToUnixTimeMilliseconds();
            if (toMs <= fromMs) throw new ConfigurationException("--to must come after --from");
            await using var store = await TapeStores.OpenAsync(settings.Store).ConfigureAwait(false)
                                    ?? throw new ConfigurationException("orderflow.store.kind = off: there is no tape store to replay from");
            var plan = new ReplayPlan(store, new ReplayClock(fromMs, toMs, Speed(parsed.GetValue(speed)!)));
            // The replay's own: no warm-up from REST, and nothing written back.
            await OrderFlowHost.RunAsync(config, settings with { History = settings.History with { WarmUp = null } }, replay: plan).ConfigureAwait(false);
            return OrderFlowCli.Success;
        });
        return command;
    }

    /// <summary><c>max</c> is null (as fast as the store reads); <c>Nx</c> is N times the wall clock.</summary>
    private static double? Speed(string text)
    {
        var written = text.Trim().ToLowerInvariant();
        if (written == "max") return null;
        if (written.EndsWith('x') && double.TryParse(written[..^1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var factor) && factor > 0)
            return factor;
        throw new ConfigurationException($"--speed {text}: use 1x, 10x (any positive multiple) or max");
    }
}
