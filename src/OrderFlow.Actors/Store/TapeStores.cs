using OrderFlow.Actors.Configuration;

namespace OrderFlow.Actors.Store;

/// <summary>The store the settings choose, opened and migrated, or null for <c>orderflow.store.kind = off</c>.</summary>
public static class TapeStores
{
    public static async Task<ITapeStore?> OpenAsync(StoreSettings settings) => settings.Kind switch
    {
        StoreKind.Off => null,
        StoreKind.Sqlite => await SqliteTapeStore.OpenAsync(settings.Path).ConfigureAwait(false),
        _ => await PostgresTapeStore.OpenAsync(settings.ConnectionString).ConfigureAwait(false),
    };
}
