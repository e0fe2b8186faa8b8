using OrderFlow.Actors.Bars;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Bars;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Store;

/// <summary>A store that cannot be used at all (unreadable, or written by a newer version): one line, and the host exits 2.</summary>
public sealed class TapeStoreException(string message, Exception? cause = null) : Exception(message, cause);

/// <summary>
/// A symbol's recent tape as the store holds it, oldest first. <see cref="CompleteFromMs"/> is from when it is known to
/// be whole: the time asked for when the store also holds the trade just before the first one (so nothing between
/// them is missing), else the first trade's own time.
/// </summary>
public sealed record StoredTape(IReadOnlyList<AggregateTrade> Trades, long CompleteFromMs);

/// <summary>
/// Whose tape: a symbol as one exchange serves it (its REST host, <c>BTCUSDT@api.binance.com</c>). Aggregate ids are
/// the exchange's own, so the same name on a testnet, or on the simulator, is another tape, never mixed with this one.
/// </summary>
public readonly record struct TapeId(Symbol Symbol, string Exchange)
{
    public static TapeId Of(Symbol symbol, Uri restUrl) => new(symbol, restUrl.Authority);

    public override string ToString() => $"{Symbol}@{Exchange}";
}

/// <summary>
/// What one recorder writes at once: trades in id order, id ranges given up on (holes), the symbol's tick size
/// when exchangeInfo has just said it (kept with the tape, so a replay bins its volume profile as the live run did), and
/// the bars that became final (or came again) since the last write, and on COIN-M the contract size (so an export or a
/// replay knows what a quantity is worth), and on a futures symbol the liquidations its market's stream brought.
/// </summary>
public sealed record TapeWrite(TapeId Tape, IReadOnlyList<AggregateTrade> Trades, IReadOnlyList<AggregateIdRange> Holes, Fixed8? TickSize = null,
    IReadOnlyList<StoredBar>? Bars = null, Fixed8? ContractSize = null, IReadOnlyList<Binance.ForceOrder>? Liquidations = null)
{
    public IReadOnlyList<StoredBar> FinalBars => Bars ?? [];

    public IReadOnlyList<Binance.ForceOrder> Liquidated => Liquidations ?? [];
}

/// <summary>
/// Where every sequenced trade is kept across restarts. Keyed by symbol and aggregate id, so a trade written twice is
/// one row. Writes from every symbol's recorder are gathered into shared transactions; reads never wait for them.
/// </summary>
public interface ITapeStore : IAsyncDisposable
{
    /// <summary>What and where it is, for the log: <c>SQLite /home/me/.local/share/orderflow/tape.db</c>.</summary>
    string Description { get; }

    /// <summary>Writes the trades (a row that exists already is left as it is) and the holes.</summary>
    Task WriteAsync(TapeWrite write);

    /// <summary>The tape's trades from <paramref name="fromMs"/> on, the newest <paramref name="max"/> at most.</summary>
    Task<StoredTape> ReadRecentAsync(TapeId tape, long fromMs, int max);

    /// <summary>Trades with id ≥ <paramref name="fromId"/>, oldest first, at most <paramref name="max"/>.</summary>
    Task<IReadOnlyList<AggregateTrade>> ReadFromIdAsync(TapeId tape, long fromId, int max);

    /// <summary>Every trade from <paramref name="fromMs"/> (inclusive) to <paramref name="toMs"/> (exclusive), oldest first, as it is read.</summary>
    IAsyncEnumerable<AggregateTrade> ReadBetweenAsync(TapeId tape, long fromMs, long toMs, CancellationToken cancel = default);

    /// <summary>The interval's stored bars opening before <paramref name="beforeMs"/>, the newest <paramref name="max"/>, oldest first.</summary>
    Task<IReadOnlyList<StoredBar>> ReadBarsAsync(TapeId tape, BarInterval interval, long beforeMs, int max);

    /// <summary>The tick size and contract size last written with the tape, each null if never.</summary>
    Task<StoredListing> ReadListingAsync(TapeId tape);

    /// <summary>A market-wide stream was connected from <paramref name="fromMs"/> to at least <paramref name="toMs"/> (written again as an open span grows).</summary>
    Task WriteConnectedSpanAsync(string stream, long fromMs, long toMs);

    /// <summary>The stream's recorded connected spans overlapping [<paramref name="fromMs"/>, <paramref name="toMs"/>), oldest first.</summary>
    Task<IReadOnlyList<(long FromMs, long ToMs)>> ReadConnectedSpansAsync(string stream, long fromMs, long toMs);

    /// <summary>The liquidations recorded for the tape with trade times in [<paramref name="fromMs"/>, <paramref name="toMs"/>), oldest first, at most <paramref name="max"/>.</summary>
    Task<IReadOnlyList<Binance.ForceOrder>> ReadLiquidationsAsync(TapeId tape, long fromMs, long toMs, int max);

    /// <summary>Deletes every trade older than <paramref name="beforeMs"/>, and the bars that open before it; returns how many trades.</summary>
    Task<long> PruneAsync(long beforeMs);

    /// <summary>Which store this is, made when it was created: the nodes of a cluster must all see the same one.</summary>
    string Identity { get; }

    /// <summary>The cluster's symbol set as add and remove last changed it (a full restart starts from it).</summary>
    Task<IReadOnlyList<StoredSymbol>> ReadSymbolSetAsync();

    /// <summary>Keeps <paramref name="symbols"/> as streamed (<paramref name="removed"/> false), removed (true), or forgets them (null: not listed).</summary>
    Task WriteSymbolSetAsync(IReadOnlyList<Symbol> symbols, bool? removed);
}

/// <summary>What exchangeInfo said of a tape's symbol, as written with it: the tick, and on COIN-M the contract size.</summary>
public sealed record StoredListing(Fixed8? TickSize, Fixed8? ContractSize);

/// <summary>A symbol of the cluster's set as the store keeps it: streamed, or removed (it stays out until added again).</summary>
public sealed record StoredSymbol(Symbol Symbol, bool Removed);
