using System.Globalization;
using OrderFlow.Actors.Binance;
using OrderFlow.Protocol.Derivatives;

namespace OrderFlow.Actors.Derivatives;

/// <summary>
/// A symbol's latest <c>markPriceUpdate</c> as the answers give it: the mark, index, basis (mark − index) and estimated
/// settle price, valid at the event's time and not ready once older than the staleness allowed; and a perpetual's
/// funding (a delivery contract has none: Binance sends its rate empty and its next funding time 0).
/// </summary>
public static class MarkReading
{
    public static MarkPrice Mark(in MarkPriceUpdate update, long nowMs, TimeSpan staleAfter)
    {
        var age = TimeSpan.FromMilliseconds(Math.Max(0, nowMs - update.EventTimeMs));
        var stale = age > staleAfter;
        return new MarkPrice(update.Mark.ToDecimal(), update.Index.ToDecimal(), (update.Mark - update.Index).ToDecimal(), update.EstimatedSettle.ToDecimal(),
            DateTimeOffset.FromUnixTimeMilliseconds(update.EventTimeMs), !stale,
            stale ? string.Create(CultureInfo.InvariantCulture, $"the mark price is {age.TotalSeconds:0.0}s old (stale after {HumanFormat.Duration(staleAfter)})") : null);
    }

    public static Funding? FundingOf(in MarkPriceUpdate update) =>
        update.FundingRate is { } rate && update.NextFundingTimeMs > 0
            ? new Funding(rate.ToDecimal(), DateTimeOffset.FromUnixTimeMilliseconds(update.NextFundingTimeMs), DateTimeOffset.FromUnixTimeMilliseconds(update.EventTimeMs))
            : null;
}
