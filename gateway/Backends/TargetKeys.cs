using System.Text.Json;
using Gateway.Domain;
using Gateway.Sessions;

namespace Gateway.Backends;

/// <summary>Reading targets, shared by the backend types: the contract's target members and a front's keys.</summary>
internal static class TargetKeys
{
    /// <summary>The key of the object's own name, the same for every backend type (tus's <c>filename</c>).</summary>
    public const string FileName = "filename";

    /// <summary>
    /// A target's members as strings (a null member is absent), refusing a member that is not one of
    /// <paramref name="fields"/> (<c>422 invalid_target</c>: another backend type's field) and a value that is
    /// not a string (<c>400 invalid_request</c>: the contract's target fields are strings).
    /// </summary>
    public static Dictionary<string, string> Members(UploadTarget target, IReadOnlyList<string> fields, string type)
    {
        var members = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var member in target.Element().EnumerateObject())
        {
            if (!fields.Contains(member.Name))
            {
                throw TargetNames.NotApplicable(member.Name, type);
            }
            switch (member.Value.ValueKind)
            {
                case JsonValueKind.Null:
                    continue;
                case JsonValueKind.String:
                    members[member.Name] = member.Value.GetString()!;
                    break;
                default:
                    throw new GatewayException(ErrorCode.InvalidRequest, $"target.{member.Name} must be a string.");
            }
        }
        return members;
    }

    /// <summary>A key's value, or null when it is absent or empty.</summary>
    public static string? Value(IReadOnlyDictionary<string, string> keys, string key) =>
        keys.TryGetValue(key, out var value) && value.Length > 0 ? value : null;

    /// <summary>A key the target needs and the front did not give: <c>400 invalid_request</c> naming it.</summary>
    public static GatewayException Missing(string key, string what) =>
        new(ErrorCode.InvalidRequest, $"Send metadata '{key}' ({what}): this tenant has no default for it.") { Extensions = Key(key) };

    /// <summary>A key whose value cannot make a target: <c>400 invalid_request</c> naming it.</summary>
    public static GatewayException Invalid(string key, string message) =>
        new(ErrorCode.InvalidRequest, message) { Extensions = Key(key) };

    private static Dictionary<string, object?> Key(string key) => new() { ["metadata_key"] = key };
}
