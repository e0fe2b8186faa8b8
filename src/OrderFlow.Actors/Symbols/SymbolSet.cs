using OrderFlow.Protocol;

namespace OrderFlow.Actors.Symbols;

/// <summary>
/// One node's view of the cluster's symbol set: what is streamed, and what was removed (so that no configuration or
/// pattern brings it back). The replicated copies arrive as they spread, and a change this node made is not in them
/// until its write is done: until then (<see cref="Settled"/>) this node's own intent wins over any copy that still
/// shows the old state, so a removed symbol is not started again by a copy from before its removal.
/// </summary>
public sealed class SymbolSet
{
    private enum Intent
    {
        Streamed,
        Removed,
        /// <summary>Out of the set, but not marked removed (Binance does not list it: a later add checks it afresh).</summary>
        Dropped,
    }

    private readonly SortedSet<Symbol> _streamed = new();
    private readonly HashSet<Symbol> _removed = new();
    private readonly Dictionary<Symbol, Intent> _intents = new();

    public IReadOnlyCollection<Symbol> Streamed => _streamed;

    public bool IsStreamed(Symbol symbol) => _streamed.Contains(symbol);

    /// <summary>Streamed, and not marked removed: both copies must agree before a symbol's actor that starts may stream.</summary>
    public bool IsWanted(Symbol symbol) => _streamed.Contains(symbol) && !_removed.Contains(symbol);

    /// <summary>Removed from the cluster and not added since: an actor of it that starts (a remembered one) goes.</summary>
    public bool IsUnwanted(Symbol symbol) => _removed.Contains(symbol) && !_streamed.Contains(symbol);

    public void Add(Symbol symbol) => Intend(symbol, Intent.Streamed);

    public void Remove(Symbol symbol) => Intend(symbol, Intent.Removed);

    public void Drop(Symbol symbol) => Intend(symbol, Intent.Dropped);

    /// <summary>This node's change to <paramref name="symbols"/> is written (or given up on): the copies tell from now on.</summary>
    public void Settled(IEnumerable<Symbol> symbols)
    {
        foreach (var symbol in symbols) _intents.Remove(symbol);
    }

    /// <summary>This node's configured symbols, streamed from its start until the cluster says otherwise (<see cref="Configured"/>).</summary>
    public void Configure(IEnumerable<Symbol> configured)
    {
        foreach (var symbol in configured) Add(symbol);
    }

    /// <summary>The cluster's removals are known: the configured symbols it removed go, and the others are returned.</summary>
    public IReadOnlyList<Symbol> Configured(IEnumerable<Symbol> configured, IReadOnlySet<string> removed)
    {
        var adding = new List<Symbol>();
        foreach (var symbol in configured)
            if (removed.Contains(symbol.Value) || IsUnwanted(symbol))
            {
                Remove(symbol);
                _intents.Remove(symbol);
            }
            else adding.Add(symbol);
        return adding;
    }

    /// <summary>A copy of the streamed set arrived; returns the symbols it streams that this view did not.</summary>
    public IReadOnlyList<Symbol> StreamedCopy(IEnumerable<string> copy)
    {
        var now = copy.Select(Symbol.Parse).ToHashSet();
        foreach (var (symbol, intent) in _intents)
            if (intent == Intent.Streamed) now.Add(symbol);
            else now.Remove(symbol);
        var added = now.Where(symbol => !_streamed.Contains(symbol)).ToList();
        _streamed.Clear();
        _streamed.UnionWith(now);
        return added;
    }

    /// <summary>A copy of the removed set arrived.</summary>
    public void RemovedCopy(IEnumerable<string> copy)
    {
        _removed.Clear();
        _removed.UnionWith(copy.Select(Symbol.Parse));
        foreach (var (symbol, intent) in _intents)
            if (intent == Intent.Removed) _removed.Add(symbol);
            else if (intent == Intent.Streamed) _removed.Remove(symbol);
    }

    private void Intend(Symbol symbol, Intent intent)
    {
        _intents[symbol] = intent;
        if (intent == Intent.Streamed) _streamed.Add(symbol);
        else _streamed.Remove(symbol);
        if (intent == Intent.Removed) _removed.Add(symbol);
        else if (intent == Intent.Streamed) _removed.Remove(symbol);
    }
}
