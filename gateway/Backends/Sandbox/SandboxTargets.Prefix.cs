using System.Text.Json.Serialization;
using Gateway.Domain;
using Gateway.Sessions;

namespace Gateway.Backends.Sandbox;

/// <summary>An upload token's sandbox prefix: any path strictly below <see cref="PathPrefix"/> in one sandbox, written as one user (or none).</summary>
internal sealed record SandboxPrefix(string SandboxId, string PathPrefix, string? User = null);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SandboxPrefix))]
internal sealed partial class SandboxPrefixJsonContext : JsonSerializerContext;

/// <summary>Prefixes of sandbox targets, for upload tokens: <c>{"sandbox_id", "path_prefix", "user"?}</c>.</summary>
internal sealed partial class SandboxTargets
{
    private const string PathPrefixKey = "path_prefix";
    private static readonly string[] PrefixFields = [SandboxIdKey, PathPrefixKey, UserKey];

    public UploadTarget? Prefix(UploadTarget candidate)
    {
        if (!candidate.Element().TryGetProperty(PathPrefixKey, out _))
        {
            return null;
        }
        var members = TargetKeys.Members(candidate, PrefixFields, Type);
        // The same checks as a file's target, on a probe path below the prefix; the prefix itself is normalized
        // the same way (no "..", "//" or "." escapes), so "inside" is a plain segment-wise comparison.
        var probe = SandboxTarget.Of(Validate(new SandboxTarget(members.GetValueOrDefault(SandboxIdKey) ?? "", "/probe", members.GetValueOrDefault(UserKey)).ToTarget(),
            UploadGateway.Contract.ContractValues.Kinds.File, UploadGateway.Contract.ContractValues.Conflicts.Error));
        var prefix = new SandboxPrefix(probe.SandboxId, SandboxPaths.Normalize(members.GetValueOrDefault(PathPrefixKey)), probe.User);
        return UploadTarget.Of(prefix, SandboxPrefixJsonContext.Default.SandboxPrefix);
    }

    public bool Contains(UploadTarget prefix, UploadTarget target)
    {
        var p = prefix.Read(SandboxPrefixJsonContext.Default.SandboxPrefix);
        var t = SandboxTarget.Of(target);
        return t.SandboxId == p.SandboxId && t.User == p.User && t.Path != p.PathPrefix && SandboxPaths.IsUnder(t.Path, p.PathPrefix);
    }
}
