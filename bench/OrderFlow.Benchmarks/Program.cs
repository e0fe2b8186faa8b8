using OrderFlow.Benchmarks;

// OrderFlow.Benchmarks [e2e [--trades N] [--symbols M]] | micro [BenchmarkDotNet args]: see README.md, "Benchmarks".
return await BenchmarkCommand.RunAsync(args);
