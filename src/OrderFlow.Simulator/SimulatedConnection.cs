using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;

namespace OrderFlow.Simulator;

/// <summary>One client's stream connection, carrying the streams it named in its URL and those it subscribed to since.
/// Frames are queued and written by one send loop; one receive loop answers pings, close frames and subscription
/// requests, as a server must, and closes a connection that sends more messages in a second than the exchange's limit.
/// A client that falls 100,000 frames behind is dropped, as Binance does.</summary>
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
    private readonly ExchangeSimulator _exchange;
    private readonly ConcurrentDictionary<string, byte> _streams = new(StringComparer.OrdinalIgnoreCase);
    private readonly Queue<long> _received = new();
    private volatile bool _finished;
    private readonly Channel<Outgoing> _outgoing =
        Channel.CreateBounded<Outgoing>(new BoundedChannelOptions(MaxQueuedFrames) { SingleReader = true });

    internal SimulatedConnection(WebSocket socket, FreezableStream stream, HttpContext context, bool combined, ExchangeSimulator exchange)
    {
        _socket = socket;
        _stream = stream;
        _context = context;
        Combined = combined;
        _exchange = exchange;
    }

    /// <summary>On a retired route: it takes subscriptions and sends nothing.</summary>
    internal bool Silent { get; set; }

    /// <summary>Opened at <c>/stream?streams=</c>: events go out wrapped with their stream's name.</summary>
    public bool Combined { get; }

    /// <summary>The symbols whose streams this connection carries now.</summary>
    public IReadOnlyCollection<string> Streams => _streams.Keys.ToArray();

    public bool Carries(string symbol) => _streams.ContainsKey(symbol);

    internal bool Add(string symbol) => _streams.TryAdd(symbol, 0);

    internal bool Remove(string symbol) => _streams.TryRemove(symbol, out _);

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

    /// <summary>Counts a message received; over the limit in the last second, the connection is closed, as Binance does.</summary>
    private bool OverLimit()
    {
        var now = Stopwatch.GetTimestamp();
        _received.Enqueue(now);
        while (Stopwatch.GetElapsedTime(_received.Peek(), now) >= TimeSpan.FromSeconds(1)) _received.Dequeue();
        var over = _received.Count > _exchange.IncomingMessageLimit;
        _exchange.OnIncomingLoad(_received.Count, over);
        if (over) Close(WebSocketCloseStatus.PolicyViolation, "too many messages");
        return over;
    }

    private async Task ReceiveLoopAsync(CancellationToken closed)
    {
        // A SUBSCRIBE naming 200 streams is about 4 KB; a request over 64 KB is answered as invalid.
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer.AsMemory(Math.Min(length, buffer.Length - 1)), closed).ConfigureAwait(false);
                    length += result.Count;
                } while (!result.EndOfMessage && result.MessageType == WebSocketMessageType.Text);
                if (result.MessageType == WebSocketMessageType.Text)
                {
                    if (OverLimit()) return;
                    Send(_exchange.OnRequest(this, length < buffer.Length ? buffer.AsSpan(0, length) : []));
                    continue;
                }
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
