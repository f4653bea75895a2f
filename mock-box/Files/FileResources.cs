namespace MockBox.Files;

// Box's JSON shapes for files and folders (README.md "Schemas": File--Full via Files, Folder--Mini,
// FileVersion--Mini, User--Mini). Property names become snake_case through BoxJsonContext.

/// <summary><c>Files</c>: what a commit returns, the new file wrapped in a list.</summary>
internal sealed record FilesResource(long TotalCount, IReadOnlyList<FileResource> Entries);

internal sealed record FileResource(
    string Id,
    string Type,
    string? Etag,
    string? SequenceId,
    string Name,
    string Sha1,
    FileVersionResource FileVersion,
    string Description,
    long Size,
    PathCollectionResource PathCollection,
    string CreatedAt,
    string ModifiedAt,
    string? TrashedAt,
    string? PurgedAt,
    string? ContentCreatedAt,
    string? ContentModifiedAt,
    UserResource CreatedBy,
    UserResource ModifiedBy,
    UserResource OwnedBy,
    FolderResource Parent,
    string ItemStatus,
    string VersionNumber);

/// <summary>What Box's preflight puts under <c>context_info.conflicts</c> for a name clash with a file.</summary>
internal sealed record FileConflictResource(
    string Type,
    string Id,
    FileVersionResource FileVersion,
    string? SequenceId,
    string? Etag,
    string Sha1,
    string Name,
    long Size);

internal sealed record FileVersionResource(string Type, string Id, string Sha1);

/// <summary>Folder (Mini). The root folder has no <c>sequence_id</c> or <c>etag</c> (null), as on Box.</summary>
internal sealed record FolderResource(string Type, string Id, string? SequenceId, string? Etag, string Name);

internal sealed record PathCollectionResource(long TotalCount, IReadOnlyList<FolderResource> Entries);

internal sealed record UserResource(string Type, string Id, string Name, string Login);
