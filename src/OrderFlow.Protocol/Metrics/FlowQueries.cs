namespace OrderFlow.Protocol.Metrics;

/// <summary>Asks a symbol's metrics for the order flow since the stream started.</summary>
public sealed record GetFlowTotals(Symbol Symbol) : IWithSymbol;

/// <summary>
/// Exact running totals since the stream started: aggressor volume per side and their difference (delta), which
/// summed from the start is the cumulative volume delta.
/// </summary>
public sealed record FlowTotals(
    Symbol Symbol,
    long TradeCount,
    Fixed8 BuyVolume,
    Fixed8 SellVolume,
    Fixed8? LastPrice,
    long? LastAggregateId) : IWithSymbol
{
    public decimal Delta => BuyVolume.ToDecimal() - SellVolume.ToDecimal();
}
