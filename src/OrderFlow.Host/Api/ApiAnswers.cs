using Microsoft.AspNetCore.Http;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Bars;
using OrderFlow.Protocol.Metrics;
using OrderFlow.Protocol.Serialization;
using OrderFlow.Protocol.Streams;

namespace OrderFlow.Host.Api;

/// <summary>The gateway's answers as HTTP: the record as <see cref="ProtocolJson"/> with its status, or a problem.</summary>
public static class ApiAnswers
{
    public static IResult From(object answer) => answer switch
    {
        SymbolNotFound notFound => Problem(StatusCodes.Status404NotFound, HttpApi.Problems.NotStreamed, "Symbol not streamed",
            $"{notFound.Symbol} is not streamed by this host (GET {HttpApi.Streams} lists what is; PUT {HttpApi.Streams}/{notFound.Symbol} adds it)",
            new() { ["symbol"] = notFound.Symbol.Value }),
        WindowNotTracked window => Problem(StatusCodes.Status404NotFound, HttpApi.Problems.WindowNotTracked, "Window not tracked",
            $"this host keeps no {DurationText.Format(window.Window)} window; it keeps {string.Join(", ", window.Tracked.Select(DurationText.Format))}",
            new() { ["symbol"] = window.Symbol.Value, ["window"] = DurationText.Format(window.Window), ["tracked"] = window.Tracked.Select(DurationText.Format).ToArray() }),
        IntervalNotTracked interval => Problem(StatusCodes.Status404NotFound, HttpApi.Problems.IntervalNotTracked, "Interval not tracked",
            $"this host keeps no {interval.Interval} bars for {interval.Symbol}; it keeps {string.Join(", ", interval.Tracked)}",
            new() { ["symbol"] = interval.Symbol.Value, ["interval"] = interval.Interval.ToString(), ["tracked"] = interval.Tracked.Select(t => t.ToString()).ToArray() }),
        SymbolUnknown unknown => Problem(StatusCodes.Status404NotFound, HttpApi.Problems.SymbolUnknown, "Symbol not listed",
            $"Binance does not list {unknown.Symbol}: it will not be streamed", new() { ["symbol"] = unknown.Symbol.Value }),
        QueryFailed failed => Unavailable(failed.Reason),
        SymbolAdded added => new ProtocolJsonResult(added, StatusCodes.Status201Created, $"{HttpApi.Streams}/{added.Symbol}"),
        // Added and watched; it streams once Binance says TRADING.
        SymbolNotTrading notTrading => new ProtocolJsonResult(notTrading, StatusCodes.Status202Accepted),
        _ => new ProtocolJsonResult(answer, StatusCodes.Status200OK),
    };

    public static IResult Json(object answer) => new ProtocolJsonResult(answer, StatusCodes.Status200OK);

    /// <summary>503: the host cannot answer now (starting, or a deadline inside it passed); worth asking again.</summary>
    public static IResult Unavailable(string reason, Dictionary<string, object?>? extensions = null, string type = HttpApi.Problems.Unavailable,
        string title = "Not answered") =>
        new RetryAfter(Problem(StatusCodes.Status503ServiceUnavailable, type, title, reason, extensions));

    public static IResult BadParameter(string parameter, string detail) =>
        Problem(StatusCodes.Status400BadRequest, HttpApi.Problems.BadParameter, "Bad parameter", detail, new() { ["parameter"] = parameter });

    public static IResult Problem(int status, string type, string title, string detail, Dictionary<string, object?>? extensions = null) =>
        Results.Problem(detail: detail, statusCode: status, title: title, type: type, extensions: extensions);

    /// <summary>A protocol record, written by the one serializer remoting and the CLI use too.</summary>
    private sealed class ProtocolJsonResult(object answer, int status, string? location = null) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = status;
            http.Response.ContentType = "application/json";
            if (location is not null) http.Response.Headers.Location = location;
            return http.Response.Body.WriteAsync(ProtocolJson.ToUtf8(answer)).AsTask();
        }
    }

    private sealed class RetryAfter(IResult problem) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.Headers.RetryAfter = "1";
            return problem.ExecuteAsync(http);
        }
    }
}
