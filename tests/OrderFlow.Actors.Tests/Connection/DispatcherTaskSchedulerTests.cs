using Akka.TestKit.Xunit2;
using OrderFlow.Actors.Connection;
using OrderFlow.Actors.Hosting;
using Xunit;

namespace OrderFlow.Actors.Tests.Connection;

/// <summary>A socket reader started on the pipeline dispatcher stays on its threads, off the .NET thread pool.</summary>
public sealed class DispatcherTaskSchedulerTests() : TestKit(PipelineDispatcher.Hocon)
{
    [Fact]
    public async Task Work_started_on_the_pipeline_dispatcher_continues_there_after_awaits_completed_on_the_thread_pool()
    {
        var scheduler = new DispatcherTaskScheduler(Sys.Dispatchers.Lookup(PipelineDispatcher.Id));
        var onThreadPool = await scheduler.Run(async () =>
        {
            var seen = new List<bool> { Thread.CurrentThread.IsThreadPoolThread };
            for (var i = 0; i < 3; i++)
            {
                // Completed by a thread-pool thread, as a socket's receive is.
                var completion = new TaskCompletionSource();
                ThreadPool.UnsafeQueueUserWorkItem(_ => completion.SetResult(), null);
                await completion.Task;
                seen.Add(Thread.CurrentThread.IsThreadPoolThread);
            }
            return seen;
        });

        Assert.Equal(4, onThreadPool.Count);
        Assert.All(onThreadPool, Assert.False);
    }
}
