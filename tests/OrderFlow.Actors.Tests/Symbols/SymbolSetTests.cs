using OrderFlow.Actors.Symbols;
using OrderFlow.Protocol;
using Xunit;

namespace OrderFlow.Actors.Tests.Symbols;

public sealed class SymbolSetTests
{
    private static readonly Symbol Btc = Symbol.Parse("BTCUSDT");
    private static readonly Symbol Eth = Symbol.Parse("ETHUSDT");

    [Fact]
    public void A_copy_from_before_a_removal_does_not_bring_the_symbol_back_until_the_removal_is_written()
    {
        var set = new SymbolSet();
        Assert.Equal([Btc, Eth], set.StreamedCopy(["BTCUSDT", "ETHUSDT"]));

        set.Remove(Eth);
        // A copy sent before the replica applied the removal: nothing to start, and Eth stays out.
        Assert.Empty(set.StreamedCopy(["BTCUSDT", "ETHUSDT"]));
        set.RemovedCopy([]);
        Assert.Equal([Btc], set.Streamed);
        Assert.True(set.IsUnwanted(Eth));

        // Once written, the copies tell; they now agree.
        set.Settled([Eth]);
        Assert.Empty(set.StreamedCopy(["BTCUSDT"]));
        set.RemovedCopy(["ETHUSDT"]);
        Assert.True(set.IsUnwanted(Eth));
    }

    [Fact]
    public void A_symbol_in_both_copies_is_not_wanted_until_this_node_adds_it()
    {
        // A removal raced with an add made elsewhere: the streamed copy kept it, the removed copy has its mark.
        var set = new SymbolSet();
        set.StreamedCopy(["BTCUSDT", "ETHUSDT"]);
        set.RemovedCopy(["ETHUSDT"]);
        Assert.True(set.IsStreamed(Eth));
        Assert.False(set.IsWanted(Eth));
        Assert.True(set.IsWanted(Btc));

        set.Add(Eth);
        set.RemovedCopy(["ETHUSDT"]);
        Assert.True(set.IsWanted(Eth));
    }

    [Fact]
    public void Added_again_a_removed_symbol_is_wanted_and_a_copy_without_it_yet_does_not_drop_it()
    {
        var set = new SymbolSet();
        set.StreamedCopy(["BTCUSDT"]);
        set.RemovedCopy(["ETHUSDT"]);
        Assert.True(set.IsUnwanted(Eth));

        set.Add(Eth);
        Assert.Empty(set.StreamedCopy(["BTCUSDT"]));
        set.RemovedCopy(["ETHUSDT"]);
        Assert.False(set.IsUnwanted(Eth));
        Assert.Equal([Btc, Eth], set.Streamed);
    }

    [Fact]
    public void Configured_symbols_the_cluster_removed_are_not_added_and_an_unlisted_one_is_dropped_without_being_marked_removed()
    {
        var set = new SymbolSet();
        set.Configure([Btc, Eth]);
        Assert.Equal([Btc, Eth], set.Streamed);
        Assert.Equal([Btc], set.Configured([Btc, Eth], new HashSet<string> { "ETHUSDT" }));
        Assert.Equal([Btc], set.Streamed);
        Assert.True(set.IsUnwanted(Eth));

        set.Drop(Btc);
        Assert.Empty(set.Streamed);
        Assert.False(set.IsUnwanted(Btc));
    }
}
