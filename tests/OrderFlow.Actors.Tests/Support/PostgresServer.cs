using OrderFlow.Benchmarks;
using Xunit;

namespace OrderFlow.Actors.Tests.Support;

/// <summary>The specs' PostgreSQL server (<see cref="ThrowawayPostgres"/>), one for the collection, started before its first spec.</summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private readonly ThrowawayPostgres _server = new();

    public string ConnectionString(string database = "postgres") => _server.ConnectionString(database);

    public Task<string> CreateDatabaseAsync() => _server.CreateDatabaseAsync();

    public Task StartAsync() => _server.StartAsync();

    public Task StopAsync() => _server.StopAsync();

    public Task InitializeAsync() => _server.StartClusterAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}
