using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Serialization;
using OrderFlow.Protocol.Streams;

namespace OrderFlow.Host.Api;

/// <summary>
/// The API's OpenAPI document at <see cref="HttpApi.OpenApiPath"/>, generated from the routes and the protocol's
/// records as <see cref="ProtocolJson"/> writes them (symbols and durations as strings, prices as exact numbers).
/// </summary>
public static class ApiDocument
{
    public static IServiceCollection AddOrderFlowApi(this IServiceCollection services)
    {
        services.AddProblemDetails(problems => problems.CustomizeProblemDetails = context =>
        {
            // A route that does not exist, or a method a route does not take.
            if (context.ProblemDetails.Type is null or "" || context.ProblemDetails.Type.StartsWith("https://tools.ietf.org", StringComparison.Ordinal))
            {
                var request = context.HttpContext.Request;
                context.ProblemDetails.Type = HttpApi.Problems.NoSuchRoute;
                context.ProblemDetails.Detail ??= $"no route {request.Method} {request.Path}: the routes are in {HttpApi.OpenApiPath}";
            }
        });
        services.ConfigureHttpJsonOptions(json =>
        {
            // As ProtocolJson writes: numbers are numbers (the web default would document "integer or string").
            json.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            foreach (var converter in ProtocolJson.Options.Converters) json.SerializerOptions.Converters.Add(converter);
        });
        services.AddOpenApi("v1", openApi =>
        {
            openApi.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "OrderFlow.Actors",
                    Version = "v1",
                    Description = "Binance aggregate trades and order-flow metrics, per symbol. Failures are RFC 9457 problem+json.",
                };
                return Task.CompletedTask;
            });
            openApi.AddSchemaTransformer((schema, context, _) =>
            {
                var type = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type) ?? context.JsonTypeInfo.Type;
                if (type == typeof(Symbol)) Scalar(schema, JsonSchemaType.String, "a symbol as status lists it: BTCUSDT, usdm:BTCUSDT");
                else if (type == typeof(Fixed8)) Scalar(schema, JsonSchemaType.Number, "exact, at most 8 decimals");
                else if (type == typeof(TimeSpan)) Scalar(schema, JsonSchemaType.String, "a duration: 250ms, 30s, 5m, 1h");
                else if (type == typeof(Protocol.Bars.BarInterval)) Scalar(schema, JsonSchemaType.String, "a series of bars: a duration (1m, 1h), aggregates (1000t) or a volume (50v)");
                else if (type == typeof(decimal)) schema.Format = "decimal";
                else if (type == typeof(TimeoutPhase))
                {
                    Scalar(schema, JsonSchemaType.String, "the phase whose deadline passed");
                    schema.Enum = Enum.GetValues<TimeoutPhase>().Select(phase => (JsonNode)JsonValue.Create(phase.ToWireName())).ToList();
                }
                return Task.CompletedTask;
            });
        });
        return services;
    }

    private static void Scalar(OpenApiSchema schema, JsonSchemaType type, string description)
    {
        schema.Type = type;
        schema.Format = null;
        schema.Pattern = null;
        schema.Properties?.Clear();
        schema.Required?.Clear();
        schema.Description = description;
    }

    public static void MapOrderFlowApiDocument(this WebApplication app)
    {
        app.UseStatusCodePages();
        app.MapOpenApi(HttpApi.OpenApiPath);
    }
}
