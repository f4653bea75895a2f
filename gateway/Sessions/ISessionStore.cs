namespace Gateway.Sessions;

/// <summary>
/// Where every session's state lives, shared by all gateway instances. Two implementations behave the same
/// (one test suite runs against both): Redis for production, in-memory as the embedded default.
/// </summary>
/// <remarks>
/// The part path costs two calls: <see cref="BeginPartAsync"/> and <see cref="EndPartAsync"/>, each one
/// atomic step (one Lua script on Redis). "Now" comes from the store's <see cref="TimeProvider"/>, so every
/// instance must keep its clock in sync (NTP), as with any lease.
/// </remarks>
internal interface ISessionStore
{
    /// <summary>Stores a new session and indexes it for its tenant's listing and for expiry.</summary>
    Task CreateAsync(UploadSession session, CancellationToken cancellationToken);

    /// <summary>
    /// The session with its progress (received parts, parts in flight), or null when there is none or it
    /// belongs to another tenant than <paramref name="tenant"/> (null: any tenant, for operators).
    /// </summary>
    Task<UploadSession?> GetAsync(string id, string? tenant, CancellationToken cancellationToken);

    /// <summary>
    /// Atomically checks the session's owner and state, the part number and its size, and takes a lease on
    /// the part within the session's concurrency limit.
    /// </summary>
    /// <param name="declaredSize">The body's length when the request declared one; checked before any byte moves.</param>
    Task<PartBegin> BeginPartAsync(PartLease lease, long? declaredSize, CancellationToken cancellationToken);

    /// <summary>Extends a lease held by a part that is still streaming.</summary>
    Task RenewLeaseAsync(PartLease lease, CancellationToken cancellationToken);

    /// <summary>
    /// Records an accepted part (idempotently: a part already recorded with the same digest is not counted
    /// twice), updates progress and status, and releases the lease. <paramref name="accepted"/> null: the part
    /// failed, only the lease is released.
    /// </summary>
    Task<PartEnd> EndPartAsync(PartLease lease, PartRecord? accepted, CancellationToken cancellationToken);

    /// <summary>The parts received, ascending by number.</summary>
    Task<IReadOnlyList<PartRecord>> ListPartsAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Moves the session to <paramref name="to"/> if it belongs to <paramref name="tenant"/> (null: any) and
    /// is in one of <paramref name="from"/>; with <paramref name="requireAllParts"/>, only once every part arrived.
    /// </summary>
    Task<Transition> TransitionAsync(string id, string? tenant, IReadOnlyCollection<string> from, string to,
        SessionResult? result, bool requireAllParts, CancellationToken cancellationToken);

    /// <summary>The tenant's sessions, newest first, optionally with one status; <paramref name="cursor"/> from the previous page.</summary>
    Task<SessionPage> ListAsync(string tenant, string? status, ListCursor? after, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Sessions of every tenant that have not ended (the ones the expiry index holds), for operators: how many
    /// there are, and up to <paramref name="max"/> of them with their progress, latest <c>expires_at</c> first.
    /// </summary>
    Task<LiveSessions> ListLiveAsync(int max, CancellationToken cancellationToken);

    /// <summary>Ids of sessions whose <c>expires_at</c> has passed and that have not ended, oldest first.</summary>
    Task<IReadOnlyList<string>> DueForExpiryAsync(int max, CancellationToken cancellationToken);

    /// <summary>Drops an ended session from the expiry index.</summary>
    Task ForgetExpiryAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Reserves <paramref name="bytes"/> for session <paramref name="id"/> in a quota scope (a tenant, a sandbox)
    /// unless that would take the scope over <paramref name="limit"/>. A reservation lapses by itself at
    /// <paramref name="until"/> (the session's expiry), so a crash can never leak it.
    /// </summary>
    Task<bool> TryReserveAsync(string scope, string id, long bytes, long limit, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>Releases a reservation; releasing twice is harmless.</summary>
    Task ReleaseAsync(string scope, string id, CancellationToken cancellationToken);

    /// <summary>Bytes currently reserved in a scope.</summary>
    Task<long> ReservedAsync(string scope, CancellationToken cancellationToken);

    /// <summary>Takes a named lock for <paramref name="ttl"/> unless someone else holds it; re-taking your own renews it.</summary>
    Task<bool> TryAcquireLockAsync(string name, string owner, TimeSpan ttl, CancellationToken cancellationToken);

    Task ReleaseLockAsync(string name, string owner, CancellationToken cancellationToken);

    /// <summary>For readiness: can the store be reached now?</summary>
    Task<bool> IsReachableAsync(CancellationToken cancellationToken);
}

/// <summary>One request's claim on one part of a session.</summary>
internal sealed record PartLease(string UploadId, string Tenant, int PartNumber, string Token)
{
    public static PartLease New(string uploadId, string tenant, int partNumber) =>
        new(uploadId, tenant, partNumber, Guid.NewGuid().ToString("N"));
}

internal enum PartBeginOutcome
{
    Started,
    AlreadyReceived,
    NotFound,
    InvalidState,
    Expired,
    NoSuchPart,
    SizeMismatch,
    ConcurrencyLimit,
    PartInFlight,
}

/// <param name="Session">The session (without progress) when the part may proceed or was already received.</param>
/// <param name="ExpectedSize">The part's size by the part rule, when the part number is valid.</param>
/// <param name="Existing">The record of an already received part, to compare a retry against.</param>
/// <param name="Status">The session's status, for state errors.</param>
/// <param name="PartCount">The session's part count, for part-number errors.</param>
internal sealed record PartBegin(
    PartBeginOutcome Outcome,
    UploadSession? Session = null,
    long ExpectedSize = 0,
    PartRecord? Existing = null,
    string? Status = null,
    int PartCount = 0);

internal enum PartEndOutcome
{
    Recorded,
    Duplicate,
    Conflict,
    NotTakingParts,
    NotFound,
    Released,
}

internal sealed record PartEnd(PartEndOutcome Outcome, long AcceptedBytes = 0, int PartsReceived = 0, string? Status = null);

internal enum TransitionOutcome
{
    Done,
    NotFound,
    WrongState,
    PartsMissing,
}

internal sealed record Transition(TransitionOutcome Outcome, string? PreviousStatus = null);

internal sealed record SessionPage(IReadOnlyList<UploadSession> Sessions, ListCursor? Next);

internal sealed record LiveSessions(long Total, IReadOnlyList<UploadSession> Sessions);
