using System.Diagnostics;
using System.Runtime;

namespace OrderFlow.Benchmarks;

public static class Jit
{
    /// <summary>Runs <paramref name="step"/> back to back until no method was compiled for a second (a minute at most).</summary>
    public static async Task QuietAsync(Func<Task> step)
    {
        var started = Stopwatch.GetTimestamp();
        var (compiled, quietSince) = (JitInfo.GetCompiledMethodCount(), started);
        while (Stopwatch.GetElapsedTime(quietSince) < TimeSpan.FromSeconds(1) && Stopwatch.GetElapsedTime(started) < TimeSpan.FromMinutes(1))
        {
            await step();
            if (JitInfo.GetCompiledMethodCount() is var now && now != compiled) (compiled, quietSince) = (now, Stopwatch.GetTimestamp());
        }
    }
}

/// <summary>
/// What the runtime did during a run: garbage collections and their pauses, the .NET thread pool's load, and the JIT
/// (methods compiled and the time it took; tiered compilation keeps recompiling hot methods for a while after start).
/// </summary>
public sealed record RunProfile(double GcPauseMillis, int Gen0, int Gen1, int Gen2, int MaxPoolThreads, long MaxPoolQueue, long Jitted, double JitMillis)
{
    public override string ToString() =>
        FormattableString.Invariant($"GC {Gen0}/{Gen1}/{Gen2} (gen0/1/2), paused {GcPauseMillis:0} ms; pool ≤ {MaxPoolThreads} threads, ≤ {MaxPoolQueue} queued; JIT {Jitted} methods, {JitMillis:0} ms");
}

/// <summary>Counts from its creation to <see cref="Stop"/>; <see cref="Sample"/> while the run goes reads the pool's load.</summary>
public sealed class RunProfiler
{
    private readonly TimeSpan _pauseBefore = GC.GetTotalPauseDuration();
    private readonly int[] _collectionsBefore = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
    private readonly long _jittedBefore = JitInfo.GetCompiledMethodCount();
    private readonly TimeSpan _jitTimeBefore = JitInfo.GetCompilationTime();
    private int _maxThreads;
    private long _maxQueue;

    public void Sample()
    {
        _maxThreads = Math.Max(_maxThreads, ThreadPool.ThreadCount);
        _maxQueue = Math.Max(_maxQueue, ThreadPool.PendingWorkItemCount);
    }

    public RunProfile Stop() => new((GC.GetTotalPauseDuration() - _pauseBefore).TotalMilliseconds,
        GC.CollectionCount(0) - _collectionsBefore[0], GC.CollectionCount(1) - _collectionsBefore[1], GC.CollectionCount(2) - _collectionsBefore[2],
        _maxThreads, _maxQueue, JitInfo.GetCompiledMethodCount() - _jittedBefore,
        (JitInfo.GetCompilationTime() - _jitTimeBefore).TotalMilliseconds);
}
