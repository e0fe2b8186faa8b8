using System.ComponentModel;
using Akka.Actor;
using Akka.Cluster;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using OrderFlow.Actors;
using OrderFlow.Actors.Gateway;
using Microsoft.AspNetCore.Routing;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Metrics;
using OrderFlow.Protocol.Streams;

namespace OrderFlow.Host.Api;

/// <summary>
/// <c>GET /healthz</c>: the process answers. <c>GET /readyz</c>: this node is a member of the cluster and every symbol
/// it runs streams with its shortest window ready (<c>?scope=cluster</c>: every symbol of the cluster), else 503 with a
/// reason per symbol that is not, for a load balancer, a supervisor or a person.
/// </summary>
public static class HealthRoutes
{
    public static void MapHealth(this WebApplication app, TimeSpan shortestWindow, TimeSpan deadline)
    {
        app.MapGet("/healthz", () => Results.Json(new { status = "alive" }))
            .WithTags("health").WithName("Alive").WithSummary("200 while the process runs");
        app.MapGet("/readyz", async (HttpContext http, IRequiredActor<OrderFlowGateway> gateway, ActorSystem system,
            [FromQuery, Description("node (the default): this node, a member of the cluster, with every symbol it runs ready; cluster: every symbol of the cluster")] string? scope) =>
        {
            if (scope is not (null or "node" or "cluster")) return ApiAnswers.BadParameter("scope", $"scope={scope}: use node or cluster");
            var cluster = Cluster.Get(system);
            if (cluster.SelfMember.Status != MemberStatus.Up)
                return ApiAnswers.Unavailable($"this node is not a member of the cluster yet ({cluster.SelfMember.Status}): see its log for the seeds it tries",
                    type: HttpApi.Problems.NotReady, title: "Not ready");
            var node = scope == "cluster" ? null : cluster.SelfAddress.ToString();
            try
            {
                var reasons = await NotReadyAsync(gateway.ActorRef, node, shortestWindow, deadline, http.RequestAborted).ConfigureAwait(false);
                return reasons.Count == 0
                    ? Results.Json(new { status = "ready" })
                    : ApiAnswers.Unavailable(string.Join("; ", reasons), new() { ["reasons"] = reasons }, HttpApi.Problems.NotReady, "Not ready");
            }
            catch (AskTimeoutException)
            {
                return ApiAnswers.Unavailable($"the symbols did not answer within {deadline.TotalSeconds:0.#}s", type: HttpApi.Problems.NotReady, title: "Not ready");
            }
        })
            .WithTags("health").WithName("Ready")
            .WithSummary("200 once this node is a member and every symbol it runs (every symbol, with scope=cluster) streams and its shortest window is ready; else 503 naming each that is not")
            .Produces(StatusCodes.Status200OK).ProducesProblem(StatusCodes.Status503ServiceUnavailable).ProducesProblem(StatusCodes.Status400BadRequest);
    }

    /// <summary>
    /// One line per symbol that does not stream, or whose shortest window is not ready; none when all are. With a
    /// <paramref name="node"/>, only the symbols it runs.
    /// </summary>
    private static async Task<List<string>> NotReadyAsync(IActorRef gateway, string? node, TimeSpan window, TimeSpan deadline, CancellationToken cancel)
    {
        var reasons = new List<string>();
        if (await gateway.Ask<object>(new GetStatus(null), deadline, cancel).ConfigureAwait(false) is not StatusReport status)
            return ["the symbols' status could not be read"];
        if (status.Streams.Count == 0) reasons.Add("no symbol is streamed");
        foreach (var stream in status.Streams.Where(stream => node is null || stream.Node == node))
        {
            if (stream.State != StreamState.Connected)
            {
                reasons.Add($"{stream.Symbol}: {stream.State}{(stream.LastError is { } error ? $" ({error})" : "")}");
                continue;
            }
            if (await gateway.Ask<object>(new GetMetrics(stream.Symbol, window), deadline, cancel).ConfigureAwait(false) is MetricsSnapshot { Ready: false } metrics)
                reasons.Add($"{stream.Symbol}: its {HumanFormat.Duration(window)} window is not ready ({metrics.Coverage.NotReadyBecause})");
        }
        return reasons;
    }
}
