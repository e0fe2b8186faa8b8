using Akka.Actor;
using Akka.TestKit.Xunit2;
using OrderFlow.Actors.Symbols;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Serialization;
using OrderFlow.Protocol.Streams;
using Xunit;

namespace OrderFlow.Actors.Tests.Clustering;

/// <summary>What the cluster specs rely on: with every message serialized, an unmarked type of ours is dropped, not passed.</summary>
public sealed class CrossNodeGuardTests() : TestKit(OrderFlowSerializer.Hocon + "\n" + CrossNodeGuard.Hocon)
{
    private sealed record Unmarked(string Text);

    [Fact]
    public void A_protocol_message_and_a_local_one_arrive_and_an_unmarked_one_of_ours_does_not()
    {
        var probe = CreateTestProbe();
        var status = new GetStatus(Symbol.Parse("BTCUSDT"));
        probe.Ref.Tell(status);
        var read = probe.ExpectMsg<GetStatus>();
        Assert.Equal(status, read);
        Assert.NotSame(status, read); // it was serialized and read back

        var local = new SymbolWanted(Symbol.Parse("BTCUSDT"));
        probe.Ref.Tell(local);
        Assert.Same(local, probe.ExpectMsg<SymbolWanted>());

        EventFilter.Exception<System.Runtime.Serialization.SerializationException>(contains: "Unmarked").ExpectOne(() => probe.Ref.Tell(new Unmarked("hi")));
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }
}
