using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.RegularExpressions;
using TestSupport;

namespace Gateway.Tests.Telemetry;

/// <summary>The files under observability/ that users run, and the PromQL queries in them.</summary>
internal static partial class ObservabilityFiles
{
    public static string Root => Path.Combine(SharedSpecs.RepositoryRoot, "observability");

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    public static string DashboardPath => PathOf("grafana/dashboards/upload-gateway.json");

    /// <summary>Every panel query of the Grafana dashboard, with its panel's title.</summary>
    public static IReadOnlyList<(string Where, string Expr)> DashboardQueries()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(DashboardPath));
        var queries = new List<(string, string)>();
        foreach (var panel in dashboard.RootElement.GetProperty("panels").EnumerateArray())
        {
            if (!panel.TryGetProperty("targets", out var targets))
            {
                continue;
            }
            foreach (var target in targets.EnumerateArray())
            {
                queries.Add(("panel '" + panel.GetProperty("title").GetString() + "'", target.GetProperty("expr").GetString()!));
            }
        }
        return queries;
    }

    /// <summary>Every alert rule's expression, read from the YAML with yq (YAML in, JSON out).</summary>
    public static async Task<IReadOnlyList<(string Where, string Expr)>> AlertQueriesAsync()
    {
        using var rules = await YamlAsync("prometheus/rules.yml");
        return [.. rules.RootElement.GetProperty("groups").EnumerateArray()
            .SelectMany(g => g.GetProperty("rules").EnumerateArray())
            .Select(r => ("alert " + r.GetProperty("alert").GetString(), r.GetProperty("expr").GetString()!))];
    }

    /// <summary>A YAML file of observability/ as JSON, parsed by yq, so a test can check its structure.</summary>
    public static async Task<JsonDocument> YamlAsync(string relative)
    {
        var (exit, output, error) = await ExternalTool.RunAsync("yq", ["-c", ".", PathOf(relative)]);
        Assert.True(exit == 0, $"{relative} is not valid YAML: {error}");
        return JsonDocument.Parse(output);
    }
}

/// <summary>
/// Just enough PromQL to know which metrics and labels a query names: string literals, label matchers, grouping
/// clauses and range selectors are taken apart, and what remains that is not a function or keyword is a metric.
/// </summary>
internal static partial class PromQl
{
    private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right", "inf", "nan",
    };

    public static IReadOnlySet<string> MetricNames(string expr)
    {
        var rest = Grouping().Replace(Selector().Replace(Range().Replace(Strings().Replace(expr, "\"\""), " "), " "), " ");
        return Identifier().Matches(rest).Select(m => m.Groups[1].Value).Where(name => !Keywords.Contains(name)).ToHashSet(StringComparer.Ordinal);
    }

    public static IReadOnlySet<string> LabelNames(string expr)
    {
        var text = Strings().Replace(expr, "\"\"");
        var matchers = Selector().Matches(text).SelectMany(s => Matcher().Matches(s.Value).Select(m => m.Groups[1].Value));
        var grouped = Grouping().Matches(text).SelectMany(g => g.Groups[2].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        return matchers.Concat(grouped).ToHashSet(StringComparer.Ordinal);
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex Strings();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Selector();

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Range();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)")]
    private static partial Regex Matcher();

    /// <summary>An identifier not preceded by a word character, dot or <c>$</c> (numbers, <c>1e-9</c>, variables) and not called like a function.</summary>
    [GeneratedRegex(@"(?<![\w.$:])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:])(?!\s*\()")]
    private static partial Regex Identifier();
}

/// <summary>
/// How the OpenTelemetry Collector's Prometheus exporter names an instrument (the OpenTelemetry specification's
/// Prometheus compatibility rules, as in the collector's translator): the name split on anything but letters,
/// digits and colons and joined with underscores; the unit appended in Prometheus words (<c>s</c> →
/// <c>seconds</c>, <c>By</c> → <c>bytes</c>; <c>{annotations}</c> dropped) unless the name already holds that
/// word; <c>_total</c> for monotonic counters; <c>_ratio</c> for gauges of unit <c>1</c>. Histograms are then
/// queried as <c>_bucket</c>, <c>_sum</c> and <c>_count</c>. Attributes become labels with dots as underscores.
/// </summary>
internal static partial class PrometheusNames
{
    private static readonly Dictionary<string, string> Units = new(StringComparer.Ordinal)
    {
        ["d"] = "days", ["h"] = "hours", ["min"] = "minutes", ["s"] = "seconds", ["ms"] = "milliseconds",
        ["us"] = "microseconds", ["ns"] = "nanoseconds", ["By"] = "bytes", ["KiBy"] = "kibibytes", ["MiBy"] = "mebibytes",
        ["1"] = "", ["%"] = "percent",
    };

    public static string Of(string name, string? unit, InstrumentKind kind)
    {
        var tokens = NonNameCharacters().Split(name).Where(t => t.Length > 0).ToList();
        var main = unit?.Split('/')[0].Trim() ?? "";
        if (main.Length > 0 && !main.Contains('{') && !main.Contains('}'))
        {
            var word = Units.TryGetValue(main, out var known) ? known : main;
            if (word.Length > 0 && !tokens.Contains(word))
            {
                tokens.Add(word);
            }
        }
        if (kind == InstrumentKind.Counter)
        {
            tokens.RemoveAll(t => t == "total");
            tokens.Add("total");
        }
        if (unit == "1" && kind == InstrumentKind.Gauge)
        {
            tokens.RemoveAll(t => t == "ratio");
            tokens.Add("ratio");
        }
        return string.Join('_', tokens);
    }

    public static string Of(Instrument instrument) => Of(instrument.Name, instrument.Unit, KindOf(instrument));

    /// <summary>The series names a query may use for this instrument.</summary>
    public static IEnumerable<string> SeriesOf(Instrument instrument)
    {
        var name = Of(instrument);
        return KindOf(instrument) == InstrumentKind.Histogram ? [name + "_bucket", name + "_sum", name + "_count"] : [name];
    }

    public static string LabelOf(string attribute) => NonLabelCharacters().Replace(attribute, "_");

    /// <summary>Counters are monotonic sums (<c>_total</c>); up-down counters are non-monotonic sums, which Prometheus gets as gauges.</summary>
    public static InstrumentKind KindOf(Instrument instrument)
    {
        var type = instrument.GetType();
        var generic = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        return generic == typeof(Counter<>) || generic == typeof(ObservableCounter<>) ? InstrumentKind.Counter
            : generic == typeof(Histogram<>) ? InstrumentKind.Histogram
            : InstrumentKind.Gauge;
    }

    [GeneratedRegex("[^a-zA-Z0-9:]+")]
    private static partial Regex NonNameCharacters();

    [GeneratedRegex("[^a-zA-Z0-9_]")]
    private static partial Regex NonLabelCharacters();
}

public enum InstrumentKind
{
    Counter,
    Histogram,
    Gauge,
}
