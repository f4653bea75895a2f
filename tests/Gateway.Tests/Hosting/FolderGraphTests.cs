using System.Reflection;
using System.Text.RegularExpressions;
using TestSupport;

namespace Gateway.Tests.Hosting;

/// <summary>
/// The layering of docs/architecture.md, read from the sources: every <c>using Gateway.…</c> (and every inline
/// <c>Gateway.X.Y.</c> name, and every <c>X.Y.</c> name of a sub-folder relative to <c>Gateway</c>) of a file is an
/// edge from its folder to another. Folders are the namespaces under <c>Gateway</c>, sub-folders each one of their
/// own (<c>Backends.Box</c> is not <c>Backends</c>), so a parent and a child that import each other
/// (<c>Backends</c> ↔ <c>Backends.Sandbox</c>) are a cycle like any other. Whether a folder is of the core or a
/// front is its top: <c>Backends.Box</c> is core, <c>Api.Tus</c> a front.
/// </summary>
public sealed partial class FolderGraphTests
{
    /// <summary>The core: what every front calls. None of it may reach up into a front or the wiring.</summary>
    private static readonly string[] Core = ["Domain", "Sessions", "Backends", "Auth", "Limits", "Telemetry", "Uploads", "Forwarding", "Expiry", "Events", "Hooks", "UploadTokens", "Cors", "Http"];

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
        var wrong = graph.Where(g => Core.Contains(Top(g.Key))).SelectMany(g => g.Value.Where(to => Fronts.Contains(Top(to))).Select(to => $"{g.Key} -> {to}")).ToList();
        Assert.True(wrong.Count == 0, "Core folders import fronts: " + string.Join(", ", wrong));
    }

    [Fact]
    public void Domain_imports_nothing_of_the_gateway_and_nothing_of_ASP_NET_Core()
    {
        Assert.Empty(Graph().Where(g => Top(g.Key) == "Domain").SelectMany(g => g.Value.Where(to => Top(to) != "Domain")));
        var aspNet = SourceFiles().Where(f => Top(f.Folder) == "Domain" && f.Text.Contains("using Microsoft.AspNetCore", StringComparison.Ordinal)).Select(f => f.Path);
        Assert.Empty(aspNet);
    }

    [Fact]
    public void No_core_signature_carries_a_wire_type_of_a_front()
    {
        var gateway = typeof(Gateway.Hosting.GatewayExtensions).Assembly;
        var offenders = new List<string>();
        foreach (var type in gateway.GetTypes().Where(t => FolderOf(t.Namespace) is { } f && Core.Contains(Top(f))))
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
        return FolderOf((type.HasElementType ? type.GetElementType()! : type).Namespace) is { } folder && Fronts.Contains(Top(folder));
    }

    [Fact]
    public void A_parent_folder_and_its_sub_folder_importing_each_other_are_a_cycle()
    {
        var graph = Graph(
        [
            ("Backends/BackendRegistry.cs", "Backends", "namespace Gateway.Backends;\nvar b = new Backends.Sandbox.SandboxBackend();"),
            ("Backends/Sandbox/SandboxBackend.cs", "Backends.Sandbox", "using Gateway.Backends;\nnamespace Gateway.Backends.Sandbox;"),
            ("Sessions/UploadSession.cs", "Sessions", "namespace Gateway.Sessions;"),
        ]);

        Assert.Equal(["Backends", "Backends.Sandbox", "Backends"], FindCycle(graph));
        Assert.Equal("Backends.Sandbox", FolderOf("Gateway.Backends.Sandbox"));
        Assert.Equal("Backends", Top("Backends.Sandbox"));
        Assert.Equal("Api.Tus", Top("Api.Tus"));
    }

    private static Dictionary<string, HashSet<string>> Graph()
    {
        var files = SourceFiles().ToList();
        Assert.True(files.Count > 50, $"Found only {files.Count} gateway sources under {SharedSpecs.RepositoryRoot}.");
        return Graph(files);
    }

    private static Dictionary<string, HashSet<string>> Graph(IReadOnlyList<(string Path, string Folder, string Text)> files)
    {
        var folders = files.Select(f => f.Folder).ToHashSet(StringComparer.Ordinal);
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var edges = graph.TryGetValue(file.Folder, out var set) ? set : graph[file.Folder] = [];
            foreach (Match reference in Reference().Matches(file.Text))
            {
                var chain = reference.Groups["ns"].Success ? reference.Groups["ns"].Value : reference.Groups["rel"].Value;
                // A relative name counts only when it names a sub-folder (Backends.Sandbox.X), not a member (Backends.Count).
                var minimum = reference.Groups["ns"].Success ? 1 : 2;
                if (Resolve(chain, folders, minimum) is { } to && to != file.Folder)
                {
                    edges.Add(to);
                }
            }
        }
        return graph;
    }

    /// <summary>The longest known folder a dotted name starts with (<c>Gateway.Backends.Sandbox.SandboxTarget</c>: <c>Backends.Sandbox</c>).</summary>
    private static string? Resolve(string chain, HashSet<string> folders, int minimumSegments)
    {
        var parts = (chain.StartsWith("Gateway.", StringComparison.Ordinal) ? chain["Gateway.".Length..] : chain).Split('.');
        for (var length = parts.Length; length >= minimumSegments; length--)
        {
            var candidate = string.Join('.', parts[..length]);
            if (folders.Contains(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    /// <summary>Whether a folder is of the core or a front: its first segment, or <c>Api.&lt;front&gt;</c>.</summary>
    private static string Top(string folder)
    {
        var parts = folder.Split('.');
        return parts[0] == "Api" && parts.Length > 1 ? "Api." + parts[1] : parts[0];
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

    /// <summary><c>Gateway.Backends.Box</c> is the folder <c>Backends.Box</c>; <c>Gateway.Api.V1</c> is <c>Api.V1</c>.</summary>
    private static string? FolderOf(string? ns)
    {
        var parts = (ns ?? "").Split('.');
        if (parts.Length < 2 || parts[0] != "Gateway" || parts[1] == "Tests")
        {
            return null;
        }
        return string.Join('.', parts[1..]);
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

    /// <summary>
    /// A using directive, a qualified name in code (<c>Gateway.Sessions.SessionLimits</c>), or a dotted name relative to
    /// <c>Gateway</c> (<c>Backends.Sandbox.SandboxBackendType</c>, as a file of <c>Gateway.Hosting</c> may write it).
    /// </summary>
    [GeneratedRegex(@"(?:^using (?:static )?(?:\w+ = )?(?<ns>Gateway(?:\.\w+)+))|(?<![\w.])(?<ns>Gateway(?:\.[A-Z]\w*)+)|(?<![\w.])(?<rel>[A-Z]\w*(?:\.[A-Z]\w*)+)", RegexOptions.Multiline)]
    private static partial Regex Reference();
}
