using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using OrderFlow.Protocol.Trades;
using OrderFlow.Simulator;

namespace OrderFlow.Benchmarks;

/// <summary>
/// A WebSocket server on loopback for the benchmarks. <see cref="Flood"/> sends each symbol's tape
/// (<c>/ws/&lt;symbol&gt;@aggTrade</c>) as fast as the socket takes it: every frame encoded before the clock starts and
/// written in 256 KB batches, so the sender is never the bottleneck; or, given a pace, what is due each millisecond.
/// <see cref="Paced"/> sends one tape at a fixed rate and stamps each trade's first and last trade id with its send time
/// (Stopwatch ticks), for latency. The exchange is another machine in production, so here it sends from threads of its
/// own (<see cref="SenderThread"/>, <see cref="Pacer"/>), off the .NET thread pool the host under test uses, and with
/// no more threads than it needs.
/// </summary>
public sealed class FloodServer : IAsyncDisposable
{
    private const string WebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private const int BatchBytes = 256 * 1024;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly IReadOnlySet<string> _symbols;
    private readonly Func<string, Stream, CancellationToken, Task> _send;
    private readonly Task _accepting;
    private readonly TaskCompletionSource _go = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SenderThread _senderThread = new();
    private readonly Pacer? _pacer;
    private readonly List<Task> _serving = new();
    private long _firstConnectedAt;

    private FloodServer(IEnumerable<string> symbols, bool goAtOnce, Func<string, Stream, CancellationToken, Task> send, Pacer? pacer = null)
    {
        _pacer = pacer;
        GoAtOnce = goAtOnce;
        _symbols = symbols.Select(symbol => symbol.ToLowerInvariant()).ToHashSet();
        _send = send;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <param name="perSecond">The pace of all the tapes together (sent by a <see cref="Pacer"/>); null floods.</param>
    public static FloodServer Flood(IReadOnlyDictionary<string, IReadOnlyList<AggregateTrade>> tapes, bool goAtOnce = true, double? perSecond = null)
    {
        var frames = tapes.ToDictionary(entry => entry.Key.ToLowerInvariant(),
            entry => entry.Value.Select(trade => Frame(WireFormat.AggTradeEvent(entry.Key, trade, 0))).ToArray());
        if (perSecond is { } pace)
        {
            var pacer = new Pacer();
            return new FloodServer(tapes.Keys, goAtOnce, (symbol, stream, cancel) =>
            {
                var tape = frames[symbol];
                return pacer.SendAsync(stream, tape.Length, pace / tapes.Count, (from, to, into) =>
                {
                    for (var i = from; i < to; i++) into.Write(tape[i]);
                }, cancel);
            }, pacer);
        }
        return new FloodServer(tapes.Keys, goAtOnce, async (symbol, stream, cancel) =>
        {
            var batch = new MemoryStream(BatchBytes + 1024);
            foreach (var frame in frames[symbol])
            {
                batch.Write(frame);
                if (batch.Length < BatchBytes) continue;
                await stream.WriteAsync(batch.GetBuffer().AsMemory(0, (int)batch.Length), cancel);
                batch.SetLength(0);
            }
            if (batch.Length > 0) await stream.WriteAsync(batch.GetBuffer().AsMemory(0, (int)batch.Length), cancel);
        });
    }

    /// <summary>
    /// Sends <paramref name="tape"/> at <paramref name="perSecond"/> (by a <see cref="Pacer"/>) once <see cref="Go"/>
    /// is called, each trade's first and last trade ids set to its send time. Every frame is encoded before the clock
    /// starts, but for its stamp: the sender allocates nothing per trade, so it sets off no collection that would
    /// pause the pipeline sharing its process (the exchange's garbage is not ours).
    /// </summary>
    public static FloodServer Paced(string name, IReadOnlyList<AggregateTrade> tape, double perSecond)
    {
        var stamped = new StampedTape(name, tape);
        var pacer = new Pacer();
        return new([name], goAtOnce: false, (_, stream, cancel) => pacer.SendAsync(stream, tape.Count, perSecond, (from, to, into) =>
        {
            var stamp = Stopwatch.GetTimestamp();
            for (var i = from; i < to; i++) stamped.Write(i, stamp, into);
        }, cancel), pacer);
    }

    public Uri WebSocketUrl => new($"ws://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    /// <summary>
    /// Stopwatch timestamp of the first upgraded connection starting to send (0 before): where a run's clock starts.
    /// Connections wait for <see cref="Go"/> (unless <see cref="GoAtOnce"/>), so a run can get ready first.
    /// </summary>
    public long FirstConnectedAt => Interlocked.Read(ref _firstConnectedAt);

    public bool GoAtOnce { get; }

    public void Go() => _go.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        try { await _accepting.ConfigureAwait(false); }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
        Task[] serving;
        lock (_serving) serving = [.. _serving];
        await Task.WhenAll(serving).ConfigureAwait(false);
        _stop.Dispose();
        _senderThread.Dispose();
        _pacer?.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            lock (_serving) _serving.Add(_senderThread.Run(() => ServeAsync(client)));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        client.NoDelay = true;
        var stream = client.GetStream();
        try
        {
            var (path, key) = await ReadUpgradeAsync(stream);
            var symbol = path.Split('/').Last().Split('@')[0];
            if (!_symbols.Contains(symbol))
            {
                await stream.WriteAsync("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), _stop.Token);
                return;
            }
            var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + WebSocketGuid)));
            await stream.WriteAsync(Encoding.ASCII.GetBytes(
                $"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"), _stop.Token);
            if (!GoAtOnce) await _go.Task.WaitAsync(_stop.Token);
            Interlocked.CompareExchange(ref _firstConnectedAt, Stopwatch.GetTimestamp(), 0);
            await _send(symbol, stream, _stop.Token);

            // Keep the connection open until the run ends, reading the client's pongs, and answer its close.
            await AnswerCloseAsync(stream);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // The run is over, or the client went away.
        }
    }

    /// <summary>Reads the client's frames (control frames only: short, masked) until its close, and answers that.</summary>
    private async Task AnswerCloseAsync(Stream stream)
    {
        var header = new byte[2];
        var body = new byte[4 + 125];
        while (true)
        {
            await stream.ReadExactlyAsync(header, _stop.Token);
            var length = (header[1] & 0x7F) + ((header[1] & 0x80) != 0 ? 4 : 0);
            await stream.ReadExactlyAsync(body.AsMemory(0, length), _stop.Token);
            if ((header[0] & 0x0F) != 0x8) continue;
            await stream.WriteAsync(new byte[] { 0x88, 0x02, 0x03, 0xE8 }, _stop.Token); // close, 1000 normal
            return;
        }
    }

    private async Task<(string Path, string Key)> ReadUpgradeAsync(Stream stream)
    {
        var request = new StringBuilder();
        var buffer = new byte[1];
        while (!request.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(buffer, _stop.Token) == 0) throw new IOException("closed during the upgrade");
            request.Append((char)buffer[0]);
        }
        var lines = request.ToString().Split("\r\n");
        var key = lines.First(l => l.StartsWith("Sec-WebSocket-Key:", StringComparison.OrdinalIgnoreCase));
        return (lines[0].Split(' ')[1], key["Sec-WebSocket-Key:".Length..].Trim());
    }

    /// <summary>An unmasked server text frame.</summary>
    private static byte[] Frame(byte[] payload)
    {
        var frame = new byte[FrameHeader(payload.Length, stackalloc byte[4]).Length + payload.Length];
        var header = FrameHeader(payload.Length, frame);
        payload.CopyTo(frame.AsSpan(header.Length));
        return frame;
    }

    private static Span<byte> FrameHeader(int payloadLength, Span<byte> destination)
    {
        destination[0] = 0x81;
        if (payloadLength < 126)
        {
            destination[1] = (byte)payloadLength;
            return destination[..2];
        }
        destination[1] = 126;
        destination[2] = (byte)(payloadLength >> 8);
        destination[3] = (byte)payloadLength;
        return destination[..4];
    }

    /// <summary>
    /// A tape's aggTrade events encoded once, each split around its first and last trade ids (<c>"f":…,"l":…</c>),
    /// which <see cref="Write"/> fills with a send stamp.
    /// </summary>
    private sealed class StampedTape
    {
        private static readonly byte[] Ids = "\"f\":0,\"l\":0"u8.ToArray();
        private static readonly byte[] LastId = ",\"l\":"u8.ToArray();
        private readonly byte[] _bytes;
        private readonly int[] _starts; // trade i: _starts[i].._splits[i] before the ids, _splits[i].._starts[i + 1] after
        private readonly int[] _splits;

        public StampedTape(string symbol, IReadOnlyList<AggregateTrade> tape)
        {
            var bytes = new MemoryStream();
            _starts = new int[tape.Count + 1];
            _splits = new int[tape.Count];
            for (var i = 0; i < tape.Count; i++)
            {
                var payload = WireFormat.AggTradeEvent(symbol, tape[i] with { FirstTradeId = 0, LastTradeId = 0 }, 0);
                var ids = payload.AsSpan().IndexOf(Ids);
                _starts[i] = (int)bytes.Length;
                _splits[i] = _starts[i] + ids + "\"f\":"u8.Length;
                bytes.Write(payload.AsSpan(0, ids + "\"f\":"u8.Length));
                bytes.Write(payload.AsSpan(ids + Ids.Length));
            }
            _starts[tape.Count] = (int)bytes.Length;
            _bytes = bytes.ToArray();
        }

        /// <summary>Writes trade <paramref name="index"/>'s frame, stamped, to <paramref name="into"/>.</summary>
        public void Write(int index, long stamp, MemoryStream into)
        {
            Span<byte> digits = stackalloc byte[20];
            System.Buffers.Text.Utf8Formatter.TryFormat(stamp, digits, out var stampLength);
            var before = _bytes.AsSpan(_starts[index], _splits[index] - _starts[index]);
            var after = _bytes.AsSpan(_splits[index], _starts[index + 1] - _splits[index]);
            Span<byte> header = stackalloc byte[4];
            into.Write(FrameHeader(before.Length + stampLength + LastId.Length + stampLength + after.Length, header));
            into.Write(before);
            into.Write(digits[..stampLength]);
            into.Write(LastId);
            into.Write(digits[..stampLength]);
            into.Write(after);
        }
    }
}

/// <summary>
/// Paced sending, for every connection of a server, from one thread of its own: each millisecond it writes what is
/// due on each connection, in one write. A timer per connection would complete on the .NET thread pool, which the host
/// under test shares; the exchange's clock is not ours to load.
/// </summary>
internal sealed class Pacer : IDisposable
{
    private readonly List<Connection> _connections = new();
    private readonly CancellationTokenSource _stop = new();

    public Pacer() => new Thread(Run) { IsBackground = true, Name = "flood-pacer" }.Start();

    /// <summary>Sends <paramref name="count"/> frames at <paramref name="perSecond"/>; completes once all are written.</summary>
    public Task SendAsync(Stream stream, int count, double perSecond, Action<int, int, MemoryStream> encode, CancellationToken cancel)
    {
        var connection = new Connection(stream, count, perSecond, encode, cancel);
        lock (_connections) _connections.Add(connection);
        return connection.Done.Task;
    }

    public void Dispose() => _stop.Cancel();

    private void Run()
    {
        var batch = new MemoryStream();
        var due = new List<Connection>();
        while (!_stop.IsCancellationRequested)
        {
            Thread.Sleep(1); // the exchange's millisecond, not synchronisation
            due.Clear();
            lock (_connections) due.AddRange(_connections);
            foreach (var connection in due)
            {
                if (connection.SendDue(batch)) continue;
                lock (_connections) _connections.Remove(connection);
            }
        }
        lock (_connections) foreach (var connection in _connections) connection.Done.TrySetCanceled();
    }

    private sealed class Connection(Stream stream, int count, double perSecond, Action<int, int, MemoryStream> encode, CancellationToken cancel)
    {
        private readonly long _started = Stopwatch.GetTimestamp();
        private int _sent;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Writes what is due; false once the tape is sent, or the connection is gone.</summary>
        public bool SendDue(MemoryStream batch)
        {
            if (cancel.IsCancellationRequested)
            {
                Done.TrySetCanceled();
                return false;
            }
            var due = (int)Math.Min(count, Stopwatch.GetElapsedTime(_started).TotalSeconds * perSecond);
            if (due > _sent)
            {
                batch.SetLength(0);
                encode(_sent, due, batch);
                try
                {
                    stream.Write(batch.GetBuffer(), 0, (int)batch.Length);
                }
                catch (Exception e) when (e is IOException or ObjectDisposedException)
                {
                    Done.TrySetException(e);
                    return false;
                }
                _sent = due;
            }
            if (_sent < count) return true;
            Done.TrySetResult();
            return false;
        }
    }
}

/// <summary>One thread that runs the tasks started on it, and their continuations (those that keep their context).</summary>
internal sealed class SenderThread : TaskScheduler, IDisposable
{
    private readonly System.Collections.Concurrent.BlockingCollection<Task> _queue = new();

    public SenderThread() => new Thread(() =>
    {
        foreach (var task in _queue.GetConsumingEnumerable()) TryExecuteTask(task);
    }) { IsBackground = true, Name = "flood-sender" }.Start();

    public Task Run(Func<Task> start) => Task.Factory.StartNew(start, CancellationToken.None, TaskCreationOptions.DenyChildAttach, this).Unwrap();

    public void Dispose() => _queue.CompleteAdding();

    protected override void QueueTask(Task task)
    {
        // Once the server is disposed, a straggler (a cancelled read's continuation) finishes on the thread pool.
        try
        {
            _queue.Add(task);
            return;
        }
        catch (InvalidOperationException) when (_queue.IsAddingCompleted)
        {
        }
        ThreadPool.UnsafeQueueUserWorkItem(_ => TryExecuteTask(task), null);
    }

    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

    protected override IEnumerable<Task> GetScheduledTasks() => _queue.ToArray();
}
