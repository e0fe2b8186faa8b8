using System.Globalization;

namespace OrderFlow.Protocol.Bars;

/// <summary>What ends a bar: the clock (a time bar), a number of aggregate trades (a tick bar), or a volume (a volume bar).</summary>
public enum BarCloser
{
    Time,
    Ticks,
    Volume,
}

/// <summary>
/// One series of bars, as traders write it and every JSON document carries it: a time bar's duration (<c>1m</c>,
/// <c>1h</c>), a tick bar's aggregate trades (<c>1000t</c>), a volume bar's base-asset volume (<c>250v</c>, <c>0.5v</c>).
/// <see cref="Size"/> is milliseconds, aggregates, or volume at 10^-8. A duration converts to a time bar's interval.
/// </summary>
public readonly record struct BarInterval(BarCloser Closer, long Size) : IComparable<BarInterval>
{
    public static BarInterval Time(TimeSpan span) => new(BarCloser.Time, (long)span.TotalMilliseconds);

    public static BarInterval Ticks(long aggregates) => new(BarCloser.Ticks, aggregates);

    public static BarInterval Volume(Fixed8 volume) => new(BarCloser.Volume, volume.Raw);

    public static implicit operator BarInterval(TimeSpan span) => Time(span);

    /// <summary>A time bar's duration; null for tick and volume bars.</summary>
    public TimeSpan? Span => Closer == BarCloser.Time ? TimeSpan.FromMilliseconds(Size) : null;

    public override string ToString() => Closer switch
    {
        BarCloser.Time => DurationText.Format(TimeSpan.FromMilliseconds(Size)),
        BarCloser.Ticks => Size.ToString(CultureInfo.InvariantCulture) + "t",
        _ => new Fixed8(Size) + "v",
    };

    /// <summary>A duration (time bars), a whole number and <c>t</c> (tick bars), or a positive volume and <c>v</c> (volume bars).</summary>
    public static bool TryParse(string? text, out BarInterval interval)
    {
        interval = default;
        if (string.IsNullOrEmpty(text)) return false;
        var amount = text[..^1];
        switch (text[^1])
        {
            case 't':
                if (!long.TryParse(amount, NumberStyles.None, CultureInfo.InvariantCulture, out var aggregates) || aggregates < 1) return false;
                interval = Ticks(aggregates);
                return true;
            case 'v':
                if (!Fixed8.TryParse(System.Text.Encoding.UTF8.GetBytes(amount), out var volume) || volume.Raw <= 0) return false;
                interval = Volume(volume);
                return true;
            default:
                if (!DurationText.TryParse(text, out var span) || span.Ticks % TimeSpan.TicksPerMillisecond != 0 || span <= TimeSpan.Zero) return false;
                interval = Time(span);
                return true;
        }
    }

    /// <summary>Time bars first, shortest first; then tick bars, then volume bars, each smallest first.</summary>
    public int CompareTo(BarInterval other) => Closer != other.Closer ? Closer.CompareTo(other.Closer) : Size.CompareTo(other.Size);
}
