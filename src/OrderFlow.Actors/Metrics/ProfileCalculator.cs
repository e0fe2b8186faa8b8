using System.Buffers;
using OrderFlow.Protocol.Metrics;

namespace OrderFlow.Actors.Metrics;

/// <summary>
/// POC and value area from volume per traded price. Bins are the tick size times a configured multiple; if the
/// window's price range would need more than <see cref="MaxBins"/> bins, the bin doubles until it fits. Without a
/// tick size (exchangeInfo not answered), the finest grid the window's own prices lie on stands in for it.
/// </summary>
internal static class ProfileCalculator
{
    public const int MaxBins = 1 << 20;

    /// <summary>
    /// The profile of the volume at price in <paramref name="closed"/>, less <paramref name="leaving"/>, plus
    /// <paramref name="open"/> (a window's closed seconds, those of them that fell out of the window, and its latest
    /// second: kept apart so none is copied). A price whose volume has all left is not in the window.
    /// </summary>
    public static VolumeProfile? Calculate(Dictionary<long, long> closed, Dictionary<long, long>? leaving, Dictionary<long, long>? open,
        long binRaw, long lastPrice, int valueAreaPercent)
    {
        long minPrice = long.MaxValue, maxPrice = long.MinValue, grid = 0;
        foreach (var (price, volume) in closed)
        {
            if (volume > Leaving(price)) See(price);
        }
        if (open is not null)
        {
            foreach (var price in open.Keys) See(price);
        }
        if (minPrice > maxPrice) return null;
        if (binRaw <= 0) binRaw = grid;
        while ((maxPrice / binRaw) - (minPrice / binRaw) >= MaxBins) binRaw *= 2;

        var firstBin = minPrice / binRaw;
        var binCount = (int)(maxPrice / binRaw - firstBin + 1);
        var bins = ArrayPool<long>.Shared.Rent(binCount);
        try
        {
            Array.Clear(bins, 0, binCount);
            long total = 0;
            foreach (var (price, volume) in closed)
            {
                var inWindow = volume - Leaving(price);
                if (inWindow == 0) continue;
                bins[price / binRaw - firstBin] += inWindow;
                total += inWindow;
            }
            if (open is not null)
            {
                foreach (var (price, volume) in open)
                {
                    bins[price / binRaw - firstBin] += volume;
                    total += volume;
                }
            }

            var lastBin = lastPrice / binRaw - firstBin;
            var poc = 0;
            for (var i = 1; i < binCount; i++)
            {
                if (bins[i] > bins[poc] || (bins[i] == bins[poc] && Math.Abs(i - lastBin) < Math.Abs(poc - lastBin))) poc = i;
            }

            // Grow from the POC, one bin each side compared, the larger added (ties: the lower), up to the percentage.
            int low = poc, high = poc;
            var area = bins[poc];
            while ((Int128)area * 100 < (Int128)total * valueAreaPercent)
            {
                var above = high + 1 < binCount ? bins[high + 1] : -1;
                var below = low > 0 ? bins[low - 1] : -1;
                if (above > below) area += bins[++high];
                else area += bins[--low];
            }

            decimal PriceOf(int bin) => Exact.Quantity((firstBin + bin) * binRaw);
            return new VolumeProfile(Exact.Quantity(binRaw), PriceOf(poc), PriceOf(high), PriceOf(low), Exact.Quantity(area),
                Exact.Quantity(total), valueAreaPercent, binCount);
        }
        finally
        {
            ArrayPool<long>.Shared.Return(bins);
        }

        long Leaving(long price) => leaving is null ? 0 : leaving.GetValueOrDefault(price);

        // Without a tick size, the finest grid the prices lie on: their greatest common divisor.
        void See(long price)
        {
            (minPrice, maxPrice) = (Math.Min(minPrice, price), Math.Max(maxPrice, price));
            if (binRaw > 0 || grid == 1) return;
            var (a, b) = (grid, price);
            while (b != 0) (a, b) = (b, a % b);
            grid = a;
        }
    }
}
