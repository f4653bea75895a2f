using System.Globalization;
using System.Text.Json;
using Gateway.Domain;
using Gateway.Sessions;
using UploadGateway.Contract;

namespace Gateway.Backends.Box;

/// <summary>
/// Box's chunked upload API (Box's chunked upload guide, https://developer.box.com/guides/uploads/chunked/): Box chooses the part size, parts are byte ranges with a SHA-1
/// <c>Digest</c>, the session's own <c>session_endpoints</c> are followed as given, commit needs the whole
/// file's SHA-1 and may answer <c>202</c> while Box still assembles.
/// </summary>
internal sealed class BoxBackend(BackendContext context) : IUploadBackend
{
    public const string DigestHeader = "Digest";

    /// <summary>Box's guide (https://developer.box.com/guides/uploads/chunked/) says the minimum is "20MB"; 20,000,000 bytes is the reading that refuses nothing Box takes.</summary>
    private const long BoxMinimum = 20_000_000;

    public string Name => context.Name;

    public BackendCluster Cluster => context.Http.Cluster;

    public BackendRules Rules { get; } = new(
        context.Type,
        Kinds: [ContractValues.Kinds.File],
        Conflicts: [ContractValues.Conflicts.Error, ContractValues.Conflicts.Replace],
        TargetFields: BoxTargets.Instance.Fields,
        Checksums: new ChecksumsRequired(Part: [ContractValues.Algorithms.Sha1], Complete: [ContractValues.Algorithms.Sha1]),
        MinUploadBytes: context.Options.MinUploadBytes ?? BoxMinimum,
        MaxConcurrency: context.Options.MaxConcurrency,
        NeedsPartSha1BeforeBody: true,
        // Box hashes every part and answers 400 bad_digest when Digest: sha= differs (mock-box/README.md, upload part).
        ChecksPartDigests: DigestKinds.Sha1);

    public IBackendTargets Targets => BoxTargets.Instance;

    /// <summary>The gateway keeps no staging quota of its own for Box: the account's storage is Box's to refuse.</summary>
    public IEnumerable<QuotaScope> QuotaScopes(UploadTarget target) => [];

    public async Task<BackendSession> CreateAsync(BackendCreate request, CancellationToken cancellationToken)
    {
        var target = BoxTarget.Of(request.Target);
        var response = target.FileId is { } fileId
            ? await CreateVersionSessionAsync(fileId, request.ContentLength, target.FileName, cancellationToken)
            : await CreateFileSessionAsync(target.FolderId!, request.ContentLength, target.FileName!, cancellationToken);

        // conflict "replace": the name is taken, so upload a new version of the file holding it (README.md, the contract: create).
        if (response.Status == 409 && request.Conflict == ContractValues.Conflicts.Replace && ConflictingFileId(response) is { } existing)
        {
            response = await CreateVersionSessionAsync(existing, request.ContentLength, null, cancellationToken);
        }
        if (!response.IsSuccess)
        {
            throw Error(response, "create");
        }

        var session = response.Read(BoxAnswerJsonContext.Default.BoxSessionAnswer, context.Name, "create");
        var endpoints = session.SessionEndpoints;
        var urls = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (endpoint, url) in new[]
        {
            ("upload_part", endpoints.UploadPart), ("commit", endpoints.Commit), ("abort", endpoints.Abort),
            ("list_parts", endpoints.ListParts), ("status", endpoints.Status),
        })
        {
            // The gateway sends Box's token to these URLs, which Box gives as absolute URLs to follow as given: only to the cluster's own hosts.
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !context.Http.Cluster.Owns(uri))
            {
                throw new GatewayException(ErrorCode.BackendError, $"Box's {endpoint} endpoint is not on a host of the backend's cluster.");
            }
            urls[endpoint] = url;
        }
        return new BackendSession(
            new BackendSessionRef(session.Id, urls),
            PartSize: session.PartSize,
            PartCount: session.TotalParts,
            Target: request.Target,
            ExpiresAt: session.SessionExpiresAt);
    }

    public PartTransformer CreatePartTransformer(UploadSession session, int partNumber, long size, PartDigests digests) =>
        new BoxPartTransformer(size, context.Http, Url(session, "upload_part"), session.OffsetOf(partNumber), session.ContentLength,
            digests.Sha1 ?? throw new InvalidOperationException("Box parts need their SHA-1 before the body."));

    public async Task<string?> AcceptPartAsync(UploadSession session, int partNumber, PartDigests digests, BackendResponse response, CancellationToken cancellationToken)
    {
        var offset = session.OffsetOf(partNumber);
        var sha1 = Convert.ToHexStringLower(digests.Sha1!);
        if (response.IsSuccess)
        {
            var part = response.Read(BoxAnswerJsonContext.Default.BoxUploadedPartAnswer, context.Name, "part upload").Part;
            if (part.Offset != offset || !string.Equals(part.Sha1, sha1, StringComparison.OrdinalIgnoreCase))
            {
                throw new GatewayException(ErrorCode.BackendError, "Box acknowledged a different part than the one sent.");
            }
            return part.PartId;
        }
        // A part stored before a lost answer (an instance died between Box's 200 and the store) is not an error:
        // Box's own parts list tells whether the stored bytes are these.
        if (response.Status == 416 && Envelope(response) == "range_overlaps_existing_part")
        {
            // Box refused the range before it read these bytes, so its parts list is the check: the stored part's
            // SHA-1 must be the one this request claims (computed by the gateway, or the client's own; a client that
            // computes its digests cannot get other bytes past it, and the SHA-256 recorded is the gateway's).
            var stored = await FindPartAsync(session, offset, cancellationToken);
            if (stored is { } s && string.Equals(s.Sha1, sha1, StringComparison.OrdinalIgnoreCase) && s.Size == session.SizeOf(partNumber))
            {
                return s.PartId;
            }
            throw new GatewayException(ErrorCode.PartConflict, $"Box already holds different bytes for part {partNumber}.");
        }
        throw PartError(response);
    }

    public async Task<CommitOutcome> CompleteAsync(UploadSession session, IReadOnlyList<PartRecord> parts, WholeChecksums checksums, CancellationToken cancellationToken)
    {
        var message = context.Http.Request(HttpMethod.Post, Url(session, "commit"));
        message.Headers.TryAddWithoutValidation(DigestHeader, "sha=" + Convert.ToBase64String(Convert.FromHexString(checksums.Sha1!)));
        var body = new BoxCommitBody([.. parts.Select(p => new BoxPart(p.BackendPartId!, session.OffsetOf(p.Number), p.Size, p.Sha1!))]);
        BackendHttp.SetJson(message, body, BoxJsonContext.Default.BoxCommitBody);

        var response = await context.Http.SendAsync(message, cancellationToken);
        if (response.Status == 202)
        {
            return new CommitOutcome.Pending(response.RetryAfter ?? TimeSpan.FromSeconds(5));
        }
        if (!response.IsSuccess)
        {
            throw Error(response, "commit");
        }
        var file = response.Read(BoxAnswerJsonContext.Default.BoxCommitAnswer, context.Name, "commit").Entries.FirstOrDefault()
            ?? throw new GatewayException(ErrorCode.BackendError, $"Backend '{context.Name}' answered commit without the file.");
        return new CommitOutcome.Completed(new SessionResult { FileId = file.Id, Sha1 = file.Sha1, Size = file.Size });
    }

    public async Task AbortAsync(UploadSession session, CancellationToken cancellationToken)
    {
        var response = await context.Http.SendAsync(context.Http.Request(HttpMethod.Delete, Url(session, "abort")), cancellationToken);
        if (!response.IsSuccess && response.Status is not (404 or 410))
        {
            throw Error(response, "abort");
        }
    }

    public Task<bool> IsReachableAsync(CancellationToken cancellationToken) => context.Http.IsReachableAsync(cancellationToken);

    private Task<BackendResponse> CreateFileSessionAsync(string folderId, long size, string fileName, CancellationToken cancellationToken)
    {
        var message = context.Http.Request(HttpMethod.Post, "api/2.0/files/upload_sessions");
        BackendHttp.SetJson(message, new BoxCreateBody(folderId, size, fileName), BoxJsonContext.Default.BoxCreateBody);
        return context.Http.SendAsync(message, cancellationToken);
    }

    private Task<BackendResponse> CreateVersionSessionAsync(string fileId, long size, string? fileName, CancellationToken cancellationToken)
    {
        var message = context.Http.Request(HttpMethod.Post, $"api/2.0/files/{fileId}/upload_sessions");
        BackendHttp.SetJson(message, new BoxNewVersionBody(size, fileName), BoxJsonContext.Default.BoxNewVersionBody);
        return context.Http.SendAsync(message, cancellationToken);
    }

    private async Task<BoxPart?> FindPartAsync(UploadSession session, long offset, CancellationToken cancellationToken)
    {
        const int Limit = 1000;
        for (var page = 0L; ; page += Limit)
        {
            var url = new Uri(Url(session, "list_parts") + $"?offset={page}&limit={Limit}");
            var response = await context.Http.SendAsync(context.Http.Request(HttpMethod.Get, url), cancellationToken);
            if (!response.IsSuccess)
            {
                throw Error(response, "list parts");
            }
            var entries = response.Read(BoxAnswerJsonContext.Default.BoxPartsAnswer, context.Name, "list parts").Entries;
            if (entries.FirstOrDefault(e => e.Offset == offset) is { } entry)
            {
                return new BoxPart(entry.PartId, offset, entry.Size, entry.Sha1);
            }
            if (entries.Count < Limit)
            {
                return null;
            }
        }
    }

    private static Uri Url(UploadSession session, string endpoint) => new(session.BackendSession.Urls![endpoint]);

    private static string? ConflictingFileId(BackendResponse response)
    {
        // Box's preflight puts the existing item under context_info.conflicts: an object, or a list of them.
        if (response.Json() is { ValueKind: JsonValueKind.Object } json
            && json.TryGetProperty("context_info", out var info) && info.ValueKind == JsonValueKind.Object
            && info.TryGetProperty("conflicts", out var conflicts))
        {
            var item = conflicts.ValueKind == JsonValueKind.Array && conflicts.GetArrayLength() > 0 ? conflicts[0] : conflicts;
            if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
                && (!item.TryGetProperty("type", out var type) || type.GetString() == "file"))
            {
                return id.GetString();
            }
        }
        return null;
    }

    private static GatewayException PartError(BackendResponse response)
    {
        var code = Envelope(response);
        return (response.Status, code) switch
        {
            (400, "bad_digest") => new(ErrorCode.ChecksumMismatch, "Box found the part's SHA-1 differs from its bytes."),
            (409, _) => new(ErrorCode.PartConflict, "Box holds a conflicting part."),
            (410, _) => new(ErrorCode.Expired, "Box's session expired; create a new upload."),
            (413, _) => new(ErrorCode.UploadTooLarge, "The part is larger than Box accepts."),
            (404, _) => new(ErrorCode.BackendError, "Box no longer knows this upload session."),
            _ => BackendHttp.CommonError(response, code, "part upload"),
        };
    }

    private static GatewayException Error(BackendResponse response, string operation)
    {
        var code = Envelope(response);
        return (response.Status, code) switch
        {
            (400, "file_size_too_small" or "invalid_file_size" or "missing_file_size") =>
                new(ErrorCode.InvalidRequest, $"Box refused the size ({code})."),
            // Box answers a wrong whole-file digest at commit with digest_mismatch, a wrong part digest with bad_digest.
            (400, "digest_mismatch" or "bad_digest") => new(ErrorCode.ChecksumMismatch, "The file's SHA-1 differs from the one given at complete."),
            (400, _) or (404, _) when operation == "create" => new(ErrorCode.InvalidTarget, $"Box refused the target ({code})."),
            (403, "storage_limit_exceeded") => new(ErrorCode.QuotaExceeded, "The Box account is out of storage."),
            (409, _) => new(ErrorCode.Conflict, "An item with this name already exists in the folder."),
            (410, _) => new(ErrorCode.Expired, "Box's session expired; create a new upload.") { EndsSession = true },
            (412, _) => new(ErrorCode.InvalidState, "The file changed since the upload began."),
            (404, _) => new(ErrorCode.BackendError, $"Box no longer knows this upload session ({operation})."),
            _ => BackendHttp.CommonError(response, code, operation),
        };
    }

    private static string Envelope(BackendResponse response) =>
        response.Json() is { ValueKind: JsonValueKind.Object } json && json.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String
            ? code.GetString()!
            : "unknown";
}
