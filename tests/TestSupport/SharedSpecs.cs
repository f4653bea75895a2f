using Xunit;

namespace TestSupport;

/// <summary>
/// The third-party material in <c>../shared/</c> beside the checkout (specs, seeds). It is read from
/// there, never copied into the project; tests that need it skip with a visible reason when it is absent.
/// </summary>
public static class SharedSpecs
{
    private static readonly Lazy<string?> s_root = new(FindRoot);

    /// <summary>The <c>shared/</c> folder, or null. <c>GATEWAY_SHARED_DIR</c> overrides the search.</summary>
    public static string? Root => s_root.Value;

    public static string SkipReason => "../shared/ (specs and seeds) is not beside this checkout, so this spec-conformance test cannot run.";

    public static string PathOf(string relative) =>
        Path.Combine(Root ?? throw new InvalidOperationException(SkipReason), relative);

    /// <summary>The repository root: the folder holding Gateway.sln.</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Gateway.sln")))
                {
                    return dir.FullName;
                }
            }
            throw new InvalidOperationException("Gateway.sln not found above " + AppContext.BaseDirectory);
        }
    }

    private static string? FindRoot()
    {
        var configured = Environment.GetEnvironmentVariable("GATEWAY_SHARED_DIR");
        if (!string.IsNullOrEmpty(configured))
        {
            return Directory.Exists(configured) ? configured : null;
        }
        var candidate = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared"));
        return Directory.Exists(Path.Combine(candidate, "specs")) ? candidate : null;
    }
}

/// <summary>A fact that needs <c>../shared/</c>; skipped, with the reason shown, when it is absent.</summary>
public sealed class SharedSpecFactAttribute : FactAttribute
{
    public SharedSpecFactAttribute()
    {
        if (SharedSpecs.Root is null)
        {
            Skip = SharedSpecs.SkipReason;
        }
    }
}
