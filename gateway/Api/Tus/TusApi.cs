using System.Globalization;
using System.Security.Cryptography;
using Gateway.Auth;
using Gateway.Backends;
using Gateway.Domain;
using Gateway.Sessions;
using Gateway.Uploads;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using UploadGateway.Contract;

namespace Gateway.Api.Tus;

/// <summary>
/// The tus 1.0 front (https://tus.io/protocols/resumable-upload; docs/tus.md): <c>/tus/</c> creates,
/// <c>/tus/{id}</c> is the upload. A tus upload is a gateway session: its id is the session's, and the core
/// (<see cref="UploadLifecycle"/>, the part path, the store) does all the work; this front parses tus headers
/// and answers in tus status codes, with the gateway's problem+json body and its <c>code</c>.
/// </summary>
internal static partial class TusApi
{
    public const string Version = "1.0.0";

    /// <summary>The checksum extension's status for a chunk whose <c>Upload-Checksum</c> differs from its bytes.</summary>
    public const int ChecksumMismatchStatus = 460;
    public const string OffsetOctetStream = "application/offset+octet-stream";

    /// <summary>Exactly what works; <c>creation-defer-length</c> is not offered (docs/tus.md says why).</summary>
    public const string Extensions = "creation,creation-with-upload,termination,expiration,checksum,concatenation";

    public const string ChecksumAlgorithms = "sha1,sha256";

    public static IEndpointRouteBuilder MapTus(this IEndpointRouteBuilder endpoints)
    {
        // tus is its own protocol (tus.io), not part of the v1 contract the OpenAPI document describes.
        var tus = endpoints.MapGroup("/tus").ExcludeFromDescription();
        tus.MapMethods("/", ["OPTIONS"], Options).AllowAnonymous();
        tus.MapMethods("/{id}", ["OPTIONS"], Options).AllowAnonymous();
        tus.MapPost("/", CreateAsync).RequireAuthorization();
        tus.MapMethods("/{id}", ["HEAD"], HeadAsync).RequireAuthorization();
        tus.MapMethods("/{id}", ["PATCH"], PatchAsync).RequireAuthorization();
        tus.MapDelete("/{id}", TerminateAsync).RequireAuthorization();
        return endpoints;
    }

    private static IResult Options(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers["Tus-Version"] = Version;
        headers["Tus-Extension"] = Extensions;
        headers["Tus-Checksum-Algorithm"] = ChecksumAlgorithms;
        if (TenantResolution.Find(context) is { } tenant)
        {
            headers["Tus-Max-Size"] = tenant.Limits.MaxUploadBytes.ToString(CultureInfo.InvariantCulture);
        }
        return Results.NoContent();
    }

    private static async Task<IResult> CreateAsync(Tenant tenant, HttpContext context, UploadLifecycle lifecycle, BackendRegistry backends,
        IOptions<TusTenantCatalog> defaults, TusRecords staging, TusWriter writer, ISessionStore store, TusPartials partials)
    {
        var request = context.Request;
        var concat = request.Headers["Upload-Concat"].ToString();
        if (concat == "partial")
        {
            return await CreatePartialAsync(tenant, context, partials, writer);
        }
        if (concat.StartsWith("final;", StringComparison.Ordinal))
        {
            return await CreateFinalAsync(tenant, context, concat, lifecycle, backends, defaults, staging, writer, partials);
        }
        if (concat.Length > 0)
        {
            throw new GatewayException(ErrorCode.InvalidRequest, "Upload-Concat must be \"partial\" or \"final;<url> <url>…\".");
        }
        if (request.Headers.ContainsKey("Upload-Defer-Length"))
        {
            throw new GatewayException(ErrorCode.InvalidRequest, "Upload-Defer-Length is not offered: both backends need the size at creation. Send Upload-Length.");
        }
        var length = Number(request.Headers["Upload-Length"], "Upload-Length")
            ?? throw new GatewayException(ErrorCode.InvalidRequest, "Upload-Length is required.");
        if (length > tenant.Limits.MaxUploadBytes)
        {
            throw new GatewayException(ErrorCode.UploadTooLarge, $"Upload-Length {length} is over Tus-Max-Size {tenant.Limits.MaxUploadBytes}.");
        }
        var rawMetadata = request.Headers["Upload-Metadata"].ToString();
        var metadata = TusMetadata.Parse(rawMetadata);
        var create = TusRouting.Resolve(tenant, metadata, defaults.Value.For(tenant.Name), backends, length);
        var hasBody = request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;
        if (hasBody)
        {
            ExpectOctetStream(request);
        }
        var checksum = hasBody ? ParseChecksum(request.Headers["Upload-Checksum"]) : null;

        var session = await lifecycle.CreateAsync(tenant, create, context.RequestAborted);
        await staging.SaveMetadataAsync(session.Id, rawMetadata.Length == 0 ? null : rawMetadata);
        var location = $"{request.PathBase}/tus/{session.Id}";
        context.Response.Headers.Location = location;
        if (session.Status == SessionStatus.Staged)
        {
            // Zero bytes: every part is there; the upload completes at once.
            session = await writer.CompleteAsync(tenant, session, context.RequestAborted);
        }
        var offset = 0L;
        if (hasBody)
        {
            LiftBodyLimit(context, tenant);
            try
            {
                (session, offset) = await writer.WriteAsync(context, tenant, session.Id, 0, request.ContentLength, checksum);
            }
            catch (GatewayException)
            {
                // The upload exists; the client learns its offset from HEAD and goes on with PATCH.
                offset = writer.Position(await store.GetAsync(session.Id, tenant.Name, CancellationToken.None) ?? session).Offset;
                context.Response.Headers["Upload-Offset"] = offset.ToString(CultureInfo.InvariantCulture);
                context.Response.Headers["Upload-Expires"] = session.ExpiresAt.ToString("R", CultureInfo.InvariantCulture);
                return Results.StatusCode(StatusCodes.Status201Created);
            }
            context.Response.Headers["Upload-Offset"] = offset.ToString(CultureInfo.InvariantCulture);
        }
        Expires(context, session);
        return Results.StatusCode(StatusCodes.Status201Created);
    }

    private static async Task<IResult> HeadAsync(string id, Tenant tenant, HttpContext context, ISessionStore store, TusRecords staging, TusWriter writer, TimeProvider time,
        TusPartials partials)
    {
        if (TusPartials.IsPartialId(id))
        {
            var partial = await partials.GetAsync(tenant, id, context.RequestAborted);
            var h = context.Response.Headers;
            h.CacheControl = "no-store";
            h["Upload-Offset"] = partials.Offset(id).ToString(CultureInfo.InvariantCulture);
            h["Upload-Length"] = partial.Length.ToString(CultureInfo.InvariantCulture);
            h["Upload-Concat"] = "partial";
            h["Upload-Expires"] = partial.ExpiresHeader;
            if (partial.Metadata is { } m)
            {
                h["Upload-Metadata"] = m;
            }
            return Results.Ok();
        }
        var session = await TusUploads.GetAsync(store, tenant, id, time, context.RequestAborted);
        if (session.Status is SessionStatus.Staged or SessionStatus.Completing)
        {
            // tus has no complete call: a commit an instance did not finish (it died, or Box was still assembling) is driven from here.
            try
            {
                session = await writer.CompleteAsync(tenant, session, context.RequestAborted);
            }
            catch (GatewayException)
            {
                // HEAD reports where the bytes stand; the commit is retried on the next HEAD.
            }
        }
        var headers = context.Response.Headers;
        headers.CacheControl = "no-store";
        headers["Upload-Offset"] = writer.Position(session).Offset.ToString(CultureInfo.InvariantCulture);
        headers["Upload-Length"] = session.ContentLength.ToString(CultureInfo.InvariantCulture);
        if (await staging.ReadMetadataAsync(id, context.RequestAborted) is { } metadata)
        {
            headers["Upload-Metadata"] = metadata;
        }
        if (await staging.ReadConcatAsync(id, context.RequestAborted) is { } concat)
        {
            headers["Upload-Concat"] = concat;
        }
        Expires(context, session);
        return Results.Ok();
    }

    private static async Task<IResult> PatchAsync(string id, Tenant tenant, HttpContext context, ISessionStore store, TusWriter writer, TimeProvider time,
        TusPartials partials, TusRecords staging)
    {
        var request = context.Request;
        ExpectOctetStream(request);
        var offset = Number(request.Headers["Upload-Offset"], "Upload-Offset")
            ?? throw new GatewayException(ErrorCode.InvalidRequest, "Upload-Offset is required.");
        var checksum = ParseChecksum(request.Headers["Upload-Checksum"]);
        if (TusPartials.IsPartialId(id))
        {
            var partial = await partials.GetAsync(tenant, id, context.RequestAborted);
            LiftBodyLimit(context, tenant);
            var reached = await writer.ExclusiveAsync(context, id, cancellationToken => AppendPartialAsync(context, partials, partial, offset, checksum, cancellationToken));
            context.Response.Headers["Upload-Offset"] = reached.ToString(CultureInfo.InvariantCulture);
            context.Response.Headers["Upload-Expires"] = partial.ExpiresHeader;
            return Results.NoContent();
        }
        var session = await TusUploads.GetAsync(store, tenant, id, time, context.RequestAborted);
        if (await staging.ReadConcatAsync(id, context.RequestAborted) is not null)
        {
            // The concatenation extension: a final upload is made of its partials and takes no bytes of its own.
            throw new GatewayException(ErrorCode.Forbidden, "A final upload takes no PATCH: its bytes are its partial uploads'.");
        }
        if (session.Status == SessionStatus.Completed)
        {
            if (offset != session.ContentLength || request.ContentLength > 0)
            {
                throw new GatewayException(ErrorCode.InvalidState, $"The upload is complete at offset {session.ContentLength}.");
            }
            context.Response.Headers["Upload-Offset"] = session.ContentLength.ToString(CultureInfo.InvariantCulture);
            return Results.NoContent();
        }
        if (!staging.IsTusUpload(id))
        {
            // docs/tus.md, "Mixed use": only an upload created here has its records (its metadata for HEAD, and on Box
            // the whole-object hash from its first byte), and an instance without the shared staging directory sees
            // none. Not 409: tus clients retry that one as an offset conflict.
            throw new GatewayException(ErrorCode.InvalidRequest,
                "This upload was not created at /tus/ (or this instance does not share Gateway:Rechunking:StagingDirectory): tus PATCH only continues tus uploads. Send its parts and complete through /v1.");
        }
        LiftBodyLimit(context, tenant);
        var (now, newOffset) = await writer.WriteAsync(context, tenant, id, offset, request.ContentLength, checksum);
        context.Response.Headers["Upload-Offset"] = newOffset.ToString(CultureInfo.InvariantCulture);
        Expires(context, now);
        return Results.NoContent();
    }

    private static async Task<IResult> TerminateAsync(string id, Tenant tenant, HttpContext context, UploadLifecycle lifecycle, ISessionStore store,
        TusRecords staging, TimeProvider time, TusPartials partials)
    {
        if (TusPartials.IsPartialId(id))
        {
            await partials.DeleteAsync(await partials.GetAsync(tenant, id, context.RequestAborted));
            return Results.NoContent();
        }
        var session = await TusUploads.GetAsync(store, tenant, id, time, context.RequestAborted);
        await lifecycle.AbortAsync(tenant, session.Id, context.RequestAborted);
        staging.Delete(session.Id);
        return Results.NoContent();
    }
}
