using Akka.Actor;
using OrderFlow.Protocol;

namespace OrderFlow.Actors.Gateway;

/// <summary>
/// Who wants a kind of event (final bars, liquidations) and for which symbols (every one when none are named). A new
/// subscription replaces the subscriber's last. The gateway's bookkeeping, as a plain decision.
/// </summary>
internal sealed class SymbolSubscribers
{
    private readonly Dictionary<IActorRef, HashSet<Symbol>> _symbolsOf = new();

    public void Subscribe(IActorRef subscriber, IEnumerable<Symbol> symbols) => _symbolsOf[subscriber] = symbols.ToHashSet();

    public void Unsubscribe(IActorRef subscriber) => _symbolsOf.Remove(subscriber);

    public bool Has(IActorRef subscriber) => _symbolsOf.ContainsKey(subscriber);

    /// <summary>Every subscriber that wants <paramref name="symbol"/>'s events.</summary>
    public IEnumerable<IActorRef> Wanting(Symbol symbol) =>
        _symbolsOf.Where(pair => pair.Value.Count == 0 || pair.Value.Contains(symbol)).Select(pair => pair.Key);
}
