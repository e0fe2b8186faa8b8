namespace OrderFlow.Protocol;

/// <summary>Akka.Remote settings that both ends, host and planner, use.</summary>
public static class OrderFlowRemoting
{
    /// <summary>
    /// Remoting on two threads of its own rather than on the .NET thread pool: a process whose pool is busy (a host
    /// taking a flood, a planner computing) still reads and writes its remote messages at once, instead of queueing
    /// them behind every other work item.
    /// </summary>
    public const string DedicatedThreadsHocon = """
        akka.remote.default-remote-dispatcher {
          executor = fork-join-executor
          fork-join-executor {
            parallelism-min = 2
            parallelism-max = 2
          }
        }
        """;
}
