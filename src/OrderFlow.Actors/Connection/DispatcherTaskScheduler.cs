using Akka.Dispatch;

namespace OrderFlow.Actors.Connection;

/// <summary>
/// Runs tasks on an Akka dispatcher's threads. A socket reader started on it continues there after every await, so
/// it shares its stream actor's threads: with the pipeline dispatcher, off the .NET thread pool, where the queries'
/// socket completions would otherwise wait behind every symbol's parsing.
/// </summary>
internal sealed class DispatcherTaskScheduler(MessageDispatcher dispatcher) : TaskScheduler
{
    /// <summary>Runs <paramref name="start"/> on this scheduler; its awaits that keep their context stay here too.</summary>
    public Task<T> Run<T>(Func<Task<T>> start) =>
        Task.Factory.StartNew(start, CancellationToken.None, TaskCreationOptions.DenyChildAttach, this).Unwrap();

    protected override void QueueTask(Task task) => dispatcher.Schedule(() => TryExecuteTask(task));

    // Never inline: the caller may be any thread, and the point is to run on the dispatcher's.
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

    protected override IEnumerable<Task>? GetScheduledTasks() => null;
}
