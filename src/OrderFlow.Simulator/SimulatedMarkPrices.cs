using System.Globalization;
using System.Text;

namespace OrderFlow.Simulator;

/// <summary>One symbol's entry of a <c>!markPrice@arr@1s</c> frame as the exchange sent it (a delivery contract's rate and next funding time empty).</summary>
public sealed record SentMarkPrice(string Symbol, decimal Mark, decimal Index, decimal EstimatedSettle, decimal? FundingRate, long NextFundingTimeMs, long EventTimeMs)
{
    public string ToWire() =>
        $$"""{"e":"markPriceUpdate","E":{{EventTimeMs}},"s":"{{Symbol}}","p":"{{Wire(Mark)}}","i":"{{Wire(Index)}}","P":"{{Wire(EstimatedSettle)}}","r":"{{(FundingRate is { } rate ? Wire(rate) : "")}}","T":{{NextFundingTimeMs}}}""";

    private static string Wire(decimal value) => value.ToString("0.########", CultureInfo.InvariantCulture);
}

/// <summary>
/// A futures exchange's mark prices, scripted by its seed: every round, one frame with every trading symbol's mark
/// (its last price, a few ticks off), index (likewise), estimated settle price and funding (a rate within ±0.03%, the
/// next 00:00, 08:00 or 16:00 UTC); a COIN-M delivery contract (a name not ending in <c>_PERP</c>) has no funding. What
/// was sent is kept for the specs' oracle.
/// </summary>
public sealed class SimulatedMarkPrices(int seed, string market)
{
    private readonly Random _random = new(seed);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SentMarkPrice> _latest = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<SentMarkPrice> _sent = new();
    private bool _paused;

    /// <summary>No mark prices while set (a spec lets them go stale).</summary>
    public bool Paused
    {
        get => Volatile.Read(ref _paused);
        set => Volatile.Write(ref _paused, value);
    }

    /// <summary>Every mark price sent to a listener, in order.</summary>
    public IReadOnlyList<SentMarkPrice> Sent
    {
        get { lock (_gate) return _sent.ToArray(); }
    }

    /// <summary>The last mark price sent for <paramref name="symbol"/>, if any was.</summary>
    public SentMarkPrice? Latest(string symbol)
    {
        lock (_gate) return _latest.GetValueOrDefault(symbol);
    }

    internal void Round(IEnumerable<SimulatedMarket> markets, IReadOnlyCollection<SimulatedConnection> listeners)
    {
        if (Paused) return;
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var nextFunding = (now / EightHours + 1) * EightHours;
        List<SentMarkPrice> sent;
        lock (_gate)
        {
            sent = markets.Where(m => m.Status == "TRADING").Select(m => Make(m, now, nextFunding)).ToList();
            if (listeners.Count > 0)
                foreach (var mark in sent)
                {
                    _latest[mark.Symbol] = mark;
                    _sent.Add(mark);
                }
        }
        if (sent.Count == 0 || listeners.Count == 0) return;
        var data = $"[{string.Join(',', sent.Select(mark => mark.ToWire()))}]";
        foreach (var listener in listeners)
            listener.Send(Encoding.UTF8.GetBytes(listener.Combined ? $$"""{"stream":"{{ExchangeSimulator.MarkPriceStream}}","data":{{data}}}""" : data));
    }

    private const long EightHours = 8 * 3_600_000L;

    private SentMarkPrice Make(SimulatedMarket symbol, long now, long nextFunding)
    {
        var last = symbol.LastPrice;
        decimal Near(int ticks) => Math.Max(symbol.TickSize, last + symbol.TickSize * _random.Next(-ticks, ticks + 1));
        var mark = Near(3);
        var perpetual = market != "coinm" || symbol.Symbol.EndsWith("_PERP", StringComparison.Ordinal);
        return new SentMarkPrice(symbol.Symbol, mark, Near(5), mark, perpetual ? _random.Next(-30_000, 30_001) / 100_000_000m : null,
            perpetual ? nextFunding : 0, now);
    }
}
