using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.Json;
using OrderFlow.Protocol;

namespace OrderFlow.Host.Cli;

/// <summary>A flag or argument the user gave that cannot be used: exit 2, one line naming it.</summary>
public sealed class UsageException(string message, string? parameter = null) : Exception(message)
{
    public string? Parameter { get; } = parameter;
}

/// <summary>
/// How the CLI says it failed: one line on stderr, or with <c>--json</c> one problem document on stdout (the shape
/// the HTTP API's problems have, with the exit code), so a script that reads JSON always gets JSON.
/// </summary>
public static class CliErrors
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static int Report(bool json, int exitCode, string type, string title, string detail, string? parameter = null)
    {
        if (!json)
        {
            Console.Error.WriteLine($"orderflow: {detail}");
            return exitCode;
        }
        var problem = new Dictionary<string, object?> { ["type"] = type, ["title"] = title, ["detail"] = detail, ["exitCode"] = exitCode };
        if (parameter is not null) problem["parameter"] = parameter;
        Console.WriteLine(JsonSerializer.Serialize(problem, Json));
        return exitCode;
    }

    /// <summary>A problem type's title, as the HTTP API gives it.</summary>
    public static string Title(string type) => type switch
    {
        HttpApi.Problems.NotStreamed => "Symbol not streamed",
        HttpApi.Problems.WindowNotTracked => "Window not tracked",
        HttpApi.Problems.IntervalNotTracked => "Interval not tracked",
        HttpApi.Problems.SymbolUnknown => "Symbol not listed",
        HttpApi.Problems.NotReady => "Not ready",
        HttpApi.Problems.Unreachable => "Host unreachable",
        HttpApi.Problems.BadParameter => "Bad parameter",
        _ => "Not answered",
    };

    public static int Usage(bool json, string detail, string? parameter = null) =>
        Report(json, OrderFlowCli.UsageError, HttpApi.Problems.BadParameter, "Bad parameter", detail, parameter);

    /// <summary>A whole-number option, checked as it is parsed: anything else is a usage error naming the option.</summary>
    public static Option<int?> WholeNumber(string name, string description, int min, int max) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max) return value;
            result.AddError($"{name} {text}: use a whole number from {min} to {max}");
            return null;
        },
    };

    /// <summary>As <see cref="WholeNumber"/>, for aggregate ids and other longs.</summary>
    public static Option<long?> WholeLong(string name, string description, long min) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min) return value;
            result.AddError($"{name} {text}: use a whole number of at least {min}");
            return null;
        },
    };

    /// <summary>A SYMBOL argument that refuses what looks like a mistyped option (<c>status --josn</c>).</summary>
    public static T NoOptionLike<T>(T argument) where T : Argument
    {
        argument.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Where(t => t.Value.StartsWith('-')))
                result.AddError($"unknown option {token.Value}");
        });
        return argument;
    }
}
