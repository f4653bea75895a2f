using System.Text.Json.Nodes;
using MockSandbox.Errors;
using MockSandbox.Http;
using MockSandbox.Quota;

namespace MockSandbox.Uploads;

/// <summary>
/// One upload session's state machine [seed, ours]: <c>created → uploading → staged → completing →
/// completed</c>, and <c>aborted</c>, <c>expired</c>, <c>failed</c>. Parts of one session arrive
/// concurrently, so every transition happens under one lock; the lock never covers I/O on part bodies.
/// Expiry is applied lazily on every access (and by the sweeper), from the injected clock.
/// </summary>
internal sealed class UploadSession
{
    private readonly Lock _lock = new();
    private readonly Dictionary<uint, byte[]?> _acceptedDigests = [];
    private readonly StagingQuota _quota;
    private UploadStatus _status = UploadStatus.Created;
    private DateTimeOffset _updatedAt;
    private uint _nextPart;
    private long _acceptedBytes;
    private int _inFlight;
    private bool _stagingDeleted;
    private string? _wholeChecksum;
    private string? _assembledDigest;

    public UploadSession(UploadPlan plan, UploadStaging staging, StagingQuota quota)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(staging);
        ArgumentNullException.ThrowIfNull(quota);
        Plan = plan;
        Staging = staging;
        _quota = quota;
        _updatedAt = plan.CreatedAt;
        _wholeChecksum = plan.WholeChecksumSha256;
    }

    public UploadPlan Plan { get; }

    public UploadStaging Staging { get; }

    /// <summary>Parts being received right now; what <c>max_concurrency</c> limits.</summary>
    public int InFlight
    {
        get
        {
            lock (_lock)
            {
                return _inFlight;
            }
        }
    }

    public UploadSessionDto Snapshot(DateTimeOffset now)
    {
        lock (_lock)
        {
            ExpireIfDue(now);
            return SnapshotLocked();
        }
    }

    /// <summary>
    /// True while the session holds its staging reservation (created, uploading, staged, completing).
    /// Expiry is not applied here: callers settle it first (<see cref="TryExpire"/>).
    /// </summary>
    public bool Reserves
    {
        get
        {
            lock (_lock)
            {
                return HoldsReservation(_status);
            }
        }
    }

    /// <summary>Applies expiry; true when this call is what expired the session.</summary>
    public bool TryExpire(DateTimeOffset now)
    {
        lock (_lock)
        {
            return ExpireIfDue(now);
        }
    }

    /// <summary>
    /// Admits one part request: the session must still take parts, the part number and declared length
    /// must fit, a spooled stream must be at its next part, and a slot under <c>max_concurrency</c> must be free.
    /// The caller must call <see cref="EndPart"/> once the request is over.
    /// </summary>
    public PartTicket BeginPart(uint part, long? declaredLength, DateTimeOffset now)
    {
        lock (_lock)
        {
            ExpireIfDue(now);
            EnsureTakesParts();
            if (part >= Plan.PartCount)
            {
                throw SandboxError.InvalidRequest(
                    $"Part {part} is out of range: this upload has {Plan.PartCount} parts, numbered from 0.",
                    new JsonObject { ["part_count"] = Plan.PartCount }).AsException();
            }
            var expected = Plan.LengthOf(part);
            if (declaredLength > Plan.Limits.MaxPartBytes)
            {
                throw PartTooLarge(declaredLength.Value).AsException();
            }
            if (declaredLength is { } declared && declared != expected)
            {
                throw WrongLength(part, declared, expected).AsException();
            }
            if (Plan.SourceKind == SourceKind.SpooledStream && part != _nextPart)
            {
                // A spooled stream cannot be re-read, so its parts are taken strictly in order [ours].
                throw SandboxError.UploadConflict(
                    $"This spooled_stream upload takes parts in order only; the next one is {NextPartLocked()?.ToString() ?? "none"}.",
                    new JsonObject { ["reason"] = "out_of_order", ["next_part"] = NextPartLocked() }).AsException();
            }
            if (_inFlight >= Plan.MaxConcurrency)
            {
                throw SandboxError.RateLimitExceeded(Plan.MaxConcurrency).AsException();
            }
            _inFlight++;
            return new PartTicket(part, expected, _acceptedDigests.ContainsKey(part));
        }
    }

    /// <summary>
    /// Records a received part. A part already accepted with the same digest is a replay: nothing is
    /// counted twice; with another digest it is <c>409 upload_conflict</c> [ours]. A new part's staged file
    /// (<paramref name="receivedFile"/>) is moved into place under the lock, so a racing replay sees it.
    /// </summary>
    /// <remarks>
    /// A part's digest is taken when first needed, not on every part: an accepted part's from its stored file on
    /// its first replay, and a part that lost a race to the same number from the file it was received into. Both
    /// are rare, so they are hashed under the session's lock.
    /// </remarks>
    public UploadSessionDto CommitPart(PartTicket ticket, byte[]? digest, string? receivedFile, DateTimeOffset now)
    {
        lock (_lock)
        {
            ExpireIfDue(now);
            EnsureTakesParts();
            if (_acceptedDigests.TryGetValue(ticket.Part, out var accepted))
            {
                accepted ??= _acceptedDigests[ticket.Part] = ReceivedBody.Sha256Of(Staging.PartPath(ticket.Part));
                digest ??= ReceivedBody.Sha256Of(receivedFile ?? throw new InvalidOperationException("A part without a digest must arrive with its staged file."));
                if (!accepted.AsSpan().SequenceEqual(digest))
                {
                    throw SandboxError.UploadConflict(
                        $"Part {ticket.Part} was already accepted with different bytes.",
                        new JsonObject { ["reason"] = "part_mismatch", ["part"] = ticket.Part }).AsException();
                }
                return SnapshotLocked();
            }
            if (receivedFile is null)
            {
                throw new InvalidOperationException("A part not accepted before must arrive with its staged file.");
            }
            File.Move(receivedFile, Staging.PartPath(ticket.Part));
            _acceptedDigests.Add(ticket.Part, digest);
            _acceptedBytes += ticket.ExpectedLength;
            while (_nextPart < Plan.PartCount && _acceptedDigests.ContainsKey(_nextPart))
            {
                _nextPart++;
            }
            _status = _acceptedDigests.Count == Plan.PartCount ? UploadStatus.Staged : UploadStatus.Uploading;
            _updatedAt = now;
            return SnapshotLocked();
        }
    }

    public void EndPart()
    {
        lock (_lock)
        {
            _inFlight--;
        }
    }

    /// <summary>
    /// The error for a body that ran past its part's length: 413 once it is over <c>max_part_bytes</c>,
    /// 400 before that [ours].
    /// </summary>
    public SandboxError BodyTooLong(uint part, long received, long expected) =>
        received > Plan.Limits.MaxPartBytes ? PartTooLarge(received) : WrongLength(part, received, expected);

    public static SandboxError BodyTooShort(uint part, long received, long expected) => WrongLength(part, received, expected);

    /// <summary>
    /// Moves a session whose every part is in to <c>completing</c>. Returns the digests the assembled
    /// bytes must match (given at create and/or now) and the digest already computed by an earlier attempt.
    /// </summary>
    public CompleteTicket BeginComplete(string? wholeChecksum, DateTimeOffset now)
    {
        lock (_lock)
        {
            ExpireIfDue(now);
            if (_status is not (UploadStatus.Created or UploadStatus.Uploading or UploadStatus.Staged))
            {
                throw StatusConflict("be completed").AsException();
            }
            if (_acceptedDigests.Count < Plan.PartCount)
            {
                throw SandboxError.UploadConflict(
                    $"Not every part is in: part {_nextPart} is missing.",
                    new JsonObject { ["reason"] = "parts_missing", ["next_part"] = _nextPart }).AsException();
            }
            string[] expected = [.. new[] { Plan.WholeChecksumSha256, wholeChecksum }.OfType<string>().Distinct()];
            _wholeChecksum = wholeChecksum ?? _wholeChecksum;
            _status = UploadStatus.Completing;
            _updatedAt = now;
            return new CompleteTicket(expected, _assembledDigest);
        }
    }

    /// <summary>Keeps the assembled digest, so a retried complete does not assemble again.</summary>
    public void RecordAssembled(string digest)
    {
        lock (_lock)
        {
            _assembledDigest = digest;
        }
    }

    public UploadSessionDto Complete(string digest, DateTimeOffset now)
    {
        lock (_lock)
        {
            EnsureCompleting();
            _wholeChecksum = digest;
            End(UploadStatus.Completed, now);
            return SnapshotLocked();
        }
    }

    /// <summary>A complete that can never succeed (digest mismatch, unsafe archive) fails the session [ours].</summary>
    public void Fail(DateTimeOffset now)
    {
        lock (_lock)
        {
            EnsureCompleting();
            End(UploadStatus.Failed, now);
        }
    }

    /// <summary>
    /// A complete that may succeed later (the target exists under <c>conflict: error</c>, or the mock hit an
    /// I/O error) leaves the session <c>staged</c>, its bytes kept for another attempt.
    /// </summary>
    public void ReturnToStaged(DateTimeOffset now)
    {
        lock (_lock)
        {
            if (_status == UploadStatus.Completing)
            {
                _status = UploadStatus.Staged;
                _updatedAt = now;
            }
        }
    }

    /// <summary>
    /// Abort [ours]: a live session becomes <c>aborted</c>; an aborted one is returned as it is (idempotent);
    /// a completed or completing one is <c>409 upload_conflict</c>. An expired or failed session has already
    /// ended and released everything: it is returned unchanged rather than rewritten as aborted.
    /// </summary>
    public UploadSessionDto Abort(DateTimeOffset now)
    {
        lock (_lock)
        {
            ExpireIfDue(now);
            if (_status is UploadStatus.Completed or UploadStatus.Completing)
            {
                throw StatusConflict("be aborted").AsException();
            }
            if (HoldsReservation(_status))
            {
                End(UploadStatus.Aborted, now);
            }
            return SnapshotLocked();
        }
    }

    /// <summary>
    /// True exactly once, when the session has ended and no part request still writes into its staging
    /// folder: the caller then deletes the staged bytes [ours: "staged bytes are deleted"].
    /// </summary>
    public bool TakeStagingCleanup()
    {
        lock (_lock)
        {
            if (_stagingDeleted || HoldsReservation(_status) || _inFlight > 0)
            {
                return false;
            }
            _stagingDeleted = true;
            return true;
        }
    }

    private static bool HoldsReservation(UploadStatus status) =>
        status is UploadStatus.Created or UploadStatus.Uploading or UploadStatus.Staged or UploadStatus.Completing;

    private bool ExpireIfDue(DateTimeOffset now)
    {
        // A session being published is not cut short; every other live one ends at expires_at [ours].
        if (_status is UploadStatus.Created or UploadStatus.Uploading or UploadStatus.Staged && now >= Plan.ExpiresAt)
        {
            End(UploadStatus.Expired, Plan.ExpiresAt);
            return true;
        }
        return false;
    }

    private void End(UploadStatus status, DateTimeOffset at)
    {
        _status = status;
        _updatedAt = at;
        _quota.Release(Plan.ContentLength);
    }

    private void EnsureTakesParts()
    {
        if (_status is not (UploadStatus.Created or UploadStatus.Uploading or UploadStatus.Staged))
        {
            throw StatusConflict("take parts").AsException();
        }
    }

    private void EnsureCompleting()
    {
        if (_status != UploadStatus.Completing)
        {
            throw new InvalidOperationException($"Session {Plan.UploadId} is {_status}, not completing.");
        }
    }

    private SandboxError StatusConflict(string action) =>
        SandboxError.UploadConflict(
            $"Upload {Plan.UploadId} is {WireStatus(_status)} and can no longer {action}.",
            new JsonObject { ["reason"] = "session_" + WireStatus(_status), ["status"] = WireStatus(_status) });

    private SandboxError PartTooLarge(long length) =>
        SandboxError.FileUploadLimitExceeded($"A part of {length} bytes is over max_part_bytes ({Plan.Limits.MaxPartBytes}).", Plan.Limits.MaxPartBytes);

    private static SandboxError WrongLength(uint part, long actual, long expected) =>
        SandboxError.InvalidRequest(
            $"Part {part} must be exactly {expected} bytes; {actual} were sent.",
            new JsonObject { ["reason"] = "wrong_part_length", ["part"] = part, ["expected_bytes"] = expected, ["actual_bytes"] = actual });

    private static string WireStatus(UploadStatus status) => WireNames<UploadStatus>.NameOf(status);

    private uint? NextPartLocked() => _nextPart < Plan.PartCount ? _nextPart : null;

    private UploadSessionDto SnapshotLocked() => new(
        Plan.UploadId,
        Plan.Kind,
        Plan.SourceKind,
        Plan.Target.Value,
        Plan.ContentLength,
        _acceptedBytes,
        HoldsReservation(_status) ? Plan.ContentLength : 0,
        Plan.PartSize,
        Plan.PartCount,
        Plan.MaxConcurrency,
        _status,
        Plan.Conflict,
        ChecksumAlgorithm.Sha256,
        Plan.Limits,
        UploadIds.Timestamp(Plan.CreatedAt),
        UploadIds.Timestamp(_updatedAt),
        UploadIds.Timestamp(Plan.ExpiresAt),
        Plan.User,
        NextPartLocked(),
        Plan.ArchiveFormat,
        _wholeChecksum);
}

/// <summary>An admitted part request: its number, the exact length it must have, and whether the part was accepted before (a replay).</summary>
internal sealed record PartTicket(uint Part, long ExpectedLength, bool Replay);

/// <summary>What a complete must check the assembled bytes against, and the digest of an earlier assembly.</summary>
internal sealed record CompleteTicket(IReadOnlyList<string> ExpectedDigests, string? AssembledDigest);
