namespace OrderFlow.Simulator;

/// <summary>
/// Wraps an upgraded connection's stream so that it can be frozen: once frozen, whatever arrives is never handed on
/// (pings go unanswered) and whatever is written goes nowhere, while the TCP connection stays up. That is a
/// half-open link as a client sees it. Disposing it drops the connection: the WebSocket disposes its stream when a
/// client fails to answer a ping, and disposing Kestrel's upgraded stream alone would not end a pending read.
/// </summary>
internal sealed class FreezableStream(Stream inner, CancellationToken connectionClosed, Action dropConnection) : Stream
{
    private volatile bool _frozen;

    public void Freeze() => _frozen = true;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!_frozen)
        {
            var count = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (!_frozen) return count;
        }
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, connectionClosed);
        await Task.Delay(Timeout.Infinite, either.Token).ConfigureAwait(false);
        return 0;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        _frozen ? ValueTask.CompletedTask : inner.WriteAsync(buffer, cancellationToken);

    public override Task FlushAsync(CancellationToken cancellationToken) =>
        _frozen ? Task.CompletedTask : inner.FlushAsync(cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("asynchronous only");
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("asynchronous only");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            try
            {
                dropConnection();
            }
            catch (ObjectDisposedException)
            {
                // The request is already over: its connection is gone with it.
            }
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
