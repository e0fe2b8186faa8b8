using System.Runtime.CompilerServices;

namespace OrderFlow.Actors.Tests.Support;

internal static class TestAssembly
{
    /// <summary>
    /// The simulated exchanges run in this process, on the thread pool that the specs' blocking waits (ExpectMsg,
    /// AwaitAssert) also hold threads of. Starting with enough threads keeps an exchange's answers from queueing
    /// behind the pool's slow growth when many specs run at once on two cores.
    /// </summary>
    [ModuleInitializer]
    internal static void StartWithEnoughThreads()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), Math.Max(io, 64));
    }
}
