using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Auth;
using Gateway.Backends;
using Gateway.Domain;
using Gateway.Forwarding;
using Gateway.Sessions;
using Gateway.Uploads;
using UploadGateway.Contract;
using Gateway.Http;

namespace Gateway.Api.Box;

/// <summary>
/// Box's chunked upload API at <c>/box/api/2.0</c>, so a Box SDK whose upload URL is <c>&lt;gateway&gt;/box/api</c>
/// uploads through the gateway. A session here is a gateway session: its id is the <c>up_…</c> id of
/// <c>/v1/uploads/{id}</c>, created, fed and completed by the same core as every other front's. Handlers parse
/// Box's wire, call the core, and answer in Box's shapes and error envelope.
/// </summary>
internal static partial class BoxApi
{
    public const string Prefix = "/box/api";

    /// <summary>Commit bodies list every part (about 110 bytes each, at most 10,000 parts).</summary>
    private const int MaxJsonBytes = 4 * 1024 * 1024;

    private const int DefaultListLimit = 100;
    private const int MaxListLimit = 1000;
    private const long MaxListOffset = 10_000;

    public static RouteGroupBuilder MapBoxApi(this IEndpointRouteBuilder endpoints)
    {
        // Box's API is Box's to document; the served OpenAPI document is the v1 contract's.
        var files = endpoints.MapGroup(Prefix + "/2.0/files").ExcludeFromDescription();
        files.MapPost("/upload_sessions", CreateAsync);
        files.MapPost("/{fileId}/upload_sessions", CreateVersionAsync);
        var session = files.MapGroup("/upload_sessions/{id}");
        session.MapGet("", GetAsync);
        session.MapPut("", PutPartAsync);
        session.MapDelete("", AbortAsync);
        session.MapGet("/parts", ListPartsAsync);
        session.MapPost("/commit", CommitAsync);
        session.MapPost("/log", LogEventAsync);
        return files;
    }

    /// <summary>POST /files/upload_sessions: a new file in a folder, routed by the tenant's folder map.</summary>
    private static async Task<IResult> CreateAsync(Tenant tenant, HttpContext context, UploadLifecycle lifecycle, BoxRouting routing,
        BackendRegistry backends, BoxSessionShapes shapes)
    {
        var body = await ReadObjectAsync(context);
        if (!Present(body, "folder_id", out var folder))
        {
            throw new BoxError(400, "missing_destination", "folder_id is required");
        }
        if (folder.ValueKind != JsonValueKind.String || folder.GetString() is not { } folderId || !BoxFrontOptionsValidation.BoxId().IsMatch(folderId))
        {
            throw new BoxError(400, "invalid_folder_id", "folder_id is not a valid folder id");
        }
        var size = FileSize(body);
        if (!Present(body, "file_name", out var name))
        {
            throw new BoxError(400, "missing_file_name", "file_name is required");
        }
        var fileName = FileName(name);
        var route = routing.ForNewFile(tenant, folderId, fileName);
        return await StartAsync(context, tenant, lifecycle, backends, shapes, route, size);
    }

    /// <summary>POST /files/{file_id}/upload_sessions: a new version of a file, optionally renamed.</summary>
    private static async Task<IResult> CreateVersionAsync(string fileId, Tenant tenant, HttpContext context, UploadLifecycle lifecycle,
        BoxRouting routing, BackendRegistry backends, BoxSessionShapes shapes)
    {
        if (!BoxFrontOptionsValidation.BoxId().IsMatch(fileId))
        {
            throw BoxErrors.NotFound("Could not find the specified resource");
        }
        var body = await ReadObjectAsync(context);
        var size = FileSize(body);
        var fileName = Present(body, "file_name", out var name) ? FileName(name) : null;
        return await StartAsync(context, tenant, lifecycle, backends, shapes, routing.ForNewVersion(tenant, fileId, fileName), size);
    }

    private static async Task<IResult> StartAsync(HttpContext context, Tenant tenant, UploadLifecycle lifecycle, BackendRegistry backends,
        BoxSessionShapes shapes, BoxRoute route, long size)
    {
        if (backends.TryGet(route.Backend, out var backend) && size < backend.Rules.MinUploadBytes)
        {
            throw new BoxError(400, "file_size_too_small", $"File size is less than minimum allowed for this API: {backend.Rules.MinUploadBytes}");
        }
        UploadSession session;
        try
        {
            session = await lifecycle.CreateAsync(tenant,
                new CreateUpload(route.Backend, route.Target, ContractValues.Kinds.File, ContractValues.Conflicts.Error, size, null), context.RequestAborted);
        }
        catch (GatewayException e)
        {
            throw BoxErrors.From(e, BoxOperation.Create);
        }
        shapes.Remember(session);
        return TypedResults.Json(Body(context.Request, session), BoxWireJsonContext.Default.BoxUploadSession, statusCode: StatusCodes.Status201Created);
    }

    /// <summary>GET /files/upload_sessions/{id}: the session and how many parts it holds.</summary>
    private static async Task<IResult> GetAsync(string id, Tenant tenant, HttpContext context, ISessionStore store, BoxSessionShapes shapes, TimeProvider time)
    {
        var session = Live(await FindAsync(id, tenant, store, context.RequestAborted), time);
        shapes.Remember(session);
        return TypedResults.Json(Body(context.Request, session), BoxWireJsonContext.Default.BoxUploadSession);
    }

    /// <summary>
    /// PUT /files/upload_sessions/{id}: one part, by <c>Content-Range</c>, aligned to the session's part size,
    /// the last one shorter, with its SHA-1 in <c>Digest</c>; streamed through the core's part path, which checks
    /// the SHA-1 before the last byte leaves. Every check that needs no body runs first, in mock-box's order.
    /// </summary>
    private static async Task<IResult> PutPartAsync(string id, Tenant tenant, HttpContext context, PartForwarder parts, BoxSessionShapes shapes,
        ISessionStore store, TimeProvider time)
    {
        RequireWellFormed(id);
        var request = context.Request;
        var shape = await shapes.FindAsync(id, tenant, context.RequestAborted) ?? throw BoxErrors.NotFound();
        if (request.ContentLength > shape.PartSize)
        {
            throw new BoxError(413, "request_entity_too_large", $"A part may not be larger than the session's part_size {shape.PartSize}");
        }
        if (!BoxContentRange.TryParse(request.Headers.ContentRange, out var range))
        {
            throw BoxErrors.InvalidContentRange();
        }
        if (range.Total != shape.ContentLength)
        {
            throw BoxErrors.RangeTotalMismatch(shape.ContentLength);
        }
        if (range.First % shape.PartSize != 0)
        {
            throw BoxErrors.RangeNotPartAligned(shape.PartSize);
        }
        var n = checked((int)(range.First / shape.PartSize) + 1);
        var expected = PartMath.SizeOf(shape.ContentLength, shape.PartSize, n);
        if (range.Length != expected)
        {
            throw BoxErrors.RangeSizeMismatch(expected);
        }
        var sha1 = BoxDigest.Require(request);
        if (request.ContentLength is { } length && length != range.Length)
        {
            throw BoxErrors.RequestSizeMismatch($"Request body size {length} didn't match the Content-Range size {range.Length}");
        }
        // Kestrel's default body limit (30 MB) would cut parts; the tenant's max_part_bytes is this route's limit.
        context.SetBodyLimit(tenant.Limits.MaxPartBytes);
        PartReceipt receipt;
        try
        {
            receipt = await parts.PutAsync(context, tenant, id, n, new PartDigests(null, sha1));
        }
        catch (GatewayException e)
        {
            throw await RefusalAsync(e, BoxOperation.Part, id, tenant, store, time);
        }
        return TypedResults.Json(new BoxUploadedPart(Part(receipt.Part, receipt.Offset)), BoxWireJsonContext.Default.BoxUploadedPart);
    }

    /// <summary>GET /files/upload_sessions/{id}/parts: the parts received, ascending by offset, offset-paged.</summary>
    private static async Task<IResult> ListPartsAsync(string id, Tenant tenant, HttpContext context, ISessionStore store, TimeProvider time)
    {
        var session = Live(await FindAsync(id, tenant, store, context.RequestAborted), time);
        var query = context.Request.Query;
        var offset = QueryNumber(query, "offset", 0);
        if (offset < 0 || offset > MaxListOffset)
        {
            throw BoxErrors.BadRequest($"offset must be a whole number from 0 to {MaxListOffset}", "offset");
        }
        var limit = QueryNumber(query, "limit", DefaultListLimit);
        if (limit <= 0)
        {
            throw BoxErrors.BadRequest("limit must be a positive whole number", "limit");
        }
        limit = Math.Min(limit, MaxListLimit);
        var stored = await store.ListPartsAsync(id, context.RequestAborted);
        var page = stored.Skip((int)offset).Take((int)limit).Select(p => Part(p, session.OffsetOf(p.Number))).ToList();
        return TypedResults.Json(new BoxUploadParts(stored.Count, limit, offset, [new BoxPartsOrder("offset", "ASC")], page),
            BoxWireJsonContext.Default.BoxUploadParts);
    }

    private static async Task<IResult> AbortAsync(string id, Tenant tenant, HttpContext context, UploadLifecycle lifecycle, ISessionStore store, TimeProvider time)
    {
        Live(await FindAsync(id, tenant, store, context.RequestAborted), time);
        try
        {
            await lifecycle.AbortAsync(tenant, id, context.RequestAborted);
        }
        catch (GatewayException e)
        {
            throw await RefusalAsync(e, BoxOperation.Other, id, tenant, store, time);
        }
        return TypedResults.NoContent();
    }

    /// <summary>POST …/log, the session's advertised <c>log_event</c> endpoint (no operation is documented): 204 for a live session.</summary>
    private static async Task<IResult> LogEventAsync(string id, Tenant tenant, HttpContext context, ISessionStore store, TimeProvider time)
    {
        Live(await FindAsync(id, tenant, store, context.RequestAborted), time);
        context.SetBodyLimit(MaxJsonBytes);
        await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
        return TypedResults.NoContent();
    }

    private static BoxUploadSession Body(HttpRequest request, UploadSession session)
    {
        // The configured public address, or the request's own (forwarded only by trusted proxies): Hosting/PublicAddress.
        var url = $"{Hosting.PublicAddress.Of(request)}{Prefix}/2.0/files/upload_sessions/{session.Id}";
        return new BoxUploadSession(session.Id, "upload_session", BoxTime(session.ExpiresAt), session.PartSize, session.PartCount, session.PartsReceived,
            new BoxSessionEndpoints(UploadPart: url, Commit: url + "/commit", Abort: url, ListParts: url + "/parts", Status: url, LogEvent: url + "/log"));
    }

    private static BoxUploadPart Part(PartRecord part, long offset) =>
        new(PartId(part.Number), offset, part.Size, part.Sha1 ?? "");

    /// <summary>The front's own part ids, the same for every backend: the part number as 8 hex digits, like Box's.</summary>
    private static string PartId(int number) => number.ToString("X8", CultureInfo.InvariantCulture);

    /// <summary>The caller's session, or Box's 404 (also for another tenant's: the two cannot be told apart).</summary>
    private static async Task<UploadSession> FindAsync(string id, Tenant tenant, ISessionStore store, CancellationToken cancellationToken)
    {
        RequireWellFormed(id);
        return await store.GetAsync(id, tenant.Name, cancellationToken) ?? throw BoxErrors.NotFound();
    }

    /// <summary>A session Box would still serve: ended ones are 404 as at Box, expired ones 410, failed ones 410 upload_failed.</summary>
    private static UploadSession Live(UploadSession session, TimeProvider time) => session.StatusAt(time.GetUtcNow()) switch
    {
        SessionStatus.Expired => throw BoxErrors.SessionExpired(),
        SessionStatus.Completed or SessionStatus.Aborted => throw BoxErrors.NotFound(),
        SessionStatus.Failed => throw BoxErrors.UploadFailed(),
        _ => session,
    };

    /// <summary>
    /// A core refusal in Box's words. The core says only that a session is in the wrong state; Box answers an
    /// ended one with 404, so on that error alone the session is read again to say which.
    /// </summary>
    private static async Task<BoxError> RefusalAsync(GatewayException e, BoxOperation operation, string id, Tenant tenant, ISessionStore store, TimeProvider time)
    {
        if (e.Error == ErrorCode.InvalidState && await store.GetAsync(id, tenant.Name, CancellationToken.None) is { } session)
        {
            try
            {
                Live(session, time);
            }
            catch (BoxError ended)
            {
                return ended;
            }
            return BoxErrors.OperationBlocked();
        }
        return BoxErrors.From(e, operation);
    }

    // Gateway ids: up_ and 32 base32 characters.
    private static void RequireWellFormed(string id)
    {
        if (!UploadIds.IsWellFormed(id))
        {
            throw BoxErrors.InvalidUploadSessionId();
        }
    }

    /// <summary>Box's timestamps: RFC 3339 to the second, in UTC with an offset.</summary>
    private static string BoxTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", CultureInfo.InvariantCulture);
}
