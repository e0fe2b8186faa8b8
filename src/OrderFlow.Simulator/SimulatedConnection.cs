using System.Net.WebSockets;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;

namespace OrderFlow.Simulator;

/// <summary>One client's stream connection. Frames are queued and written by one send loop; one receive loop answers
/// pings and close frames, as a server must. A client that falls 100,000 frames behind is dropped, as Binance does.</summary>
public sealed class SimulatedConnection
{
    private abstract record Outgoing;
    private sealed record Frame(byte[] Bytes, WebSocketMessageType Type) : Outgoing;
    private sealed record CloseFrame(WebSocketCloseStatus Status, string Reason) : Outgoing;

    private const int MaxQueuedFrames = 100_000;
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    private readonly WebSocket _socket;
    private readonly FreezableStream _stream;
    private readonly HttpContext _context;
    private volatile bool _finished;
    private readonly Channel<Outgoing> _outgoing =
        Channel.CreateBounded<Outgoing>(new BoundedChannelOptions(MaxQueuedFrames) { SingleReader = true });

    internal SimulatedConnection(string symbol, WebSocket socket, FreezableStream stream, HttpContext context)
    {
        Symbol = symbol;
        _socket = socket;
        _stream = stream;
        _context = context;
    }

    public string Symbol { get; }

    /// <summary>The client closed with a close frame (a clean shutdown), rather than just going away.</summary>
    public bool ClientSentClose { get; private set; }

    internal void Send(byte[] frame) => Enqueue(new Frame(frame, WebSocketMessageType.Text));

    internal void SendBinary(byte[] frame) => Enqueue(new Frame(frame, WebSocketMessageType.Binary));

    internal void Close(WebSocketCloseStatus status, string reason) => Enqueue(new CloseFrame(status, reason));

    /// <summary>Drops the TCP connection with no close frame.</summary>
    internal void Drop()
    {
        try
        {
            _context.Abort();
        }
        catch (ObjectDisposedException)
        {
            // The request is already over: its connection is gone with it.
        }
    }

    /// <summary>Stops sending and stops answering pings, leaving TCP up: a half-open link.</summary>
    internal void Freeze() => _stream.Freeze();

    internal async Task RunAsync(CancellationToken closed)
    {
        var sending = SendLoopAsync(closed);
        var receiving = ReceiveLoopAsync(closed);
        if (await Task.WhenAny(sending, receiving).ConfigureAwait(false) == sending)
        {
            // We sent a close frame (or the client vanished): give the client a moment to answer it.
            await Task.WhenAny(receiving, Task.Delay(CloseGrace, closed)).ConfigureAwait(false);
        }
        _finished = true;
        _outgoing.Writer.TryComplete();
        _socket.Abort();
        await Task.WhenAll(sending, receiving).ConfigureAwait(false);
    }

    private void Enqueue(Outgoing item)
    {
        // A full queue is a client too slow to keep up; a completed one is a connection already over (the market
        // may still send to it until it is unlisted), and needs nothing.
        if (!_outgoing.Writer.TryWrite(item) && !_finished) Drop();
    }

    private async Task SendLoopAsync(CancellationToken closed)
    {
        try
        {
            await foreach (var item in _outgoing.Reader.ReadAllAsync(closed).ConfigureAwait(false))
            {
                switch (item)
                {
                    case Frame frame:
                        await _socket.SendAsync(frame.Bytes, frame.Type, true, closed).ConfigureAwait(false);
                        break;
                    case CloseFrame close:
                        await _socket.CloseOutputAsync(close.Status, close.Reason, closed).ConfigureAwait(false);
                        return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
        {
            // The client went away or the server is stopping.
        }
    }

    private async Task ReceiveLoopAsync(CancellationToken closed)
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer, closed).ConfigureAwait(false);
                if (result.MessageType != WebSocketMessageType.Close) continue;
                ClientSentClose = true;
                if (_socket.State == WebSocketState.CloseReceived)
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", closed).ConfigureAwait(false);
                return;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
        {
            // The client went away, did not pong in time, or the server is stopping.
        }
    }
}
