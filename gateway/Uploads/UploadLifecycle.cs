using System.Security.Cryptography;
using Gateway.Auth;
using Gateway.Backends;
using Gateway.Domain;
using Gateway.Hooks;
using Gateway.Limits;
using Gateway.Sessions;
using Gateway.Telemetry;
using Gateway.UploadTokens;
using UploadGateway.Contract;

namespace Gateway.Uploads;

/// <summary>
/// The control plane of a session: create, complete, abort and expire, each keeping the gateway's session, the
/// backend's session and the staging quota in step. Endpoints and the expiry sweeper both go through here.
/// </summary>
internal sealed class UploadLifecycle(
    ISessionStore store,
    ISessionExpiryIndex expiry,
    BackendRegistry backends,
    StagingQuota quota,
    PreCreateHook hook,
    TimeProvider time,
    GatewayMetrics metrics,
    UploadTokenAdmission tokens,
    CommitRunner commits,
    ILogger<UploadLifecycle> logger)
{
    public async Task<UploadSession> CreateAsync(Tenant tenant, CreateUpload request, CancellationToken cancellationToken)
    {
        if (!tenant.MayUse(request.Backend) || !backends.TryGet(request.Backend, out var backend))
        {
            throw new GatewayException(ErrorCode.UnknownBackend, $"No backend '{Shorten(request.Backend)}' is available to this tenant.");
        }
        var (kind, conflict, length) = (request.Kind, request.Conflict, request.ContentLength);
        if (!ContractValues.Kinds.All.Contains(kind))
        {
            throw new GatewayException(ErrorCode.InvalidRequest, "kind must be \"file\" or \"directory_tar\".");
        }
        if (!backend.Rules.Kinds.Contains(kind))
        {
            throw new GatewayException(ErrorCode.UnsupportedKind, $"Backend '{backend.Name}' does not take \"{kind}\".");
        }
        if (!ContractValues.Conflicts.All.Contains(conflict))
        {
            throw new GatewayException(ErrorCode.InvalidRequest, "conflict must be \"error\", \"replace\" or \"merge\".");
        }
        if (!backend.Rules.Conflicts.Contains(conflict))
        {
            throw new GatewayException(ErrorCode.InvalidRequest,
                $"Backend '{backend.Name}' does not take conflict \"{conflict}\"; it takes {string.Join(", ", backend.Rules.Conflicts)}.");
        }
        if (length < 0)
        {
            throw new GatewayException(ErrorCode.InvalidRequest, "content_length is required and may not be negative.");
        }
        if (length > tenant.Limits.MaxUploadBytes)
        {
            throw new GatewayException(ErrorCode.UploadTooLarge, $"content_length {length} is over this tenant's max_upload_bytes {tenant.Limits.MaxUploadBytes}.");
        }
        if (length < backend.Rules.MinUploadBytes)
        {
            throw new GatewayException(ErrorCode.InvalidRequest, $"Backend '{backend.Name}' takes uploads of at least {backend.Rules.MinUploadBytes} bytes.");
        }
        if (request.Target is null)
        {
            throw new GatewayException(ErrorCode.InvalidTarget, "target is required.");
        }
        var target = backend.Targets.Validate(request.Target, kind, conflict);
        TargetPolicy.Check(tenant, backend.Targets, target);
        UploadTokenAdmission.Check(tenant, backend, target, conflict, length);
        var sha256 = Checksums.Validate(request.Checksum);

        var id = UploadIds.New();
        // The deployment's say comes after the gateway's own checks and before anything is held: a refused
        // create reserves no quota and opens no backend session.
        await hook.CheckAsync(new PreCreateRequest(id, tenant.Name, backend.Name, backend.Rules.Type, target, kind, conflict, length,
            request.Metadata ?? new Dictionary<string, string>()), cancellationToken);
        var now = time.GetUtcNow();
        var ttlEnd = now + tenant.Limits.SessionTtl;
        var scopes = await quota.ReserveAsync(tenant, backend, target, id, length, StagingQuota.MetadataBytes(target, request.Metadata), ttlEnd);
        BackendSession created;
        try
        {
            await tokens.CountAsync(tenant);
            created = await backend.CreateAsync(new BackendCreate(id, tenant.Name, target, kind, conflict, length, sha256?.Sha256), cancellationToken);
        }
        catch
        {
            await quota.ReleaseAsync(scopes, id);
            throw;
        }

        var session = new UploadSession
        {
            Id = id,
            Tenant = tenant.Name,
            Backend = backend.Name,
            BackendType = backend.Rules.Type,
            Target = created.Target,
            Kind = kind,
            Conflict = conflict,
            ContentLength = length,
            PartSize = created.PartSize,
            PartCount = created.PartCount,
            MaxConcurrency = Math.Min(tenant.Limits.MaxConcurrency, Math.Min(backend.Rules.MaxConcurrency, created.MaxConcurrency ?? int.MaxValue)),
            Limits = new SessionLimits(tenant.Limits.MaxUploadBytes, tenant.Limits.MaxPartBytes, tenant.Limits.MaxConcurrency, tenant.Limits.StagingQuotaBytes),
            Sha256 = sha256?.Sha256,
            BackendSession = created.Ref,
            QuotaScopes = scopes,
            // An empty object has all of its zero parts: it is staged, and can be completed at once.
            Status = created.PartCount == 0 ? SessionStatus.Staged : SessionStatus.Created,
            CreatedAt = now,
            UpdatedAt = now,
            ExpiresAt = created.ExpiresAt is { } backendEnd && backendEnd < ttlEnd ? backendEnd : ttlEnd,
        };
        try
        {
            if (session.PartSize > tenant.Limits.MaxPartBytes)
            {
                throw new GatewayException(ErrorCode.UploadTooLarge,
                    $"Backend '{backend.Name}' chose parts of {session.PartSize} bytes, over this tenant's max_part_bytes {tenant.Limits.MaxPartBytes}.");
            }
            await store.CreateAsync(session);
        }
        catch
        {
            await quota.ReleaseAsync(scopes, id);
            await AbortBackendQuietlyAsync(backend, session);
            throw;
        }
        await tokens.RecordAsync(tenant, id);
        Log.UploadCreated(logger, id, backend.Name, length, session.PartCount);
        metrics.SessionCreated(id, backend.Name);
        return session;
    }

    /// <summary>Commits the upload at the backend. Returns the session and, while the backend still assembles, how long to wait.</summary>
    /// <param name="answerWithin">How long to wait for the commit before answering that it goes on (at most <c>Gateway:Completion:AnswerWithin</c>).</param>
    public async Task<(UploadSession Session, TimeSpan? RetryAfter)> CompleteAsync(Tenant tenant, string id, WholeChecksums? checksums, CancellationToken cancellationToken,
        TimeSpan? answerWithin = null)
    {
        var given = Checksums.Validate(checksums);
        var session = await GetAsync(tenant, id, cancellationToken);
        var status = session.StatusAt(time.GetUtcNow());
        if (IsCompleted(session, status))
        {
            return (session, null);
        }
        if (status is SessionStatus.Created or SessionStatus.Uploading)
        {
            var missing = PartMath.MissingRanges(session.ReceivedParts, session.PartCount);
            throw new GatewayException(ErrorCode.PartsMissing, $"Parts {missing} have not been received.")
            {
                Extensions = new Dictionary<string, object?> { ["missing_parts"] = missing, ["next_part"] = PartMath.NextPart(session.ReceivedParts, session.PartCount) },
            };
        }
        var backend = backends.Get(session.Backend);
        var whole = new WholeChecksums { Sha256 = given?.Sha256 ?? session.Sha256, Sha1 = given?.Sha1 };
        foreach (var required in backend.Rules.Checksums.Complete)
        {
            if ((required == ContractValues.Algorithms.Sha1 ? whole.Sha1 : whole.Sha256) is null)
            {
                throw new GatewayException(ErrorCode.ChecksumRequired,
                    $"Backend '{backend.Name}' needs the whole object's {required} at complete: send {{\"checksum\": {{\"{required}\": \"<hex>\"}}}}.");
            }
        }

        var retryAfter = await commits.RunAsync(id, ct => CommitAsync(tenant, session, backend, whole, ct), cancellationToken, answerWithin);
        var now = await GetAsync(tenant, id, cancellationToken);
        // The session's state says what the commit came to so far, here or on another instance.
        return IsCompleted(now, now.Status) ? (now, null) : (now, retryAfter ?? commits.RetryAfter);
    }

    /// <summary>
    /// One attempt, under <see cref="CommitRunner"/>'s lock: the session moved to completing, the backend's commit, and
    /// the session's move to the state it leads to. Null once the session has ended; while the backend still assembles,
    /// when to try again.
    /// </summary>
    private async Task<TimeSpan?> CommitAsync(Tenant tenant, UploadSession session, IUploadBackend backend, WholeChecksums whole, CancellationToken cancellationToken)
    {
        var begun = await store.ApplyAsync(session.Id, tenant.Name, SessionTransition.BeginComplete);
        if (begun is { Outcome: TransitionOutcome.WrongState, PreviousStatus: { } previous } && !SessionStatus.IsLive(previous))
        {
            // Ended since the request looked (an attempt before this one committed it, a client aborted it, it expired): its state is the answer.
            return null;
        }
        ThrowIfNotDone(begun, session.Id);
        var parts = await store.ListPartsAsync(session.Id, cancellationToken);
        CommitOutcome outcome;
        try
        {
            outcome = await backend.CompleteAsync(session, parts, whole, cancellationToken);
        }
        catch (GatewayException e)
        {
            if (e.EndsSession)
            {
                await EndAsync(session, SessionTransition.Fail, new SessionResult { Error = new SessionError(e.Error.Code, e.Message) });
            }
            else
            {
                // Retryable or correctable (a wrong digest): the parts are all still there.
                await store.ApplyAsync(session.Id, null, SessionTransition.Reopen);
            }
            throw;
        }
        switch (outcome)
        {
            case CommitOutcome.Completed completed:
                await EndAsync(session, SessionTransition.Complete, completed.Result);
                return null;
            case CommitOutcome.Pending pending:
                return pending.RetryAfter;
            default:
                throw new InvalidOperationException($"Unknown commit outcome {outcome}.");
        }
    }

    public async Task AbortAsync(Tenant tenant, string id, CancellationToken cancellationToken)
    {
        var session = await GetAsync(tenant, id, cancellationToken);
        if (session.Status == SessionStatus.Completed)
        {
            throw new GatewayException(ErrorCode.InvalidState, "The upload is completed; there is nothing to abort.");
        }
        if (!SessionStatus.IsLive(session.Status))
        {
            return;
        }
        var ended = await commits.TryRunUnlessCommittingAsync(id, async () =>
        {
            await backends.Get(session.Backend).AbortAsync(session, cancellationToken);
            await EndAsync(session, SessionTransition.Abort);
        });
        if (!ended)
        {
            throw new GatewayException(ErrorCode.InvalidState, "The upload is being completed; it can no longer be aborted.");
        }
    }

    /// <summary>Ends a session past its expiry: the backend's session aborted (best effort), quota released.</summary>
    public async Task<bool> ExpireAsync(string id, CancellationToken cancellationToken)
    {
        var session = await store.GetAsync(id, null, cancellationToken);
        if (session is null || !SessionStatus.IsLive(session.Status))
        {
            await expiry.ForgetExpiryAsync(id);
            return false;
        }
        if (session.StatusAt(time.GetUtcNow()) != SessionStatus.Expired)
        {
            return false;
        }
        // A commit that runs past the expiry is let finish: it took the session's parts before the time ran out.
        var ended = false;
        await commits.TryRunUnlessCommittingAsync(id, async () =>
        {
            if (backends.TryGet(session.Backend, out var backend))
            {
                await AbortBackendQuietlyAsync(backend, session);
            }
            ended = await EndAsync(session, SessionTransition.Expire);
        });
        return ended;
    }

    /// <summary>The caller's session, or 404.</summary>
    private async Task<UploadSession> GetAsync(Tenant tenant, string id, CancellationToken cancellationToken) =>
        await store.GetAsync(id, tenant.Name, cancellationToken) ?? throw new GatewayException(ErrorCode.NotFound, $"No upload {id}.");

    /// <summary>Ends a session (completed, failed, aborted, expired): its quota released, out of the expiry index.</summary>
    private async Task<bool> EndAsync(UploadSession session, SessionTransition end, SessionResult? result = null)
    {
        var ended = await store.ApplyAsync(session.Id, null, end, result);
        if (ended.Outcome != TransitionOutcome.Done)
        {
            return false;
        }
        var status = end.To;
        await quota.ReleaseAsync(session.QuotaScopes, session.Id);
        await expiry.ForgetExpiryAsync(session.Id);
        Log.UploadEnded(logger, session.Id, status);
        metrics.SessionEnded(session.Id, session.Backend, status);
        return true;
    }

    private async Task AbortBackendQuietlyAsync(IUploadBackend backend, UploadSession session)
    {
        try
        {
            await backend.AbortAsync(session, CancellationToken.None);
        }
        catch (Exception e)
        {
            // Backend sessions expire on their own; the gateway's state is what must be right.
            Log.OrphanedBackendSession(logger, session.Id, e);
        }
    }

    private static void ThrowIfNotDone(Transition transition, string id)
    {
        switch (transition.Outcome)
        {
            case TransitionOutcome.Done:
                return;
            case TransitionOutcome.NotFound:
                throw new GatewayException(ErrorCode.NotFound, $"No upload {id}.");
            case TransitionOutcome.PartsMissing:
                throw new GatewayException(ErrorCode.PartsMissing, "Parts are missing.");
            default:
                throw new GatewayException(ErrorCode.InvalidState, $"The upload is {transition.PreviousStatus}.");
        }
    }

    /// <summary>Whether a session in <paramref name="status"/> is completed; the refusal for one that ended otherwise; false while it is live.</summary>
    private static bool IsCompleted(UploadSession session, string status) => status switch
    {
        SessionStatus.Completed => true,
        SessionStatus.Aborted or SessionStatus.Failed => throw new GatewayException(ErrorCode.InvalidState, session.Result?.Error is { } error
            ? $"The upload failed ({error.Code}): {error.Detail}"
            : $"The upload is {session.Status}; it cannot be completed."),
        SessionStatus.Expired => throw new GatewayException(ErrorCode.Expired, "The upload expired."),
        _ => false,
    };

    private static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
