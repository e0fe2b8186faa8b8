using OrderFlow.Protocol.Metrics;

namespace OrderFlow.Planner;

public enum Bias { Long, Short, Neutral }

/// <summary>
/// A deliberately simple reading of the order flow: long when aggressive buying dominates the window (delta% above a
/// threshold), CVD is rising since the last look, and price trades above VWAP; short when all three point down;
/// neutral otherwise. A sample of how a planner consumes the metrics, not a strategy.
/// </summary>
public static class PlanBias
{
    private const decimal DeltaThreshold = 0.05m;

    public static (Bias Bias, string Why) Read(MetricsSnapshot now, decimal? previousCvd)
    {
        if (now.DeltaPercent is not { } delta || now.Last is not { } last || now.Vwap is not { } vwap)
            return (Bias.Neutral, "no trades in the window");
        var cvdSlope = previousCvd is { } before ? now.Cvd.Value - before : 0m;
        var why = $"delta {delta * 100:+0.0;-0.0}%, CVD {(cvdSlope >= 0 ? "+" : "")}{cvdSlope:0.####} since last look, " +
                  $"last {last} vs VWAP {decimal.Round(vwap.Vwap, 2)} (σ {decimal.Round(vwap.StdDev, 2)})";
        if (delta > DeltaThreshold && cvdSlope > 0 && last > vwap.Vwap) return (Bias.Long, why);
        if (delta < -DeltaThreshold && cvdSlope < 0 && last < vwap.Vwap) return (Bias.Short, why);
        return (Bias.Neutral, why);
    }
}
