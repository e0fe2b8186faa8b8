using System.Globalization;
using System.Text;

namespace OrderFlow.Simulator;

/// <summary>
/// A futures exchange's open interest, scripted so that a spec can recompute it: at each 5-minute sample time T, a
/// symbol's quantity open is a function of its name and T (USD-M in the base asset, COIN-M in contracts), its value that
/// times the symbol's start price; "now" is the last sample's plus a step a second. Served as Binance does:
/// <c>/futures/data/openInterestHist</c> (the newest samples, oldest first) and the market's <c>/openInterest</c>.
/// </summary>
public static class SimulatedOpenInterest
{
    public const long PeriodMs = 300_000;

    /// <summary>The quantity open at <paramref name="timeMs"/> for <paramref name="symbol"/> (a sample's time, or any instant for "now").</summary>
    public static decimal At(string symbol, long timeMs)
    {
        var sample = timeMs / PeriodMs;
        var seed = symbol.Aggregate(17L, (hash, c) => hash * 31 + c) & 0xFFFF;
        var sinceSample = (timeMs - sample * PeriodMs) / 1000;
        return 50_000m + (sample * 7_919 + seed) % 10_000 / 10m + sinceSample / 100m;
    }

    /// <summary>The newest <paramref name="limit"/> samples up to <paramref name="nowMs"/>, oldest first, as Binance writes them.</summary>
    internal static string History(string symbol, decimal price, int limit, long nowMs, bool coinMargined)
    {
        var newest = nowMs / PeriodMs * PeriodMs;
        var json = new StringBuilder("[");
        for (var i = limit - 1; i >= 0; i--)
        {
            var time = newest - i * PeriodMs;
            var quantity = At(symbol, time);
            var name = coinMargined ? $"\"pair\":\"{symbol[..^5]}\",\"contractType\":\"PERPETUAL\"" : $"\"symbol\":\"{symbol}\"";
            json.Append(CultureInfo.InvariantCulture, $$"""{{{name}},"sumOpenInterest":"{{quantity:0.########}}","sumOpenInterestValue":"{{quantity * price:0.########}}","timestamp":"{{time}}"}""");
            if (i > 0) json.Append(',');
        }
        return json.Append(']').ToString();
    }

    internal static string Now(string symbol, long nowMs) =>
        string.Create(CultureInfo.InvariantCulture, $$"""{"openInterest":"{{At(symbol, nowMs):0.########}}","symbol":"{{symbol}}","time":{{nowMs}}}""");
}
