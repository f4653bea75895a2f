using UploadGateway.Contract;

namespace UploadGateway.Client;

// The wire shapes of the gateway's v1 contract (README.md, the contract), as .NET records. Properties are PascalCase
// here and snake_case on the wire (ClientJsonContext). Enumerations the contract may grow (status, kind,
// conflict) stay strings, with the known values as constants, so a newer gateway never breaks an older client.

/// <summary>Where an object lands. Which fields apply depends on the backend's type.</summary>
public sealed record UploadTarget
{
    /// <summary>Sandbox backends: the sandbox, e.g. <c>sb_a1b2c3d4</c>.</summary>
    public string? SandboxId { get; init; }

    /// <summary>Sandbox backends: the absolute path of the file, or of the directory an archive unpacks to.</summary>
    public string? Path { get; init; }

    /// <summary>Sandbox backends, optional: the Linux user the file belongs to.</summary>
    public string? User { get; init; }

    /// <summary>Box backends: the folder of a new file (with <see cref="FileName"/>).</summary>
    public string? FolderId { get; init; }

    /// <summary>Box backends: the name of a new file, or the new name of a new version.</summary>
    public string? FileName { get; init; }

    /// <summary>Box backends: the file that gets a new version.</summary>
    public string? FileId { get; init; }

    /// <summary>A path in a sandbox.</summary>
    public static UploadTarget Sandbox(string sandboxId, string path, string? user = null) =>
        new() { SandboxId = sandboxId, Path = path, User = user };

    /// <summary>A new file in a Box folder (<c>"0"</c> is the root folder).</summary>
    public static UploadTarget BoxFolder(string folderId, string fileName) =>
        new() { FolderId = folderId, FileName = fileName };

    /// <summary>A new version of an existing Box file.</summary>
    public static UploadTarget BoxFile(string fileId, string? fileName = null) =>
        new() { FileId = fileId, FileName = fileName };
}

/// <summary>The values of <c>kind</c>.</summary>
public static class UploadKinds
{
    public const string File = ContractValues.Kinds.File;

    /// <summary>A tar archive the backend unpacks at the target path (sandbox backends).</summary>
    public const string DirectoryTar = ContractValues.Kinds.DirectoryTar;
}

/// <summary>The values of <c>conflict</c>: what happens when the target exists.</summary>
public static class ConflictPolicies
{
    public const string Error = ContractValues.Conflicts.Error;
    public const string Replace = ContractValues.Conflicts.Replace;

    /// <summary>Directory archives only: the archive is laid over what is there.</summary>
    public const string Merge = ContractValues.Conflicts.Merge;
}

/// <summary>The values of a session's <c>status</c>.</summary>
public static class UploadStatuses
{
    public const string Created = ContractValues.Statuses.Created;
    public const string Uploading = ContractValues.Statuses.Uploading;
    public const string Staged = ContractValues.Statuses.Staged;
    public const string Completing = ContractValues.Statuses.Completing;
    public const string Completed = ContractValues.Statuses.Completed;
    public const string Aborted = ContractValues.Statuses.Aborted;
    public const string Expired = ContractValues.Statuses.Expired;
    public const string Failed = ContractValues.Statuses.Failed;

    /// <summary>Statuses in which a session still takes parts.</summary>
    public static bool TakesParts(string status) => status is Created or Uploading or Staged;

    /// <summary>Statuses from which nothing changes any more.</summary>
    public static bool IsFinal(string status) => status is Completed or Aborted or Expired or Failed;
}

/// <summary>Whole-object digests, lowercase hex.</summary>
public sealed record WholeChecksums
{
    public string? Sha256 { get; init; }

    public string? Sha1 { get; init; }
}

/// <summary><c>POST /v1/uploads</c>.</summary>
public sealed record CreateUploadRequest
{
    /// <summary>A backend name from <c>GET /v1/backends</c> (a name, not a type).</summary>
    public required string Backend { get; init; }

    public required UploadTarget Target { get; init; }

    /// <summary><see cref="UploadKinds"/>.</summary>
    public string Kind { get; init; } = UploadKinds.File;

    public required long ContentLength { get; init; }

    /// <summary><see cref="ConflictPolicies"/>.</summary>
    public string Conflict { get; init; } = ConflictPolicies.Error;

    /// <summary>Whole-object digests known up front, if any.</summary>
    public WholeChecksums? Checksum { get; init; }
}

/// <summary>Which digests a backend needs: per part (in <c>Content-Digest</c>) and at complete.</summary>
public sealed record ChecksumsRequired
{
    public IReadOnlyList<string> Part { get; init; } = [];

    public IReadOnlyList<string> Complete { get; init; } = [];
}

/// <summary>Limits the gateway enforces (0: none).</summary>
public sealed record UploadLimits
{
    public long MaxUploadBytes { get; init; }

    public long MaxPartBytes { get; init; }

    public int MaxConcurrency { get; init; }

    public long StagingQuotaBytes { get; init; }
}

/// <summary>What landed: sandbox <c>path</c>, <c>size</c> (and <c>file_count</c> for archives); Box <c>file_id</c>, <c>sha1</c>.</summary>
public sealed record UploadResult
{
    public string? Path { get; init; }

    public long? Size { get; init; }

    public int? FileCount { get; init; }

    public string? FileId { get; init; }

    public string? Sha1 { get; init; }
}

/// <summary>The session body: the normalized state of one upload, the same for every backend.</summary>
public sealed record UploadSession
{
    public required string UploadId { get; init; }

    public required string Backend { get; init; }

    public required string BackendType { get; init; }

    public required UploadTarget Target { get; init; }

    public required string Kind { get; init; }

    /// <summary><see cref="UploadStatuses"/>.</summary>
    public required string Status { get; init; }

    public long ContentLength { get; init; }

    /// <summary>Bytes of parts the backend acknowledged, each part counted once.</summary>
    public long AcceptedBytes { get; init; }

    /// <summary>The backend's choice; part <c>n</c> covers <c>[(n-1)·part_size, min(n·part_size, content_length))</c>.</summary>
    public long PartSize { get; init; }

    public int PartCount { get; init; }

    public int PartsReceived { get; init; }

    public int PartsInFlight { get; init; }

    /// <summary>The lowest part not yet received; null when none is missing.</summary>
    public int? NextPart { get; init; }

    /// <summary>The parts not yet received, as ranges: <c>"2,4-7"</c>; empty when none.</summary>
    public string MissingParts { get; init; } = "";

    /// <summary>Parts of this session the gateway takes in flight at once.</summary>
    public int MaxConcurrency { get; init; }

    public string Conflict { get; init; } = ConflictPolicies.Error;

    public ChecksumsRequired ChecksumsRequired { get; init; } = new();

    public UploadLimits Limits { get; init; } = new();

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    public DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Set once <see cref="Status"/> is <c>completed</c>.</summary>
    public UploadResult? Result { get; init; }
}

/// <summary>The gateway's answer to one part.</summary>
public sealed record PartReceipt
{
    public int PartNumber { get; init; }

    public long Offset { get; init; }

    public long Size { get; init; }

    /// <summary>The part's SHA-256; absent for a part whose backend is known by its SHA-1 (Box) and that was sent without one.</summary>
    public string? Sha256 { get; init; }

    public string? Sha1 { get; init; }

    /// <summary>The session's accepted bytes after this part.</summary>
    public long AcceptedBytes { get; init; }

    public int PartsReceived { get; init; }
}

/// <summary>A part the gateway has received.</summary>
public sealed record PartInfo
{
    public int PartNumber { get; init; }

    public long Offset { get; init; }

    public long Size { get; init; }

    /// <summary>The part's SHA-256; absent for a part whose backend is known by its SHA-1 (Box) and that was sent without one.</summary>
    public string? Sha256 { get; init; }

    public string? Sha1 { get; init; }
}

/// <summary>Which sessions <c>GET /v1/uploads</c> returns.</summary>
public sealed record UploadListQuery
{
    /// <summary>Only sessions in this status (<see cref="UploadStatuses"/>).</summary>
    public string? Status { get; init; }

    /// <summary>Page size, 1 to 100 (the gateway's default is 20).</summary>
    public int? Limit { get; init; }

    /// <summary>The <see cref="UploadsPage.NextCursor"/> of the previous page.</summary>
    public string? Cursor { get; init; }
}

/// <summary>One page of the caller's sessions, newest first.</summary>
public sealed record UploadsPage
{
    public IReadOnlyList<UploadSession> Uploads { get; init; } = [];

    /// <summary>Pass as <see cref="UploadListQuery.Cursor"/> for the next page; null on the last one.</summary>
    public string? NextCursor { get; init; }
}

/// <summary>A backend this caller may use, with its rules.</summary>
public sealed record BackendInfo
{
    public required string Name { get; init; }

    public required string Type { get; init; }

    public IReadOnlyList<string> Kinds { get; init; } = [];

    public IReadOnlyList<string> Conflicts { get; init; } = [];

    public IReadOnlyList<string> TargetFields { get; init; } = [];

    public ChecksumsRequired ChecksumsRequired { get; init; } = new();

    /// <summary>The smallest <c>content_length</c> the backend takes (Box: 20,000,000 bytes).</summary>
    public long MinUploadBytes { get; init; }

    public UploadLimits Limits { get; init; } = new();

    public long SessionTtlSeconds { get; init; }
}
