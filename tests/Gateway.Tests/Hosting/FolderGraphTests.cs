using System.Reflection;
using System.Text.RegularExpressions;
using TestSupport;

namespace Gateway.Tests.Hosting;

/// <summary>
/// The layering of docs/architecture.md, read from the sources: every <c>using Gateway.…</c> (and every inline
/// <c>Gateway.X.</c> name) of a file is an edge from its folder to another. Folders are the namespaces under
/// <c>Gateway</c>; a sub-folder belongs to its parent (<c>Backends/Box</c> is <c>Backends</c>), except under
/// <c>Api/</c>, where each front (<c>Api/V1</c>, later <c>Api/Tus</c>, <c>Api/Box</c>) is a folder of its own.
/// </summary>
public sealed partial class FolderGraphTests
{
    /// <summary>The core: what every front calls. None of it may reach up into a front or the wiring.</summary>
    private static readonly string[] Core = ["Domain", "Sessions", "Backends", "Auth", "Limits", "Telemetry", "Uploads", "Forwarding", "Expiry", "Events", "Hooks", "UploadTokens", "Cors"];

    private static readonly string[] Fronts = ["Api.V1", "Api.Tus", "Api.Box", "Admin", "Hosting"];

    [Fact]
    public void The_folder_graph_has_no_cycles()
    {
        var graph = Graph();
        var cycle = FindCycle(graph);
        Assert.True(cycle is null, $"The folders import each other in a circle: {string.Join(" -> ", cycle ?? [])}");
    }

    [Fact]
    public void The_core_imports_no_front_and_no_wiring()
    {
        var graph = Graph();
        var wrong = Core.SelectMany(folder => graph.GetValueOrDefault(folder, []).Where(Fronts.Contains).Select(to => $"{folder} -> {to}")).ToList();
        Assert.True(wrong.Count == 0, "Core folders import fronts: " + string.Join(", ", wrong));
    }

    [Fact]
    public void Domain_imports_nothing_of_the_gateway_and_nothing_of_ASP_NET_Core()
    {
        Assert.Empty(Graph().GetValueOrDefault("Domain", []));
        var aspNet = SourceFiles().Where(f => f.Folder == "Domain" && f.Text.Contains("using Microsoft.AspNetCore", StringComparison.Ordinal)).Select(f => f.Path);
        Assert.Empty(aspNet);
    }

    [Fact]
    public void No_core_signature_carries_a_wire_type_of_a_front()
    {
        var gateway = typeof(Gateway.Hosting.GatewayExtensions).Assembly;
        var offenders = new List<string>();
        foreach (var type in gateway.GetTypes().Where(t => FolderOf(t.Namespace) is { } f && Core.Contains(f)))
        {
            const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            foreach (var method in type.GetMethods(All))
            {
                var types = method.GetParameters().Select(p => p.ParameterType).Append(method.ReturnType);
                offenders.AddRange(types.Where(IsFrontType).Select(t => $"{type.Name}.{method.Name} uses {t.FullName}"));
            }
            foreach (var constructor in type.GetConstructors(All))
            {
                offenders.AddRange(constructor.GetParameters().Select(p => p.ParameterType).Where(IsFrontType).Select(t => $"{type.Name}() takes {t.FullName}"));
            }
        }
        Assert.True(offenders.Count == 0, string.Join(Environment.NewLine, offenders));
    }

    private static bool IsFrontType(Type type)
    {
        if (type.IsGenericType && type.GetGenericArguments().Any(IsFrontType))
        {
            return true;
        }
        return FolderOf((type.HasElementType ? type.GetElementType()! : type).Namespace) is { } folder && Fronts.Contains(folder);
    }

    private static Dictionary<string, HashSet<string>> Graph()
    {
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var files = SourceFiles().ToList();
        Assert.True(files.Count > 50, $"Found only {files.Count} gateway sources under {SharedSpecs.RepositoryRoot}.");
        foreach (var file in files)
        {
            var edges = graph.TryGetValue(file.Folder, out var set) ? set : graph[file.Folder] = [];
            foreach (Match reference in Reference().Matches(file.Text))
            {
                if (FolderOf(reference.Groups["ns"].Value) is { } to && to != file.Folder)
                {
                    edges.Add(to);
                }
            }
        }
        return graph;
    }

    private static IEnumerable<(string Path, string Folder, string Text)> SourceFiles()
    {
        var root = Path.Combine(SharedSpecs.RepositoryRoot, "gateway");
        foreach (var path in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, path);
            if (relative.StartsWith("bin", StringComparison.Ordinal) || relative.StartsWith("obj", StringComparison.Ordinal))
            {
                continue;
            }
            var text = File.ReadAllText(path);
            if (Namespace().Match(text) is { Success: true } ns && FolderOf(ns.Groups["ns"].Value) is { } folder)
            {
                yield return (relative, folder, text);
            }
        }
    }

    /// <summary><c>Gateway.Backends.Box</c> is the folder <c>Backends</c>; <c>Gateway.Api.V1</c> is <c>Api.V1</c>.</summary>
    private static string? FolderOf(string? ns)
    {
        var parts = (ns ?? "").Split('.');
        if (parts.Length < 2 || parts[0] != "Gateway" || parts[1] == "Tests")
        {
            return null;
        }
        return parts[1] == "Api" && parts.Length > 2 ? "Api." + parts[2] : parts[1];
    }

    private static List<string>? FindCycle(Dictionary<string, HashSet<string>> graph)
    {
        var state = new Dictionary<string, int>();
        var path = new List<string>();
        List<string>? Visit(string node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (var next in graph.GetValueOrDefault(node, []))
            {
                if (state.GetValueOrDefault(next) == 1)
                {
                    return [.. path.SkipWhile(n => n != next), next];
                }
                if (state.GetValueOrDefault(next) == 0 && Visit(next) is { } found)
                {
                    return found;
                }
            }
            state[node] = 2;
            path.RemoveAt(path.Count - 1);
            return null;
        }
        return graph.Keys.Order().Where(n => state.GetValueOrDefault(n) == 0).Select(Visit).FirstOrDefault(c => c is not null);
    }

    [GeneratedRegex(@"^namespace (?<ns>Gateway[\w.]*);", RegexOptions.Multiline)]
    private static partial Regex Namespace();

    /// <summary>A using directive, or a qualified name in code (<c>Gateway.Sessions.SessionLimits</c>).</summary>
    [GeneratedRegex(@"(?:^using (?:static )?(?:\w+ = )?(?<ns>Gateway(?:\.\w+)+))|(?<![\w.])(?<ns>Gateway\.[A-Z]\w*)\.[A-Z]", RegexOptions.Multiline)]
    private static partial Regex Reference();
}
