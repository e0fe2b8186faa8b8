using OrderFlow.Actors.Binance;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Metrics;

/// <summary>
/// What a trade's quantity is worth (docs/order-flow.md, Contract units). On spot and USD-M the quantity is the base
/// asset and the notional p × q. On COIN-M it counts contracts of <c>contractSize</c> USD: the notional is
/// q × contractSize (USD, exact) and the volume q × contractSize / p in the base coin, truncated at 10^-8, so that
/// windows, bars, footprints and large trades all count base coin and USD as they do base and quote elsewhere.
/// </summary>
public readonly record struct TradeUnits(long ContractSizeRaw)
{
    public bool InContracts => ContractSizeRaw > 0;

    public static TradeUnits Of(Listing listing) => new(listing.ContractSize.Raw);

    /// <summary>The trade as the figures count it (its quantity now the base-coin volume) and its notional at 10^-16.</summary>
    public AggregateTrade Measure(in AggregateTrade trade, out Int128 notional)
    {
        if (ContractSizeRaw == 0)
        {
            notional = (Int128)trade.Price.Raw * trade.Quantity.Raw;
            return trade;
        }
        return trade with { Quantity = Measure(trade.Quantity, trade.Price, out notional) };
    }

    /// <summary>A quantity the exchange gave at <paramref name="price"/>, as a volume (the base asset) with its notional at 10^-16.</summary>
    public Fixed8 Measure(Fixed8 quantity, Fixed8 price, out Int128 notional)
    {
        if (ContractSizeRaw == 0)
        {
            notional = (Int128)price.Raw * quantity.Raw;
            return quantity;
        }
        notional = (Int128)quantity.Raw * ContractSizeRaw;
        return price.Raw == 0 ? Fixed8.Zero : new Fixed8((long)(notional / price.Raw));
    }

    /// <summary>A notional at 10^-16 as a decimal, exactly.</summary>
    public static decimal NotionalValue(Int128 raw16) => Exact.Notional(raw16);

    /// <summary>The units as exchangeInfo names them (<see cref="VolumeUnits.Unnamed"/> when it named nothing).</summary>
    public static VolumeUnits Describe(Listing listing) =>
        new(listing.BaseAsset ?? VolumeUnits.Unnamed.Volume, listing.QuoteAsset ?? VolumeUnits.Unnamed.Notional,
            listing.ContractSize > Fixed8.Zero ? listing.ContractSize.ToDecimal() : null);
}
