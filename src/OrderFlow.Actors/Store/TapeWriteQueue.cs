using System.Threading.Channels;

namespace OrderFlow.Actors.Store;

/// <summary>
/// The one writer of a tape store: every recorder's writes queue here, and each round takes what has queued (up to
/// 1,000 writes or 100,000 trades, so one commit stays well within a database's command timeout) into one commit, so a thousand symbols flushing each second cost a few commits, not a thousand. A
/// write's task completes when its commit does, or fails with the reason; its recorder keeps the trades and tries
/// again.
/// </summary>
internal sealed class TapeWriteQueue : IAsyncDisposable
{
    private const int MostWritesPerCommit = 1000;
    private const int MostTradesPerCommit = 100_000;

    private readonly Channel<(TapeWrite Write, TaskCompletionSource Done)> _writes =
        Channel.CreateUnbounded<(TapeWrite, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Func<IReadOnlyList<TapeWrite>, Task> _commit;
    private readonly Action _onFailure;
    private readonly Task _loop;

    /// <param name="commit">Writes the batch in one transaction.</param>
    /// <param name="onFailure">After a failed commit: drop what the failure may have spoiled (a connection, cached ids).</param>
    public TapeWriteQueue(Func<IReadOnlyList<TapeWrite>, Task> commit, Action onFailure)
    {
        _commit = commit;
        _onFailure = onFailure;
        _loop = Task.Run(LoopAsync);
    }

    public Task WriteAsync(TapeWrite write)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_writes.Writer.TryWrite((write, done))) done.SetException(new ObjectDisposedException("the tape store is closed"));
        return done.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _writes.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private async Task LoopAsync()
    {
        var batch = new List<(TapeWrite Write, TaskCompletionSource Done)>();
        while (await _writes.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            var trades = 0;
            while (batch.Count < MostWritesPerCommit && trades < MostTradesPerCommit && _writes.Reader.TryRead(out var item))
            {
                batch.Add(item);
                trades += item.Write.Trades.Count;
            }
            try
            {
                await _commit(batch.Select(item => item.Write).ToList()).ConfigureAwait(false);
                foreach (var (_, done) in batch) done.TrySetResult();
            }
            catch (Exception e)
            {
                foreach (var (_, done) in batch) done.TrySetException(e);
                _onFailure();
            }
        }
    }
}
