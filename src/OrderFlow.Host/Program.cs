using OrderFlow.Actors.Hosting;
using OrderFlow.Host.Cli;

InlineSocketCompletions.EnableUnlessSet();
// orderflow [run] | probe SYMBOL | demo: see README.md.
return await OrderFlowCli.InvokeAsync(args);
