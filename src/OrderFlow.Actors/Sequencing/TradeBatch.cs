using OrderFlow.Actors.Binance;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Sequencing;

/// <summary>
/// Trades that arrived together (one burst off the socket, one REST page), in order: one message per burst rather
/// than one per trade, so a flood costs the mailboxes a message per burst. A socket's burst lends its trades from a
/// pool until its <see cref="Credit"/> is released: a holder reads them before it releases, and keeps no reference to
/// them after (a trade copied out is the holder's own).
/// </summary>
public sealed record TradeBatch(Symbol Symbol, ReadOnlyMemory<AggregateTrade> Trades, BurstCredit? Credit = null) : IWithSymbol, ILocalMessage
{
    public TradeBatch(Symbol symbol, AggregateTrade[] trades, BurstCredit? credit = null) : this(symbol, trades.AsMemory(), credit)
    {
    }
}
