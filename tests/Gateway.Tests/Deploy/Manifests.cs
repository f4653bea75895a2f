using System.Text.Json;
using System.Text.RegularExpressions;
using Gateway.Tests.Telemetry;
using TestSupport;

namespace Gateway.Tests.Deploy;

/// <summary>deploy/kubernetes/ as a cluster would get it (each file parsed by yq), and the gateway image's Dockerfile.</summary>
internal static partial class Manifests
{
    public static string Folder => Path.Combine(SharedSpecs.RepositoryRoot, "deploy", "kubernetes");

    public static string Dockerfile => Path.Combine(SharedSpecs.RepositoryRoot, "deploy", "images", "gateway.Dockerfile");

    public static async Task<JsonElement> YamlAsync(string file)
    {
        var (exit, output, error) = await ExternalTool.RunAsync("yq", ["-c", ".", Path.Combine(Folder, file)]);
        Assert.True(exit == 0, $"{file} is not valid YAML: {error}");
        using var document = JsonDocument.Parse(output);
        return document.RootElement.Clone();
    }

    /// <summary>The resources kustomization.yaml lists, by kind.</summary>
    public static async Task<Dictionary<string, JsonElement>> ResourcesAsync()
    {
        var kustomization = await YamlAsync("kustomization.yaml");
        var resources = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var file in kustomization.GetProperty("resources").EnumerateArray().Select(f => f.GetString()!))
        {
            var resource = await YamlAsync(file);
            resources.Add(resource.GetProperty("kind").GetString()!, resource);
        }
        return resources;
    }

    public static JsonElement Container(Dictionary<string, JsonElement> resources) =>
        PodSpec(resources).GetProperty("containers").EnumerateArray().Single();

    public static JsonElement PodSpec(Dictionary<string, JsonElement> resources) =>
        resources["Deployment"].GetProperty("spec").GetProperty("template").GetProperty("spec");

    public static Dictionary<string, string> PodLabels(Dictionary<string, JsonElement> resources) =>
        resources["Deployment"].GetProperty("spec").GetProperty("template").GetProperty("metadata").GetProperty("labels")
            .EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);

    /// <summary>The Dockerfile's ENV settings (continued lines joined).</summary>
    public static Dictionary<string, string> DockerfileEnvironment()
    {
        var text = DockerfileInstructions();
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Where(l => l.StartsWith("ENV ", StringComparison.Ordinal)))
        {
            foreach (var pair in line[4..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                environment[pair[..equals]] = pair[(equals + 1)..];
            }
        }
        return environment;
    }

    /// <summary>The Dockerfile's instructions, one per line, comments dropped and continuations joined.</summary>
    public static List<string> DockerfileInstructions()
    {
        var instructions = new List<string>();
        var current = "";
        foreach (var raw in File.ReadAllLines(Dockerfile))
        {
            var line = raw.Trim();
            if (line.StartsWith('#') || line.Length == 0)
            {
                continue;
            }
            current += line.EndsWith('\\') ? line[..^1] + " " : line;
            if (!line.EndsWith('\\'))
            {
                instructions.Add(Spaces().Replace(current, " ").Trim());
                current = "";
            }
        }
        return instructions;
    }

    public static string Instruction(string name) =>
        DockerfileInstructions().Single(l => l.StartsWith(name + " ", StringComparison.Ordinal))[(name.Length + 1)..];

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
