using Akka.Actor;

namespace OrderFlow.Actors;

/// <summary>
/// A message that never leaves its node (between a symbol's actors, an actor and itself, a node's services). The
/// cluster specs run with <c>serialize-messages = on</c>, where such a message is exempt and every other one must
/// serialize: what goes to a shard region, a singleton or another process is an <c>IOrderFlowMessage</c> instead.
/// </summary>
public interface ILocalMessage : INoSerializationVerificationNeeded;
