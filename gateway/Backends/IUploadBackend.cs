using Gateway.Domain;
using Gateway.Sessions;

namespace Gateway.Backends;

/// <summary>
/// One storage backend, in its own dialect behind the contract. The control plane (create, complete, abort)
/// goes through the cluster's HTTP client; the data plane is a <see cref="PartTransformer"/> that shapes the
/// part request the forwarder streams with YARP to <see cref="Cluster"/>, and <see cref="AcceptPartAsync"/>
/// that reads the answer.
/// </summary>
internal interface IUploadBackend
{
    /// <summary>The configured name clients use (<c>"backend": "sandbox"</c>).</summary>
    string Name { get; }

    BackendRules Rules { get; }

    /// <summary>The YARP cluster that reaches the backend: its HTTP client and destinations.</summary>
    BackendCluster Cluster { get; }

    /// <summary>What this backend's targets look like: parsed, checked, normalized, and built from a front's keys.</summary>
    IBackendTargets Targets { get; }

    /// <summary>
    /// The staging-quota scopes a session on <paramref name="target"/> reserves in besides the tenant's (the
    /// sandbox's per-sandbox quota), with their limits; none when the backend has no such limit.
    /// </summary>
    IEnumerable<QuotaScope> QuotaScopes(UploadTarget target);

    Task<BackendSession> CreateAsync(BackendCreate request, CancellationToken cancellationToken);

    PartTransformer CreatePartTransformer(UploadSession session, int partNumber, long size, PartDigests digests);

    /// <summary>The backend's id for an acknowledged part (null if it has none); throws the contract error otherwise.</summary>
    Task<string?> AcceptPartAsync(UploadSession session, int partNumber, PartDigests digests, BackendResponse response, CancellationToken cancellationToken);

    Task<CommitOutcome> CompleteAsync(UploadSession session, IReadOnlyList<PartRecord> parts, WholeChecksums checksums, CancellationToken cancellationToken);

    /// <summary>Aborts the backend's session; a session the backend no longer knows counts as aborted.</summary>
    Task AbortAsync(UploadSession session, CancellationToken cancellationToken);

    Task<bool> IsReachableAsync(CancellationToken cancellationToken);
}

/// <summary>What a backend type accepts, for validation and for <c>GET /v1/backends</c>.</summary>
/// <param name="NeedsPartSha1BeforeBody">The part request must carry the part's SHA-1, so a part sent without one is spooled and hashed first.</param>
/// <param name="ChecksPartDigests">
/// The part digests this backend itself checks against the bytes when the part request carries them, and
/// refuses the part on a mismatch before it stores it. A client digest of these kinds is passed through
/// unhashed: the backend's acceptance is the proof (README.md, "Which digest is checked where").
/// </param>
/// <param name="IdempotencyKeyHeader">
/// The header by which the backend deduplicates a control-plane POST (the sandbox's <c>Idempotency-Key</c>), so
/// that such a call may be retried; null when the backend has none, and its POSTs are never retried.
/// </param>
internal sealed record BackendRules(
    string Type,
    IReadOnlyList<string> Kinds,
    IReadOnlyList<string> Conflicts,
    IReadOnlyList<string> TargetFields,
    ChecksumsRequired Checksums,
    long MinUploadBytes,
    int MaxConcurrency,
    bool NeedsPartSha1BeforeBody,
    DigestKinds ChecksPartDigests,
    string? IdempotencyKeyHeader = null)
{
    /// <summary>
    /// The digest kind a recorded part is known by (<see cref="PartRecord.Key"/>): the one this backend checks
    /// itself, so a part whose client sent it is recorded without the gateway hashing a byte; SHA-256 when the
    /// backend checks none (the gateway then hashes it).
    /// </summary>
    public DigestKinds PartKey =>
        ChecksPartDigests.HasFlag(DigestKinds.Sha1) && !ChecksPartDigests.HasFlag(DigestKinds.Sha256) ? DigestKinds.Sha1 : DigestKinds.Sha256;
}

/// <summary>Which digests a backend needs: per part (in <c>Content-Digest</c>) and at complete.</summary>
internal sealed record ChecksumsRequired(IReadOnlyList<string> Part, IReadOnlyList<string> Complete);

/// <summary>A staging-quota scope (its key in the quota store), its limit in bytes, and how an error names it.</summary>
internal sealed record QuotaScope(string Scope, long Limit, string What);

/// <summary>Wraps every backend adapter the registry builds (telemetry registers one).</summary>
internal delegate IUploadBackend BackendDecorator(IUploadBackend backend);

internal sealed record BackendCreate(string UploadId, string Tenant, UploadTarget Target, string Kind, string Conflict, long ContentLength, string? Sha256);

/// <summary>The backend's answer to create: its session, its part size, and its own limits.</summary>
internal sealed record BackendSession(
    BackendSessionRef Ref,
    long PartSize,
    int PartCount,
    UploadTarget Target,
    int? MaxConcurrency = null,
    DateTimeOffset? ExpiresAt = null);

internal abstract record CommitOutcome
{
    public sealed record Completed(SessionResult Result) : CommitOutcome;

    /// <summary>The backend is still assembling (Box's <c>202</c>); ask again after <paramref name="RetryAfter"/>.</summary>
    public sealed record Pending(TimeSpan RetryAfter) : CommitOutcome;
}
