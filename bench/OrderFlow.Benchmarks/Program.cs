using OrderFlow.Actors.Hosting;
using OrderFlow.Benchmarks;

// OrderFlow.Benchmarks [e2e [--trades N] [--symbols M]] | micro [BenchmarkDotNet args]: see README.md, "Benchmarks".
// (`planner-asks HOST:PORT SYMBOL` is the end-to-end benchmark's own planner process.)
if (args is [PlannerProcess.Verb, var address, var symbol]) return await PlannerProcess.AskAsync(address, symbol);
// (`flood-exchange SYMBOL TRADES MAX-TICKS` is the host-flood benchmark's sender process.)
if (args is [FloodExchange.Verb, var flooded, var trades, var ticks])
    return await FloodExchange.ServeAsync(flooded, int.Parse(trades, System.Globalization.CultureInfo.InvariantCulture), int.Parse(ticks, System.Globalization.CultureInfo.InvariantCulture));
// The pipeline runs in this process, with the socket completions a host has.
InlineSocketCompletions.EnableUnlessSet();
return await BenchmarkCommand.RunAsync(args);
