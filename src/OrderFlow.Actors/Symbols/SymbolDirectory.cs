using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.DistributedData;
using Akka.Event;
using OrderFlow.Actors.Binance;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Membership;
using OrderFlow.Actors.Replay;
using OrderFlow.Actors.Store;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Cluster;
using OrderFlow.Protocol.Streams;

namespace OrderFlow.Actors.Symbols;

/// <summary>
/// This node's door to the cluster's symbols (<c>/user/symbols</c>). What is streamed is one replicated set (Distributed
/// Data, written with a majority), the same on every node: adding and removing change it, and a symbol that leaves
/// it is remembered as removed, so that neither a node's configuration nor a pattern brings it back. Each symbol's
/// actor is a shard region's entity, wherever the cluster puts it; this actor starts it when the set gains it, passes
/// it the questions about it (never a question about a symbol outside the set: that would create one), and gathers
/// everyone's status within a deadline, a symbol that does not answer in time shown as <see cref="StreamState.Moving"/>
/// on the node it was last seen on.
/// </summary>
public sealed class SymbolDirectory : ReceiveActor, IWithTimers
{
    public const string Name = "symbols";

    private static readonly ORSetKey<string> StreamedKey = new("orderflow-symbols");
    private static readonly ORSetKey<string> RemovedKey = new("orderflow-symbols-removed");

    /// <summary>This node's change to <paramref name="Symbols"/> is written to a majority, or not; <paramref name="Answer"/> goes to <paramref name="ReplyTo"/>.</summary>
    private sealed record SetChanged(IReadOnlyList<Symbol> Symbols, IActorRef ReplyTo, object? Answer, bool Written) : ILocalMessage;

    private sealed record AddChecked(AddSymbol Command, IActorRef ReplyTo, Listing? Listing, bool Unlisted) : ILocalMessage;

    /// <summary>The cluster's removals, and the set as the store kept it (runtime adds and removals, from before a full restart).</summary>
    private sealed record StartConfigured(IReadOnlySet<string> Removed, IReadOnlyList<StoredSymbol> Stored) : ILocalMessage;

    /// <summary>Checked every 200 ms, at most 25 times: whether this node's replicator knows every member that is up.</summary>
    private sealed record AwaitReplicas(int Checks) : ILocalMessage;

    private sealed record ReplicasKnown(int Checks, int Replicas) : ILocalMessage;

    /// <summary>A majority's copy of the streamed set (null: none in time), read for <paramref name="Query"/>.</summary>
    private sealed record MajorityRead(object Query, IActorRef ReplyTo, IReadOnlySet<string>? Streamed, IReadOnlySet<string>? Removed = null) : ILocalMessage;

    private sealed record StatusGathered(IActorRef ReplyTo, IReadOnlyList<StreamStatus> Streams) : ILocalMessage;

    /// <summary>Symbols' actors that asked, as they started, whether the cluster streams them (<see cref="SymbolStarted"/>).</summary>
    private sealed record StartedSymbols(IReadOnlyList<(Symbol Symbol, IActorRef Actor)> Started) : ILocalMessage;

    private sealed record StartedBatch : ILocalMessage
    {
        public static readonly StartedBatch Instance = new();
    }

    private sealed record SafetyNet : ILocalMessage
    {
        public static readonly SafetyNet Instance = new();
    }

    /// <summary>How long a symbol has to answer its status; one that does not is shown as moving.</summary>
    private static readonly TimeSpan StatusDeadline = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(3);
    /// <summary>A majority's copy is read within this, else this node's copy answers: well inside a query's deadline.</summary>
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(1);
    /// <summary>Entities the cluster forgot (a failed remember-entities write) are started again at this pace.</summary>
    private static readonly TimeSpan SafetyNetInterval = TimeSpan.FromSeconds(30);
    /// <summary>The symbols' actors that start within this are answered from one majority read.</summary>
    private static readonly TimeSpan StartedBatchWindow = TimeSpan.FromMilliseconds(20);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly OrderFlowSettings _settings;
    private readonly IReadOnlyDictionary<string, BinanceRestClient> _rest;
    private readonly IActorRef _region;
    /// <summary>Where the set is kept across a full restart of the cluster (null: no store, or a replay).</summary>
    private readonly ITapeStore? _store;
    private readonly ReplayPlan? _replay;
    private readonly Cluster _cluster = Cluster.Get(Context.System);
    private readonly IActorRef _replicator = DistributedData.Get(Context.System).Replicator;
    private readonly SymbolSet _set = new();
    /// <summary>Each symbol's last status answer: what is shown, as moving, while it does not answer.</summary>
    private readonly Dictionary<Symbol, StreamStatus> _lastSeen = new();
    private readonly List<(Symbol Symbol, IActorRef Actor)> _starting = new();
    private int _replaying;

    public SymbolDirectory(OrderFlowSettings settings, IReadOnlyDictionary<string, BinanceRestClient> rest, IActorRef region, ITapeStore? store,
        ReplayPlan? replay)
    {
        _settings = settings;
        _store = store;
        _rest = rest;
        _region = region;
        _replay = replay;

        Receive<Changed>(OnChanged);
        Receive<StartConfigured>(OnStartConfigured);
        Receive<AwaitReplicas>(wait => _replicator.Ask<ReplicaCount>(Dsl.GetReplicaCount, ReadTimeout)
            .PipeTo(Self, success: count => new ReplicasKnown(wait.Checks, count.N), failure: _ => new ReplicasKnown(wait.Checks, 0)));
        Receive<ReplicasKnown>(OnReplicasKnown);
        Receive<SafetyNet>(_ => StartEntities(_set.Streamed));
        Receive<AddSymbol>(OnAdd);
        Receive<AddChecked>(OnAddChecked);
        Receive<RemoveSymbol>(OnRemove);
        Receive<SetChanged>(changed =>
        {
            _set.Settled(changed.Symbols);
            if (changed.Answer is null && changed.Written) return; // nobody asked: the configured, pattern-matched or unlisted
            if (changed.Written) changed.ReplyTo.Tell(changed.Answer);
            else if (changed.Answer is not null)
                changed.ReplyTo.Tell(new QueryFailed($"{string.Join(",", changed.Symbols)}: the cluster did not confirm the change within " +
                    $"{HumanFormat.Duration(WriteTimeout)}; try again"));
            else
                _log.Warning("⚠️ The cluster's symbol set was not written to a majority in time ({Symbols}); it spreads from this node as the members gossip",
                    string.Join(",", changed.Symbols));
        });
        Receive<SymbolStarted>(started =>
        {
            // An actor of a symbol outside the set (removed while its node died, remembered by a shard that missed its
            // removal, or restarted by its shard for a message that came as it passivated) goes before it streams. Only a
            // majority's copy decides: this node's may be behind an add or a removal made elsewhere a moment ago. The
            // actors that start together (a node's start, a failover) are answered from one read.
            if (_starting.Count == 0) Timers.StartSingleTimer(nameof(StartedBatch), StartedBatch.Instance, StartedBatchWindow);
            _starting.Add((started.Symbol, Sender));
        });
        Receive<StartedBatch>(_ =>
        {
            ReadMajority(new StartedSymbols(_starting.ToList()), ActorRefs.Nobody);
            _starting.Clear();
        });
        Receive<SymbolUnlisted>(unlisted =>
        {
            // Not a tombstone: the symbol leaves the set (without being marked removed: a later add checks it afresh).
            _set.Drop(unlisted.Symbol);
            Change([unlisted.Symbol], ActorRefs.Nobody, null, set => set.Remove(_cluster, unlisted.Symbol.Value), removed: null,
                then: async _ =>
                {
                    await KeepAsync([unlisted.Symbol], removed: null).ConfigureAwait(false);
                    return null;
                });
        });
        // The questions about every symbol read a majority's copy first: what was added or removed on another node a
        // moment ago is answered for here too (a majority wrote it).
        Receive<GetStreamedSymbols>(query => ReadMajority(query, Sender));
        Receive<GetClusterState>(query => Context.ActorSelection($"/user/{ClusterWatch.Name}").Tell(query, Sender));
        Receive<GetStatus>(query =>
        {
            if (query.Symbol is { } symbol) Route(query, symbol, Sender);
            else ReadMajority(query, Sender);
        });
        Receive<StatusGathered>(gathered =>
        {
            foreach (var status in gathered.Streams.Where(status => status.State != StreamState.Moving)) _lastSeen[status.Symbol] = status;
            gathered.ReplyTo.Tell(new StatusReport(gathered.Streams));
        });
        Receive<ReplayFinished>(_ =>
        {
            if (--_replaying > 0 || _replay is null) return;
            _replay.Clock.Finish();
            _log.Info("🎬 Replay finished: {Symbols} symbol(s) played to {To:yyyy-MM-dd HH:mm:ss} UTC; answering queries as of then until stopped",
                _set.Streamed.Count, DateTimeOffset.FromUnixTimeMilliseconds(_replay.Clock.ToMs));
        });
        Receive<MajorityRead>(OnMajorityRead);
        Receive<PatternResolver.PatternsMatched>(OnPatternsMatched);
        // Every other per-symbol question (trades, metrics, sequencing) is the symbol's actor's to answer.
        Receive<IWithSymbol>(message => Route(message, message.Symbol, Sender));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="region">The shard region (or its proxy) that hosts every symbol's actor.</param>
    /// <param name="replay">The symbols play their recorded tapes (<c>orderflow replay</c>): the set is the configured symbols, and fixed.</param>
    /// <param name="store">Where runtime adds and removals are kept, so a full restart of the cluster starts from them.</param>
    public static Props Props(OrderFlowSettings settings, IReadOnlyDictionary<string, BinanceRestClient> rest, IActorRef region, ITapeStore? store,
        ReplayPlan? replay = null) =>
        Akka.Actor.Props.Create(() => new SymbolDirectory(settings, rest, region, store, replay));

    protected override void PreStart()
    {
        _replicator.Tell(Dsl.Subscribe(StreamedKey, Self));
        _replicator.Tell(Dsl.Subscribe(RemovedKey, Self));
        _replaying = _settings.Symbols.Count;
        // Alone, nobody can have removed them: answered for at once, as a host alone always has. A node that joins
        // others waits for the cluster's word on removals first.
        if (!_settings.Cluster.Enabled) _set.Configure(_settings.Symbols);
        // What the cluster removed stays removed: once this node is a member, and its replicator knows the members
        // that are up (a majority of fewer would be this node alone), the removals are read from a majority before it
        // adds its configured symbols.
        var self = Self;
        _cluster.RegisterOnMemberUp(() => self.Tell(new AwaitReplicas(0)));
        Timers.StartPeriodicTimer(nameof(SafetyNet), SafetyNet.Instance, SafetyNetInterval);
    }

    private void OnReplicasKnown(ReplicasKnown known)
    {
        var up = _cluster.State.Members.Count(member => member.Status == MemberStatus.Up);
        if (known.Replicas < up && known.Checks < 25)
        {
            Timers.StartSingleTimer(nameof(AwaitReplicas), new AwaitReplicas(known.Checks + 1), TimeSpan.FromMilliseconds(200));
            return;
        }
        var (replicator, store, log) = (_replicator, _store, _log);
        async Task<StartConfigured> ReadAsync()
        {
            var stored = store is null ? Task.FromResult<IReadOnlyList<StoredSymbol>>([]) : store.ReadSymbolSetAsync();
            var removed = new HashSet<string>();
            try
            {
                if (await replicator.Ask<IGetResponse>(Dsl.Get(RemovedKey, new ReadMajority(WriteTimeout)), WriteTimeout + TimeSpan.FromSeconds(1))
                        .ConfigureAwait(false) is GetSuccess found)
                    removed.UnionWith(found.Get(RemovedKey).Elements);
            }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException) { }
            try
            {
                return new StartConfigured(removed, await stored.ConfigureAwait(false));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                log.Warning("💾 The symbol set kept in the tape store could not be read ({Problem}); starting from the configured symbols", e.Message);
                return new StartConfigured(removed, []);
            }
        }
        ReadAsync().PipeTo(Self);
    }

    /// <summary>
    /// This node's configured symbols, and the ones added at runtime before a full restart (kept in the store), join the
    /// set, unless the cluster or the store says they were removed.
    /// </summary>
    private void OnStartConfigured(StartConfigured start)
    {
        var removed = start.Removed.Union(start.Stored.Where(kept => kept.Removed).Select(kept => kept.Symbol.Value)).ToHashSet();
        var configured = _set.Configured(_settings.Symbols, removed);
        foreach (var symbol in _settings.Symbols.Except(configured))
        {
            _log.Info("➖ {Symbol} is configured here, but was removed from the cluster; not streamed (add it to stream it again)", symbol);
            // Alone, it was answered for from the start: an actor a query made meanwhile goes.
            if (!_settings.Cluster.Enabled) _region.Tell(new SymbolNotWanted(symbol));
        }
        // Removals the store kept from before a full restart are the cluster's again.
        var keptRemoved = start.Stored.Where(kept => kept.Removed && !start.Removed.Contains(kept.Symbol.Value)).Select(kept => kept.Symbol).ToList();
        if (keptRemoved.Count > 0)
            Change(keptRemoved, ActorRefs.Nobody, null, set => set, set => keptRemoved.Aggregate(set, (all, symbol) => all.Add(_cluster, symbol.Value)), then: null);
        var added = start.Stored.Where(kept => !kept.Removed && !removed.Contains(kept.Symbol.Value) && !_set.IsStreamed(kept.Symbol))
            .Select(kept => kept.Symbol).Where(symbol => _rest.ContainsKey(symbol.Market)).ToList();
        foreach (var symbol in added) _set.Add(symbol);
        if (added.Count > 0)
            _log.Info("➕ {Count} symbol(s) added at runtime before this start stream again (kept in the tape store): {Symbols}", added.Count, string.Join(",", added));
        var joining = configured.Concat(added).ToList();
        if (joining.Count == 0) return;
        Change(joining, ActorRefs.Nobody, null, set => joining.Aggregate(set, (all, symbol) => all.Add(_cluster, symbol.Value)), removed: null, then: null);
        StartEntities(joining);
    }

    /// <summary>Keeps a runtime change in the store, so a full restart of the cluster starts from it; a failure is said, and the cluster's set still holds it.</summary>
    private async Task KeepAsync(IReadOnlyList<Symbol> symbols, bool? removed)
    {
        if (_store is not { } store) return;
        try
        {
            await store.WriteSymbolSetAsync(symbols, removed).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _log.Warning("💾 {Symbols}: the change was not kept in the tape store ({Problem}); a full restart of the cluster will not know it",
                string.Join(",", symbols), e.Message);
        }
    }

    private void OnChanged(Changed changed)
    {
        if (changed.Key.Equals(RemovedKey))
        {
            _set.RemovedCopy(changed.Get(RemovedKey).Elements);
            return;
        }
        StartEntities(_set.StreamedCopy(changed.Get(StreamedKey).Elements));
        foreach (var gone in _lastSeen.Keys.Where(symbol => !_set.IsStreamed(symbol)).ToList()) _lastSeen.Remove(gone);
    }

    private void StartEntities(IEnumerable<Symbol> symbols)
    {
        foreach (var symbol in symbols) _region.Tell(new ShardRegion.StartEntity(symbol.Value));
    }

    /// <summary>Symbols the cluster's patterns match: each that is neither streamed nor removed is added (a new listing, or every match at start).</summary>
    private void OnPatternsMatched(PatternResolver.PatternsMatched matched)
    {
        var adding = matched.Symbols.Where(symbol => !_set.IsStreamed(symbol) && !_set.IsUnwanted(symbol)).ToList();
        if (adding.Count == 0 || _replay is not null) return;
        foreach (var symbol in adding)
        {
            _log.Debug("➕ {Symbol} matches {Patterns}", symbol, matched.Patterns);
            _set.Add(symbol);
        }
        Change(adding, ActorRefs.Nobody, null, set => adding.Aggregate(set, (all, symbol) => all.Add(_cluster, symbol.Value)), removed: null, then: null);
        StartEntities(adding);
        _log.Info("➕ {Added} symbol(s) match {Patterns}; {Streamed} in all", adding.Count, matched.Patterns, _set.Streamed.Count);
    }

    private void OnAdd(AddSymbol command)
    {
        if (_replay is not null)
            Sender.Tell(new QueryFailed($"{command.Symbol} was not added: a replay plays the symbols it started with"));
        else if (!_rest.TryGetValue(command.Symbol.Market, out var rest))
            Sender.Tell(new QueryFailed($"{command.Symbol} was not added: '{command.Symbol.Market}' is not a market (use {string.Join(", ", _rest.Keys)})"));
        else if (_set.IsStreamed(command.Symbol))
            Sender.Tell(new SymbolAlreadyStreaming(command.Symbol));
        else
        {
            // Asked before it joins the set: a symbol Binance does not list never enters it, so leaves nothing behind.
            var replyTo = Sender;
            rest.ListedAsync([command.Symbol]).PipeTo(Self,
                success: listed => new AddChecked(command, replyTo, listed.GetValueOrDefault(command.Symbol), !listed.ContainsKey(command.Symbol)),
                failure: _ => new AddChecked(command, replyTo, null, false));
        }
    }

    private void OnAddChecked(AddChecked check)
    {
        var symbol = check.Command.Symbol;
        if (check.Unlisted)
        {
            _log.Error("❌ {Symbol} is not a symbol Binance lists (exchangeInfo: Invalid symbol); it will not be streamed", symbol);
            check.ReplyTo.Tell(new SymbolUnknown(symbol));
            return;
        }
        _log.Info("➕ Adding {Symbol}", symbol);
        _set.Add(symbol);
        object answer = check.Listing is { Status: { } status } && status != Listing.Trading ? new SymbolNotTrading(symbol, status) : new SymbolAdded(symbol);
        // Its actor answers once exchangeInfo's word is in (as the status will show it); this check's answer if it cannot.
        var answerTimeout = _settings.Remote.QueryTimeout;
        Change([symbol], check.ReplyTo, answer,
            streamed => streamed.Add(_cluster, symbol.Value), removed => removed.Remove(_cluster, symbol.Value),
            then: async region =>
            {
                await KeepAsync([symbol], removed: false).ConfigureAwait(false);
                return await region.Ask<object>(check.Command, answerTimeout).ConfigureAwait(false);
            });
    }

    private void OnRemove(RemoveSymbol command)
    {
        var symbol = command.Symbol;
        if (!_set.IsStreamed(symbol))
        {
            Sender.Tell(new SymbolNotFound(symbol));
            return;
        }
        _log.Info("➖ Removing {Symbol}", symbol);
        _set.Remove(symbol);
        // Its actor closes the stream and flushes its recording, then is forgotten by the cluster.
        var closeTimeout = _settings.Remote.QueryTimeout;
        Change([symbol], Sender, new SymbolRemoved(symbol),
            streamed => streamed.Remove(_cluster, symbol.Value), removed => removed.Add(_cluster, symbol.Value),
            then: async region =>
            {
                await KeepAsync([symbol], removed: true).ConfigureAwait(false);
                await region.Ask<object>(command, closeTimeout).ConfigureAwait(false);
                return null;
            });
    }

    /// <summary>
    /// Writes the sets with a majority (<paramref name="removed"/> null: the streamed set alone); once they are written
    /// and <paramref name="then"/> is done, its answer (else <paramref name="answer"/>) goes to <paramref name="replyTo"/> (null: nobody asked).
    /// </summary>
    private void Change(IReadOnlyList<Symbol> symbols, IActorRef replyTo, object? answer, Func<ORSet<string>, ORSet<string>> streamed,
        Func<ORSet<string>, ORSet<string>>? removed, Func<IActorRef, Task<object?>>? then)
    {
        var (replicator, region, timeout) = (_replicator, _region, WriteTimeout + TimeSpan.FromSeconds(1));
        async Task<SetChanged> ChangeAsync()
        {
            try
            {
                // An update changes this node's copy: it reads a majority's first, so a removal removes an add made
                // elsewhere a moment ago (a set forgets only what its copy has seen) and an add clears a removal's mark.
                await Task.WhenAll(ReadMajorityAsync(replicator, StreamedKey), ReadMajorityAsync(replicator, RemovedKey)).ConfigureAwait(false);
                var writes = new List<Task<IUpdateResponse>>
                    { replicator.Ask<IUpdateResponse>(Dsl.Update(StreamedKey, ORSet<string>.Empty, new WriteMajority(WriteTimeout), streamed), timeout) };
                if (removed is not null)
                    writes.Add(replicator.Ask<IUpdateResponse>(Dsl.Update(RemovedKey, ORSet<string>.Empty, new WriteMajority(WriteTimeout), removed), timeout));
                if (!(await Task.WhenAll(writes).ConfigureAwait(false)).All(response => response.IsSuccessful))
                    return new SetChanged(symbols, replyTo, answer, false);
            }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
            {
                return new SetChanged(symbols, replyTo, answer, false);
            }
            // The set is changed: should its actor not hear of it now, it follows the set when it next starts.
            var told = default(object);
            if (then is not null)
                try { told = await then(region).ConfigureAwait(false); }
                catch (Exception e) when (e is AskTimeoutException or TaskCanceledException) { }
            return new SetChanged(symbols, replyTo, told ?? answer, true);
        }
        ChangeAsync().PipeTo(Self);
    }

    private void GatherStatus(IReadOnlyList<Symbol> asked, IActorRef replyTo)
    {
        var lastSeen = asked.ToDictionary(symbol => symbol, symbol => _lastSeen.GetValueOrDefault(symbol));
        var region = _region;
        Task.WhenAll(asked.Select(async symbol =>
            {
                try
                {
                    var answer = await region.Ask<object>(new GetStatus(symbol), StatusDeadline).ConfigureAwait(false);
                    if (answer is StatusReport { Streams: [var status] }) return status;
                }
                catch (Exception e) when (e is AskTimeoutException or TaskCanceledException) { }
                return Moving(symbol, lastSeen[symbol]);
            }))
            .PipeTo(Self, success: streams => new StatusGathered(replyTo, streams.OrderBy(status => status.Symbol).ToList()));
    }

    /// <summary>A symbol that did not answer in time: its node is unreachable, or it is moving to another.</summary>
    private static StreamStatus Moving(Symbol symbol, StreamStatus? last) =>
        last is null
            ? new StreamStatus(symbol, StreamState.Moving, DateTimeOffset.UtcNow, 0, null, null, null, 0, null, null, 0, 0, 0, 0, 0, 0)
            : last with { State = StreamState.Moving };

    private void Route(object message, Symbol symbol, IActorRef replyTo)
    {
        if (_set.IsStreamed(symbol)) Answer(message, symbol, replyTo);
        else if (_set.IsUnwanted(symbol)) replyTo.Tell(new SymbolNotFound(symbol));
        // Not in this node's copy of the set (yet?): a majority's copy decides, so a symbol just added elsewhere is found.
        else ReadMajority(message, replyTo);
    }

    /// <summary>Reads both sets from a majority (the removed one too when an actor's start is to be decided).</summary>
    private void ReadMajority(object query, IActorRef replyTo)
    {
        var replicator = _replicator;
        var withRemoved = query is StartedSymbols;
        async Task<MajorityRead> ReadAsync()
        {
            var streamed = ReadMajorityAsync(replicator, StreamedKey);
            var removed = withRemoved ? ReadMajorityAsync(replicator, RemovedKey) : Task.FromResult<IReadOnlySet<string>?>(null);
            return new MajorityRead(query, replyTo, await streamed.ConfigureAwait(false), await removed.ConfigureAwait(false));
        }
        ReadAsync().PipeTo(Self);
    }

    /// <summary>A majority's copy of <paramref name="key"/>'s set (read-repaired into this node's), or null when no majority answered in time.</summary>
    private static async Task<IReadOnlySet<string>?> ReadMajorityAsync(IActorRef replicator, ORSetKey<string> key)
    {
        try
        {
            return await replicator.Ask<IGetResponse>(Dsl.Get(key, new ReadMajority(ReadTimeout)), ReadTimeout + TimeSpan.FromSeconds(1)).ConfigureAwait(false) switch
            {
                GetSuccess found => found.Get(key).Elements.ToHashSet(),
                NotFound => new HashSet<string>(),
                _ => null,
            };
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            return null;
        }
    }

    private void OnMajorityRead(MajorityRead read)
    {
        // Without a majority in time (a member unreachable), this node's copy answers.
        if (read.Streamed is { } streamed) StartEntities(_set.StreamedCopy(streamed));
        switch (read.Query)
        {
            case GetStreamedSymbols:
                read.ReplyTo.Tell(new StreamedSymbols(_set.Streamed.ToList()));
                break;
            case GetStatus { Symbol: null }:
                GatherStatus(_set.Streamed.ToList(), read.ReplyTo);
                break;
            case StartedSymbols { Started: var started }:
                // Without a majority's word, no answer: each actor asks again, and meanwhile streams nothing.
                if (read.Streamed is null || read.Removed is null) break;
                _set.RemovedCopy(read.Removed);
                // Streamed and not marked removed: a removal's mark is a fresh entry of its own, so an add it raced with
                // cannot hide it.
                foreach (var (symbol, actor) in started)
                    actor.Tell(_set.IsWanted(symbol) ? new SymbolWanted(symbol) : new SymbolNotWanted(symbol));
                break;
            case GetStatus { Symbol: { } symbol }:
                if (_set.IsStreamed(symbol)) Answer(read.Query, symbol, read.ReplyTo);
                else read.ReplyTo.Tell(new SymbolNotFound(symbol));
                break;
            case IWithSymbol { Symbol: var symbol }:
                if (_set.IsStreamed(symbol)) Answer(read.Query, symbol, read.ReplyTo);
                else read.ReplyTo.Tell(new SymbolNotFound(symbol));
                break;
        }
    }

    /// <summary>A streamed symbol's question: its status is gathered (shown as moving if it does not answer); the rest its actor answers.</summary>
    private void Answer(object query, Symbol symbol, IActorRef replyTo)
    {
        if (query is GetStatus) GatherStatus([symbol], replyTo);
        else _region.Tell(query, replyTo);
    }
}
