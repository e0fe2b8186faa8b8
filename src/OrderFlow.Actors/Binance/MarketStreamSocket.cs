using System.Buffers;
using System.Net.WebSockets;

namespace OrderFlow.Actors.Binance;

/// <summary>
/// One ClientWebSocket carrying a futures market's market-wide streams (<c>!forceOrder@arr</c>): each frame parsed
/// and handed on as it comes. They carry at most one event a symbol a second, so there are no bursts to batch.
/// </summary>
public sealed class MarketStreamSocket(Uri uri, SocketOptions options) : ExchangeSocket(uri, options)
{
    /// <summary>Reads frames until the connection ends, each to <paramref name="onFrame"/>. Never throws: every ending is a <see cref="ConnectionEnd"/>.</summary>
    public async Task<ConnectionEnd> ReceiveAsync(Action<MarketFrame> onFrame)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MaxFrameBytes);
        try
        {
            while (true)
            {
                if (await ReceiveFrameAsync(buffer).ConfigureAwait(false) is not { } frame) return await EndWithCloseAsync().ConfigureAwait(false);
                onFrame(frame.Binary ? new MarketFrame(MarketFrameKind.Malformed, Problem: "binary frame")
                    : frame.Oversized ? new MarketFrame(MarketFrameKind.Malformed, Problem: $"frame over {MaxFrameBytes} bytes")
                    : MarketStreamParser.Parse(buffer.AsSpan(0, frame.Length)));
            }
        }
        catch (Exception error)
        {
            return Ended(error);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
