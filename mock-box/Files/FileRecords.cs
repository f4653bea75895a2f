using MockBox.Auth;

namespace MockBox.Files;

internal sealed record FolderRecord(string Id, string Name, string? ParentId, DateTimeOffset CreatedAt);

/// <summary>
/// One file's current version. Immutable: a new version replaces the record. <see cref="Etag"/> and
/// <see cref="VersionNumber"/> count versions from 0 and 1, as Box's do.
/// </summary>
internal sealed record FileRecord(
    string Id,
    string FolderId,
    string Name,
    long Size,
    string Sha1Hex,
    string VersionId,
    int VersionNumber,
    string ContentPath,
    BoxUser CreatedBy,
    BoxUser ModifiedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset ModifiedAt)
{
    public string Etag => (VersionNumber - 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
