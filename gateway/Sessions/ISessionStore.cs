namespace Gateway.Sessions;

/// <summary>
/// Where every session's state lives, shared by all gateway instances: the operations every front needs.
/// Optional capabilities are interfaces of their own, each used by one concern (<see cref="ISessionListing"/>,
/// <see cref="ISessionExpiryIndex"/>, <see cref="IQuotaStore"/>, <see cref="IStoreLock"/>), as tusdotnet splits
/// its store. Two implementations behave the same (one test suite runs against both): Redis for production,
/// in-memory as the embedded default.
/// </summary>
/// <remarks>
/// <para>The part path costs two calls: <see cref="BeginPartAsync"/> and <see cref="EndPartAsync"/>, each one
/// atomic step (one Lua script on Redis). "Now" comes from the store's <see cref="TimeProvider"/>, so every
/// instance must keep its clock in sync (NTP), as with any lease.</para>
/// <para>Cancellation: StackExchange.Redis cannot take back a command once it is queued, so operations that
/// change state take no <see cref="CancellationToken"/> (a cancelled wait would only hide whether the change
/// happened). Reads take one, and stop waiting when it fires.</para>
/// </remarks>
internal interface ISessionStore
{
    /// <summary>Stores a new session and indexes it for its tenant's listing and for expiry.</summary>
    Task CreateAsync(UploadSession session);

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
    Task<PartBegin> BeginPartAsync(PartLease lease, long? declaredSize);

    /// <summary>Extends a lease held by a part that is still streaming.</summary>
    Task RenewLeaseAsync(PartLease lease);

    /// <summary>
    /// Records an accepted part (idempotently: a part already recorded with the same digest is not counted
    /// twice), updates progress and status, and releases the lease. <paramref name="accepted"/> null: the part
    /// failed, only the lease is released.
    /// </summary>
    Task<PartEnd> EndPartAsync(PartLease lease, PartRecord? accepted);

    /// <summary>The parts received, ascending by number.</summary>
    Task<IReadOnlyList<PartRecord>> ListPartsAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Moves the session along one of the named <see cref="SessionTransition"/>s if it belongs to
    /// <paramref name="tenant"/> (null: any) and is in one of the transition's starting states.
    /// </summary>
    /// <param name="result">What landed, kept with the session (completion only).</param>
    Task<Transition> ApplyAsync(string id, string? tenant, SessionTransition transition, SessionResult? result = null);

    /// <summary>
    /// Sessions of every tenant that have not ended (the ones the expiry index holds): how many there are, and
    /// up to <paramref name="max"/> of them with their progress, latest <c>expires_at</c> first. For the
    /// operators' view and the live-sessions gauge.
    /// </summary>
    Task<LiveSessions> ListLiveAsync(int max, CancellationToken cancellationToken);

    /// <summary>For readiness: can the store be reached now?</summary>
    Task<bool> IsReachableAsync(CancellationToken cancellationToken);
}

/// <summary>A tenant's sessions, newest first: <c>GET /v1/uploads</c>.</summary>
internal interface ISessionListing
{
    /// <summary>The tenant's sessions, newest first, optionally with one status; <paramref name="after"/> from the previous page.</summary>
    Task<SessionPage> ListAsync(string tenant, string? status, ListCursor? after, int limit, CancellationToken cancellationToken);
}

/// <summary>The sessions that have not ended, by <c>expires_at</c>: what the expiry sweeper works through.</summary>
internal interface ISessionExpiryIndex
{
    /// <summary>Ids of sessions whose <c>expires_at</c> has passed and that have not ended, oldest first.</summary>
    Task<IReadOnlyList<string>> DueForExpiryAsync(int max, CancellationToken cancellationToken);

    /// <summary>Drops an ended session from the expiry index.</summary>
    Task ForgetExpiryAsync(string id);
}

/// <summary>Staging-quota reservations, per scope (a tenant, a sandbox): what <c>StagingQuota</c> keeps.</summary>
internal interface IQuotaStore
{
    /// <summary>
    /// Reserves <paramref name="bytes"/> for session <paramref name="id"/> in a quota scope unless that would take
    /// the scope over <paramref name="limit"/>. A reservation lapses by itself at <paramref name="until"/> (the
    /// session's expiry), so a crash can never leak it. Reserving again for the same session is a no-op.
    /// </summary>
    Task<bool> TryReserveAsync(string scope, string id, long bytes, long limit, DateTimeOffset until);

    /// <summary>Releases a reservation; releasing twice is harmless.</summary>
    Task ReleaseAsync(string scope, string id);

    /// <summary>
    /// Takes one of <paramref name="places"/> places in a counted scope (a tenant's live sessions) for
    /// <paramref name="id"/> unless every place is taken, atomically across instances. A place lapses by itself at
    /// <paramref name="until"/>, so a crash can never leak it. Taking it again for the same id is a no-op.
    /// </summary>
    Task<bool> TryTakePlaceAsync(string scope, string id, int places, DateTimeOffset until);

    /// <summary>Gives a place back; giving it back twice is harmless.</summary>
    Task ReleasePlaceAsync(string scope, string id);
}

/// <summary>Named locks with a lease: one expiry sweeper at a time across instances.</summary>
internal interface IStoreLock
{
    /// <summary>Takes a named lock for <paramref name="ttl"/> unless someone else holds it; re-taking your own renews it.</summary>
    Task<bool> TryAcquireLockAsync(string name, string owner, TimeSpan ttl);

    Task ReleaseLockAsync(string name, string owner);
}
