using Akka.Actor;

namespace OrderFlow.Actors;

/// <summary>A one-for-one strategy that decides knowing which child failed, and does its own logging.</summary>
internal sealed class PerChildStrategy(Func<IActorRef, Exception, Directive> decide)
    : OneForOneStrategy(-1, -1, _ => Directive.Stop, loggingEnabled: false)
{
    protected override Directive Handle(IActorRef child, Exception exception) => decide(child, exception);
}
