using System.Text.Json.Serialization;
using Gateway.Backends;
using Gateway.Domain;
using Gateway.Sessions;

namespace Gateway.Api.V1;

// The wire shapes of the v1 contract (docs/architecture.md; served as /openapi/v1.json). snake_case comes from V1JsonContext.

/// <summary><c>POST /v1/uploads</c>.</summary>
internal sealed record CreateUploadRequest
{
    public string? Backend { get; init; }

    public UploadTarget? Target { get; init; }

    public string? Kind { get; init; }

    public long? ContentLength { get; init; }

    public string? Conflict { get; init; }

    public WholeChecksums? Checksum { get; init; }
}

/// <summary><c>POST /v1/uploads/{id}/complete</c>.</summary>
internal sealed record CompleteRequest
{
    public WholeChecksums? Checksum { get; init; }
}

/// <summary>The session body: normalized progress, the same for every backend.</summary>
internal sealed record SessionBody(
    string UploadId,
    string Backend,
    string BackendType,
    UploadTarget Target,
    string Kind,
    string Status,
    long ContentLength,
    long AcceptedBytes,
    long PartSize,
    int PartCount,
    int PartsReceived,
    int PartsInFlight,
    int? NextPart,
    string MissingParts,
    int MaxConcurrency,
    string Conflict,
    ChecksumsRequired ChecksumsRequired,
    SessionLimits Limits,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    DateTime ExpiresAt,
    SessionResult? Result,
    SessionLinks Links);

internal sealed record SessionLinks(string Self, string Parts, string Complete);

/// <summary><c>PUT /v1/uploads/{id}/parts/{n}</c>.</summary>
internal sealed record PartBody(
    int PartNumber,
    long Offset,
    long Size,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Sha256,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Sha1,
    long AcceptedBytes,
    int PartsReceived);

/// <summary><c>GET /v1/uploads/{id}/parts</c>.</summary>
internal sealed record PartsPage(IReadOnlyList<PartItem> Parts, int? NextAfter);

internal sealed record PartItem(
    int PartNumber,
    long Offset,
    long Size,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Sha256,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Sha1);

/// <summary><c>GET /v1/uploads</c>.</summary>
internal sealed record UploadsPage(IReadOnlyList<SessionBody> Uploads, string? NextCursor);

/// <summary><c>GET /v1/backends</c>.</summary>
internal sealed record BackendsBody(IReadOnlyList<BackendInfo> Backends);

/// <summary>What a caller needs to know before creating a session on a backend.</summary>
internal sealed record BackendInfo(
    string Name,
    string Type,
    IReadOnlyList<string> Kinds,
    IReadOnlyList<string> Conflicts,
    IReadOnlyList<string> TargetFields,
    ChecksumsRequired ChecksumsRequired,
    long MinUploadBytes,
    SessionLimits Limits,
    long SessionTtlSeconds);
