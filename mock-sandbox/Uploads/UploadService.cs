using System.Globalization;
using System.Text.Json.Nodes;
using MockSandbox.Errors;
using MockSandbox.Http;
using MockSandbox.Paths;
using MockSandbox.Publishing;
using MockSandbox.Sandboxes;

namespace MockSandbox.Uploads;

/// <summary>
/// The upload operations: create, status, part, complete, abort. Sessions keep their own state
/// (<see cref="UploadSession"/>); this class does the I/O around them and turns every outcome into the
/// status object or an API error.
/// </summary>
internal sealed class UploadService
{
    private readonly SandboxRegistry _sandboxes;
    private readonly Publisher _publisher;
    private readonly TimeProvider _time;
    private readonly ILogger<UploadService> _logger;

    public UploadService(SandboxRegistry sandboxes, Publisher publisher, TimeProvider time, ILogger<UploadService> logger)
    {
        ArgumentNullException.ThrowIfNull(sandboxes);
        ArgumentNullException.ThrowIfNull(publisher);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _sandboxes = sandboxes;
        _publisher = publisher;
        _time = time;
        _logger = logger;
    }

    public CreateUploadResponse Create(string sandboxId, CreateUploadRequest request)
    {
        var sandbox = _sandboxes.GetReady(sandboxId);
        var settings = sandbox.Settings;
        var draft = Validate(request);
        if (draft.ContentLength > settings.MaxUploadBytes)
        {
            throw SandboxError.FileUploadLimitExceeded(
                $"content_length {draft.ContentLength} is over max_upload_bytes ({settings.MaxUploadBytes}).", settings.MaxUploadBytes).AsException();
        }
        var partCount = UploadPlan.PartCountFor(draft.ContentLength, settings.PartSize);
        if (partCount > uint.MaxValue)
        {
            // part_count is a uint32 [seed].
            throw SandboxError.InvalidRequest($"content_length {draft.ContentLength} would need {partCount} parts of {settings.PartSize} bytes; at most {uint.MaxValue} are possible.").AsException();
        }

        var now = _time.GetUtcNow();
        // Sessions that expired unnoticed still hold reservations: settled before a create is refused for quota. Only
        // then, since settling visits every session of the sandbox: on every create, a burst of N creates cost N² and
        // the mock, not the client or the gateway, set the pace of 10,000 concurrent sessions (docs/BENCHMARKS.md).
        if (!sandbox.Quota.TryReserve(draft.ContentLength, settings.StagingQuotaBytes, out var reserved)
            && (ExpireDue(sandbox, now) == 0 || !sandbox.Quota.TryReserve(draft.ContentLength, settings.StagingQuotaBytes, out reserved)))
        {
            throw SandboxError.QuotaExceeded(draft.ContentLength, reserved, settings.StagingQuotaBytes).AsException();
        }

        var plan = new UploadPlan(
            UploadIds.NewId(), draft.Kind, draft.SourceKind, draft.Target, request.User, draft.ContentLength,
            settings.PartSize, (uint)partCount, settings.MaxConcurrency, draft.Conflict,
            new SessionLimitsDto(settings.MaxUploadBytes, settings.MaxPartBytes, settings.MaxConcurrency, settings.StagingQuotaBytes),
            now, now + settings.SessionTtl, draft.ArchiveFormat, request.WholeChecksumSha256, request.Metadata?.Clone());
        var staging = new UploadStaging(sandbox.Directories.StagingFor(plan.UploadId));
        try
        {
            staging.Create();
        }
        catch
        {
            sandbox.Quota.Release(plan.ContentLength);
            throw;
        }
        var session = new UploadSession(plan, staging, sandbox.Quota);
        sandbox.Sessions[plan.UploadId] = session;
        Log.SessionCreated(_logger, plan.UploadId, sandbox.Id, plan.Target.Value, plan.ContentLength, plan.PartCount);
        return new CreateUploadResponse(session.Snapshot(now));
    }

    public UploadSessionDto Get(string sandboxId, string uploadId)
    {
        var session = Find(sandboxId, uploadId);
        try
        {
            return session.Snapshot(_time.GetUtcNow());
        }
        finally
        {
            CleanUp(session);
        }
    }

    public async Task<UploadSessionDto> PutPartAsync(string sandboxId, string uploadId, string partNumber, PartUpload upload, CancellationToken cancellationToken)
    {
        var session = Find(sandboxId, uploadId);
        if (!uint.TryParse(partNumber, NumberStyles.None, CultureInfo.InvariantCulture, out var part))
        {
            throw SandboxError.InvalidRequest($"Part number '{partNumber}' is not a non-negative integer; parts are numbered from 0.").AsException();
        }
        if (upload.Sha256 is { } declared && !UploadIds.IsSha256Hex(declared))
        {
            throw SandboxError.InvalidRequest($"{SandboxHeaders.PartSha256} must be 64 lowercase hex characters.").AsException();
        }
        if (upload.ContentType is { } contentType && !contentType.StartsWith("application/octet-stream", StringComparison.OrdinalIgnoreCase))
        {
            throw SandboxError.InvalidRequest($"A part is a raw body: Content-Type must be application/octet-stream, not {contentType}.").AsException();
        }

        var ticket = session.BeginPart(part, upload.ContentLength, _time.GetUtcNow());
        string? incoming = null;
        try
        {
            ReceivedBody received;
            if (!ticket.Replay)
            {
                // A new part is hashed only to check the digest its client sent; a replay compares digests then.
                incoming = session.Staging.NewIncomingPath();
                await using var file = BodyReceiver.CreateFile(incoming, ticket.ExpectedLength);
                received = await BodyReceiver.ReceiveAsync(upload.Body, file, ticket.ExpectedLength, session.Plan.Limits.MaxPartBytes,
                    sha256: upload.Sha256 is not null, cancellationToken);
            }
            else
            {
                // A replay of an accepted part: only its digest matters, its bytes are not kept again.
                received = await BodyReceiver.ReceiveAsync(upload.Body, null, 0, session.Plan.Limits.MaxPartBytes, sha256: true, cancellationToken);
            }
            if (received.Length > ticket.ExpectedLength)
            {
                throw session.BodyTooLong(part, received.Length, ticket.ExpectedLength).AsException();
            }
            if (received.Length < ticket.ExpectedLength)
            {
                throw UploadSession.BodyTooShort(part, received.Length, ticket.ExpectedLength).AsException();
            }
            if (upload.Sha256 is { } expected && Convert.ToHexStringLower(received.Sha256!) is var actual && expected != actual)
            {
                throw SandboxError.InvalidRequest(
                    $"Part {part} does not match its {SandboxHeaders.PartSha256}; it was not stored.",
                    new JsonObject { ["reason"] = "part_checksum_mismatch", ["expected_sha256"] = expected, ["actual_sha256"] = actual }).AsException();
            }
            var snapshot = session.CommitPart(ticket, received.Sha256, incoming, _time.GetUtcNow());
            Log.PartAccepted(_logger, uploadId, part, received.Length);
            return snapshot;
        }
        finally
        {
            session.EndPart();
            if (incoming is not null && File.Exists(incoming))
            {
                File.Delete(incoming);
            }
            CleanUp(session);
        }
    }

    /// <summary>
    /// Assembles, checks the whole-object digest and publishes. The work is not tied to the request: a
    /// client that hangs up mid-publish retries with the same key and is answered from the finished result.
    /// </summary>
    public async Task<CompleteUploadResponse> CompleteAsync(string sandboxId, string uploadId, CompleteUploadRequest request)
    {
        if (request.WholeChecksumSha256 is { } given && !UploadIds.IsSha256Hex(given))
        {
            throw SandboxError.InvalidField("whole_checksum_sha256", "invalid_sha256", "whole_checksum_sha256 must be 64 lowercase hex characters.").AsException();
        }
        var sandbox = _sandboxes.GetReady(sandboxId);
        var session = Find(sandbox, uploadId);
        var ticket = session.BeginComplete(request.WholeChecksumSha256, _time.GetUtcNow());
        var plan = session.Plan;
        try
        {
            var digest = ticket.AssembledDigest;
            if (digest is null)
            {
                digest = await session.Staging.AssembleAsync(plan.PartCount, CancellationToken.None);
                session.RecordAssembled(digest);
            }
            if (ticket.ExpectedDigests.FirstOrDefault(expected => expected != digest) is { } mismatch)
            {
                session.Fail(_time.GetUtcNow());
                Log.SessionFailed(_logger, uploadId, "checksum_mismatch");
                throw SandboxError.ChecksumMismatch(mismatch, digest).AsException();
            }

            PublishResult published;
            try
            {
                published = plan.Kind == UploadKind.File
                    ? await _publisher.PublishFileAsync(sandbox, plan.Target, plan.Conflict, session.Staging.AssembledPath)
                    : await _publisher.PublishArchiveAsync(sandbox, plan, session.Staging, session.Staging.AssembledPath);
            }
            catch (UnsafeArchiveException unsafeArchive)
            {
                session.Fail(_time.GetUtcNow());
                Log.ArchiveRejected(_logger, uploadId, unsafeArchive.Message);
                throw SandboxError.InvalidRequest(
                    unsafeArchive.Message + " Nothing was published; the upload has failed.",
                    new JsonObject { ["reason"] = "unsafe_archive", ["entry"] = unsafeArchive.Entry }).AsException();
            }
            catch (PublishConflictException conflict)
            {
                session.ReturnToStaged(_time.GetUtcNow());
                throw SandboxError.UploadConflict(conflict.Message, new JsonObject { ["reason"] = conflict.Reason, ["target_path"] = plan.Target.Value }).AsException();
            }

            var completed = session.Complete(digest, _time.GetUtcNow());
            Log.SessionCompleted(_logger, uploadId, plan.Target.Value, published.PublishedBytes, published.PublishedFileCount);
            return new CompleteUploadResponse(completed, published.PublishedBytes, published.PublishedFileCount);
        }
        finally
        {
            // An unexpected failure (an I/O error) must not leave the session stuck in completing.
            session.ReturnToStaged(_time.GetUtcNow());
            CleanUp(session);
        }
    }

    public UploadSessionDto Abort(string sandboxId, string uploadId)
    {
        var session = Find(sandboxId, uploadId);
        try
        {
            var snapshot = session.Abort(_time.GetUtcNow());
            Log.SessionAborted(_logger, uploadId);
            return snapshot;
        }
        finally
        {
            CleanUp(session);
        }
    }

    /// <summary>Expires every due session of every sandbox and forgets long-ended ones; for the sweeper and <c>/_mock/sweep</c>.</summary>
    public int Sweep()
    {
        var now = _time.GetUtcNow();
        var expired = 0;
        foreach (var sandbox in _sandboxes.All)
        {
            expired += ExpireDue(sandbox, now);
            foreach (var (id, session) in sandbox.Sessions)
            {
                // Ended sessions stay queryable for one more TTL after their expiry, then are forgotten [ours].
                if (!session.Reserves && now >= session.Plan.ExpiresAt + (session.Plan.ExpiresAt - session.Plan.CreatedAt))
                {
                    sandbox.Sessions.TryRemove(id, out _);
                }
            }
        }
        return expired;
    }

    /// <summary>Applies expiry to every session of one sandbox now, deleting what expired sessions staged.</summary>
    public int ExpireDue(Sandbox sandbox) => ExpireDue(sandbox, _time.GetUtcNow());

    private int ExpireDue(Sandbox sandbox, DateTimeOffset now)
    {
        var expired = 0;
        foreach (var session in sandbox.Sessions.Values)
        {
            if (session.TryExpire(now))
            {
                expired++;
                Log.SessionExpired(_logger, session.Plan.UploadId);
            }
            CleanUp(session);
        }
        return expired;
    }

    private UploadSession Find(string sandboxId, string uploadId) => Find(_sandboxes.GetReady(sandboxId), uploadId);

    private static UploadSession Find(Sandbox sandbox, string uploadId) =>
        sandbox.Sessions.GetValueOrDefault(uploadId)
        ?? throw SandboxError.NotFound($"Upload {uploadId} does not exist in sandbox {sandbox.Id}.").AsException();

    /// <summary>Deletes an ended session's staged bytes once nothing writes into them any more.</summary>
    private static void CleanUp(UploadSession session)
    {
        if (session.TakeStagingCleanup())
        {
            session.Staging.Delete();
        }
    }

    /// <summary>The create body checked field by field [doc, ours]; every problem is reported at once.</summary>
    private static UploadDraft Validate(CreateUploadRequest request)
    {
        var problems = new List<FieldError>();
        var kind = Required<UploadKind>(request.Kind, "kind", problems);
        var sourceKind = Required<SourceKind>(request.SourceKind, "source_kind", problems);
        var conflict = Optional(request.Conflict, "conflict", ConflictPolicy.Error, problems);
        Optional(request.ChecksumAlgorithm, "checksum_algorithm", ChecksumAlgorithm.Sha256, problems);
        ArchiveFormat? archiveFormat = null;

        // directory_tar pairs with directory_archive and archive_format tar [ours].
        if (kind == UploadKind.DirectoryTar)
        {
            archiveFormat = Optional(request.ArchiveFormat, "archive_format", ArchiveFormat.Tar, problems);
            if (sourceKind is { } source && source != SourceKind.DirectoryArchive)
            {
                problems.Add(new("source_kind", "kind_mismatch", "kind directory_tar takes source_kind directory_archive."));
            }
        }
        else if (kind == UploadKind.File)
        {
            if (sourceKind == SourceKind.DirectoryArchive)
            {
                problems.Add(new("source_kind", "kind_mismatch", "source_kind directory_archive takes kind directory_tar."));
            }
            if (request.ArchiveFormat is not null)
            {
                problems.Add(new("archive_format", "kind_mismatch", "archive_format applies only to kind directory_tar."));
            }
        }

        if (request.ContentLength is null)
        {
            problems.Add(new("content_length", "required", "content_length is required."));
        }
        else if (request.ContentLength < 0)
        {
            problems.Add(new("content_length", "out_of_range", "content_length must not be negative."));
        }
        if (request.WholeChecksumSha256 is { } checksum && !UploadIds.IsSha256Hex(checksum))
        {
            problems.Add(new("whole_checksum_sha256", "invalid_sha256", "whole_checksum_sha256 must be 64 lowercase hex characters."));
        }

        var target = request.TargetPath is null
            ? Missing("target_path", problems)
            : SandboxPaths.TryResolve(request.TargetPath, request.User, "target_path", problems);
        if (target is { IsRoot: true } && kind == UploadKind.File)
        {
            problems.Add(new("target_path", "is_directory", $"target_path {target} is a root directory; a file needs a name under it."));
        }
        if (problems.Count > 0)
        {
            throw SandboxError.InvalidFields(problems).AsException();
        }
        return new UploadDraft(kind!.Value, sourceKind!.Value, target!, request.ContentLength!.Value, conflict, archiveFormat);
    }

    private static SandboxPath? Missing(string field, List<FieldError> problems)
    {
        problems.Add(new(field, "required", $"{field} is required."));
        return null;
    }

    private static T? Required<T>(string? value, string field, List<FieldError> problems)
        where T : struct, Enum
    {
        if (value is null)
        {
            problems.Add(new(field, "required", $"{field} is required."));
            return null;
        }
        if (WireNames<T>.TryParse(value, out var parsed))
        {
            return parsed;
        }
        problems.Add(InvalidValue<T>(field, value));
        return null;
    }

    private static T Optional<T>(string? value, string field, T fallback, List<FieldError> problems)
        where T : struct, Enum
    {
        if (value is null)
        {
            return fallback;
        }
        if (WireNames<T>.TryParse(value, out var parsed))
        {
            return parsed;
        }
        problems.Add(InvalidValue<T>(field, value));
        return fallback;
    }

    private static FieldError InvalidValue<T>(string field, string value)
        where T : struct, Enum =>
        new(field, "invalid_value", $"{field} must be one of {WireNames<T>.List}; '{value}' is not.");

    private sealed record UploadDraft(UploadKind Kind, SourceKind SourceKind, SandboxPath Target, long ContentLength, ConflictPolicy Conflict, ArchiveFormat? ArchiveFormat);
}

/// <summary>One part request as the endpoint hands it over: the raw body and the headers that describe it.</summary>
internal sealed record PartUpload(Stream Body, long? ContentLength, string? ContentType, string? Sha256);
