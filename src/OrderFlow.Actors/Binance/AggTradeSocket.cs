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
/// a new one. It has no deadlines of its own: the owner decides when to give up and calls <see cref="ExchangeSocket.Abort"/>.
/// </summary>
public sealed class AggTradeSocket<TRoute> : ExchangeSocket where TRoute : class
{
    private volatile SymbolRoutes<TRoute> _routes;

    public AggTradeSocket(Uri uri, SymbolRoutes<TRoute> routes, SocketOptions options) : base(uri, options) => _routes = routes;

    /// <summary>Where frames go from the next one on: the owner swaps the table as it subscribes and unsubscribes.</summary>
    public SymbolRoutes<TRoute> Routes
    {
        get => _routes;
        set => _routes = value;
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
        var buffer = ArrayPool<byte>.Shared.Rent(MaxFrameBytes);
        var burst = new SocketBurstBuilder<TRoute>();
        // Before a receive would wait (or once the burst is full), what was read goes on.
        ValueTask HandBeforeWaiting(bool completed) =>
            burst.Count > 0 && (!completed || burst.Count >= MaxBurst) ? HandAsync(burst, onBurst) : ValueTask.CompletedTask;
        try
        {
            while (true)
            {
                if (await ReceiveFrameAsync(buffer, HandBeforeWaiting) is not { } frame)
                {
                    await HandAsync(burst, onBurst);
                    return await EndWithCloseAsync().ConfigureAwait(false);
                }
                if (frame.Binary) burst.Add(null, StreamMessage.Malformed("binary frame"));
                else if (frame.Oversized) burst.Add(null, StreamMessage.Malformed($"frame over {MaxFrameBytes} bytes"));
                else
                {
                    var message = AggTradeParser.Parse(buffer.AsSpan(0, frame.Length), _routes, out var route);
                    burst.Add(route, message);
                }
            }
        }
        catch (Exception error)
        {
            // What arrived before a break is still data.
            if (!Aborting.IsCancellationRequested && burst.Count > 0) burst.Take(() => { }, onBurst);
            return Ended(error);
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
        await _credits.WaitAsync(Aborting.Token);
        burst.Take(() => _credits.Release(), onBurst);
    }
}
