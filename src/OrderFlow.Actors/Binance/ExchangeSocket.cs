using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text;

namespace OrderFlow.Actors.Binance;

/// <summary>
/// What every socket to the exchange shares, whatever its streams carry: the client's keep-alive pings (the only way
/// to see a half-open link), a refused upgrade classified with its status and Retry-After, one send at a time, a clean
/// close, an abort that ends any pending connect or receive, and every ending said as a <see cref="ConnectionEnd"/>.
/// Single use: a ClientWebSocket cannot reconnect, so every attempt makes a new one.
/// </summary>
public abstract class ExchangeSocket : IDisposable
{
    private readonly SemaphoreSlim _sending = new(1);

    protected ExchangeSocket(Uri uri, SocketOptions options)
    {
        Uri = uri;
        MaxFrameBytes = options.MaxFrameBytes;
        Socket.Options.KeepAliveInterval = options.KeepAliveInterval;
        Socket.Options.KeepAliveTimeout = KeepAlive.PongWait(options.KeepAliveInterval, options.KeepAliveTimeout);
        // Lets a refused upgrade tell its HTTP status and Retry-After.
        Socket.Options.CollectHttpResponseDetails = true;
    }

    protected ClientWebSocket Socket { get; } = new();

    protected CancellationTokenSource Aborting { get; } = new();

    protected int MaxFrameBytes { get; }

    public Uri Uri { get; }

    public bool IsOpen => Socket.State == WebSocketState.Open;

    public async Task ConnectAsync()
    {
        try
        {
            await Socket.ConnectAsync(Uri, Aborting.Token).ConfigureAwait(false);
        }
        catch (Exception error) when (!Aborting.IsCancellationRequested)
        {
            throw StreamConnectException.Classify(error, Socket, Uri);
        }
    }

    /// <summary>Sends a text frame (a SUBSCRIBE or UNSUBSCRIBE request); one at a time, as a WebSocket requires.</summary>
    public async Task SendTextAsync(string text)
    {
        await _sending.WaitAsync(Aborting.Token).ConfigureAwait(false);
        try
        {
            await Socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, Aborting.Token).ConfigureAwait(false);
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>Starts a clean close: sends our close frame; the receive loop ends when the server answers.</summary>
    public async Task CloseAsync()
    {
        try
        {
            if (Socket.State == WebSocketState.Open)
                await Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "client shutting down", Aborting.Token).ConfigureAwait(false);
        }
        catch (Exception) when (Socket.State != WebSocketState.Open || Aborting.IsCancellationRequested)
        {
            // Already closing or gone: nothing left to close.
        }
    }

    /// <summary>Gives up on the connection at once: a pending connect or receive ends.</summary>
    public void Abort()
    {
        if (!Aborting.IsCancellationRequested) Aborting.Cancel();
        Socket.Abort();
    }

    public void Dispose()
    {
        Abort();
        Socket.Dispose();
        Aborting.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>One whole frame in the buffer: its length, whether it was over the limit (drained, to be dropped whole), binary.</summary>
    protected readonly record struct Frame(int Length, bool Oversized, bool Binary);

    /// <summary>
    /// Reads one whole frame into <paramref name="buffer"/> (a frame over the limit is drained into its start and marked
    /// oversized), or null when the server's close frame came. <paramref name="started"/> runs as each receive begins,
    /// told whether it has completed already: a reader hands on what it holds before it would wait.
    /// </summary>
    // Pooled: under a flood most receives complete at once, but each that waits would otherwise box a state machine.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    protected async ValueTask<Frame?> ReceiveFrameAsync(byte[] buffer, Func<bool, ValueTask>? started = null)
    {
        var length = 0;
        var oversized = false;
        ValueWebSocketReceiveResult result;
        do
        {
            var space = oversized ? buffer.AsMemory(0, MaxFrameBytes) : buffer.AsMemory(length, MaxFrameBytes - length);
            var receiving = Socket.ReceiveAsync(space, Aborting.Token);
            if (started is not null) await started(receiving.IsCompleted);
            result = await receiving;
            if (result.MessageType == WebSocketMessageType.Close) return null;
            length += result.Count;
            if (!result.EndOfMessage && length >= MaxFrameBytes) (oversized, length) = (true, 0);
        } while (!result.EndOfMessage);
        return new Frame(length, oversized, result.MessageType == WebSocketMessageType.Binary);
    }

    /// <summary>The server's close frame answered, or ours acknowledged: how the connection ended.</summary>
    protected async Task<ConnectionEnd> EndWithCloseAsync()
    {
        var code = (int?)Socket.CloseStatus;
        var description = Socket.CloseStatusDescription;
        if (Socket.State == WebSocketState.CloseReceived)
        {
            // The server closed first: answer its close frame, as the protocol asks.
            try { await Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", Aborting.Token).ConfigureAwait(false); }
            catch (Exception) { /* the server may already have dropped the TCP connection */ }
            var reason = string.IsNullOrEmpty(description) ? $"closed by the server with code {code}" : $"closed by the server with code {code} ({description})";
            return new ConnectionEnd(ConnectionEndKind.ClosedByServer, reason);
        }
        return new ConnectionEnd(ConnectionEndKind.ClosedByUs, "closed");
    }

    /// <summary>A receive that threw: aborted by us, a keep-alive ping unanswered, or a broken link.</summary>
    protected ConnectionEnd Ended(Exception error)
    {
        if (Aborting.IsCancellationRequested) return new ConnectionEnd(ConnectionEndKind.Aborted, "aborted");
        // An unanswered keep-alive ping makes .NET abort the socket itself: the pending receive ends cancelled (not
        // by us), wrapping a Faulted WebSocketException.
        if (error is OperationCanceledException && Inner(error).Any(e => e is WebSocketException { WebSocketErrorCode: WebSocketError.Faulted }))
            return new ConnectionEnd(ConnectionEndKind.KeepAliveTimedOut, "keep-alive ping unanswered");
        return new ConnectionEnd(ConnectionEndKind.Broken, $"connection broke: {StreamConnectException.Innermost(error).Message}");
    }

    private static IEnumerable<Exception> Inner(Exception error)
    {
        for (var e = error.InnerException; e is not null; e = e.InnerException) yield return e;
    }
}
