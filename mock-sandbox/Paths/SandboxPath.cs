using MockSandbox.Sandboxes;

namespace MockSandbox.Paths;

/// <summary>
/// A normalized absolute path inside a sandbox (<c>/workspace/data/x.bin</c>) [seed: "Normalized absolute
/// sandbox destination path"], split into segments, with the length of the root it is confined to
/// (1 for <c>/workspace</c>, 2 for <c>/home/alice</c>).
/// </summary>
internal sealed class SandboxPath
{
    public SandboxPath(IReadOnlyList<string> segments, int rootDepth)
    {
        if (segments.Count < rootDepth || rootDepth < 1)
        {
            throw new ArgumentException("A sandbox path holds at least its root.", nameof(segments));
        }
        Segments = segments;
        RootDepth = rootDepth;
        Value = "/" + string.Join('/', segments);
    }

    public string Value { get; }

    public IReadOnlyList<string> Segments { get; }

    public int RootDepth { get; }

    /// <summary>True for a root itself (<c>/workspace</c>, <c>/home/alice</c>), which is always a directory.</summary>
    public bool IsRoot => Segments.Count == RootDepth;

    /// <summary>True for <c>/workspace/.nullspace</c> and everything under it [doc].</summary>
    public bool IsReserved => Segments.Take(SandboxPaths.ReservedSegments.Length).SequenceEqual(SandboxPaths.ReservedSegments, StringComparer.Ordinal);

    /// <summary>This path with more segments below it, keeping the same root.</summary>
    public SandboxPath Append(IEnumerable<string> relative) => new([.. Segments, .. relative], RootDepth);

    /// <summary>Where this path lives on the host: under the sandbox's <c>fs/</c> folder, segment for segment.</summary>
    public string ToHostPath(SandboxDirectories directories) => Path.Combine([directories.FileSystem, .. Segments]);

    public override string ToString() => Value;
}
