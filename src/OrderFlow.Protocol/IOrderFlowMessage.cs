namespace OrderFlow.Protocol;

/// <summary>
/// Marks a message that crosses the process boundary between the host and a planner (queries, their answers,
/// commands, lifecycle events). Bound to <see cref="Serialization.OrderFlowSerializer"/>; with strict serialization,
/// nothing else is serialized at all.
/// </summary>
public interface IOrderFlowMessage;
