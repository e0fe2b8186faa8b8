using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using OrderFlow.Actors;
using OrderFlow.Actors.Gateway;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Metrics;
using OrderFlow.Protocol.Streams;

namespace OrderFlow.Host.Hosting;

/// <summary>
/// <c>GET /healthz</c>: the process answers. <c>GET /readyz</c>: every symbol streams and its shortest window is ready,
/// else 503 with a reason per symbol that is not, for a load balancer, a supervisor or a person.
/// </summary>
public static class HealthEndpoints
{
    public static void MapHealth(this WebApplication app, TimeSpan shortestWindow, TimeSpan deadline)
    {
        app.MapGet("/healthz", () => Results.Json(new { status = "alive" }));
        app.MapGet("/readyz", async (HttpContext http, IRequiredActor<OrderFlowGateway> gateway) =>
        {
            try
            {
                var reasons = await NotReadyAsync(gateway.ActorRef, shortestWindow, deadline, http.RequestAborted).ConfigureAwait(false);
                return reasons.Count == 0
                    ? Results.Json(new { status = "ready" })
                    : Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "not ready", detail: string.Join("; ", reasons),
                        extensions: new Dictionary<string, object?> { ["reasons"] = reasons });
            }
            catch (AskTimeoutException)
            {
                return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "not ready",
                    detail: $"the symbols did not answer within {deadline.TotalSeconds:0.#}s");
            }
        });
    }

    /// <summary>One line per symbol that does not stream, or whose shortest window is not ready; none when all are.</summary>
    private static async Task<List<string>> NotReadyAsync(IActorRef gateway, TimeSpan window, TimeSpan deadline, CancellationToken cancel)
    {
        var reasons = new List<string>();
        if (await gateway.Ask<object>(new GetStatus(null), deadline, cancel).ConfigureAwait(false) is not StatusReport status)
            return ["the symbols' status could not be read"];
        if (status.Streams.Count == 0) reasons.Add("no symbol is streamed");
        foreach (var stream in status.Streams)
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
