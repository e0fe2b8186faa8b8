namespace OrderFlow.Actors.Hosting;

/// <summary>
/// Socket completions on the socket engine's own thread rather than queued to the .NET thread pool. With many symbols
/// flooding, every WebSocket read completion is a thread-pool work item, and a planner's query, whose remoting reads
/// go through the same pool, waited behind them: GetMetrics p99 under the benchmark's 50-symbol flood, 6 runs each,
/// had a median of ~17 ms queued on the pool and ~12.5 ms inline. Nothing the host runs after a socket completes blocks
/// that thread: the readers continue on the pipeline dispatcher, DotNetty on its event loops, Kestrel on its own
/// queues. The runtime reads the variable when the first socket operation starts, so this runs first in Main.
/// </summary>
public static class InlineSocketCompletions
{
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Turns inline completions on, unless the variable is already set (to 0, say): the operator's choice stands.</summary>
    public static void EnableUnlessSet()
    {
        if (Environment.GetEnvironmentVariable(Variable) is null) Environment.SetEnvironmentVariable(Variable, "1");
    }
}
