using Akka.Actor;
using Akka.Event;

namespace OrderFlow.Actors.Store;

/// <summary>
/// Keeps the tape store within orderflow.store.retention (<c>/user/tape-retention</c>): at start and every hour,
/// the trades older than that are deleted, detached from everything else, and the log says how many.
/// </summary>
public sealed class TapeRetention : ReceiveActor, IWithTimers
{
    public const string Name = "tape-retention";

    private sealed record Prune : ILocalMessage
    {
        public static readonly Prune Instance = new();
    }

    private sealed record Pruned(long Count) : ILocalMessage;

    private static readonly TimeSpan Every = TimeSpan.FromHours(1);

    public TapeRetention(ITapeStore store, TimeSpan retention)
    {
        var log = Context.GetLogger();
        Receive<Prune>(_ => store.PruneAsync(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (long)retention.TotalMilliseconds)
            .PipeTo(Self, success: count => new Pruned(count), failure: e => new Status.Failure(e)));
        Receive<Pruned>(pruned =>
        {
            if (pruned.Count > 0) log.Info("💾 {Count} trades older than {Retention} deleted from the tape store", pruned.Count, HumanFormat.Duration(retention));
        });
        Receive<Status.Failure>(failed => log.Warning("💾 Could not delete old trades from the tape store ({Problem}); trying again in {Every}",
            failed.Cause.Message, HumanFormat.Duration(Every)));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ITapeStore store, TimeSpan retention) => Akka.Actor.Props.Create(() => new TapeRetention(store, retention));

    protected override void PreStart()
    {
        Self.Tell(Prune.Instance);
        Timers.StartPeriodicTimer(nameof(Prune), Prune.Instance, Every);
    }
}
