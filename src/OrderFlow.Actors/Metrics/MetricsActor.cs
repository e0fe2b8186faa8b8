using Akka.Actor;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Metrics;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.Metrics;

/// <summary>One symbol's order-flow figures, exact: running aggressor volume per side since the stream started.</summary>
public sealed class MetricsActor : ReceiveActor
{
    private long _tradeCount;
    private Fixed8 _buyVolume;
    private Fixed8 _sellVolume;
    private AggregateTrade? _last;

    public MetricsActor(Symbol symbol)
    {
        Receive<AggregateTrade>(trade =>
        {
            _tradeCount++;
            if (trade.Side == AggressorSide.Buy) _buyVolume += trade.Quantity;
            else _sellVolume += trade.Quantity;
            _last = trade;
        });
        Receive<GetFlowTotals>(_ =>
            Sender.Tell(new FlowTotals(symbol, _tradeCount, _buyVolume, _sellVolume, _last?.Price, _last?.AggregateId)));
    }

    public static Props Props(Symbol symbol) => Akka.Actor.Props.Create(() => new MetricsActor(symbol));
}
