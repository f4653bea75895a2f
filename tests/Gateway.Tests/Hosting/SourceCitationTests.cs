using TestSupport;

namespace Gateway.Tests.Hosting;

/// <summary>
/// Comments cite what a maintainer who clones the repository can open: its own docs (README.md,
/// docs/architecture.md, the mocks' READMEs, the served OpenAPI document) or public specs by URL, never the
/// design notes that live outside it.
/// </summary>
public sealed class SourceCitationTests
{
    private static readonly string[] Outside = ["CONTRACT.md", "ARCHITECTURE.md", "FACTS.md", "SANDBOX-API.md"];

    private static readonly string[] Folders = ["gateway", "mock-box", "mock-sandbox", "mock-common", "client", "cli", "bench", "service-defaults", "tests"];

    [Fact]
    public void No_source_file_cites_a_document_outside_the_repository()
    {
        var root = SharedSpecs.RepositoryRoot;
        var offenders = new List<string>();
        foreach (var folder in Folders.Select(f => Path.Combine(root, f)).Where(Directory.Exists))
        {
            foreach (var path in Directory.EnumerateFiles(folder, "*.*", SearchOption.AllDirectories)
                .Where(p => p.EndsWith(".cs", StringComparison.Ordinal) || p.EndsWith(".lua", StringComparison.Ordinal) || p.EndsWith(".js", StringComparison.Ordinal))
                .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                    && !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
            {
                var lines = File.ReadAllLines(path);
                for (var i = 0; i < lines.Length; i++)
                {
                    // A test may read a spec file from ../shared/ (SharedSpecs.PathOf); that is a path, not a citation.
                    if (Outside.Any(name => lines[i].Contains(name, StringComparison.Ordinal)) && !lines[i].Contains("PathOf(", StringComparison.Ordinal)
                        && !lines[i].Contains("Outside = [", StringComparison.Ordinal))
                    {
                        offenders.Add($"{Path.GetRelativePath(root, path)}:{i + 1}");
                    }
                }
            }
        }
        Assert.True(offenders.Count == 0, "Citations of documents outside the repository: " + string.Join(", ", offenders));
    }
}
