using System.ComponentModel;
using System.Globalization;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using OrderFlow.Actors.Gateway;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Bars;
using OrderFlow.Actors.Bars;
using OrderFlow.Protocol.Cluster;
using OrderFlow.Protocol.Metrics;
using OrderFlow.Protocol.Streams;
using OrderFlow.Protocol.Trades;
using Gateway = Akka.Hosting.IRequiredActor<OrderFlow.Actors.Gateway.OrderFlowGateway>;

namespace OrderFlow.Host.Api;

/// <summary>
/// The HTTP API, <c>/v1</c> (docs/api.md): resources over the same gateway, within the same deadlines, as Akka.Remote.
/// Answers are the protocol's records; failures are problem+json with a status that says what happened.
/// </summary>
public static class OrderFlowApi
{
    private const string Symbol = "{symbol}";

    public static void MapOrderFlowApi(this WebApplication app, TimeSpan deadline)
    {
        var api = app.MapGroup("").WithTags("order flow");

        api.MapGet(HttpApi.Streams, (HttpContext http, Gateway gateway) =>
                AskAsync(http, gateway, deadline, () => new GetStatus(null)))
            .WithName("ListStreams").WithSummary("Every stream: state, attempt, last problem, sequencing and recording counters")
            .Produces<StatusReport>().ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        api.MapGet(HttpApi.Cluster, (HttpContext http, Gateway gateway) =>
                AskAsync(http, gateway, deadline, () => GetClusterState.Instance))
            .WithName("GetCluster").WithSummary("The cluster: members, reachability, the oldest node, and the shards and symbols on each")
            .Produces<ClusterState>().ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        api.MapGet($"{HttpApi.Streams}/{Symbol}", (string symbol, HttpContext http, Gateway gateway) =>
                AskAsync(http, gateway, deadline, () => new GetStatus(QueryParameters.Symbol(symbol)),
                    answer => answer is StatusReport { Streams: [var one] } ? ApiAnswers.Json(one) : ApiAnswers.From(answer)))
            .WithName("GetStream").WithSummary("One stream's state and counters")
            .Produces<StreamStatus>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status400BadRequest);

        api.MapGet($"{HttpApi.Streams}/{Symbol}/sequence", (string symbol, HttpContext http, Gateway gateway) =>
                AskAsync(http, gateway, deadline, () => new GetSequenceStats(QueryParameters.Symbol(symbol))))
            .WithName("GetSequence").WithSummary("The sequencer's view: duplicates, gaps and their id ranges, backfills")
            .Produces<SequenceStats>().ProducesProblem(StatusCodes.Status404NotFound);

        api.MapPut($"{HttpApi.Streams}/{Symbol}", (string symbol, HttpContext http, Gateway gateway) =>
                AskAsync(http, gateway, deadline, () => new AddSymbol(QueryParameters.Symbol(symbol))))
            .WithName("AddStream").WithSummary("Start streaming a symbol: 201 added, 200 already streamed, 202 listed but not trading (watched)")
            .Produces<SymbolAdded>(StatusCodes.Status201Created).Produces<SymbolAlreadyStreaming>()
            .Produces<SymbolNotTrading>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound);

        api.MapDelete($"{HttpApi.Streams}/{Symbol}", (string symbol, HttpContext http, Gateway gateway) =>
                AskAsync(http, gateway, deadline, () => new RemoveSymbol(QueryParameters.Symbol(symbol))))
            .WithName("RemoveStream").WithSummary("Stop streaming a symbol: its socket closed cleanly, its data dropped")
            .Produces<SymbolRemoved>().ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet($"{HttpApi.Trades}/{Symbol}", (string symbol, HttpContext http, Gateway gateway,
                    [FromQuery, Description("The last N trades (1 to 20000)")] string? last,
                    [FromQuery, Description("Trades from this aggregate id on")] string? fromId,
                    [FromQuery, Description("Trades since: ISO-8601, epoch ms, or a duration ago (5m)")] string? since,
                    [FromQuery, Description("With fromId or since: at most this many (1 to 20000, default 20000); a full page links the next")] string? max) =>
                AskAsync(http, gateway, deadline, () => TradesQuery(QueryParameters.Symbol(symbol), last, fromId, since, max),
                    answer => answer is TradesSnapshot page
                        ? TradesPage(http, page, last is null ? QueryParameters.Int("max", max, 1, TradePages.MostTrades) ?? TradePages.MostTrades : null)
                        : ApiAnswers.From(answer), "last", "fromId", "since", "max"))
            .WithName("GetTrades").WithSummary("A symbol's trades, oldest first: exactly one of last, fromId, since")
            .Produces<TradesSnapshot>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet($"{HttpApi.Metrics}/{Symbol}", (string symbol, HttpContext http, Gateway gateway,
                    [FromQuery, Description("The window, one the host keeps (default 1m): 1m, 5m, 15m, 1h")] string? window) =>
                AskAsync(http, gateway, deadline, () => new GetMetrics(QueryParameters.Symbol(symbol),
                    QueryParameters.Duration("window", window, TimeSpan.FromSeconds(1)) ?? TimeSpan.FromMinutes(1)), parameters: "window"))
            .WithName("GetMetrics").WithSummary("A symbol's order flow over one rolling window, with readiness and data quality")
            .Produces<MetricsSnapshot>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status400BadRequest);

        api.MapGet($"{HttpApi.Bars}/{Symbol}", (string symbol, HttpContext http, Gateway gateway,
                    [FromQuery, Description("The series, one the host keeps (default 1m): time bars 1m, 5m, 15m, 1h; tick bars 1000t; volume bars 50v")] string? interval,
                    [FromQuery, Description("The newest N bars (1 to 10000, default 100); with since, at most N")] string? last,
                    [FromQuery, Description("Bars opening at or after: ISO-8601, epoch ms, or a duration ago (2h)")] string? since) =>
                AskAsync(http, gateway, deadline, () => new GetBars(QueryParameters.Symbol(symbol), Interval(interval),
                    QueryParameters.Int("last", last, 1, BarReading.MostBars) ?? 100, QueryParameters.Time("since", since)), parameters: ["interval", "last", "since"]))
            .WithName("GetBars").WithSummary("A symbol's time, tick or volume bars, oldest first: OHLC, buy and sell volume and notional, delta and its extremes, CVD, VWAP, final and complete")
            .Produces<BarsSnapshot>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status400BadRequest);

        api.MapGet($"{HttpApi.Footprint}/{Symbol}", (string symbol, HttpContext http, Gateway gateway,
                    [FromQuery, Description("The series, one the host keeps (default 1m; 1000t, 50v for tick and volume bars)")] string? interval,
                    [FromQuery, Description("The newest N bars' footprints (1 to 10000, default 1); kept for fewer bars than the bars")] string? last) =>
                AskAsync(http, gateway, deadline, () => new GetFootprint(QueryParameters.Symbol(symbol), Interval(interval),
                    QueryParameters.Int("last", last, 1, BarReading.MostBars) ?? 1), parameters: ["interval", "last"]))
            .WithName("GetFootprint").WithSummary("The footprint of a symbol's newest bars: volume per price level and side, imbalances, stacks, unfinished auctions, POC")
            .Produces<FootprintSnapshot>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status400BadRequest);
    }

    /// <summary>
    /// <c>GET /v1/events</c>: server-sent events for planners in any language: each stream's Connected, Failed and
    /// TimedOut as they happen, and each chosen symbol's window every interval.
    /// </summary>
    public static void MapOrderFlowEvents(this WebApplication app, TimeSpan deadline) =>
        app.MapGet(HttpApi.Events, async (HttpContext http, Gateway gateway, ActorSystem system,
                    [FromQuery, Description("Symbols whose metrics to send, comma-separated (default: every one streamed)")] string? symbols,
                    [FromQuery, Description("The window (default 1m)")] string? window,
                    [FromQuery, Description("How often to send each symbol's window (default 1s, at least 100ms)")] string? every) =>
            {
                IReadOnlyList<Protocol.Symbol> chosen;
                TimeSpan span, interval;
                try
                {
                    QueryParameters.Check(http.Request.Query, "symbols", "window", "every");
                    span = QueryParameters.Duration("window", window, TimeSpan.FromSeconds(1)) ?? TimeSpan.FromMinutes(1);
                    interval = QueryParameters.Duration("every", every, TimeSpan.FromMilliseconds(100)) ?? TimeSpan.FromSeconds(1);
                    chosen = symbols?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(QueryParameters.Symbol).ToList() ?? [];
                }
                catch (BadParameterException e)
                {
                    return ApiAnswers.BadParameter(e.Parameter, e.Message);
                }
                var streamed = await gateway.ActorRef.Ask<object>(GetStreamedSymbols.Instance, deadline, http.RequestAborted).ConfigureAwait(false);
                if (streamed is not StreamedSymbols { Symbols: var all }) return ApiAnswers.From(streamed);
                if (chosen.FirstOrDefault(symbol => !all.Contains(symbol)) is { Value: not null } missing) return ApiAnswers.From(new SymbolNotFound(missing));

                var queue = EventStream.Queue();
                var client = system.ActorOf(EventStream.Props(gateway.ActorRef, chosen.Count > 0 ? chosen : all, span, interval, queue.Writer));
                http.RequestAborted.Register(() => client.Tell(PoisonPill.Instance));
                return TypedResults.ServerSentEvents(queue.Reader.ReadAllAsync(http.RequestAborted));
            })
            .WithTags("order flow").WithName("Events")
            .WithSummary("Server-sent events: connected, failed, timedOut as they happen; metrics (each symbol's window) every interval")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream").ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static IOrderFlowQuery TradesQuery(Protocol.Symbol symbol, string? last, string? fromId, string? since, string? max)
    {
        var chosen = new[] { last, fromId, since }.Count(given => given is not null);
        if (chosen != 1) throw new BadParameterException(chosen == 0 ? "last" : "since", "give exactly one of last, fromId, since");
        if (last is not null && max is not null) throw new BadParameterException("max", "max goes with fromId or since; last says how many itself");
        var most = QueryParameters.Int("max", max, 1, TradePages.MostTrades) ?? TradePages.MostTrades;
        if (QueryParameters.Int("last", last, 1, TradePages.MostTrades) is { } count) return new GetRecentTrades(symbol, count);
        if (QueryParameters.Long("fromId", fromId, 0, long.MaxValue) is { } id) return new GetTradesFromId(symbol, id, most);
        return new GetTradesSince(symbol, QueryParameters.Time("since", since)!.Value, most);
    }

    /// <summary>A full page by id or time (of <paramref name="most"/>; null for the last N) links the next one (RFC 8288), so a client pages without guessing.</summary>
    private static IResult TradesPage(HttpContext http, TradesSnapshot page, int? most)
    {
        if (most is null || page.Trades.Count < most) return ApiAnswers.Json(page);
        var next = $"{HttpApi.Trades}/{page.Symbol}?fromId={(page.Trades[^1].AggregateId + 1).ToString(CultureInfo.InvariantCulture)}&max={most.Value.ToString(CultureInfo.InvariantCulture)}";
        http.Response.Headers.Link = $"<{next}>; rel=\"next\"";
        return ApiAnswers.Json(page);
    }

    /// <summary>A bar interval (default 1m); a malformed one is the parameter's error.</summary>
    private static BarInterval Interval(string? text) => QueryParameters.Interval("interval", text) ?? TimeSpan.FromMinutes(1);

    /// <summary>Checks the parameters, asks the gateway within <paramref name="deadline"/>, and answers as HTTP.</summary>
    private static async Task<IResult> AskAsync(HttpContext http, Gateway gateway, TimeSpan deadline, Func<object> query,
        Func<object, IResult>? answer = null, params string[] parameters)
    {
        object question;
        try
        {
            QueryParameters.Check(http.Request.Query, parameters);
            question = query();
        }
        catch (BadParameterException e)
        {
            return ApiAnswers.BadParameter(e.Parameter, e.Message);
        }
        try
        {
            var reply = await gateway.ActorRef.Ask<object>(question, deadline, http.RequestAborted).ConfigureAwait(false);
            return (answer ?? ApiAnswers.From)(reply);
        }
        catch (AskTimeoutException)
        {
            // The gateway answers within its own deadline; this is the last line, should it ever not.
            return ApiAnswers.Unavailable($"no answer to {question.GetType().Name} within {deadline.TotalSeconds:0.#}s");
        }
    }
}
