using OrderFlow.Actors.Connection;

namespace OrderFlow.Actors.Hosting;

/// <summary>
/// Every symbol's actors, and the socket readers they start, on threads of their own (one per core): on the .NET
/// thread pool, a flood's bursts would queue ahead of the socket completions that carry the planners' queries in
/// and the answers out. The connections are deployed by path; the symbols' actors, which the shard region creates, are
/// given it in their props. A host without it runs them on the default dispatcher.
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
          "/{{ConnectionPool.Name}}" { dispatcher = {{Id}} }
          "/{{ConnectionPool.Name}}/*" { dispatcher = {{Id}} }
        }
        """;
}
