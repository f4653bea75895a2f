using System.Text;
using System.Text.RegularExpressions;
using MockSandbox.Errors;

namespace MockSandbox.Paths;

/// <summary>
/// The path rules [doc]: absolute paths may target <c>/workspace</c>, <c>/tmp</c>, <c>/data</c> and
/// <c>/context</c>; relative paths resolve from <c>/workspace</c>, or from the home of <c>user</c> when
/// one is given; <c>/workspace/.nullspace</c> is reserved. Ours [ours]: a path that climbs out of its root
/// with <c>..</c>, holds NUL or is empty is <c>400 invalid_fields</c>, and so is every other refusal here.
/// </summary>
internal static partial class SandboxPaths
{
    /// <summary>The roots an absolute path may start with [doc].</summary>
    public static readonly string[] Roots = ["workspace", "tmp", "data", "context"];

    public static readonly string[] ReservedSegments = ["workspace", ".nullspace"];

    /// <summary>
    /// A user's home is <c>/home/&lt;user&gt;</c> [ours; the docs name "the home of user" without a path].
    /// An absolute path may target it too, when the request names that user.
    /// </summary>
    public const string HomeRoot = "home";

    /// <summary>Longest normalized path and segment [ours]: the host adds its own prefix, so stay well inside PATH_MAX.</summary>
    public const int MaxPathLength = 1024;

    public const int MaxSegmentBytes = 255;

    public const string UserFormat = "a Linux user name: a lowercase letter or _, then up to 31 of a-z, 0-9, _ and -";

    public static string HomeOf(string user) => $"/{HomeRoot}/{user}";

    public static bool IsValidUser(string user) => UserPattern().IsMatch(user);

    /// <summary>Resolves <paramref name="raw"/>, or throws <c>400 invalid_fields</c> naming <paramref name="field"/>.</summary>
    public static SandboxPath Resolve(string? raw, string? user, string field)
    {
        var problems = new List<FieldError>();
        var path = TryResolve(raw, user, field, problems);
        return path ?? throw SandboxError.InvalidFields(problems).AsException();
    }

    /// <summary>Resolves <paramref name="raw"/>; on failure adds why to <paramref name="problems"/> and returns null.</summary>
    public static SandboxPath? TryResolve(string? raw, string? user, string field, List<FieldError> problems)
    {
        if (user is not null && !IsValidUser(user))
        {
            problems.Add(new("user", "invalid_user", $"user must be {UserFormat}."));
            return null;
        }
        if (string.IsNullOrEmpty(raw))
        {
            problems.Add(new(field, "empty", $"{field} is empty."));
            return null;
        }
        if (raw.Contains('\0', StringComparison.Ordinal))
        {
            problems.Add(new(field, "nul_character", $"{field} contains a NUL character."));
            return null;
        }

        var parts = raw.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != ".").ToList();
        List<string> root;
        if (!raw.StartsWith('/'))
        {
            root = user is null ? ["workspace"] : [HomeRoot, user];
        }
        else if (parts.Count > 0 && Roots.Contains(parts[0], StringComparer.Ordinal))
        {
            root = [parts[0]];
            parts.RemoveAt(0);
        }
        else if (parts.Count > 1 && parts[0] == HomeRoot && user is not null && parts[1] == user)
        {
            root = [HomeRoot, user];
            parts.RemoveRange(0, 2);
        }
        else if (parts.Count > 0 && parts[0] == "..")
        {
            problems.Add(new(field, "escapes_root", $"{field} climbs above / with '..'."));
            return null;
        }
        else
        {
            problems.Add(new(field, "outside_roots",
                $"{field} must lie under /workspace, /tmp, /data or /context" + (user is null ? "." : $", or {HomeOf(user)}.")));
            return null;
        }

        var rest = new List<string>();
        foreach (var part in parts)
        {
            if (part != "..")
            {
                rest.Add(part);
            }
            else if (rest.Count > 0)
            {
                rest.RemoveAt(rest.Count - 1);
            }
            else
            {
                problems.Add(new(field, "escapes_root", $"{field} climbs out of /{string.Join('/', root)} with '..'."));
                return null;
            }
        }

        if (rest.FirstOrDefault(s => Encoding.UTF8.GetByteCount(s) > MaxSegmentBytes) is { } longSegment)
        {
            problems.Add(new(field, "too_long", $"{field} has a name longer than {MaxSegmentBytes} bytes ('{longSegment[..16]}…')."));
            return null;
        }
        var path = new SandboxPath([.. root, .. rest], root.Count);
        if (path.Value.Length > MaxPathLength)
        {
            problems.Add(new(field, "too_long", $"{field} is longer than {MaxPathLength} characters once normalized."));
            return null;
        }
        if (path.IsReserved)
        {
            problems.Add(new(field, "reserved", $"{field} lies under /workspace/.nullspace, which is reserved."));
            return null;
        }
        return path;
    }

    [GeneratedRegex(@"^[a-z_][a-z0-9_-]{0,31}\z", RegexOptions.CultureInvariant)]
    private static partial Regex UserPattern();
}
