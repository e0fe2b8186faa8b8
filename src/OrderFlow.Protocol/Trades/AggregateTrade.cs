namespace OrderFlow.Protocol.Trades;

/// <summary>Who crossed the spread: the taker.</summary>
public enum AggressorSide : byte
{
    /// <summary>The taker bought (Binance <c>m == false</c>).</summary>
    Buy,
    /// <summary>The taker sold: the buyer was the maker (Binance <c>m == true</c>).</summary>
    Sell,
}

/// <summary>
/// One Binance aggregate trade: the fills of one taker order at one price. <see cref="AggregateId"/> rises by one per
/// aggregate per symbol, which is what gap and duplicate detection rely on.
/// </summary>
public readonly record struct AggregateTrade(
    long AggregateId,
    Fixed8 Price,
    Fixed8 Quantity,
    long FirstTradeId,
    long LastTradeId,
    long TradeTimeMs,
    AggressorSide Side)
{
    /// <summary>Price × quantity in the quote currency, exact (scale 10^-16, so it needs 128 bits).</summary>
    public decimal Notional => Price.ToDecimal() * Quantity.ToDecimal();

    public DateTimeOffset TradeTime => DateTimeOffset.FromUnixTimeMilliseconds(TradeTimeMs);
}

/// <summary>
/// Trades that arrived together (one burst off the socket, one REST page), in order: one message per burst rather
/// than one per trade, so a flood costs the mailboxes a message per burst. A socket's burst lends its trades from a
/// pool until its <see cref="Credit"/> is released: a holder reads them before it releases, and keeps no reference to
/// them after (a trade copied out is the holder's own).
/// </summary>
public sealed record TradeBatch(Symbol Symbol, ReadOnlyMemory<AggregateTrade> Trades, BurstCredit? Credit = null) : IWithSymbol
{
    public TradeBatch(Symbol symbol, AggregateTrade[] trades, BurstCredit? credit = null) : this(symbol, trades.AsMemory(), credit)
    {
    }
}

/// <summary>
/// A socket burst's hold on its reader: the socket reads on only while a few bursts are not yet applied, so a flood
/// waits in the kernel's socket buffer (and then at the sender) rather than in the actors' mailboxes. Released once
/// by whoever applies the burst last.
/// </summary>
public sealed class BurstCredit(Action release)
{
    private int _holders = 1;
    private int _released;

    /// <summary>Hands the credit to <paramref name="holders"/> actors, each of which releases it once.</summary>
    public void ShareWith(int holders) => Interlocked.Exchange(ref _holders, holders);

    public void Release()
    {
        if (Interlocked.Decrement(ref _holders) == 0 && Interlocked.Exchange(ref _released, 1) == 0) release();
    }
}
