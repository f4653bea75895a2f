using System.Globalization;
using System.Text.Json;
using Gateway.Domain;
using Gateway.Sessions;
using UploadGateway.Contract;

namespace Gateway.Backends.Sandbox;

/// <summary>
/// The sandbox upload API (mock-sandbox/README.md): zero-based parts, an optional <c>X-Part-SHA256</c>, an
/// <c>Idempotency-Key</c> on create and complete, and errors in <c>{"error": {"code", …}}</c>.
/// </summary>
internal sealed class SandboxBackend(BackendContext context, SandboxSettings settings) : IUploadBackend
{
    public const string PartDigestHeader = "X-Part-SHA256";
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    public string Name => context.Name;

    public BackendCluster Cluster => context.Http.Cluster;

    public BackendRules Rules { get; } = new(
        context.Type,
        Kinds: ContractValues.Kinds.All,
        Conflicts: ContractValues.Conflicts.All,
        TargetFields: SandboxTargets.Instance.Fields,
        Checksums: new ChecksumsRequired(Part: [ContractValues.Algorithms.Sha256], Complete: []),
        MinUploadBytes: context.Options.MinUploadBytes ?? 0,
        MaxConcurrency: context.Options.MaxConcurrency,
        NeedsPartSha1BeforeBody: false,
        // The sandbox hashes every part and refuses it (400, not stored) when X-Part-SHA256 differs (mock-sandbox/README.md, one part).
        ChecksPartDigests: DigestKinds.Sha256,
        IdempotencyKeyHeader: IdempotencyKeyHeader);

    public IBackendTargets Targets => SandboxTargets.Instance;

    /// <summary>The staging-quota scope of one sandbox of one backend.</summary>
    public static string QuotaScopeOf(string backend, string sandboxId) => $"sandbox:{backend}:{sandboxId}";

    public IEnumerable<QuotaScope> QuotaScopes(UploadTarget target)
    {
        if (settings.SandboxStagingQuotaBytes > 0)
        {
            var sandbox = SandboxTarget.Of(target).SandboxId;
            yield return new QuotaScope(QuotaScopeOf(context.Name, sandbox), settings.SandboxStagingQuotaBytes, $"sandbox {sandbox}");
        }
    }

    public async Task<BackendSession> CreateAsync(BackendCreate request, CancellationToken cancellationToken)
    {
        var directory = request.Kind == ContractValues.Kinds.DirectoryTar;
        var target = SandboxTarget.Of(request.Target);
        var body = new SandboxCreateBody(
            Kind: request.Kind,
            SourceKind: directory ? "directory_archive" : "restartable_file",
            TargetPath: target.Path,
            ContentLength: request.ContentLength,
            Conflict: request.Conflict,
            ChecksumAlgorithm: "sha256",
            User: target.User,
            ArchiveFormat: directory ? "tar" : null,
            Metadata: new() { ["gateway_upload_id"] = request.UploadId });
        var message = context.Http.Request(HttpMethod.Post, $"v1/sandboxes/{Uri.EscapeDataString(target.SandboxId)}/uploads");
        // One key per gateway session: a create retried after a lost answer gets the same backend session back.
        message.Headers.Add(IdempotencyKeyHeader, request.UploadId + ".create");
        BackendHttp.SetJson(message, body, SandboxJsonContext.Default.SandboxCreateBody);

        var response = await context.Http.SendAsync(message, cancellationToken);
        if (!response.IsSuccess)
        {
            throw Error(response, "create");
        }
        var session = response.Read(SandboxAnswerJsonContext.Default.SandboxCreateAnswer, context.Name, "create").Session;
        return new BackendSession(
            new BackendSessionRef(session.UploadId),
            PartSize: session.PartSize,
            PartCount: session.PartCount,
            Target: (target with { Path = session.TargetPath }).ToTarget(),
            MaxConcurrency: session.MaxConcurrency,
            ExpiresAt: session.ExpiresAt);
    }

    public PartTransformer CreatePartTransformer(UploadSession session, int partNumber, long size, PartDigests digests) =>
        new SandboxPartTransformer(size, context.Http, PartPath(session, partNumber), digests.Sha256);

    public Task<string?> AcceptPartAsync(UploadSession session, int partNumber, PartDigests digests, BackendResponse response, CancellationToken cancellationToken)
    {
        // 200 carries the whole session, which the gateway keeps itself; the sandbox has no part ids.
        return response.IsSuccess ? Task.FromResult<string?>(null) : throw PartError(response);
    }

    public async Task<CommitOutcome> CompleteAsync(UploadSession session, IReadOnlyList<PartRecord> parts, WholeChecksums checksums, CancellationToken cancellationToken)
    {
        var message = context.Http.Request(HttpMethod.Post, SessionPath(session) + "/complete");
        // Same key for every attempt: a complete retried after a lost answer replays the sandbox's first answer.
        message.Headers.Add(IdempotencyKeyHeader, session.Id + ".complete");
        BackendHttp.SetJson(message, new SandboxCompleteBody(checksums.Sha256 ?? session.Sha256), SandboxJsonContext.Default.SandboxCompleteBody);

        var response = await context.Http.SendAsync(message, cancellationToken);
        if (!response.IsSuccess)
        {
            throw Error(response, "complete");
        }
        var published = response.Read(SandboxAnswerJsonContext.Default.SandboxCompleteAnswer, context.Name, "complete");
        return new CommitOutcome.Completed(new SessionResult
        {
            Path = published.Session.TargetPath,
            Size = published.PublishedBytes,
            FileCount = published.PublishedFileCount,
        });
    }

    public async Task AbortAsync(UploadSession session, CancellationToken cancellationToken)
    {
        var response = await context.Http.SendAsync(context.Http.Request(HttpMethod.Delete, SessionPath(session)), cancellationToken);
        if (!response.IsSuccess && response.Status != 404)
        {
            throw Error(response, "abort");
        }
    }

    public Task<bool> IsReachableAsync(CancellationToken cancellationToken) => context.Http.IsReachableAsync(cancellationToken);

    private static string SessionPath(UploadSession session) =>
        $"v1/sandboxes/{Uri.EscapeDataString(SandboxTarget.Of(session.Target).SandboxId)}/uploads/{Uri.EscapeDataString(session.BackendSession.Id)}";

    // Contract parts are 1-based, the sandbox's are 0-based (mock-sandbox/README.md, one part).
    private static string PartPath(UploadSession session, int partNumber) =>
        SessionPath(session) + "/parts/" + (partNumber - 1).ToString(CultureInfo.InvariantCulture);

    /// <summary>A part the sandbox refused, in contract terms.</summary>
    private static GatewayException PartError(BackendResponse response)
    {
        var (code, _) = Envelope(response);
        return (response.Status, code) switch
        {
            (400, _) => new(ErrorCode.ChecksumMismatch, "The sandbox refused the part's bytes (digest or size)."),
            (409, _) => new(ErrorCode.PartConflict, "The sandbox holds different bytes for this part, or its session has ended."),
            (413, _) => new(ErrorCode.UploadTooLarge, "The part is larger than the sandbox accepts."),
            (429, "rate_limit_exceeded") => new(ErrorCode.ConcurrencyLimit, "The sandbox has too many parts of this upload in flight.")
            {
                RetryAfter = response.RetryAfter ?? TimeSpan.FromSeconds(1),
            },
            _ => BackendHttp.CommonError(response, code, "part upload"),
        };
    }

    /// <summary>A control-plane call the sandbox refused, in contract terms (mock-sandbox/README.md, conventions).</summary>
    private static GatewayException Error(BackendResponse response, string operation)
    {
        var (code, details) = Envelope(response);
        return (response.Status, code, operation) switch
        {
            (400, "invalid_fields", _) or (404, "sandbox_not_found" or "not_found", "create") or (403, "permission_denied", _) =>
                new(ErrorCode.InvalidTarget, $"The sandbox refused the target ({code})."),
            (400, _, "complete") => new(ErrorCode.InvalidRequest, "The sandbox refused the archive; the upload failed and nothing was published.") { EndsSession = true },
            (413, _, _) => new(ErrorCode.UploadTooLarge, "The upload is larger than the sandbox accepts."),
            (429, "quota_exceeded", _) => new(ErrorCode.QuotaExceeded, "The sandbox's staging quota is full; retry when other uploads finish.")
            {
                RetryAfter = response.RetryAfter,
            },
            (422, _, "complete") => new(ErrorCode.ChecksumMismatch, "The assembled object's SHA-256 differs from the one given; the upload failed.")
            {
                EndsSession = true,
            },
            (409, "upload_conflict", "complete") when details?.TryGetProperty("next_part", out _) == true =>
                new(ErrorCode.BackendError, "The sandbox is missing parts the gateway recorded as received."),
            (409, "upload_conflict", "complete") => new(ErrorCode.Conflict, "The target already exists and conflict is \"error\"."),
            (409, "upload_conflict", "abort") => new(ErrorCode.InvalidState, "The sandbox already completed this upload."),
            (409, "sandbox_not_ready", _) => new(ErrorCode.BackendUnavailable, "The sandbox is not ready; retry shortly.")
            {
                RetryAfter = response.RetryAfter ?? TimeSpan.FromSeconds(1),
            },
            (404, _, _) => new(ErrorCode.BackendError, $"The sandbox no longer knows this upload ({operation})."),
            _ => BackendHttp.CommonError(response, code, operation),
        };
    }

    private static (string Code, JsonElement? Details) Envelope(BackendResponse response)
    {
        if (response.Json() is { ValueKind: JsonValueKind.Object } json
            && json.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
        {
            var code = error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : "unknown";
            return (code, error.TryGetProperty("details", out var d) && d.ValueKind == JsonValueKind.Object ? d : null);
        }
        return ("unknown", null);
    }
}
