using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Gateway.Domain;
using Gateway.Sessions;

namespace Gateway.Backends.Box;

/// <summary>A Box target (README.md, the contract: create): a new file in a folder by name, or a new version of a file.</summary>
internal sealed record BoxTarget(string? FolderId, string? FileName, string? FileId)
{
    public static BoxTarget Of(UploadTarget target) => target.Read(BoxTargetJsonContext.Default.BoxTarget);

    public UploadTarget ToTarget() => UploadTarget.Of(this, BoxTargetJsonContext.Default.BoxTarget);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BoxTarget))]
internal sealed partial class BoxTargetJsonContext : JsonSerializerContext;

/// <summary>
/// Box's targets: <c>{"folder_id", "file_name"}</c> or <c>{"file_id"}</c> (optionally renamed) in the contract; from
/// a front, <c>folder_id</c> and <c>filename</c>, or <c>file_id</c>.
/// </summary>
internal sealed partial class BoxTargets : IBackendTargets
{
    private const string Type = "box";
    private const string FolderIdKey = "folder_id";
    private const string FileNameField = "file_name";
    private const string FileIdKey = "file_id";

    /// <summary>Tenant rule (<c>Gateway:Tenants:&lt;name&gt;:Targets</c>): the Box folders allowed; a tenant so confined uploads new files only.</summary>
    private const string FolderIdsRule = "BoxFolderIds";

    public static readonly BoxTargets Instance = new();

    public IReadOnlyList<string> Fields { get; } = [FolderIdKey, FileNameField, FileIdKey];

    public IReadOnlyList<string> Keys { get; } = [FolderIdKey, TargetKeys.FileName, FileIdKey];

    public IReadOnlyList<string> RuleKeys { get; } = [FolderIdsRule];

    public UploadTarget Validate(UploadTarget target, string kind, string conflict)
    {
        var members = TargetKeys.Members(target, Fields, Type);
        var (folder, name, file) = (members.GetValueOrDefault(FolderIdKey), members.GetValueOrDefault(FileNameField), members.GetValueOrDefault(FileIdKey));
        if (name is not null)
        {
            ValidateFileName(name);
        }
        return (folder, file) switch
        {
            ({ } f, null) when name is not null && BoxId().IsMatch(f) => new BoxTarget(f, name, null).ToTarget(),
            (not null, null) when name is null => throw new GatewayException(ErrorCode.InvalidTarget, "target.file_name is required with target.folder_id."),
            (null, { } id) when BoxId().IsMatch(id) => new BoxTarget(null, name, id).ToTarget(),
            (not null, not null) => throw new GatewayException(ErrorCode.InvalidTarget, "Give target.folder_id (a new file) or target.file_id (a new version), not both."),
            (null, null) => throw new GatewayException(ErrorCode.InvalidTarget, "target.folder_id and target.file_name, or target.file_id, are required."),
            _ => throw new GatewayException(ErrorCode.InvalidTarget, "Box folder and file ids are decimal numbers."),
        };
    }

    public string? FileNameProblem(string name) => TargetNames.UnsafeCharacters(name) ?? BoxNames.Problem(name);

    public UploadTarget From(IReadOnlyDictionary<string, string> keys)
    {
        var fileName = TargetKeys.Value(keys, TargetKeys.FileName);
        return TargetKeys.Value(keys, FileIdKey) is { } fileId
            ? new BoxTarget(null, fileName, fileId).ToTarget()
            : new BoxTarget(
                TargetKeys.Value(keys, FolderIdKey) ?? throw TargetKeys.Missing(FolderIdKey, "the Box folder"),
                fileName ?? throw TargetKeys.Missing(TargetKeys.FileName, "the file's name"),
                null).ToTarget();
    }

    public IReadOnlyDictionary<string, string> KeysOf(UploadTarget target)
    {
        var t = BoxTarget.Of(target);
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in new[] { (FolderIdKey, t.FolderId), (TargetKeys.FileName, t.FileName), (FileIdKey, t.FileId) })
        {
            if (value is not null)
            {
                keys[key] = value;
            }
        }
        return keys;
    }

    public string? Refusal(UploadTarget target, IReadOnlyDictionary<string, List<string>> rules)
    {
        if (!rules.TryGetValue(FolderIdsRule, out var folders) || folders.Count == 0)
        {
            return null;
        }
        var t = BoxTarget.Of(target);
        if (t.FileId is not null)
        {
            // Which folder holds a file is Box's to say; a tenant confined to folders uploads new files only.
            return "new versions of existing files (the tenant is limited to Box folders)";
        }
        return t.FolderId is { } folder && !folders.Contains(folder, StringComparer.Ordinal) ? $"Box folder {folder}" : null;
    }

    public IEnumerable<(string Key, string Problem)> CheckTemplate(IReadOnlyDictionary<string, string> template, bool complete)
    {
        foreach (var key in template.Keys.Where(k => !Keys.Contains(k)))
        {
            yield return (key, $"does not apply to a Box backend, which takes {string.Join(", ", Keys)}.");
        }
        foreach (var key in new[] { FolderIdKey, FileIdKey })
        {
            if (template.TryGetValue(key, out var id) && !BoxId().IsMatch(id))
            {
                yield return (key, "a Box folder or file id is a decimal number.");
            }
        }
    }

    private void ValidateFileName(string name)
    {
        if (FileNameProblem(name) is { } problem)
        {
            throw new GatewayException(ErrorCode.InvalidTarget, $"target.file_name {problem}.");
        }
    }

    [GeneratedRegex("^[0-9]{1,20}$")]
    private static partial Regex BoxId();
}
