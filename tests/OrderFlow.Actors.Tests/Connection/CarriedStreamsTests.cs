using Akka.Actor;
using Akka.TestKit.Xunit2;
using OrderFlow.Actors.Connection;
using OrderFlow.Protocol;
using Xunit;

namespace OrderFlow.Actors.Tests.Connection;

/// <summary>A connection's bookkeeping: what it carries, and which SUBSCRIBE and UNSUBSCRIBE requests wait, in order.</summary>
public sealed class CarriedStreamsTests : TestKit
{
    private static readonly Symbol Btc = Symbol.Parse("BTCUSDT");
    private static readonly Symbol Eth = Symbol.Parse("ETHUSDT");
    private static readonly Symbol Sol = Symbol.Parse("SOLUSDT");

    private AddStream Add(Symbol symbol, int lease = 1) => new(symbol, lease, TestActor);

    [Fact]
    public void Streams_carried_before_the_socket_opens_ride_in_its_url_with_no_request()
    {
        var streams = new CarriedStreams();
        streams.Carry(Add(Btc));
        streams.Carry(Add(Eth));

        Assert.Equal(2, streams.Count);
        Assert.False(streams.HasRequests);
        streams.Forget(Eth);
        Assert.Equal([Btc], streams.Carried.Select(route => route.Symbol));
    }

    [Fact]
    public void Subscribes_go_first_in_pages_each_with_the_next_id_then_the_unsubscribes()
    {
        var streams = new CarriedStreams();
        streams.Carry(Add(Sol));
        Assert.True(streams.LetGoAndUnsubscribe(new RemoveStream(Sol, 1)));
        foreach (var symbol in new[] { Btc, Eth }) streams.CarryAndSubscribe(Add(symbol));

        var first = streams.NextRequest(most: 1);
        var second = streams.NextRequest(most: 1);
        var third = streams.NextRequest(most: 1);

        Assert.Equal([1L, 2L, 3L], new[] { first.Id, second.Id, third.Id });
        Assert.Equal([Btc], first.Subscribing.Select(r => r.Symbol));
        Assert.Equal([Eth], second.Subscribing.Select(r => r.Symbol));
        Assert.Equal([Sol], third.Unsubscribing);
        Assert.Empty(third.Subscribing);
        Assert.False(streams.HasRequests);
    }

    [Fact]
    public void A_stream_let_go_before_its_subscribe_went_needs_neither_and_is_routed_nowhere()
    {
        var streams = new CarriedStreams();
        streams.CarryAndSubscribe(Add(Btc));

        Assert.False(streams.LetGo(new RemoveStream(Btc, Lease: 7)));   // another lease's removal: not this one
        Assert.True(streams.LetGo(new RemoveStream(Btc, 1)));

        Assert.False(streams.HasRequests);
        Assert.Equal(0, streams.Count);
        // Trades still in flight after the removal are dropped quietly: the symbol keeps a route with no stream.
        var route = streams.Routes().FindSymbol("BTCUSDT"u8);
        Assert.NotNull(route);
        Assert.Null(route.Stream);
    }

    [Fact]
    public void Asked_for_again_a_stream_cancels_its_waiting_unsubscribe_and_its_old_route_is_no_longer_current()
    {
        var streams = new CarriedStreams();
        var old = streams.Carry(Add(Btc));
        streams.LetGoAndUnsubscribe(new RemoveStream(Btc, 1));
        streams.CarryAndSubscribe(Add(Btc, lease: 2));

        Assert.False(streams.IsCurrent(old));
        var request = streams.NextRequest(most: 10);
        Assert.Equal(2, Assert.Single(request.Subscribing).Lease);
        Assert.False(streams.HasRequests);
    }

    [Fact]
    public void A_replacement_takes_the_waiting_subscribes_into_its_url_and_gives_back_those_still_carried_if_it_fails()
    {
        var streams = new CarriedStreams();
        streams.Carry(Add(Sol));
        streams.LetGoAndUnsubscribe(new RemoveStream(Sol, 1));
        foreach (var symbol in new[] { Btc, Eth }) streams.CarryAndSubscribe(Add(symbol));

        var riding = streams.TakeRequestsIntoUrl();
        Assert.Equal([Btc, Eth], riding.Select(route => route.Symbol));
        Assert.False(streams.HasRequests);

        streams.LetGo(new RemoveStream(Eth, 1));
        streams.SubscribeFirst(riding);
        Assert.Equal([Btc], streams.NextRequest(most: 10).Subscribing.Select(route => route.Symbol));
        Assert.False(streams.HasRequests);
    }
}
