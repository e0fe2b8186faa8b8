namespace OrderFlow.Protocol;

/// <summary>
/// The host's HTTP API (docs/api.md; the host serves its OpenAPI document at <see cref="OpenApiPath"/>). Answers are
/// the protocol's records in <see cref="Serialization.ProtocolJson"/>; every failure is RFC 9457 problem+json whose
/// <c>type</c> is one of <see cref="Problems"/>.
/// </summary>
public static class HttpApi
{
    public const string Streams = "/v1/streams";
    public const string Trades = "/v1/trades";
    public const string Metrics = "/v1/metrics";
    public const string Bars = "/v1/bars";
    public const string Footprint = "/v1/footprint";
    public const string Events = "/v1/events";
    public const string Cluster = "/v1/cluster";
    public const string OpenApiPath = "/openapi/v1.json";
    public const string ProblemJson = "application/problem+json";

    /// <summary>The API key's header, when <c>orderflow.http.api-key</c> is set.</summary>
    public const string ApiKeyHeader = "X-Api-Key";

    /// <summary>A problem's <c>type</c>: one per way a request can fail, stable for clients to branch on.</summary>
    public static class Problems
    {
        public const string NotStreamed = "urn:orderflow:problem:not-streamed";
        public const string WindowNotTracked = "urn:orderflow:problem:window-not-tracked";
        public const string IntervalNotTracked = "urn:orderflow:problem:interval-not-tracked";
        public const string SymbolUnknown = "urn:orderflow:problem:symbol-unknown";
        public const string BadParameter = "urn:orderflow:problem:bad-parameter";
        public const string Unavailable = "urn:orderflow:problem:unavailable";
        public const string NotReady = "urn:orderflow:problem:not-ready";
        public const string NoSuchRoute = "urn:orderflow:problem:no-such-route";
        public const string Unauthorized = "urn:orderflow:problem:unauthorized";

        /// <summary>Not the host's answer: the CLI's, when no host answered at all.</summary>
        public const string Unreachable = "urn:orderflow:problem:unreachable";
    }
}
