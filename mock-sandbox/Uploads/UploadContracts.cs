using System.Text.Json;

namespace MockSandbox.Uploads;

/// <summary>
/// The status object, field for field and in the seed's order [seed]. Every field is always present:
/// the optional ones (<c>user</c>, <c>next_part</c>, <c>archive_format</c>, <c>whole_checksum_sha256</c>)
/// are <c>null</c> when they do not apply rather than left out [ours], so a client reads one shape.
/// </summary>
internal sealed record UploadSessionDto(
    string UploadId,
    UploadKind Kind,
    SourceKind SourceKind,
    string TargetPath,
    long ContentLength,
    long AcceptedBytes,
    long ReservedStagingBytes,
    long PartSize,
    uint PartCount,
    int MaxConcurrency,
    UploadStatus Status,
    ConflictPolicy Conflict,
    ChecksumAlgorithm ChecksumAlgorithm,
    SessionLimitsDto Limits,
    string CreatedAt,
    string UpdatedAt,
    string ExpiresAt,
    string? User,
    uint? NextPart,
    ArchiveFormat? ArchiveFormat,
    string? WholeChecksumSha256);

/// <summary>The session's <c>limits</c> object [seed], fixed when the session was created.</summary>
internal sealed record SessionLimitsDto(long MaxUploadBytes, long MaxPartBytes, int MaxConcurrency, long SandboxStagingQuotaBytes);

/// <summary>
/// The create body [doc]. Enum-valued fields are read as strings so that a wrong value is reported as
/// <c>invalid_fields</c> naming the field, not as unreadable JSON.
/// </summary>
internal sealed class CreateUploadRequest
{
    public string? Kind { get; init; }

    public string? SourceKind { get; init; }

    public string? TargetPath { get; init; }

    public long? ContentLength { get; init; }

    public string? Conflict { get; init; }

    public string? ChecksumAlgorithm { get; init; }

    public string? User { get; init; }

    public string? ArchiveFormat { get; init; }

    /// <summary>Free-form, stored verbatim [doc]; the status object has no field for it.</summary>
    public JsonElement? Metadata { get; init; }

    /// <summary>A whole-object digest may be given at create as well as at complete [ours].</summary>
    public string? WholeChecksumSha256 { get; init; }
}

/// <summary>Create answers with the session wrapped [doc].</summary>
internal sealed record CreateUploadResponse(UploadSessionDto Session);

internal sealed class CompleteUploadRequest
{
    public string? WholeChecksumSha256 { get; init; }
}

/// <summary>Complete's answer [doc].</summary>
internal sealed record CompleteUploadResponse(UploadSessionDto Session, long PublishedBytes, int PublishedFileCount);
