namespace OrderFlow.Protocol.Trades;

/// <summary>
/// The units of an answer's figures: volumes (and delta, CVD, profile and footprint volumes) in <see cref="Volume"/>,
/// notionals in <see cref="Notional"/>, as exchangeInfo names the assets. On COIN-M the exchange's quantities are
/// contracts of <see cref="ContractSize"/> USD: a trade's notional is q × contractSize USD (exact) and its volume
/// q × contractSize / p in the base coin (at 10^-8, truncated); elsewhere quantities are the base asset and the
/// notional p × q in the quote asset.
/// </summary>
public sealed record VolumeUnits(string Volume, string Notional, decimal? ContractSize = null)
{
    /// <summary>Before exchangeInfo has named the assets.</summary>
    public static readonly VolumeUnits Unnamed = new("base asset", "quote asset");
}
