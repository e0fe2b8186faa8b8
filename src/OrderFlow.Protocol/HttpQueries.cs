namespace OrderFlow.Protocol;

/// <summary>
/// The HTTP query endpoint's contract. POST <see cref="AskPath"/> + the query's manifest (<c>/ask/GetMetrics</c>) with
/// the query's <see cref="Serialization.ProtocolJson"/> as the body (an empty body reads as <c>{}</c>). A 200 carries the
/// answer's JSON, its manifest in <see cref="ManifestHeader"/>; anything else carries <c>{"error": "..."}</c>.
/// </summary>
public static class HttpQueries
{
    public const string AskPath = "/ask/";
    public const string ManifestHeader = "OrderFlow-Manifest";
}
