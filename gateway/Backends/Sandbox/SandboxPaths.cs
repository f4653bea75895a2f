using Gateway.Domain;

namespace Gateway.Backends.Sandbox;

/// <summary>
/// Target paths for sandbox backends (README.md, the contract: create: absolute, normalized, <c>..</c> and NUL refused).
/// The sandbox enforces its own roots too; the gateway refuses what can never be valid before any backend call.
/// </summary>
internal static class SandboxPaths
{
    /// <summary>The sandbox API's bounds (mock-sandbox/README.md, "Errors": <c>too_long</c>): the normalized path, and each name in it.</summary>
    private const int MaxLength = 1024;
    private const int MaxSegmentBytes = 255;

    /// <summary>The normalized path: single slashes, no <c>.</c> segments, no trailing slash.</summary>
    public static string Normalize(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            throw new GatewayException(ErrorCode.InvalidTarget, "target.path is required.");
        }
        if (path.Contains('\0'))
        {
            throw new GatewayException(ErrorCode.InvalidTarget, "target.path contains NUL.");
        }
        TargetNames.RefuseUnsafeCharacters(path, "path");
        if (path[0] != '/')
        {
            throw new GatewayException(ErrorCode.InvalidTarget, "target.path must be absolute (start with /).");
        }
        var segments = new List<string>();
        foreach (var segment in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            switch (segment)
            {
                case ".":
                    continue;
                case "..":
                    throw new GatewayException(ErrorCode.InvalidTarget, "target.path may not contain '..' segments.");
                case var name when System.Text.Encoding.UTF8.GetByteCount(name) > MaxSegmentBytes:
                    throw new GatewayException(ErrorCode.InvalidTarget, $"target.path has a name longer than {MaxSegmentBytes} bytes.");
                default:
                    segments.Add(segment);
                    break;
            }
        }
        if (segments.Count == 0)
        {
            throw new GatewayException(ErrorCode.InvalidTarget, "target.path names the root, not a file or directory.");
        }
        var normalized = "/" + string.Join('/', segments);
        return normalized.Length <= MaxLength
            ? normalized
            : throw new GatewayException(ErrorCode.InvalidTarget, $"target.path is longer than {MaxLength} characters once normalized.");
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="prefix"/> or below it, segment-wise.</summary>
    public static bool IsUnder(string path, string prefix)
    {
        var root = prefix.TrimEnd('/');
        return path == root || path.StartsWith(root + "/", StringComparison.Ordinal) || root.Length == 0;
    }
}
