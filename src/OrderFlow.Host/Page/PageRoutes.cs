using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using OrderFlow.Host.Api;
using OrderFlow.Protocol;

namespace OrderFlow.Host.Page;

/// <summary>
/// The live page at <c>/</c>: static files embedded in the host (this folder), so a user needs no build step and no
/// files beside the executable. It reads the same API as everyone else.
/// </summary>
public static class PageRoutes
{
    private const string Prefix = "page/";
    private static readonly Assembly Files = typeof(PageRoutes).Assembly;

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".txt"] = "text/plain; charset=utf-8",
    };

    public static void MapOrderFlowPage(this WebApplication app)
    {
        app.MapGet("/", () => File("index.html")).ExcludeFromDescription();
        app.MapGet("/page/{**file}", (string file) => File(file)).ExcludeFromDescription();
    }

    private static IResult File(string name)
    {
        if (!ContentTypes.TryGetValue(Path.GetExtension(name), out var type) || Files.GetManifestResourceStream(Prefix + name) is not { } content)
            return ApiAnswers.Problem(StatusCodes.Status404NotFound, HttpApi.Problems.NoSuchRoute, "Not Found", $"the page has no file {name}");
        return Results.Stream(content, type);
    }
}
