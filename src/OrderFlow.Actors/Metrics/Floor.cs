namespace OrderFlow.Actors.Metrics;

internal static class Floor
{
    /// <summary>Division rounding towards negative infinity (C#'s / rounds towards zero).</summary>
    public static long Divide(long value, long divisor)
    {
        var quotient = value / divisor;
        return value % divisor < 0 ? quotient - 1 : quotient;
    }
}
