using OrderFlow.Benchmarks;

// OrderFlow.Benchmarks [e2e [--trades N] [--symbols M]] | micro [BenchmarkDotNet args]: see README.md, "Benchmarks".
// (`planner-asks HOST:PORT SYMBOL` is the end-to-end benchmark's own planner process.)
if (args is [PlannerProcess.Verb, var address, var symbol]) return await PlannerProcess.AskAsync(address, symbol);
return await BenchmarkCommand.RunAsync(args);
