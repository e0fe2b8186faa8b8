using OrderFlow.Actors.Binance;
using OrderFlow.Actors.Connection;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Streams;

namespace OrderFlow.Actors.Symbols;

/// <summary>Where a symbol stands, from its actor's start to its stop.</summary>
public enum SymbolPhase
{
    /// <summary>Started; nothing streams until its node's directory says the cluster wants it.</summary>
    AwaitingCluster,
    /// <summary>Wanted; exchangeInfo's first word (listed? trading?) is awaited.</summary>
    CheckingListing,
    /// <summary>Listed and TRADING: its stream runs, or restarts after a cool-down.</summary>
    Trading,
    /// <summary>Listed with another status (BREAK, HALT…): nothing streams until it trades again.</summary>
    NotTrading,
    /// <summary>Not listed: it leaves the cluster's set.</summary>
    Unlisted,
    /// <summary>Closing (removed, handed over, shut down): the stream lets go, the recording is flushed.</summary>
    Closing,
}

/// <summary>What exchangeInfo's word means for the symbol.</summary>
public enum ListingStep
{
    /// <summary>Nothing new (a refresh that could not ask, or one that says what is known).</summary>
    Nothing,
    /// <summary>A replay: what the store holds is played whatever exchangeInfo says.</summary>
    Replay,
    Unlisted,
    /// <summary>Stream it (started now, or still running).</summary>
    Trade,
    /// <summary>It trades again after a status that was not TRADING: stream it again.</summary>
    TradeAgain,
    /// <summary>It stopped trading (or never did): close the stream and wait.</summary>
    StopTrading,
}

/// <param name="First">exchangeInfo's first word: the symbol's sequencer and recorder start now, and whoever added it is answered.</param>
/// <param name="WasStatus">With <see cref="ListingStep.TradeAgain"/>, the status it had.</param>
public readonly record struct ListingDecision(ListingStep Step, bool First, string? WasStatus = null);

/// <summary>
/// A symbol's lifecycle decisions, apart from its actor's I/O and timers: whether it may stream (the cluster's word,
/// exchangeInfo's listing and status), what a stream that stopped leads to (a cool-down, or nothing while not trading
/// or closing), what an <c>add</c> is answered, and what its status says when no stream runs.
/// </summary>
public sealed class SymbolLifecycle(Symbol symbol, CoolDown coolDown, TimeProvider clock)
{
    public SymbolPhase Phase { get; private set; } = SymbolPhase.AwaitingCluster;

    /// <summary>When the phase (or, without a stream, the stream's state) last changed: the status answer's "since".</summary>
    public DateTimeOffset Since { get; private set; } = clock.GetUtcNow();

    /// <summary>exchangeInfo's status while not trading (BREAK, HALT…).</summary>
    public string? NotTradingStatus { get; private set; }

    /// <summary>Connected events over the actor's life (its reconnects are one fewer).</summary>
    public long Connects { get; private set; }

    /// <summary>The last Failed or TimedOut.</summary>
    public IStreamLifecycleEvent? LastProblem { get; private set; }

    /// <summary>A stream may run: the symbol trades and nothing closes it.</summary>
    public bool MayStream => Phase == SymbolPhase.Trading;

    /// <summary>The directory said the cluster wants the symbol: true the first time (the listing is asked then).</summary>
    public bool Wanted()
    {
        if (Phase != SymbolPhase.AwaitingCluster) return false;
        Phase = SymbolPhase.CheckingListing;
        return true;
    }

    /// <summary>exchangeInfo's word, at the start and at every refresh: <paramref name="listed"/> null when it could not be asked.</summary>
    public ListingDecision Listing(bool? listed, string? status, bool replay)
    {
        if (Phase is SymbolPhase.Closing or SymbolPhase.Unlisted or SymbolPhase.AwaitingCluster) return new(ListingStep.Nothing, false);
        var first = Phase == SymbolPhase.CheckingListing;
        if (replay)
        {
            if (!first) return new(ListingStep.Nothing, false);
            Phase = SymbolPhase.Trading;
            return new(ListingStep.Replay, true);
        }
        if (listed is false)
        {
            Phase = SymbolPhase.Unlisted;
            return new(ListingStep.Unlisted, first);
        }
        // A refresh that could not ask says nothing new; the first word streams anyway (exchangeInfo may be down).
        if (listed is null && !first) return new(ListingStep.Nothing, false);
        if (status is null || status == Binance.Listing.Trading)
        {
            var was = NotTradingStatus;
            Phase = SymbolPhase.Trading;
            if (was is null) return new(ListingStep.Trade, first);
            (NotTradingStatus, Since) = (null, clock.GetUtcNow());
            return new(ListingStep.TradeAgain, first, was);
        }
        if (NotTradingStatus == status) return new(ListingStep.Nothing, first);
        (Phase, NotTradingStatus, Since) = (SymbolPhase.NotTrading, status, clock.GetUtcNow());
        return new(ListingStep.StopTrading, first);
    }

    /// <summary>What answers an <c>add</c> now; null while exchangeInfo's first word is awaited (answered then).</summary>
    public IOrderFlowMessage? AnswerToAdd() => Phase switch
    {
        SymbolPhase.AwaitingCluster or SymbolPhase.CheckingListing => null,
        SymbolPhase.NotTrading => new SymbolNotTrading(symbol, NotTradingStatus!),
        SymbolPhase.Unlisted => new SymbolUnknown(symbol),
        _ => new SymbolAdded(symbol),
    };

    /// <summary>Its stream stopped: the cool-down before a fresh one, or null (closing: flush and stop; not trading: wait).</summary>
    public TimeSpan? StreamStopped()
    {
        if (Phase != SymbolPhase.Trading) return null;
        Since = clock.GetUtcNow();
        return coolDown.Next();
    }

    /// <summary>The stream was healthy long enough: the next cool-down starts short again.</summary>
    public void StreamHealthy() => coolDown.Healthy();

    /// <summary>The exchange asked the stream to wait (its Retry-After): the next cool-down is at least that.</summary>
    public void ServerAsked(TimeSpan? retryAfter) => coolDown.ServerAsked(retryAfter);

    public int CoolDownsInRow => coolDown.EscalationsInRow;

    /// <summary>True when this starts the closing (a second request changes nothing).</summary>
    public bool Close()
    {
        if (Phase == SymbolPhase.Closing) return false;
        Phase = SymbolPhase.Closing;
        return true;
    }

    public void Record(IStreamLifecycleEvent e)
    {
        if (e is Connected) Connects++;
        else LastProblem = e;
    }

    /// <summary>The stream's state for the status answer while no stream runs.</summary>
    public StreamState StateWithoutStream => Phase switch
    {
        SymbolPhase.NotTrading => StreamState.NotTrading,
        SymbolPhase.AwaitingCluster or SymbolPhase.CheckingListing => StreamState.Connecting,
        _ => StreamState.BackingOff,
    };
}
