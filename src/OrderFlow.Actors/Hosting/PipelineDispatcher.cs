using OrderFlow.Actors.Connection;
using OrderFlow.Actors.Symbols;

namespace OrderFlow.Actors.Hosting;

/// <summary>
/// Every symbol's actors, and the socket readers they start, on threads of their own (one per core): on the .NET
/// thread pool, a flood's bursts would queue ahead of the socket completions that carry the planners' queries in
/// and the answers out. Deployed by path, so a host without it runs them on the default dispatcher.
/// </summary>
public static class PipelineDispatcher
{
    public const string Id = "orderflow.pipeline-dispatcher";

    public const string Hocon = $$"""
        {{Id}} {
          type = Dispatcher
          executor = fork-join-executor
          fork-join-executor { parallelism-min = 2, parallelism-factor = 1.0, parallelism-max = 64 }
        }
        akka.actor.deployment {
          "/{{SymbolSupervisor.Name}}/*" { dispatcher = {{Id}} }
          "/{{SymbolSupervisor.Name}}/*/*" { dispatcher = {{Id}} }
          "/{{ConnectionPool.Name}}" { dispatcher = {{Id}} }
          "/{{ConnectionPool.Name}}/*" { dispatcher = {{Id}} }
        }
        """;
}
