namespace OrderFlow.Protocol;

/// <summary>
/// Marks a message that crosses the process boundary between the host and a planner (queries, their answers,
/// commands, lifecycle events). Bound to <see cref="Serialization.OrderFlowSerializer"/>; with strict serialization,
/// nothing else is serialized at all.
/// </summary>
public interface IOrderFlowMessage;

/// <summary>
/// A question, or a command, that the gateway answers exactly once within its deadline (with the answer, a not-found,
/// or a <see cref="QueryFailed"/>): askable over Akka.Remote and over the HTTP query endpoint alike. Subscriptions are
/// not queries: they need a subscriber to send to.
/// </summary>
public interface IOrderFlowQuery : IOrderFlowMessage;
