using System.Text.Json.Serialization;
using Gateway.Domain;

namespace Gateway.Sessions;

/// <summary>
/// One upload session as the gateway tracks it, normalized across backends. The store holds it; gateway
/// instances are stateless. Immutable: progress changes come back from the store as a new value.
/// </summary>
internal sealed record UploadSession
{
    public required string Id { get; init; }

    public required string Tenant { get; init; }

    /// <summary>The configured backend name (a deployment may have two backends of one type).</summary>
    public required string Backend { get; init; }

    public required string BackendType { get; init; }

    public required UploadTarget Target { get; init; }

    public required string Kind { get; init; }

    public required string Conflict { get; init; }

    public required long ContentLength { get; init; }

    public required long PartSize { get; init; }

    public required int PartCount { get; init; }

    /// <summary>Parts of this session allowed in flight at once: the tenant's limit capped by the backend's.</summary>
    public required int MaxConcurrency { get; init; }

    public required SessionLimits Limits { get; init; }

    /// <summary>The whole-object SHA-256 the client announced at create, if any.</summary>
    public string? Sha256 { get; init; }

    /// <summary>What the backend adapter needs to reach its own session again (id, URLs).</summary>
    public required BackendSessionRef BackendSession { get; init; }

    /// <summary>Staging-quota scopes this session holds a reservation in, released when it ends.</summary>
    public IReadOnlyList<string> QuotaScopes { get; init; } = [];

    public required string Status { get; init; }

    public long AcceptedBytes { get; init; }

    public int PartsReceived { get; init; }

    /// <summary>Live leases at the time of reading; not stored as such.</summary>
    [JsonIgnore]
    public int PartsInFlight { get; init; }

    /// <summary>Numbers of the parts received, ascending; filled on reads that need progress.</summary>
    [JsonIgnore]
    public IReadOnlyList<int> ReceivedParts { get; init; } = [];

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    public SessionResult? Result { get; init; }

    /// <summary>The status as clients see it: a live session past its expiry is expired, whether or not the sweeper has got to it.</summary>
    public string StatusAt(DateTimeOffset now) => SessionStatus.IsLive(Status) && ExpiresAt <= now ? SessionStatus.Expired : Status;

    public long OffsetOf(int partNumber) => PartMath.OffsetOf(PartSize, partNumber);

    public long SizeOf(int partNumber) => PartMath.SizeOf(ContentLength, PartSize, partNumber);
}

/// <summary>The limits that applied when the session was created, as the contract reports them.</summary>
internal sealed record SessionLimits(long MaxUploadBytes, long MaxPartBytes, int MaxConcurrency, long StagingQuotaBytes);

/// <summary>The backend's own session: its id and the URLs it told us to use (Box's <c>session_endpoints</c>).</summary>
internal sealed record BackendSessionRef(string Id, IReadOnlyDictionary<string, string>? Urls = null);

/// <summary>What landed: sandbox <c>{path, size}</c>, Box <c>{file_id, sha1}</c>; or why nothing did (<see cref="Error"/>).</summary>
internal sealed record SessionResult
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Path { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Size { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? FileCount { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? FileId { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Sha1 { get; init; }

    /// <summary>Why a failed session failed: a commit that fails in the background has no request left to say it to.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public SessionError? Error { get; init; }
}

/// <summary>The contract's error code and detail of the failure that ended a session.</summary>
internal sealed record SessionError(string Code, string Detail);

/// <summary>
/// A part the backend acknowledged, known by its digest of the <paramref name="Key"/> kind: the kind its backend
/// checks itself (the sandbox's SHA-256, Box's SHA-1; <c>BackendRules.PartKey</c>), so recording a part whose
/// client sent that digest costs the gateway no hash. The other digest is there when the client sent it, verified
/// like the key. A part a re-chunking front sent to a backend that needs no whole-object digest is known by no
/// digest (<c>DigestKinds.None</c>): by its size and the backend's part id. Offsets follow from the part number and
/// the part size.
/// </summary>
internal sealed record PartRecord(int Number, long Size, DigestKinds Key, string? Sha256, string? Sha1, string? BackendPartId)
{
    /// <summary>The digest the part is known by, lowercase hex; null for a part known by none.</summary>
    public string? KeyDigest => Key switch
    {
        DigestKinds.None => null,
        DigestKinds.Sha1 => Sha1 ?? throw new InvalidOperationException($"Part {Number} has no SHA-1, the digest it is known by."),
        _ => Sha256 ?? throw new InvalidOperationException($"Part {Number} has no SHA-256, the digest it is known by."),
    };

    /// <summary>
    /// Whether <paramref name="other"/> is this part again: a retry with the same bytes, or for a part known by no
    /// digest, one the backend answered with the same part id (an object store's ETag is its bytes' MD5).
    /// </summary>
    public bool SameBytesAs(PartRecord other) =>
        Key == other.Key && (Key == DigestKinds.None
            ? Size == other.Size && BackendPartId == other.BackendPartId
            : string.Equals(KeyDigest, other.KeyDigest, StringComparison.OrdinalIgnoreCase));
}
