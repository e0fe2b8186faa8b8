using OrderFlow.Actors.Store;

namespace OrderFlow.Actors.Replay;

/// <summary>What a replay plays: each symbol's recorded tape in the store, from the clock's start to its end, at its speed.</summary>
public sealed record ReplayPlan(ITapeStore Store, ReplayClock Clock);
