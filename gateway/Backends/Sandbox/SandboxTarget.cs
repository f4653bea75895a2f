using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Gateway.Domain;
using Gateway.Sessions;
using UploadGateway.Contract;

namespace Gateway.Backends.Sandbox;

/// <summary>A sandbox target (README.md, the contract: create): the sandbox, the absolute path, the POSIX user that owns the file.</summary>
internal sealed record SandboxTarget(string SandboxId, string Path, string? User = null)
{
    public static SandboxTarget Of(UploadTarget target) => target.Read(SandboxTargetJsonContext.Default.SandboxTarget);

    public UploadTarget ToTarget() => UploadTarget.Of(this, SandboxTargetJsonContext.Default.SandboxTarget);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SandboxTarget))]
internal sealed partial class SandboxTargetJsonContext : JsonSerializerContext;

/// <summary>
/// The sandbox's targets: <c>{"sandbox_id", "path", "user"}</c> in the contract; from a front, <c>sandbox_id</c>
/// and <c>path</c>, or a <c>directory</c> the file lands in by its <c>filename</c>.
/// </summary>
internal sealed partial class SandboxTargets : IBackendTargets
{
    private const string Type = "sandbox";
    private const string SandboxIdKey = "sandbox_id";
    private const string PathKey = "path";
    private const string UserKey = "user";
    private const string DirectoryKey = "directory";

    /// <summary>Tenant rules (<c>Gateway:Tenants:&lt;name&gt;:Targets</c>): the sandboxes, and the path prefixes (whole segments), allowed.</summary>
    private const string SandboxIdsRule = "SandboxIds";
    private const string PathPrefixesRule = "PathPrefixes";

    /// <summary>The POSIX users a tenant may name as a file's owner (the sandbox's default owner is always allowed).</summary>
    private const string UsersRule = "Users";

    public static readonly SandboxTargets Instance = new();

    public IReadOnlyList<string> Fields { get; } = [SandboxIdKey, PathKey, UserKey];

    public IReadOnlyList<string> Keys { get; } = [SandboxIdKey, PathKey, DirectoryKey, TargetKeys.FileName, UserKey];

    public IReadOnlyList<string> RuleKeys { get; } = [SandboxIdsRule, PathPrefixesRule, UsersRule];

    public UploadTarget Validate(UploadTarget target, string kind, string conflict)
    {
        var members = TargetKeys.Members(target, Fields, Type);
        var user = members.GetValueOrDefault(UserKey);
        TargetNames.RefuseUnsafeCharacters(user, UserKey);
        if (members.GetValueOrDefault(SandboxIdKey) is not { } sandboxId || !SandboxIdPattern().IsMatch(sandboxId))
        {
            throw new GatewayException(ErrorCode.InvalidTarget, "target.sandbox_id must look like sb_a1b2c3d4.");
        }
        if (user is not null && !UserName().IsMatch(user))
        {
            throw new GatewayException(ErrorCode.InvalidTarget, "target.user must be a POSIX user name (a-z, 0-9, _ and -, at most 32).");
        }
        if (conflict == ContractValues.Conflicts.Merge && kind != ContractValues.Kinds.DirectoryTar)
        {
            throw new GatewayException(ErrorCode.InvalidRequest, "conflict \"merge\" applies only to kind \"directory_tar\".");
        }
        return new SandboxTarget(sandboxId, SandboxPaths.Normalize(members.GetValueOrDefault(PathKey)), user).ToTarget();
    }

    /// <summary>A file's name lands as one path segment: a plain name, no separators, dot segments or control characters.</summary>
    public string? FileNameProblem(string name) =>
        name is "" or "." or ".." || name.AsSpan().IndexOfAny('/', '\\') >= 0 || name.Any(char.IsControl) ? "must be a plain file name" : null;

    public UploadTarget From(IReadOnlyDictionary<string, string> keys)
    {
        var sandbox = TargetKeys.Value(keys, SandboxIdKey) ?? throw TargetKeys.Missing(SandboxIdKey, "the sandbox");
        var path = TargetKeys.Value(keys, PathKey);
        if (path is null)
        {
            var directory = TargetKeys.Value(keys, DirectoryKey) ?? throw TargetKeys.Missing(PathKey, "the absolute path of the file");
            var name = TargetKeys.Value(keys, TargetKeys.FileName) ?? throw TargetKeys.Missing(TargetKeys.FileName, "the file's name (or send path)");
            if (FileNameProblem(name) is not null)
            {
                throw TargetKeys.Invalid(TargetKeys.FileName, "Metadata 'filename' must be a plain file name.");
            }
            path = directory.TrimEnd('/') + "/" + name;
        }
        return new SandboxTarget(sandbox, path, TargetKeys.Value(keys, UserKey)).ToTarget();
    }

    public IReadOnlyDictionary<string, string> KeysOf(UploadTarget target)
    {
        var t = SandboxTarget.Of(target);
        var slash = t.Path.LastIndexOf('/');
        var keys = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [SandboxIdKey] = t.SandboxId,
            [PathKey] = t.Path,
            [DirectoryKey] = t.Path[..Math.Max(0, slash)],
            [TargetKeys.FileName] = t.Path[(slash + 1)..],
        };
        if (t.User is not null)
        {
            keys[UserKey] = t.User;
        }
        return keys;
    }

    public string? Refusal(UploadTarget target, IReadOnlyDictionary<string, List<string>> rules)
    {
        var t = SandboxTarget.Of(target);
        if (rules.TryGetValue(SandboxIdsRule, out var ids) && ids.Count > 0 && !ids.Contains(t.SandboxId, StringComparer.Ordinal))
        {
            return $"sandbox {t.SandboxId}";
        }
        if (rules.TryGetValue(PathPrefixesRule, out var prefixes) && prefixes.Count > 0 && !prefixes.Any(prefix => SandboxPaths.IsUnder(t.Path, prefix)))
        {
            return $"path {t.Path}";
        }
        if (t.User is { } user && rules.TryGetValue(UsersRule, out var users) && users.Count > 0 && !users.Contains(user, StringComparer.Ordinal))
        {
            return $"files owned by user {user}";
        }
        return null;
    }

    public IEnumerable<(string Key, string Problem)> CheckTemplate(IReadOnlyDictionary<string, string> template, bool complete)
    {
        foreach (var key in template.Keys.Where(k => !Keys.Contains(k)))
        {
            yield return (key, $"does not apply to a sandbox backend, which takes {string.Join(", ", Keys)}.");
        }
        if (template.TryGetValue(SandboxIdKey, out var sandbox) && !SandboxIdPattern().IsMatch(sandbox))
        {
            yield return (SandboxIdKey, "must look like sb_a1b2c3d4.");
        }
        else if (complete && sandbox is null)
        {
            yield return (SandboxIdKey, "is required for a sandbox backend and looks like sb_a1b2c3d4.");
        }
        foreach (var key in new[] { DirectoryKey, PathKey })
        {
            if (template.TryGetValue(key, out var path) && (path is not { Length: > 0 } || path[0] != '/' || path.Split('/').Any(s => s is "." or "..")))
            {
                yield return (key, "must be an absolute path without . or .. segments.");
            }
        }
        if (complete && !template.ContainsKey(DirectoryKey))
        {
            yield return (DirectoryKey, "is required for a sandbox backend: the absolute directory the file is written into.");
        }
        if (template.TryGetValue(UserKey, out var user) && !UserName().IsMatch(user))
        {
            yield return (UserKey, "must be a POSIX user name (a-z, 0-9, _ and -, at most 32).");
        }
    }

    [GeneratedRegex(@"^sb_[a-z0-9]{1,64}\z")]
    private static partial Regex SandboxIdPattern();

    [GeneratedRegex(@"^[a-z_][a-z0-9_-]{0,31}\z")]
    private static partial Regex UserName();
}
