using System.Text.Json.Serialization;
using Gateway.Domain;
using Gateway.Sessions;

namespace Gateway.Backends.S3;

/// <summary>An S3 target: the object's key, relative to the backend's <c>KeyPrefix</c>.</summary>
internal sealed record S3Target(string Key)
{
    public static S3Target Of(UploadTarget target) => target.Read(S3TargetJsonContext.Default.S3Target);

    public UploadTarget ToTarget() => UploadTarget.Of(this, S3TargetJsonContext.Default.S3Target);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(S3Target))]
internal sealed partial class S3TargetJsonContext : JsonSerializerContext;

/// <summary>
/// S3's targets: <c>{"key"}</c> in the contract; from a front, <c>key</c>, or a <c>prefix</c> (a tenant's tus default,
/// a Box folder route) the file lands under by its <c>filename</c>.
/// </summary>
internal sealed class S3Targets : IBackendTargets
{
    private const string Type = S3Backend.TypeName;
    private const string KeyKey = "key";
    private const string PrefixKey = "prefix";

    /// <summary>Tenant rule (<c>Gateway:Tenants:&lt;name&gt;:Targets</c>): the key prefixes allowed.</summary>
    private const string KeyPrefixesRule = "KeyPrefixes";

    public static readonly S3Targets Instance = new();

    public IReadOnlyList<string> Fields { get; } = [KeyKey];

    public IReadOnlyList<string> Keys { get; } = [KeyKey, PrefixKey, TargetKeys.FileName];

    public IReadOnlyList<string> RuleKeys { get; } = [KeyPrefixesRule];

    /// <summary>Checks the key (<see cref="S3Keys.Validate"/>); the backend adds its own prefix's length at create.</summary>
    public UploadTarget Validate(UploadTarget target, string kind, string conflict)
    {
        var key = TargetKeys.Members(target, Fields, Type).GetValueOrDefault(KeyKey);
        S3Keys.Validate(key, "");
        return new S3Target(key!).ToTarget();
    }

    public UploadTarget From(IReadOnlyDictionary<string, string> keys)
    {
        if (TargetKeys.Value(keys, KeyKey) is { } key)
        {
            return new S3Target(key).ToTarget();
        }
        var name = TargetKeys.Value(keys, TargetKeys.FileName) ?? throw TargetKeys.Missing(KeyKey, "the object's key (or send filename)");
        if (name is "." or ".." || name.Contains('/') || name.Any(char.IsControl))
        {
            throw TargetKeys.Invalid(TargetKeys.FileName, "Metadata 'filename' must be a plain file name.");
        }
        return new S3Target(TargetKeys.Value(keys, PrefixKey) + name).ToTarget();
    }

    public IReadOnlyDictionary<string, string> KeysOf(UploadTarget target)
    {
        var key = S3Target.Of(target).Key;
        var slash = key.LastIndexOf('/');
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [KeyKey] = key,
            [PrefixKey] = key[..(slash + 1)],
            [TargetKeys.FileName] = key[(slash + 1)..],
        };
    }

    public string? Refusal(UploadTarget target, IReadOnlyDictionary<string, List<string>> rules)
    {
        var key = S3Target.Of(target).Key;
        return rules.TryGetValue(KeyPrefixesRule, out var prefixes) && prefixes.Count > 0 && !prefixes.Any(p => key.StartsWith(p, StringComparison.Ordinal))
            ? $"key {key}"
            : null;
    }

    public IEnumerable<(string Key, string Problem)> CheckTemplate(IReadOnlyDictionary<string, string> template, bool complete)
    {
        foreach (var key in template.Keys.Where(k => !Keys.Contains(k)))
        {
            yield return (key, $"does not apply to an S3 backend, which takes {string.Join(", ", Keys)}.");
        }
        if (template.TryGetValue(PrefixKey, out var prefix) && !ValidPrefix(prefix))
        {
            yield return (PrefixKey, "must be a key prefix ending in '/', without a leading '/' or '.' and '..' segments.");
        }
        if (complete && prefix is null)
        {
            yield return (PrefixKey, "is required for an S3 backend: the key prefix the file is written under (e.g. uploads/).");
        }
    }

    private static bool ValidPrefix(string prefix)
    {
        try
        {
            S3Keys.Validate(prefix + "x", "");
            return prefix.Length == 0 || prefix.EndsWith('/');
        }
        catch (GatewayException)
        {
            return false;
        }
    }
}
