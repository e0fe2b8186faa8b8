using Akka.Actor;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Actors.History;

/// <summary>Keeps one symbol's recent aggregate trades and answers queries over them.</summary>
public sealed class TradeHistoryActor : ReceiveActor
{
    public TradeHistoryActor(Symbol symbol, int capacity)
    {
        var trades = new TradeRing(capacity);
        Receive<AggregateTrade>(trade => trades.Append(trade));
        Receive<GetRecentTrades>(query => Sender.Tell(new TradesSnapshot(symbol, trades.Last(query.Count), trades.Count)));
        Receive<GetTradesFromId>(query =>
            Sender.Tell(new TradesSnapshot(symbol, trades.FromId(query.FromId, query.MaxCount), trades.Count)));
    }

    public static Props Props(Symbol symbol, int capacity) =>
        Akka.Actor.Props.Create(() => new TradeHistoryActor(symbol, capacity));
}
