using System.Text.Json.Serialization;
using Gateway.Domain;
using Gateway.Sessions;

namespace Gateway.Backends.Box;

/// <summary>An upload token's Box prefix: any new file in one folder (a new version names a file, which no folder prefix covers).</summary>
internal sealed record BoxPrefix(string FolderId);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(BoxPrefix))]
internal sealed partial class BoxPrefixJsonContext : JsonSerializerContext;

/// <summary>Prefixes of Box targets, for upload tokens: <c>{"folder_id"}</c> alone.</summary>
internal sealed partial class BoxTargets
{
    public UploadTarget? Prefix(UploadTarget candidate)
    {
        var members = TargetKeys.Members(candidate, Fields, Type);
        if (members.Count != 1 || members.GetValueOrDefault(FolderIdKey) is not { } folder)
        {
            return null;
        }
        return BoxId().IsMatch(folder)
            ? UploadTarget.Of(new BoxPrefix(folder), BoxPrefixJsonContext.Default.BoxPrefix)
            : throw new GatewayException(ErrorCode.InvalidTarget, "Box folder and file ids are decimal numbers.");
    }

    public bool Contains(UploadTarget prefix, UploadTarget target)
    {
        var t = BoxTarget.Of(target);
        return t.FileId is null && t.FolderId == prefix.Read(BoxPrefixJsonContext.Default.BoxPrefix).FolderId;
    }
}
