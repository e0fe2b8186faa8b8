using Akka.Cluster.Sharding;
using OrderFlow.Actors.Symbols;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Metrics;
using OrderFlow.Protocol.Streams;
using OrderFlow.Protocol.Trades;
using Xunit;

namespace OrderFlow.Actors.Tests.Symbols;

public sealed class SymbolShardsTests
{
    private readonly SymbolShards _shards = new(100);

    [Fact]
    public void A_symbols_entity_is_its_market_qualified_name_and_every_question_about_it_goes_to_the_same_shard()
    {
        var perp = Symbol.Parse("usdm:BTCUSDT");
        object[] questions = [new GetRecentTrades(perp, 5), new GetMetrics(perp, TimeSpan.FromMinutes(5)), new GetStatus(perp), new RemoveSymbol(perp)];

        Assert.All(questions, question => Assert.Equal("usdm:BTCUSDT", _shards.EntityId(question)));
        Assert.Single(questions.Select(_shards.ShardId).Distinct());
        // Sharding unwraps StartEntity itself and asks for the shard by the entity's id: the same shard.
        Assert.Equal(_shards.ShardId(questions[0]), _shards.ShardId("usdm:BTCUSDT", new ShardRegion.StartEntity("usdm:BTCUSDT")));
        Assert.Equal(perp, SymbolShards.SymbolOf(_shards.EntityId(questions[0])!));
        // Spot and the perpetual are different entities.
        Assert.NotEqual(_shards.EntityId(new GetRecentTrades(Symbol.Parse("BTCUSDT"), 5)), _shards.EntityId(questions[0]));
    }

    [Fact]
    public void A_question_about_no_one_symbol_has_no_entity()
    {
        Assert.Null(_shards.EntityId(new GetStatus(null)));
        Assert.Null(_shards.EntityId(GetStreamedSymbols.Instance));
        Assert.Null(_shards.ShardId(new GetStatus(null)));
    }

    [Fact]
    public void Shards_are_the_same_in_every_process_and_spread_a_universe_evenly()
    {
        // FNV-1a, fixed values: .NET's string hash differs per process, and nodes that disagreed would host a symbol twice.
        Assert.Equal("64", _shards.ShardOf(Symbol.Parse("BTCUSDT")));
        Assert.Equal("15", _shards.ShardOf(Symbol.Parse("usdm:BTCUSDT")));

        var universe = Enumerable.Range(1, 1000).Select(n => Symbol.Parse($"U{n:D4}USDT")).ToList();
        var perShard = universe.GroupBy(_shards.ShardOf).ToDictionary(g => int.Parse(g.Key), g => g.Count());
        Assert.All(perShard.Keys, shard => Assert.InRange(shard, 0, 99));
        Assert.Equal(100, perShard.Count);
        Assert.InRange(perShard.Values.Max(), 10, 25);
    }
}
