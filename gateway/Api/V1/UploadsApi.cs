using System.Globalization;
using System.Text.Json;
using Gateway.Auth;
using Gateway.Backends;
using Gateway.Domain;
using Gateway.Forwarding;
using Gateway.Sessions;
using Gateway.Uploads;
using UploadGateway.Contract;
using Microsoft.AspNetCore.Http.HttpResults;
using Gateway.Http;

namespace Gateway.Api.V1;

/// <summary>
/// The v1 upload contract's endpoints (docs/architecture.md; the served /openapi/v1.json). Handlers parse the
/// wire, call the core (<see cref="UploadLifecycle"/>, <see cref="PartForwarder"/>, the store) and map its
/// answers back to wire bodies.
/// </summary>
internal static class UploadsApi
{
    public const string ContentDigestHeader = ContractValues.Headers.ContentDigest;

    public static RouteGroupBuilder MapUploadsApiV1(this IEndpointRouteBuilder endpoints)
    {
        // Every endpoint may also answer 401 unauthorized, 429 rate_limited and 503 store_unavailable. Create may
        // also be 403 hook_rejected and 503 hook_unavailable (the pre-create hook, docs/hooks.md).
        int[] always = [401, 429, 503];
        var api = endpoints.MapGroup("/v1/uploads");
        // An id from the path meets the one id rule before any handler sees it (UploadIds): never the store,
        // never a message. The detail does not repeat what was sent.
        api.AddEndpointFilter((context, next) =>
            context.HttpContext.GetRouteValue("id") is string id && !UploadIds.IsWellFormed(id)
                ? throw new GatewayException(ErrorCode.NotFound, "No upload with this id: upload ids are up_ and 32 base32 characters.")
                : next(context));
        api.MapPost("", CreateAsync).WithSummary("Create an upload session (and the backend's)")
            .WithMetadata(new RequestBody(typeof(CreateUploadRequest), "application/json")).Problems([.. always, 400, 403, 409, 413, 422, 502]);
        api.MapGet("", ListAsync).WithSummary("The caller's sessions, newest first").Problems([.. always, 400])
            .WithMetadata(
                new QueryParameter("status", "Only sessions with this status."),
                new QueryParameter("limit", "Page size, 1 to 100 (default 20).", Integer: true),
                new QueryParameter("cursor", "next_cursor of the previous page."));
        api.MapGet("/{id}", GetAsync).WithSummary("A session's progress").Problems([.. always, 404]);
        api.MapDelete("/{id}", AbortAsync).WithSummary("Abort here and at the backend; quota released").Problems([.. always, 404, 409, 502]);
        api.MapPut("/{id}/parts/{partNumber}", PutPartAsync).WithSummary("Upload part n (raw bytes; optional Content-Digest, RFC 9530)")
            .WithMetadata(new RequestBody(typeof(Stream), "application/octet-stream")).Problems([.. always, 400, 404, 409, 410, 413, 502]);
        api.MapGet("/{id}/parts", ListPartsAsync).WithSummary("Parts received, ascending").Problems([.. always, 400, 404])
            .WithMetadata(
                new QueryParameter("after", "Only parts after this number.", Integer: true),
                new QueryParameter("limit", "Page size, 1 to 1000 (default 100).", Integer: true));
        api.MapPost("/{id}/complete", CompleteAsync).WithSummary("Commit: the backend assembles the object (202 + Retry-After while it does)")
            .WithMetadata(new RequestBody(typeof(CompleteRequest), "application/json")).Problems([.. always, 400, 404, 409, 410, 502]);
        return api;
    }

    private static async Task<Created<SessionBody>> CreateAsync(Tenant tenant, HttpContext context, UploadLifecycle lifecycle, BackendRegistry backends, TimeProvider time)
    {
        var request = (await JsonBodies.ReadAsync(context, V1JsonContext.Default.CreateUploadRequest, optional: false))!;
        CheckTargetMembers(request.Target, backends);
        if (string.IsNullOrEmpty(request.Backend))
        {
            throw new GatewayException(ErrorCode.InvalidRequest, "backend is required: GET /v1/backends lists the ones you may use.");
        }
        if (request.ContentLength is not { } length)
        {
            throw new GatewayException(ErrorCode.InvalidRequest, "content_length is required and may not be negative.");
        }
        var create = new CreateUpload(request.Backend, request.Target, request.Kind ?? ContractValues.Kinds.File,
            request.Conflict ?? ContractValues.Conflicts.Error, length, request.Checksum);
        var session = await lifecycle.CreateAsync(tenant, create, context.RequestAborted);
        return TypedResults.Created("/v1/uploads/" + session.Id, SessionBodies.From(session, backends, time.GetUtcNow()));
    }

    /// <summary>
    /// The target object's members are the target fields of the configured backends (<c>GET /v1/backends</c>), each a
    /// string (or null): anything else is a malformed body, <c>400 invalid_request</c> like any other unknown member.
    /// Which of them the chosen backend takes is that backend's to say (<c>422 invalid_target</c>).
    /// </summary>
    private static void CheckTargetMembers(UploadTarget? target, BackendRegistry backends)
    {
        if (target is null)
        {
            return;
        }
        foreach (var member in target.Element().EnumerateObject())
        {
            if (!backends.All.Any(b => b.Rules.TargetFields.Contains(member.Name)))
            {
                throw new GatewayException(ErrorCode.InvalidRequest, $"target has an unknown member '{Shorten(member.Name)}'; GET /v1/backends lists each backend's target_fields.");
            }
            if (member.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
            {
                throw new GatewayException(ErrorCode.InvalidRequest, $"target.{member.Name} must be a string.");
            }
        }
    }

    private static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "…";

    private static async Task<Ok<SessionBody>> GetAsync(string id, Tenant tenant, ISessionStore store, BackendRegistry backends, TimeProvider time, CancellationToken cancellationToken)
    {
        var session = await store.GetAsync(id, tenant.Name, cancellationToken) ?? throw NotFound(id);
        return TypedResults.Ok(SessionBodies.From(session, backends, time.GetUtcNow()));
    }

    private static async Task<Ok<UploadsPage>> ListAsync(Tenant tenant, HttpContext context, ISessionListing store, BackendRegistry backends, TimeProvider time)
    {
        var query = context.Request.Query;
        var status = query["status"].ToString() is { Length: > 0 } s ? s : null;
        if (status is not null && !SessionStatus.All.Contains(status))
        {
            throw new GatewayException(ErrorCode.InvalidRequest, $"status must be one of {string.Join(", ", SessionStatus.All)}.");
        }
        var limit = IntParameter(query, "limit", 20, 1, 100);
        ListCursor? cursor = null;
        if (query["cursor"].ToString() is { Length: > 0 } text && !ListCursor.TryParse(text, out cursor))
        {
            throw new GatewayException(ErrorCode.InvalidRequest, "cursor is not one this gateway issued.");
        }
        var page = await store.ListAsync(tenant.Name, status, cursor, limit, context.RequestAborted);
        var now = time.GetUtcNow();
        return TypedResults.Ok(new UploadsPage([.. page.Sessions.Select(s => SessionBodies.From(s, backends, now))], page.Next?.ToString()));
    }

    private static async Task<Ok<PartBody>> PutPartAsync(string id, string partNumber, Tenant tenant, HttpContext context, PartForwarder parts)
    {
        if (!int.TryParse(partNumber, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
        {
            throw new GatewayException(ErrorCode.InvalidRequest, "The part number must be a whole number from 1.");
        }
        if (!ContentDigest.TryParse(Joined(context.Request.Headers[ContentDigestHeader]), out var digests, out var error))
        {
            throw new GatewayException(ErrorCode.InvalidRequest, error!);
        }
        // Kestrel's default body limit (30 MB) would cut parts; the tenant's max_part_bytes is this route's limit.
        context.SetBodyLimit(tenant.Limits.MaxPartBytes);
        var receipt = await parts.PutAsync(context, tenant, id, n, digests);
        var part = receipt.Part;
        return TypedResults.Ok(new PartBody(part.Number, receipt.Offset, part.Size, part.Sha256, part.Sha1, receipt.AcceptedBytes, receipt.PartsReceived));
    }

    private static async Task<Ok<PartsPage>> ListPartsAsync(string id, Tenant tenant, HttpContext context, ISessionStore store)
    {
        var after = IntParameter(context.Request.Query, "after", 0, 0, int.MaxValue);
        var limit = IntParameter(context.Request.Query, "limit", 100, 1, 1000);
        var session = await store.GetAsync(id, tenant.Name, context.RequestAborted) ?? throw NotFound(id);
        var parts = (await store.ListPartsAsync(id, context.RequestAborted)).Where(p => p.Number > after).Take(limit + 1).ToList();
        var page = parts.Take(limit).Select(p => new PartItem(p.Number, session.OffsetOf(p.Number), p.Size, p.Sha256, p.Sha1)).ToList();
        return TypedResults.Ok(new PartsPage(page, parts.Count > limit ? page[^1].PartNumber : null));
    }

    private static async Task<Results<Ok<SessionBody>, Accepted<SessionBody>>> CompleteAsync(
        string id, Tenant tenant, HttpContext context, UploadLifecycle lifecycle, BackendRegistry backends, TimeProvider time)
    {
        var request = await JsonBodies.ReadAsync(context, V1JsonContext.Default.CompleteRequest, optional: true);
        var (session, retryAfter) = await lifecycle.CompleteAsync(tenant, id, request?.Checksum, context.RequestAborted);
        var body = SessionBodies.From(session, backends, time.GetUtcNow());
        if (retryAfter is { } wait)
        {
            // The backend is still assembling (Box's 202): repeating complete is safe.
            context.Response.Headers.SetRetryAfter(wait);
            return TypedResults.Accepted(body.Links.Self, body);
        }
        return TypedResults.Ok(body);
    }

    private static async Task<NoContent> AbortAsync(string id, Tenant tenant, UploadLifecycle lifecycle, CancellationToken cancellationToken)
    {
        await lifecycle.AbortAsync(tenant, id, cancellationToken);
        return TypedResults.NoContent();
    }

    private static GatewayException NotFound(string id) => new(ErrorCode.NotFound, $"No upload {id}.");

    private static int IntParameter(IQueryCollection query, string name, int fallback, int min, int max)
    {
        var text = query[name].ToString();
        if (text.Length == 0)
        {
            return fallback;
        }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new GatewayException(ErrorCode.InvalidRequest, $"{name} must be a whole number from {min} to {max}.");
    }

    private static string? Joined(Microsoft.Extensions.Primitives.StringValues values) => values.Count == 0 ? null : string.Join(", ", values.ToArray());
}
