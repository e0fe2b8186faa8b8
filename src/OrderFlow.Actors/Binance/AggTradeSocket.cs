using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Binance;

public sealed record SocketOptions(TimeSpan KeepAliveInterval, TimeSpan KeepAliveTimeout, int MaxFrameBytes);

/// <summary>
/// One ClientWebSocket carrying the aggTrade streams of one or more symbols, each frame handed to its symbol's route.
/// Single use: a ClientWebSocket cannot reconnect, and cancelling a pending receive aborts it, so every attempt makes
/// a new one. It has no deadlines of its own: the owner decides when to give up and calls <see cref="Abort"/>.
/// </summary>
public sealed class AggTradeSocket<TRoute> : IDisposable where TRoute : class
{
    private readonly ClientWebSocket _socket = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly SemaphoreSlim _sending = new(1);
    private readonly int _maxFrameBytes;
    private volatile SymbolRoutes<TRoute> _routes;

    public AggTradeSocket(Uri uri, SymbolRoutes<TRoute> routes, SocketOptions options)
    {
        Uri = uri;
        _routes = routes;
        _maxFrameBytes = options.MaxFrameBytes;
        // The client pings and aborts the socket when no pong comes back: the only way to see a half-open link.
        _socket.Options.KeepAliveInterval = options.KeepAliveInterval;
        _socket.Options.KeepAliveTimeout = KeepAlive.PongWait(options.KeepAliveInterval, options.KeepAliveTimeout);
        // Lets a refused upgrade tell its HTTP status and Retry-After.
        _socket.Options.CollectHttpResponseDetails = true;
    }

    public Uri Uri { get; }

    /// <summary>Where frames go from the next one on: the owner swaps the table as it subscribes and unsubscribes.</summary>
    public SymbolRoutes<TRoute> Routes
    {
        get => _routes;
        set => _routes = value;
    }

    public bool IsOpen => _socket.State == WebSocketState.Open;

    public async Task ConnectAsync()
    {
        try
        {
            await _socket.ConnectAsync(Uri, _abort.Token).ConfigureAwait(false);
        }
        catch (Exception error) when (!_abort.IsCancellationRequested)
        {
            throw StreamConnectException.Classify(error, _socket, Uri);
        }
    }

    /// <summary>The most frames handed over in one burst.</summary>
    public const int MaxBurst = 4096;

    /// <summary>Bursts handed over and not yet applied before the loop stops reading (see <see cref="BurstCredit"/>).</summary>
    public const int MaxBurstsInFlight = 8;

    private readonly SemaphoreSlim _credits = new(MaxBurstsInFlight);

    /// <summary>
    /// Reads frames until the connection ends, handing them, parsed, to <paramref name="onBurst"/>: all the frames
    /// that were already waiting, as soon as the next receive would have to wait (so a burst costs one message per
    /// symbol in it, and a lone frame is not delayed), one call per route (null: the connection's own frames), all
    /// sharing one <see cref="BurstCredit"/> to release once applied. Runs detached from any actor: the callback only
    /// sends messages. Never throws: every ending is a <see cref="ConnectionEnd"/>. The loop's awaits keep their
    /// context, so it runs on whichever scheduler starts it (a connection actor starts it on its dispatcher's threads).
    /// </summary>
    public async Task<ConnectionEnd> ReceiveAsync(Action<TRoute?, SocketBurst> onBurst)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(_maxFrameBytes);
        var burst = new SocketBurstBuilder<TRoute>();
        try
        {
            while (true)
            {
                var length = 0;
                var oversized = false;
                ValueWebSocketReceiveResult result;
                do
                {
                    // An oversized frame is drained into the start of the buffer and dropped whole.
                    var space = oversized ? buffer.AsMemory(0, _maxFrameBytes) : buffer.AsMemory(length, _maxFrameBytes - length);
                    var receiving = _socket.ReceiveAsync(space, _abort.Token);
                    if (burst.Count > 0 && (!receiving.IsCompleted || burst.Count >= MaxBurst)) await HandAsync(burst, onBurst);
                    result = await receiving;
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        await HandAsync(burst, onBurst);
                        return await EndWithCloseAsync().ConfigureAwait(false);
                    }
                    length += result.Count;
                    if (!result.EndOfMessage && length >= _maxFrameBytes)
                    {
                        oversized = true;
                        length = 0;
                    }
                } while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Binary) burst.Add(null, StreamMessage.Malformed("binary frame"));
                else if (oversized) burst.Add(null, StreamMessage.Malformed($"frame over {_maxFrameBytes} bytes"));
                else
                {
                    var message = AggTradeParser.Parse(buffer.AsSpan(0, length), _routes, out var route);
                    burst.Add(route, message);
                }
            }
        }
        catch (Exception) when (_abort.IsCancellationRequested)
        {
            return new ConnectionEnd(ConnectionEndKind.Aborted, "aborted");
        }
        catch (Exception error)
        {
            // What arrived before the break is still data.
            if (burst.Count > 0) burst.Take(() => { }, onBurst);
            return Broken(error);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Waits for a credit (the actors are at most a few bursts behind), then hands the burst over.</summary>
    private async ValueTask HandAsync(SocketBurstBuilder<TRoute> burst, Action<TRoute?, SocketBurst> onBurst)
    {
        if (burst.Count == 0) return;
        await _credits.WaitAsync(_abort.Token);
        burst.Take(() => _credits.Release(), onBurst);
    }

    /// <summary>Sends a text frame (a SUBSCRIBE or UNSUBSCRIBE request); one at a time, as a WebSocket requires.</summary>
    public async Task SendTextAsync(string text)
    {
        await _sending.WaitAsync(_abort.Token).ConfigureAwait(false);
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, _abort.Token).ConfigureAwait(false);
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
            if (_socket.State == WebSocketState.Open)
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "client shutting down", _abort.Token).ConfigureAwait(false);
        }
        catch (Exception) when (_socket.State != WebSocketState.Open || _abort.IsCancellationRequested)
        {
            // Already closing or gone: nothing left to close.
        }
    }

    /// <summary>Gives up on the connection at once: a pending connect or receive ends.</summary>
    public void Abort()
    {
        if (!_abort.IsCancellationRequested) _abort.Cancel();
        _socket.Abort();
    }

    public void Dispose()
    {
        Abort();
        _socket.Dispose();
        _abort.Dispose();
    }

    private async Task<ConnectionEnd> EndWithCloseAsync()
    {
        var code = (int?)_socket.CloseStatus;
        var description = _socket.CloseStatusDescription;
        if (_socket.State == WebSocketState.CloseReceived)
        {
            // The server closed first: answer its close frame, as the protocol asks.
            try { await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", _abort.Token).ConfigureAwait(false); }
            catch (Exception) { /* the server may already have dropped the TCP connection */ }
            var reason = string.IsNullOrEmpty(description) ? $"closed by the server with code {code}" : $"closed by the server with code {code} ({description})";
            return new ConnectionEnd(ConnectionEndKind.ClosedByServer, reason);
        }
        return new ConnectionEnd(ConnectionEndKind.ClosedByUs, "closed");
    }

    private static ConnectionEnd Broken(Exception error)
    {
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
