using OrderFlow.Host.Cli;

// orderflow [run] | probe SYMBOL | demo: see README.md.
return await OrderFlowCli.InvokeAsync(args);
