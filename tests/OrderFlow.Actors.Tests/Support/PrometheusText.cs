using System.Globalization;
using System.Text.RegularExpressions;

namespace OrderFlow.Actors.Tests.Support;

/// <summary>
/// A strict reader of the Prometheus text exposition format (0.0.4), as a scraper reads it: every line a comment or
/// a sample, every sample's metric declared by a <c># TYPE</c> line before it, labels quoted, values numbers.
/// </summary>
public static partial class PrometheusText
{
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    private static readonly string[] Types = ["counter", "gauge", "histogram", "summary", "untyped"];

    public static IReadOnlyList<Sample> Parse(string text)
    {
        var declared = new Dictionary<string, string>();
        var samples = new List<Sample>();
        foreach (var (line, number) in text.Split('\n').Select((line, i) => (line, i + 1)))
        {
            if (line.Length == 0) continue;
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                if (parts.Length != 4 || !Types.Contains(parts[3])) throw new FormatException($"line {number}: bad TYPE line '{line}'");
                declared[parts[2]] = parts[3];
                continue;
            }
            if (line.StartsWith('#')) continue;
            var match = SampleLine().Match(line);
            if (!match.Success) throw new FormatException($"line {number}: not a sample: '{line}'");
            var name = match.Groups["name"].Value;
            var family = Regex.Replace(name, "_(bucket|sum|count)$", "");
            if (!declared.ContainsKey(name) && !declared.ContainsKey(family)) throw new FormatException($"line {number}: {name} has no TYPE line before it");
            var labels = LabelPair().Matches(match.Groups["labels"].Value).ToDictionary(m => m.Groups["key"].Value, m => m.Groups["value"].Value);
            var value = match.Groups["value"].Value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                var v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture),
            };
            samples.Add(new Sample(name, labels, value));
        }
        return samples;
    }

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*)\})? (?<value>[-+]?([0-9.]+([eE][-+]?[0-9]+)?|Inf|NaN))( -?[0-9]+)?$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex("(?<key>[a-zA-Z_][a-zA-Z0-9_]*)=\"(?<value>(\\\\.|[^\"\\\\])*)\"")]
    private static partial Regex LabelPair();
}
