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

